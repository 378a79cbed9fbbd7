//! The statements of an experiment, collected before anything is evaluated:
//! its keys by name (unknown, duplicate, missing and conflicting keys
//! reported), its `vary` axes and its arms.

use super::eval::Ctx;
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
use crate::syntax::ast::{ExpStmt, ExperimentDef, Expr, Ident, Span};
use std::collections::BTreeMap;

pub const KEYS: [&str; 16] = [
    "data",
    "network",
    "optimizer",
    "batch",
    "iters",
    "epochs",
    "penalty",
    "seeds",
    "measure",
    "checks",
    "init",
    "sampling",
    "normalize",
    "splits",
    "target",
    "smooth",
];

pub struct Key<'e> {
    pub ident: &'e Ident,
    pub every: bool,
    pub value: &'e Expr,
}

/// An experiment's keys by name, with the proof for each required key
/// (`data`, `network`, `optimizer`) that is missing.
#[derive(Default)]
pub struct Keys<'e> {
    map: BTreeMap<&'e str, Key<'e>>,
    missing: BTreeMap<&'static str, Reported>,
}

impl<'e> std::ops::Deref for Keys<'e> {
    type Target = BTreeMap<&'e str, Key<'e>>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<'e> Keys<'e> {
    /// A required key, or the missing-key error.
    pub fn required(&self, name: &str) -> Result<&Key<'e>, Reported> {
        match (self.map.get(name), self.missing.get(name)) {
            (Some(k), _) => Ok(k),
            (None, Some(reported)) => Err(*reported),
            (None, None) => unreachable!("`{name}` is not a required key"),
        }
    }
}

pub struct Arm<'e> {
    pub name: &'e Ident,
    pub value: &'e Expr,
    pub span: Span,
}

/// The statements of an experiment, sorted and checked for duplicates.
pub(super) struct Items<'e> {
    pub(super) keys: Keys<'e>,
    pub(super) axes: Vec<(&'e Ident, &'e Expr)>,
    pub(super) arms: Vec<Arm<'e>>,
}

/// Keys, axes and arms, with unknown keys, duplicates, missing keys and
/// conflicting keys reported (`failed` keeps the proof).
pub(super) fn collect<'e>(
    ctx: &mut Ctx,
    def: &'e ExperimentDef,
    failed: &mut Option<Reported>,
) -> Items<'e> {
    let mut keys = Keys::default();
    let mut axes: Vec<(&Ident, &Expr)> = vec![];
    let mut arms: Vec<Arm> = vec![];
    for stmt in &def.stmts {
        match stmt {
            ExpStmt::Key {
                key, every, value, ..
            } => {
                if !KEYS.contains(&key.name.as_str()) {
                    *failed = Some(ctx.report(
                        key.span,
                        Diagnostic::UnknownKey {
                            name: key.name.clone(),
                            span: key.span.into(),
                            help:
                                did_you_mean(&key.name, KEYS).or_else(|| {
                                    Some(format!("experiment keys: {}", KEYS.join(", ")))
                                }),
                        },
                    ));
                    continue;
                }
                if let Some(first) = keys.get(key.name.as_str()) {
                    *failed = Some(dup(ctx, "key", &key.name, first.ident.span, key.span));
                    continue;
                }
                keys.map.insert(
                    &key.name,
                    Key {
                        ident: key,
                        every: *every,
                        value,
                    },
                );
            }
            ExpStmt::Vary { name, values, .. } => {
                if let Some((first, _)) = axes.iter().find(|(n, _)| n.name == name.name) {
                    *failed = Some(dup(ctx, "vary axis", &name.name, first.span, name.span));
                    continue;
                }
                axes.push((name, values));
            }
            ExpStmt::Arm {
                name,
                target,
                value,
                span,
            } => {
                if let Some(first) = arms.iter().find(|a| a.name.name == name.name) {
                    *failed = Some(dup(ctx, "arm", &name.name, first.name.span, name.span));
                    continue;
                }
                if target.name != "lambda" {
                    *failed =
                        Some(ctx.unknown("arm target", &target.name, target.span, &["lambda"]));
                    continue;
                }
                arms.push(Arm {
                    name,
                    value,
                    span: *span,
                });
            }
        }
    }
    required_keys(ctx, def, &mut keys, &arms, failed);
    Items { keys, axes, arms }
}

/// `data`, `network`, `optimizer` and an arm are required; `iters` and
/// `epochs` exclude each other.
pub(super) fn required_keys(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    keys: &mut Keys,
    arms: &[Arm],
    failed: &mut Option<Reported>,
) {
    for required in ["data", "network", "optimizer"] {
        if !keys.contains_key(required) {
            let reported = ctx.report(
                def.name.span,
                Diagnostic::MissingKey {
                    key: required.into(),
                    experiment: def.name.name.clone(),
                    span: def.name.span.into(),
                    help: Some(match required {
                        "data" => "add e.g. `data: fashion_mnist(val: 1000)`".into(),
                        "network" => "add e.g. `network: two_layer(100)`".into(),
                        _ => "add e.g. `optimizer: sgd(lr: 1e-3)`".into(),
                    }),
                },
            );
            keys.missing.insert(required, reported);
            *failed = Some(reported);
        }
    }
    if arms.is_empty() {
        *failed = Some(ctx.report(
            def.name.span,
            Diagnostic::MissingKey {
                key: "arm".into(),
                experiment: def.name.name.clone(),
                span: def.name.span.into(),
                help: Some("add at least one `arm NAME: lambda = ...`".into()),
            },
        ));
    }
    if let (Some(a), Some(b)) = (keys.get("iters"), keys.get("epochs")) {
        *failed = Some(ctx.report(
            b.ident.span,
            Diagnostic::ConflictingKeys {
                first_key: "iters".into(),
                second_key: "epochs".into(),
                first: a.ident.span.into(),
                second: b.ident.span.into(),
            },
        ));
    }
}

pub(super) fn dup(ctx: &mut Ctx, kind: &str, name: &str, first: Span, second: Span) -> Reported {
    ctx.report(
        second,
        Diagnostic::Duplicate {
            kind: kind.to_string(),
            name: name.to_string(),
            first: Some(first.into()),
            second: second.into(),
            help: Some("remove or rename one of them".into()),
        },
    )
}
