//! docs/language.md agrees with the builtin tables (`regime::builtins`):
//! the data-source table lists each source's arguments (required in bold),
//! the schedule and history-function tables have a row per builtin (with its
//! one-line doc for the history functions), the layer list and the
//! optimizer row give each signature with its defaults, and every other
//! builtin is named.

use regime::builtins::{self, Builtin};

fn docs() -> String {
    std::fs::read_to_string("docs/language.md").unwrap()
}

/// The cells of the table row whose first cell contains `first`.
fn row(docs: &str, first: &str) -> Vec<String> {
    let line = docs
        .lines()
        .find(|l| l.starts_with('|') && l.split('|').nth(1).is_some_and(|c| c.contains(first)))
        .unwrap_or_else(|| panic!("docs/language.md has no table row for {first}"));
    line.split('|')
        .skip(1)
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn the_data_source_table_lists_each_source_s_arguments() {
    let docs = docs();
    for s in builtins::Source::ALL {
        let e = s.entry();
        let args: Vec<String> = e
            .params
            .iter()
            .map(|p| {
                if p.required() {
                    format!("**`{}`**", p.name)
                } else {
                    format!("`{}`", p.name)
                }
            })
            .collect();
        assert_eq!(
            row(&docs, &format!("`{}`", e.name))[1],
            args.join(", "),
            "{}",
            e.name
        );
    }
}

#[test]
fn the_schedule_table_has_a_row_per_schedule() {
    let docs = docs();
    for s in builtins::Schedule::ALL {
        row(&docs, &format!("`{}`", s.entry().usage));
    }
}

#[test]
fn the_history_table_gives_each_function_s_doc() {
    let docs = docs();
    for h in builtins::History::ALL {
        let e = h.entry();
        assert_eq!(
            row(&docs, &format!("`{}`", e.usage))[1],
            e.doc,
            "{}",
            e.name
        );
    }
    for f in builtins::Func::ALL {
        assert!(
            docs.contains(&format!("`{}`", f.entry().usage)),
            "{}",
            f.name()
        );
    }
}

#[test]
fn layers_and_optimizers_are_documented_with_their_defaults() {
    let docs = docs();
    for l in builtins::Layer::ALL {
        let sig = l.entry().signature();
        assert!(
            docs.contains(&format!("`{sig}`")),
            "docs/language.md lacks `{sig}`"
        );
    }
    let optimizer = row(&docs, "`optimizer`")[1].clone();
    for o in builtins::Optimizer::ALL {
        let sig = o.entry().signature();
        assert!(
            optimizer.contains(&format!("`{sig}`")),
            "the optimizer row lacks `{sig}`"
        );
    }
}

#[test]
fn every_other_builtin_is_named() {
    let docs = docs();
    let key_row = |key: &str| row(&docs, &format!("`{key}`"))[1].clone();
    for p in builtins::Penalty::ALL {
        assert!(
            key_row("penalty").contains(&format!("`{}`", p.entry().usage)),
            "{}",
            p.name()
        );
    }
    for i in builtins::Init::ALL {
        assert!(
            key_row("init").contains(&format!("`{}`", i.entry().signature())),
            "{}",
            i.name()
        );
    }
    for s in builtins::Sampling::ALL {
        assert!(
            key_row("sampling").contains(&format!("`{}`", s.name())),
            "{}",
            s.name()
        );
    }
    for n in builtins::Normalization::ALL {
        assert!(docs.contains(&format!("`{}`", n.name())), "{}", n.name());
    }
    for m in builtins::MetricName::ALL {
        assert!(docs.contains(m.name()), "{}", m.name());
    }
}
