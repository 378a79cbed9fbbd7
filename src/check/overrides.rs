//! `--set KEY=VALUE` and `--set EXPERIMENT.KEY=VALUE`: an experiment key
//! given on the command line instead of in the file.
//!
//! Each override becomes a source of its own, named `--set KEY=VALUE`, so
//! its diagnostics point into the text as typed. Its value is parsed by the
//! grammar rule of a key's value and replaces the key in the experiment's
//! syntax tree (or is added when the file does not set it); the program is
//! then checked exactly like a file that said so. An override of `iters`
//! replaces `epochs` and the other way round: both say how long to train.

use super::experiment::KEYS;
use super::imports::Program;
use crate::diagnostics::{did_you_mean, Diagnostic, Located};
use crate::source::FileId;
use crate::syntax::ast::{ExpStmt, Expr, Ident, Item, Span};

/// One override, parsed and resolved to its experiment.
struct Override {
    /// Index of the experiment among the root file's items.
    item: usize,
    key: Ident,
    every: bool,
    value: Expr,
    span: Span,
}

/// `program` with every override applied; problems with the overrides
/// themselves (the form, an unknown key or experiment, a syntax error in a
/// value) are added to its diagnostics.
pub fn apply(mut program: Program, overrides: &[String]) -> Program {
    let experiments: Vec<(usize, String)> = program
        .modules
        .first()
        .map(|root| {
            root.module
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Item::Experiment(e) => Some((i, e.name.name.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // A definition that did not parse may be the experiment meant: its
    // syntax error is reported, and an unknown experiment would be noise.
    let broken = program
        .modules
        .first()
        .is_some_and(|root| !root.module.broken.is_empty());
    // Paths in an override's value are relative to where regime was started.
    let cwd = std::env::current_dir().ok();
    let mut parsed: Vec<Override> = vec![];
    for text in overrides {
        let file = program.sources.add(format!("--set {text}"), text.clone());
        program.dirs.resize(file.0 as usize, None);
        program.dirs.push(cwd.clone());
        match parse(&experiments, file, text) {
            // The experiment meant may be the one that did not parse.
            Err(d) if broken && names_no_experiment(&d) => {}
            Ok(o) => match parsed
                .iter()
                .find(|p| p.item == o.item && slot(&p.key.name) == slot(&o.key.name))
            {
                Some(first) => program.diags.push(twice(&first.key.name, &o, &experiments)),
                None => parsed.push(o),
            },
            Err(d) => program.diags.push(d),
        }
    }
    if let Some(root) = program.modules.first_mut() {
        for o in parsed {
            if let Some(Item::Experiment(e)) = root.module.items.get_mut(o.item) {
                replace(&mut e.stmts, o);
            }
        }
    }
    program
}

/// An unknown experiment, or none to set a key in: said only of a file
/// whose every definition parsed.
fn names_no_experiment(d: &Located) -> bool {
    match &d.diagnostic {
        Diagnostic::UnknownOverrideKey { kind, .. } => kind == "experiment",
        Diagnostic::BadOverride { label, .. } => label == NO_EXPERIMENT,
        _ => false,
    }
}

const NO_EXPERIMENT: &str = "no experiment";

/// Keys that set the same thing: `iters` and `epochs` are one length.
fn slot(key: &str) -> &str {
    match key {
        "epochs" => "iters",
        k => k,
    }
}

/// The override's statement where the experiment first set its key (or at
/// the end), and no other statement setting that key.
fn replace(stmts: &mut Vec<ExpStmt>, o: Override) {
    let sets =
        |s: &ExpStmt| matches!(s, ExpStmt::Key { key, .. } if slot(&key.name) == slot(&o.key.name));
    let at = stmts.iter().position(sets).unwrap_or(stmts.len());
    stmts.retain(|s| !sets(s));
    let stmt = ExpStmt::Key {
        key: o.key,
        every: o.every,
        value: o.value,
        span: o.span,
    };
    stmts.insert(at.min(stmts.len()), stmt);
}

fn bad(file: FileId, span: Span, message: String, label: &str, help: String) -> Located {
    Located::new(
        file,
        Diagnostic::BadOverride {
            message,
            span: span.into(),
            label: label.into(),
            help: Some(help),
        },
    )
}

/// The same key of the same experiment set by two overrides.
fn twice(first: &str, o: &Override, experiments: &[(usize, String)]) -> Located {
    let exp = experiments
        .iter()
        .find(|(i, _)| *i == o.item)
        .map_or("", |(_, n)| n.as_str());
    let what = if first == o.key.name {
        format!("`{}`", o.key.name)
    } else {
        format!("the length (`{first}` and `{}`)", o.key.name)
    };
    bad(
        o.span.file,
        o.key.span,
        format!("`--set` gives {what} of experiment `{exp}` twice"),
        "set again here",
        "keep one of the two `--set` options".into(),
    )
}

/// `KEY=VALUE` or `EXPERIMENT.KEY=VALUE` → the override, or why not.
fn parse(experiments: &[(usize, String)], file: FileId, text: &str) -> Result<Override, Located> {
    let whole = Span::new(file, 0, text.len());
    let Some(eq) = text.find('=') else {
        return Err(bad(
            file,
            whole,
            format!("`--set {text}` is not of the form KEY=VALUE"),
            "no `=`",
            "write `--set seeds=5`, or `--set EXPERIMENT.seeds=5` in a file with several experiments".into(),
        ));
    };
    let raw = &text[..eq];
    let start = raw.len() - raw.trim_start().len();
    let path = raw.trim();
    if path.is_empty() {
        return Err(bad(
            file,
            Span::new(file, 0, eq + 1),
            format!("`--set {text}` names no key"),
            "no key before `=`",
            format!(
                "name the experiment key to set: `--set seeds{}`",
                &text[eq..]
            ),
        ));
    }
    let parts: Vec<&str> = path.split('.').collect();
    let span_of = |part: usize| {
        let offset = start + parts[..part].iter().map(|p| p.len() + 1).sum::<usize>();
        Span::new(file, offset, offset + parts[part].len())
    };
    if parts.len() > 2 || parts.iter().any(|p| !is_name(p)) {
        return Err(bad(
            file,
            Span::new(file, start, start + path.len()),
            format!("`{path}` is neither KEY nor EXPERIMENT.KEY"),
            "not an experiment key",
            "keys and experiments are names: `--set seeds=5`, `--set fig1.seeds=5`".into(),
        ));
    }
    let key = Ident {
        name: parts[parts.len() - 1].to_string(),
        span: span_of(parts.len() - 1),
    };
    if !KEYS.contains(&key.name.as_str()) {
        return Err(Located::new(
            file,
            Diagnostic::UnknownOverrideKey {
                kind: "experiment key".into(),
                name: key.name.clone(),
                span: key.span.into(),
                article: "an",
                help: did_you_mean(&key.name, KEYS)
                    .or_else(|| Some(format!("experiment keys: {}", KEYS.join(", ")))),
            },
        ));
    }
    let item = match parts.as_slice() {
        [experiment, _] => qualified(experiments, experiment, span_of(0))?,
        _ => unqualified(experiments, &key, whole)?,
    };
    let after = &text[eq + 1..];
    if after.trim().is_empty() {
        return Err(bad(
            file,
            Span::new(file, eq, text.len()),
            format!("`--set {text}` gives `{}` no value", key.name),
            "no value after `=`",
            format!(
                "write the value as in the file, e.g. {}",
                example(&key.name)
            ),
        ));
    }
    let (every, value) = crate::syntax::parse_value(file, text, eq + 1)?;
    Ok(Override {
        item,
        key,
        every,
        value,
        span: Span::new(file, start, text.len()),
    })
}

/// The experiment named in `EXPERIMENT.KEY`.
fn qualified(experiments: &[(usize, String)], name: &str, span: Span) -> Result<usize, Located> {
    if let Some((i, _)) = experiments.iter().find(|(_, n)| n == name) {
        return Ok(*i);
    }
    let names: Vec<&str> = experiments.iter().map(|(_, n)| n.as_str()).collect();
    let help =
        did_you_mean(name, names.iter().copied()).unwrap_or_else(|| match names.as_slice() {
            [] => "the file has no experiment".into(),
            _ => format!("the experiments of this file: {}", names.join(", ")),
        });
    Err(Located::new(
        span.file,
        Diagnostic::UnknownOverrideKey {
            kind: "experiment".into(),
            name: name.into(),
            span: span.into(),
            article: "an",
            help: Some(help),
        },
    ))
}

/// The one experiment a plain `KEY` can mean.
fn unqualified(
    experiments: &[(usize, String)],
    key: &Ident,
    whole: Span,
) -> Result<usize, Located> {
    match experiments {
        [(i, _)] => Ok(*i),
        [] => Err(bad(
            whole.file,
            key.span,
            format!("the file has no experiment to set `{}` in", key.name),
            NO_EXPERIMENT,
            "`--set` changes a key of an experiment; this file defines none".into(),
        )),
        several => {
            let names: Vec<String> = several.iter().map(|(_, n)| format!("`{n}`")).collect();
            Err(Located::new(
                whole.file,
                Diagnostic::AmbiguousOverride {
                    key: key.name.clone(),
                    count: several.len(),
                    span: key.span.into(),
                    help: Some(format!(
                        "name the experiment: `--set {}.{}=...` (the experiments: {})",
                        several[0].1,
                        key.name,
                        names.join(", ")
                    )),
                },
            ))
        }
    }
}

/// A name as the grammar's `word` has it.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An example override of `key`, quoted for a shell where it needs it.
fn example(key: &str) -> String {
    let value = match key {
        "seeds" | "splits" => "5",
        "batch" => "128",
        "iters" => "2000",
        "epochs" => "10",
        "checks" => "every 100 iters",
        "network" => "mlp(64)",
        "optimizer" => "sgd(lr: 0.05)",
        "data" => "fashion_mnist(val: 1000)",
        "penalty" => "l1",
        "measure" => "val_acc",
        _ => "...",
    };
    if value.contains([' ', '(']) {
        format!("`--set '{key}={value}'`")
    } else {
        format!("`--set {key}={value}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(text: &str, overrides: &[&str]) -> Program {
        let program = super::super::imports::load("t.reg", text, None);
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        apply(program, &overrides)
    }

    fn keys(p: &Program) -> Vec<String> {
        let Some(Item::Experiment(e)) = p.modules[0].module.items.last() else {
            panic!("no experiment")
        };
        e.stmts
            .iter()
            .filter_map(|s| match s {
                ExpStmt::Key { key, .. } => Some(format!("{}@{}", key.name, key.span.file.0)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_override_takes_the_place_of_the_key_and_of_its_twin() {
        let p = applied(
            "experiment e {\n  seeds: 2\n  epochs: 3\n  batch: 10\n  seeds: 4\n}\n",
            &["iters=5", "seeds=1", "measure=val_acc"],
        );
        assert!(p.diags.is_empty(), "{:?}", p.diags);
        // `iters` where `epochs` was, `seeds` once, where it first was;
        // `measure` added at the end; each from its own source.
        assert_eq!(keys(&p), ["seeds@2", "iters@1", "batch@0", "measure@3"]);
        assert_eq!(p.sources.name(FileId(1)), "--set iters=5");
        assert_eq!(p.dirs.len(), 4);
    }

    #[test]
    fn a_file_with_a_broken_definition_hears_nothing_of_unknown_experiments() {
        let text = "experiment e {\n  network: mlp(3\n  seeds: 2\n}\n";
        let p = applied(text, &["seeds=2", "f.seeds=3", "sedes=1"]);
        let codes: Vec<String> = p.diags.iter().map(|d| d.diagnostic.code_name()).collect();
        assert_eq!(codes, ["syntax", "unknown_override_key"], "{codes:?}");
        let p = applied(
            "experiment e {\n  seeds: 2\n}\n",
            &["f.seeds=3", "e.seeds=x y"],
        );
        let codes: Vec<String> = p.diags.iter().map(|d| d.diagnostic.code_name()).collect();
        assert_eq!(codes, ["unknown_override_key", "syntax"], "{codes:?}");
    }
}
