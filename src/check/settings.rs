//! The settings of an experiment in one cell: data, network, optimizer,
//! penalty, batch, sampling, seeds, measure, checks and the fixed budget,
//! with their defaults.

use super::eval::{Ctx, Env, Val};
use super::experiment::Key;
use super::{data, network};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::plan::*;
use crate::syntax::ast::{self, ExperimentDef, Expr, Ident, Span};
use std::collections::BTreeMap;

/// Defaults of optional keys (documented in docs/language.md).
pub const DEFAULT_BATCH: usize = 200;
pub const DEFAULT_LP_EPS: f64 = 1e-6;
pub const MAX_SEEDS: u64 = 1000;

/// Everything but the arms, for one cell.
pub struct Settings {
    pub data: DataSpec,
    pub network: NetworkSpec,
    pub network_span: Span,
    pub optimizer: OptimizerSpec,
    pub penalty: PenaltySpec,
    pub batch: usize,
    pub sampling: Sampling,
    pub seeds: u32,
    pub measure: Metric,
    pub checks: Duration,
    pub fixed_iters: Option<u64>,
    pub iters_per_epoch: u64,
}

pub fn cell_settings(
    ctx: &mut Ctx,
    keys: &BTreeMap<&str, Key>,
    env: &Env,
    def: &ExperimentDef,
    seeds_override: Option<u32>,
) -> Option<Settings> {
    let mut ok = true;
    let mut data = keys
        .get("data")
        .and_then(|k| data::resolve(ctx, k.value, env));
    if let Some(k) = keys.get("normalize") {
        match data::normalize(ctx, k.value, env) {
            Some(n) => {
                if let Some(d) = data.as_mut() {
                    d.normalize = n;
                }
            }
            None => ok = false,
        }
    }
    let init = match keys.get("init") {
        Some(k) => network::init(ctx, k.value, env),
        None => Some(Init::He),
    };
    // Checked even when `init` is wrong, so its own mistakes show too.
    let network = match (&data, keys.get("network")) {
        (Some(d), Some(k)) => network::resolve(
            ctx,
            k.value,
            env,
            d.input,
            d.classes,
            &d.name,
            init.unwrap_or(Init::He),
        ),
        _ => None,
    };
    let network = network.filter(|_| init.is_some());
    let optimizer = keys
        .get("optimizer")
        .and_then(|k| optimizer(ctx, k.value, env));
    let penalty = match keys.get("penalty") {
        Some(k) => penalty(ctx, k.value, env),
        None => Some(PenaltySpec {
            kind: PenaltyKind::L2,
            on_all: false,
        }),
    };
    let batch = match keys.get("batch") {
        Some(k) => ctx.count(k.value, env, "the batch", 1).map(|b| b as usize),
        None => Some(DEFAULT_BATCH),
    };
    if let (Some(b), Some(d)) = (batch, &data) {
        if b > d.train_size {
            let span = keys
                .get("batch")
                .map(|k| k.value.span)
                .unwrap_or(def.name.span);
            ctx.report(
                span,
                Diagnostic::BatchTooLarge {
                    batch: b,
                    train: d.train_size,
                    span: span.into(),
                    help: Some(format!(
                        "`{}` keeps {} training examples after `val` and `subset`",
                        d.name, d.train_size
                    )),
                },
            );
            ok = false;
        }
    }
    let sampling = match keys.get("sampling") {
        Some(k) => match ctx.eval(k.value, env) {
            Val::Word(w) if w == "shuffle" => Some(Sampling::Shuffle),
            Val::Word(w) if w == "replacement" => Some(Sampling::Replacement),
            Val::Word(w) => {
                ctx.unknown("sampling", &w, k.value.span, &["shuffle", "replacement"]);
                None
            }
            other => {
                ctx.wrong_type(k.value.span, "`shuffle` or `replacement`", &other);
                None
            }
        },
        None => Some(Sampling::Shuffle),
    };
    let seeds = match (seeds_override, keys.get("seeds")) {
        (Some(n), k) => {
            if let Some(k) = k {
                let _ = ctx.count(k.value, env, "`seeds`", 1);
            }
            Some(n.max(1))
        }
        (None, Some(k)) => ctx
            .count_in(k.value, env, "`seeds`", 1, MAX_SEEDS)
            .map(|n| n as u32),
        (None, None) => Some(1),
    };
    let measure = match keys.get("measure") {
        Some(k) => match ctx.eval(k.value, env) {
            Val::Word(w) => match Metric::from_name(&w) {
                Some(m) => Some(m),
                None => {
                    let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                    let help = did_you_mean(&w, names);
                    ctx.report(
                        k.value.span,
                        Diagnostic::UnknownMetric {
                            name: w.clone(),
                            span: k.value.span.into(),
                            help,
                        },
                    );
                    None
                }
            },
            other => {
                ctx.wrong_type(k.value.span, "a metric such as `test_acc`", &other);
                None
            }
        },
        None => Some(Metric::TestAcc),
    };
    let checks = match keys.get("checks") {
        // `checks: every 1 epoch` and `checks: 1 epoch` mean the same.
        Some(k) => ctx.dur(k.value, env),
        None => Some(Duration::Epochs(1.0)),
    };
    let iters_per_epoch = data
        .as_ref()
        .zip(batch)
        .map(|(d, b)| (d.train_size as u64).div_ceil(b.max(1) as u64).max(1));
    let fixed_iters = match (keys.get("iters"), keys.get("epochs")) {
        (Some(k), _) => {
            let v = ctx.eval(k.value, env);
            match v {
                Val::Num { .. } => {
                    let n = ctx.count(k.value, env, "`iters`", 1)? as f64;
                    Some(Some(((n * ctx.scale).round() as u64).max(1)))
                }
                Val::Dur(Duration::Iters(n)) => Some(Some(n.max(1))),
                other => {
                    ctx.wrong_type(k.value.span, "a number of iterations", &other);
                    None
                }
            }
        }
        (None, Some(k)) => {
            let e = match ctx.eval(k.value, env) {
                Val::Num { v, .. } => Some(v),
                Val::Dur(Duration::Epochs(e)) => Some(e),
                other => {
                    ctx.wrong_type(k.value.span, "a number of epochs", &other);
                    None
                }
            };
            match (e, iters_per_epoch) {
                (Some(e), _) if !(e > 0.0) => {
                    ctx.out_of_range(k.value.span, "`epochs`", "greater than 0", e);
                    None
                }
                (Some(e), Some(ipe)) => Some(Some(Duration::Epochs(e).to_iters(ipe))),
                _ => None,
            }
        }
        (None, None) => Some(None),
    };
    let network_span = keys
        .get("network")
        .map(|k| k.value.span)
        .unwrap_or(def.name.span);
    if !ok {
        return None;
    }
    Some(Settings {
        data: data?,
        network: network?,
        network_span,
        optimizer: optimizer?,
        penalty: penalty?,
        batch: batch?,
        sampling: sampling?,
        seeds: seeds?,
        measure: measure?,
        checks: checks?,
        fixed_iters: fixed_iters?,
        iters_per_epoch: iters_per_epoch?,
    })
}

