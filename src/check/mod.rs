//! `check`: a loaded program → diagnostics (and, when clean, the experiments
//! expanded into trials). Stages: `imports` loads files, `defs` builds the
//! namespace, `eval` (with `args` and `coerce`), `schedule`, `policy`,
//! `data` and `network` check values,
//! `experiment` expands experiments (with `items`, `cells`, `settings`,
//! `analysis`, `budget` and `limits`), `rules` and `unused` add warnings.

mod analysis;
mod args;
pub mod budget;
mod calls;
mod cells;
mod coerce;
mod conditions;
pub mod data;
pub mod defs;
pub mod eval;
pub mod experiment;
pub mod imports;
mod items;
mod layers;
pub mod limits;
pub mod network;
mod operators;
mod overrides;
mod own_data;
pub mod policy;
mod rules;
pub mod schedule;
pub mod settings;
mod training;
mod unknown;
mod unused;

use crate::diagnostics::Diagnostics;
use crate::plan::ExperimentPlan;
use crate::syntax::ast::{Item, Span};
use defs::Defs;
use eval::{Ctx, Env, Val};

/// Options that change what the checked program means (and so the plan):
/// `seeds` overrides every experiment's `seeds:`; `scale` multiplies every
/// duration written in iterations and every `subset` (1.0 = as written);
/// `overrides` are the `--set KEY=VALUE` texts, applied to the syntax tree
/// before it is checked (see `overrides`); `target` is where the plan will
/// run, whose limits it must fit (`limits`), and leaves the plan as it is.
/// The one options struct of the pipeline (`crate::compile::Options`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub seeds: Option<u32>,
    pub scale: f64,
    pub overrides: Vec<String>,
    pub target: limits::Target,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seeds: None,
            scale: 1.0,
            overrides: vec![],
            target: limits::Target::Local,
        }
    }
}

/// Result of checking: every diagnostic, plus the expanded experiments and
/// the hash of all source texts.
pub struct Checked {
    pub report: Diagnostics,
    pub experiments: Vec<ExperimentPlan>,
    pub source_hash: String,
}

/// Check a loaded program (see `crate::compile` for the entry points that
/// read files).
pub fn check(program: &imports::Program, opts: &Options) -> Checked {
    // The hash is of the files: overrides are recorded beside it, in the plan.
    let hash = source_hash(program);
    let file = program;
    let overridden;
    let program = if opts.overrides.is_empty() {
        program
    } else {
        overridden = overrides::apply(program.clone(), &opts.overrides);
        &overridden
    };
    let mut diags = program.diags.clone();
    let defs = Defs::collect(program, &mut diags);
    let scale = if opts.scale.is_finite() && opts.scale > 0.0 {
        opts.scale
    } else {
        1.0
    };
    let mut ctx = Ctx::new(&defs, scale);
    ctx.target = opts.target;
    ctx.diags = crate::diagnostics::Emitter::after(&diags);
    ctx.dirs = program.dirs.clone();
    for m in &program.modules {
        for item in &m.module.items {
            standalone(&mut ctx, item);
        }
    }
    let mut experiments = vec![];
    let mut seen: Vec<(String, Span)> = vec![];
    if let Some(root) = program.modules.first() {
        for item in &root.module.items {
            let Item::Experiment(e) = item else { continue };
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == e.name.name) {
                diags.push(defs::duplicate(
                    program,
                    "experiment",
                    &e.name.name,
                    *first,
                    e.name.span,
                ));
                continue;
            }
            seen.push((e.name.name.clone(), e.name.span));
            // An experiment that does not expand was reported: `Reported` proves it.
            if let Ok(plan) = experiment::elaborate(&mut ctx, e, opts.seeds) {
                experiments.push(plan);
            }
        }
    }
    diags.extend(ctx.diags.into_vec());
    let mut unused = unused::warnings(program);
    if !opts.overrides.is_empty() {
        // A definition the file uses is not the file's mistake when an
        // override replaced its use (`--set data=...`); an axis an override
        // leaves unread still makes identical cells, and is said.
        let before = unused::warnings(file);
        unused.retain(|w| {
            matches!(&w.diagnostic, crate::diagnostics::Diagnostic::Unused { kind, .. } if kind == "vary axis")
                || before
                    .iter()
                    .any(|b| b.file == w.file && b.diagnostic.offset() == w.diagnostic.offset())
        });
    }
    diags.extend(unused);
    let mut report = Diagnostics {
        sources: program.sources.clone(),
        diagnostics: diags,
    };
    report.normalize();
    Checked {
        report,
        experiments,
        source_hash: hash,
    }
}

/// Check a definition on its own, with parameters at their defaults (or
/// unknown), so library files without experiments are checked too.
fn standalone(ctx: &mut Ctx, item: &Item) {
    let params = |ctx: &mut Ctx, ps: &Option<Vec<crate::syntax::ast::Param>>| -> Env {
        ps.iter()
            .flatten()
            .map(|p| {
                let v = match &p.default {
                    Some(d) => ctx.eval(d, &Env::new()),
                    None => Val::Unknown(unbound(p)),
                };
                (p.name.name.clone(), v)
            })
            .collect()
    };
    match item {
        Item::Data(d) => {
            let _ = data::resolve(
                ctx,
                &crate::syntax::ast::Expr {
                    kind: crate::syntax::ast::ExprKind::Ident(d.name.name.clone()),
                    span: d.name.span,
                },
                &Env::new(),
            );
        }
        Item::Schedule(s) => {
            let env = params(ctx, &s.params);
            if ctx.enter(&s.name.name, s.name.span).is_ok() {
                let v = ctx.eval(&s.body, &env);
                ctx.leave();
                if !matches!(v, Val::Sched(_) | Val::Num { .. } | Val::Unknown(_)) {
                    ctx.wrong_type(s.body.span, "a schedule", &v);
                }
            }
        }
        Item::Policy(p) => {
            let env = params(ctx, &p.params);
            if ctx.enter(&p.name.name, p.name.span).is_ok() {
                let _ = policy::build(ctx, p, &env);
                ctx.leave();
            }
        }
        Item::Network(n) => {
            // Layer names and arguments; shapes need data and are checked per experiment.
            let env = params(ctx, &n.params);
            network::check_definition(ctx, n, &env);
        }
        Item::Import(_) | Item::Experiment(_) => {}
    }
}

/// A parameter without a default has no value in a standalone check: the
/// missing argument it is, reported to a pass that is never shown (the
/// definition's uses report their own).
fn unbound(p: &crate::syntax::ast::Param) -> crate::diagnostics::Reported {
    let mut hidden = crate::diagnostics::Emitter::default();
    hidden.error(crate::diagnostics::Located::new(
        p.name.span.file,
        crate::diagnostics::Diagnostic::MissingArgument {
            name: p.name.name.clone(),
            callee: "a standalone check".into(),
            span: p.name.span.into(),
            help: None,
        },
    ))
}

/// Hex SHA-256 over every loaded text, root first, in import order.
fn source_hash(program: &imports::Program) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (_, f) in program.sources.iter() {
        h.update(f.text.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