fn call_parts(e: &Expr) -> Option<(&Ident, &[ast::Arg])> {
    match &e.kind {
        ast::ExprKind::Call { name, args } => Some((name, args.as_slice())),
        _ => None,
    }
}

fn optimizer(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<OptimizerSpec> {
    let Some((name, args)) = call_parts(e) else {
        let v = ctx.eval(e, env);
        if let Val::Word(w) = &v {
            ctx.unknown("optimizer", w, e.span, &["sgd", "adam"]);
        } else {
            ctx.wrong_type(e.span, "an optimizer such as `sgd(lr: 1e-3)`", &v);
        }
        return None;
    };
    let unit_interval = |ctx: &mut Ctx, x: &Expr, what: &str| -> Option<f64> {
        let v = ctx.num(x, env)?;
        if !(0.0..1.0).contains(&v) {
            ctx.out_of_range(x.span, what, "in [0, 1)", v);
            return None;
        }
        Some(v)
    };
    match name.name.as_str() {
        "sgd" => {
            let b = ctx.bind(
                name,
                args,
                &["lr", "momentum", "nesterov", "decay"],
                &["lr"],
            );
            let lr = b[0].and_then(|x| lr(ctx, x, env));
            let momentum = match b[1] {
                Some(x) => unit_interval(ctx, x, "the momentum"),
                None => Some(0.0),
            };
            let nesterov = match b[2] {
                Some(x) => match ctx.eval(x, env) {
                    Val::Bool(v) => Some(v),
                    other => {
                        ctx.wrong_type(x.span, "`true` or `false`", &other);
                        None
                    }
                },
                None => Some(false),
            };
            let decay = decay(ctx, b[3], env)?;
            Some(OptimizerSpec::Sgd {
                lr: lr?,
                momentum: momentum?,
                nesterov: nesterov?,
                decay,
            })
        }
        "adam" => {
            let b = ctx.bind(name, args, &["lr", "beta1", "beta2", "decay"], &[]);
            let lr = match b[0] {
                Some(x) => lr(ctx, x, env),
                None => Some(1e-3),
            };
            let beta1 = match b[1] {
                Some(x) => unit_interval(ctx, x, "beta1"),
                None => Some(0.9),
            };
            let beta2 = match b[2] {
                Some(x) => unit_interval(ctx, x, "beta2"),
                None => Some(0.999),
            };
            let decay = decay(ctx, b[3], env)?;
            Some(OptimizerSpec::Adam {
                lr: lr?,
                beta1: beta1?,
                beta2: beta2?,
                decay,
            })
        }
        other => {
            ctx.unknown("optimizer", other, name.span, &["sgd", "adam"]);
            None
        }
    }
}

fn lr(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<f64> {
    let v = ctx.num(e, env)?;
    if !(v > 0.0) || !v.is_finite() {
        ctx.out_of_range(e.span, "the learning rate", "greater than 0", v);
        return None;
    }
    Some(v)
}

/// `decay: 0.95 per epoch`; `Some(None)` when absent, `None` on error.
fn decay(ctx: &mut Ctx, e: Option<&Expr>, env: &Env) -> Option<Option<Decay>> {
    let Some(e) = e else { return Some(None) };
    match ctx.eval(e, env) {
        Val::Decay(d) => Some(Some(d)),
        Val::Unknown => None,
        other => {
            ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "a decay like `0.95 per epoch`".into(),
                    found: other.describe(),
                    span: e.span.into(),
                    help: Some("write the factor and how often it applies: `0.95 per epoch`, `0.5 per 1000 iters`".into()),
                },
            );
            None
        }
    }
}

const PENALTIES: [&str; 5] = ["none", "l2", "l1", "lp", "elastic"];

fn penalty(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<PenaltySpec> {
    let (name, args): (Ident, &[ast::Arg]) = match &e.kind {
        ast::ExprKind::Call { name, args } => (name.clone(), args),
        ast::ExprKind::Ident(_) => (
            Ident {
                name: super::eval::name_of(e, env).unwrap_or_default(),
                span: e.span,
            },
            &[],
        ),
        _ => {
            let v = ctx.eval(e, env);
            ctx.wrong_type(e.span, "a penalty such as `l2`", &v);
            return None;
        }
    };
    let (names, required): (&[&str], &[&str]) = match name.name.as_str() {
        "none" => (&[], &[]),
        "l2" => (&["on"], &[]),
        "l1" => (&["proximal", "on"], &[]),
        "lp" => (&["p", "eps", "on"], &["p"]),
        "elastic" => (&["l1", "l2", "on"], &["l1", "l2"]),
        other => {
            ctx.report(
                name.span,
                Diagnostic::UnknownPenalty {
                    name: other.to_string(),
                    span: name.span.into(),
                    help: did_you_mean(other, PENALTIES).or_else(|| {
                        Some("penalties: none, l2, l1, lp(p: 0.5), elastic(l1: a, l2: b)".into())
                    }),
                },
            );
            return None;
        }
    };
    let b = ctx.bind(&name, args, names, required);
    let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| b[i]);
    let on_all = match get("on") {
        Some(x) => match ctx.eval(x, env) {
            Val::Word(w) if w == "all" => true,
            Val::Word(w) if w == "weights" => false,
            other => {
                ctx.wrong_type(x.span, "`all` or `weights`", &other);
                return None;
            }
        },
        None => false,
    };
    let nonneg = |ctx: &mut Ctx, x: &Expr, what: &str| -> Option<f64> {
        let v = ctx.num(x, env)?;
        if !(v >= 0.0) {
            ctx.out_of_range(x.span, what, "≥ 0", v);
            return None;
        }
        Some(v)
    };
    let kind = match name.name.as_str() {
        "none" => PenaltyKind::None,
        "l2" => PenaltyKind::L2,
        "l1" => {
            let proximal = match get("proximal") {
                Some(x) => match ctx.eval(x, env) {
                    Val::Bool(v) => v,
                    other => {
                        ctx.wrong_type(x.span, "`true` or `false`", &other);
                        return None;
                    }
                },
                None => false,
            };
            PenaltyKind::L1 { proximal }
        }
        "lp" => {
            let pe = get("p")?;
            let p = ctx.num(pe, env)?;
            if !(p > 0.0 && p <= 2.0) {
                ctx.out_of_range(pe.span, "p", "in (0, 2]", p);
                return None;
            }
            let eps = match get("eps") {
                Some(x) => {
                    let v = ctx.num(x, env)?;
                    if !(v > 0.0) {
                        ctx.out_of_range(x.span, "eps", "greater than 0", v);
                        return None;
                    }
                    v
                }
                None => DEFAULT_LP_EPS,
            };
            PenaltyKind::Lp { p, eps }
        }
        _ => {
            let l1 = nonneg(ctx, get("l1")?, "the l1 weight");
            let l2 = nonneg(ctx, get("l2")?, "the l2 weight");
            PenaltyKind::Elastic { l1: l1?, l2: l2? }
        }
    };
    Some(PenaltySpec { kind, on_all })
}
