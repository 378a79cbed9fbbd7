//! The settings of an experiment in one cell: data, network, optimizer,
//! penalty, batch, sampling, seeds, measure, checks and the fixed budget,
//! with their defaults.

use super::eval::{Ctx, Env, Val};
use super::experiment::Keys;
use super::{data, network};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::{self, ExperimentDef, Expr, Ident, Span};

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

/// The settings of one cell, in stages: data and network, training
/// (optimizer, penalty, batch, sampling), bookkeeping (seeds, measure,
/// checks) and the fixed budget. Every key is checked even after an error,
/// so one run of the checker reports everything.
pub fn cell_settings(
    ctx: &mut Ctx,
    keys: &Keys,
    env: &Env,
    def: &ExperimentDef,
    seeds_override: Option<u32>,
) -> Result<Settings, Reported> {
    let mut failed = None;
    let (data, network) = data_and_network(ctx, keys, env, &mut failed);
    let optimizer = keys
        .required("optimizer")
        .and_then(|k| optimizer(ctx, k.value, env));
    let penalty = match keys.get("penalty") {
        Some(k) => penalty(ctx, k.value, env),
        None => Ok(PenaltySpec {
            kind: PenaltyKind::L2,
            on_all: false,
        }),
    };
    let batch = match keys.get("batch") {
        Some(k) => ctx.count(k.value, env, "the batch", 1).map(|b| b as usize),
        None => Ok(DEFAULT_BATCH),
    };
    if let (Ok(b), Ok(d)) = (&batch, &data) {
        if *b > d.train_size {
            failed = Some(batch_too_large(ctx, keys, def, *b, d));
        }
    }
    let sampling = sampling(ctx, keys, env);
    let seeds = seeds(ctx, keys, env, seeds_override);
    let measure = measure(ctx, keys, env);
    let checks = match keys.get("checks") {
        // `checks: every 1 epoch` and `checks: 1 epoch` mean the same.
        Some(k) => ctx.dur(k.value, env),
        None => Ok(Duration::Epochs(1.0)),
    };
    let iters_per_epoch = match (&data, &batch) {
        (Ok(d), Ok(b)) => Ok((d.train_size as u64).div_ceil((*b).max(1) as u64).max(1)),
        (Err(r), _) | (_, Err(r)) => Err(*r),
    };
    let fixed_iters = fixed_iters(ctx, keys, env, iters_per_epoch)?;
    let network_span = keys
        .get("network")
        .map(|k| k.value.span)
        .unwrap_or(def.name.span);
    if let Some(reported) = failed {
        return Err(reported);
    }
    Ok(Settings {
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
        fixed_iters,
        iters_per_epoch: iters_per_epoch?,
    })
}

/// `data` (with `normalize`), `init` and `network`, which is resolved
/// against the data's shape.
fn data_and_network(
    ctx: &mut Ctx,
    keys: &Keys,
    env: &Env,
    failed: &mut Option<Reported>,
) -> (Result<DataSpec, Reported>, Result<NetworkSpec, Reported>) {
    let mut data = keys
        .required("data")
        .and_then(|k| data::resolve(ctx, k.value, env));
    if let Some(k) = keys.get("normalize") {
        match data::normalize(ctx, k.value, env) {
            Ok(n) => {
                if let Ok(d) = data.as_mut() {
                    d.normalize = n;
                }
            }
            Err(reported) => *failed = Some(reported),
        }
    }
    let init = match keys.get("init") {
        Some(k) => network::init(ctx, k.value, env),
        None => Ok(Init::He),
    };
    // Checked even when `init` or the data is wrong (then on an unknown
    // input), so the network's own mistakes show too.
    let network = match keys.required("network") {
        Ok(k) => network::resolve(
            ctx,
            k.value,
            env,
            data.as_ref().map_err(|r| *r).map(|d| network::OnData {
                input: d.input,
                classes: d.classes,
                name: &d.name,
            }),
            init.unwrap_or(Init::He),
        ),
        Err(r) => Err(r),
    };
    let network = match (network, init) {
        (Ok(n), Ok(_)) => Ok(n),
        (Err(r), _) | (_, Err(r)) => Err(r),
    };
    (data, network)
}

fn batch_too_large(
    ctx: &mut Ctx,
    keys: &Keys,
    def: &ExperimentDef,
    batch: usize,
    d: &DataSpec,
) -> Reported {
    let span = keys
        .get("batch")
        .map(|k| k.value.span)
        .unwrap_or(def.name.span);
    ctx.report(
        span,
        Diagnostic::BatchTooLarge {
            batch,
            train: d.train_size,
            span: span.into(),
            help: Some(format!(
                "`{}` keeps {} training examples after `val` and `subset`",
                d.name, d.train_size
            )),
        },
    )
}

fn sampling(ctx: &mut Ctx, keys: &Keys, env: &Env) -> Result<Sampling, Reported> {
    let Some(k) = keys.get("sampling") else {
        return Ok(Sampling::Shuffle);
    };
    match ctx.eval(k.value, env) {
        Val::Word(w) => match builtins::Sampling::from_name(&w) {
            Some(builtins::Sampling::Shuffle) => Ok(Sampling::Shuffle),
            Some(builtins::Sampling::Replacement) => Ok(Sampling::Replacement),
            None => Err(ctx.unknown_builtin::<builtins::Sampling>(&w, k.value.span)),
        },
        other => Err(ctx.wrong_type(k.value.span, "`shuffle` or `replacement`", &other)),
    }
}

fn seeds(
    ctx: &mut Ctx,
    keys: &Keys,
    env: &Env,
    seeds_override: Option<u32>,
) -> Result<u32, Reported> {
    match (seeds_override, keys.get("seeds")) {
        (Some(n), k) => {
            if let Some(k) = k {
                let _ = ctx.count(k.value, env, "`seeds`", 1);
            }
            Ok(n.max(1))
        }
        (None, Some(k)) => ctx
            .count_in(k.value, env, "`seeds`", 1, MAX_SEEDS)
            .map(|n| n as u32),
        (None, None) => Ok(1),
    }
}

fn measure(ctx: &mut Ctx, keys: &Keys, env: &Env) -> Result<Metric, Reported> {
    let Some(k) = keys.get("measure") else {
        return Ok(Metric::TestAcc);
    };
    match ctx.eval(k.value, env) {
        Val::Word(w) => match Metric::from_name(&w) {
            Some(m) => Ok(m),
            None => {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                let help = did_you_mean(&w, names);
                Err(ctx.report(
                    k.value.span,
                    Diagnostic::UnknownMetric {
                        name: w.clone(),
                        span: k.value.span.into(),
                        help,
                    },
                ))
            }
        },
        other => Err(ctx.wrong_type(k.value.span, "a metric such as `test_acc`", &other)),
    }
}

/// `iters:` or `epochs:`, in iterations (`None`: the arms' schedules fix
/// the budget).
fn fixed_iters(
    ctx: &mut Ctx,
    keys: &Keys,
    env: &Env,
    iters_per_epoch: Result<u64, Reported>,
) -> Result<Option<u64>, Reported> {
    match (keys.get("iters"), keys.get("epochs")) {
        (Some(k), _) => {
            let v = ctx.eval(k.value, env);
            match v {
                Val::Num { .. } => {
                    let n = ctx.count(k.value, env, "`iters`", 1)? as f64;
                    Ok(Some(((n * ctx.scale).round() as u64).max(1)))
                }
                Val::Dur(Duration::Iters(n)) => Ok(Some(n.max(1))),
                other => Err(ctx.wrong_type(k.value.span, "a number of iterations", &other)),
            }
        }
        (None, Some(k)) => {
            let e = match ctx.eval(k.value, env) {
                Val::Num { v, .. } => Ok(v),
                Val::Dur(Duration::Epochs(e)) => Ok(e),
                other => Err(ctx.wrong_type(k.value.span, "a number of epochs", &other)),
            };
            match (e, iters_per_epoch) {
                (Ok(e), _) if !(e > 0.0) => {
                    Err(ctx.out_of_range(k.value.span, "`epochs`", "greater than 0", e))
                }
                (Ok(e), Ok(ipe)) => Ok(Some(Duration::Epochs(e).to_iters(ipe))),
                (Err(r), _) | (_, Err(r)) => Err(r),
            }
        }
        (None, None) => Ok(None),
    }
}

fn call_parts(e: &Expr) -> Option<(&Ident, &[ast::Arg])> {
    match &e.kind {
        ast::ExprKind::Call { name, args } => Some((name, args.as_slice())),
        _ => None,
    }
}

fn optimizer(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<OptimizerSpec, Reported> {
    let Some((name, args)) = call_parts(e) else {
        let v = ctx.eval(e, env);
        return Err(if let Val::Word(w) = &v {
            ctx.unknown_builtin::<builtins::Optimizer>(w, e.span)
        } else {
            ctx.wrong_type(e.span, "an optimizer such as `sgd(lr: 1e-3)`", &v)
        });
    };
    let unit_interval = |ctx: &mut Ctx, x: &Expr, what: &str| -> Result<f64, Reported> {
        let v = ctx.num(x, env)?;
        if !(0.0..1.0).contains(&v) {
            return Err(ctx.out_of_range(x.span, what, "in [0, 1)", v));
        }
        Ok(v)
    };
    let Some(which) = builtins::Optimizer::from_name(&name.name) else {
        return Err(ctx.unknown_builtin::<builtins::Optimizer>(&name.name, name.span));
    };
    let entry = which.entry();
    let b = ctx.bind(name, args, &entry.param_names(), &entry.required());
    match which {
        builtins::Optimizer::Sgd => {
            let lr = b.required(0).and_then(|x| lr(ctx, x, env));
            let momentum = match b[1] {
                Some(x) => unit_interval(ctx, x, "the momentum"),
                None => Ok(0.0),
            };
            let nesterov = match b[2] {
                Some(x) => match ctx.eval(x, env) {
                    Val::Bool(v) => Ok(v),
                    other => Err(ctx.wrong_type(x.span, "`true` or `false`", &other)),
                },
                None => Ok(false),
            };
            let decay = decay(ctx, b[3], env)?;
            Ok(OptimizerSpec::Sgd {
                lr: lr?,
                momentum: momentum?,
                nesterov: nesterov?,
                decay,
            })
        }
        builtins::Optimizer::Adam => {
            let lr = match b[0] {
                Some(x) => lr(ctx, x, env),
                None => Ok(1e-3),
            };
            let beta1 = match b[1] {
                Some(x) => unit_interval(ctx, x, "beta1"),
                None => Ok(0.9),
            };
            let beta2 = match b[2] {
                Some(x) => unit_interval(ctx, x, "beta2"),
                None => Ok(0.999),
            };
            let decay = decay(ctx, b[3], env)?;
            Ok(OptimizerSpec::Adam {
                lr: lr?,
                beta1: beta1?,
                beta2: beta2?,
                decay,
            })
        }
    }
}

fn lr(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<f64, Reported> {
    let v = ctx.num(e, env)?;
    if !(v > 0.0) || !v.is_finite() {
        return Err(ctx.out_of_range(e.span, "the learning rate", "greater than 0", v));
    }
    Ok(v)
}

/// `decay: 0.95 per epoch`; `Ok(None)` when absent.
fn decay(ctx: &mut Ctx, e: Option<&Expr>, env: &Env) -> Result<Option<Decay>, Reported> {
    let Some(e) = e else { return Ok(None) };
    match ctx.eval(e, env) {
        Val::Decay(d) => Ok(Some(d)),
        Val::Unknown(reported) => Err(reported),
        other => Err(ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "a decay like `0.95 per epoch`".into(),
                    found: other.describe(),
                    span: e.span.into(),
                    help: Some("write the factor and how often it applies: `0.95 per epoch`, `0.5 per 1000 iters`".into()),
                },
        )),
    }
}

fn penalty(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<PenaltySpec, Reported> {
    use builtins::Penalty;
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
            return Err(ctx.wrong_type(e.span, "a penalty such as `l2`", &v));
        }
    };
    let Some(which) = Penalty::from_name(&name.name) else {
        let other = name.name.as_str();
        return Err(ctx.report(
            name.span,
            Diagnostic::UnknownPenalty {
                name: other.to_string(),
                span: name.span.into(),
                help: Penalty::alias_help(other)
                    .or_else(|| did_you_mean(other, Penalty::names()))
                    .or_else(|| Some(format!("penalties: {}", Penalty::usages()))),
            },
        ));
    };
    let entry = which.entry();
    let b = ctx.bind(&name, args, &entry.param_names(), &entry.required());
    let get = |n: &str| b.arg(n);
    // Every argument is checked, even after a bad one.
    let on_all = match get("on") {
        Some(x) => match ctx.eval(x, env) {
            Val::Word(w) if w == "all" => Ok(true),
            Val::Word(w) if w == "weights" => Ok(false),
            other => Err(ctx.wrong_type(x.span, "`all` or `weights`", &other)),
        },
        None => Ok(false),
    };
    let positive = |ctx: &mut Ctx, x: &Expr, what: &str, zero_ok: bool| -> Result<f64, Reported> {
        let v = ctx.num(x, env)?;
        if !(v > 0.0 || zero_ok && v == 0.0) {
            let allowed = if zero_ok { "≥ 0" } else { "greater than 0" };
            return Err(ctx.out_of_range(x.span, what, allowed, v));
        }
        Ok(v)
    };
    let kind = match which {
        Penalty::None => Ok(PenaltyKind::None),
        Penalty::L2 => Ok(PenaltyKind::L2),
        Penalty::L1 => match get("proximal") {
            Some(x) => match ctx.eval(x, env) {
                Val::Bool(proximal) => Ok(PenaltyKind::L1 { proximal }),
                other => Err(ctx.wrong_type(x.span, "`true` or `false`", &other)),
            },
            None => Ok(PenaltyKind::L1 { proximal: false }),
        },
        Penalty::Lp => {
            let p = b.required_arg("p").and_then(|pe| {
                let p = ctx.num(pe, env)?;
                if !(p > 0.0 && p <= 2.0) {
                    return Err(ctx.out_of_range(pe.span, "p", "in (0, 2]", p));
                }
                Ok(p)
            });
            let eps = get("eps").map(|x| positive(ctx, x, "eps", false));
            (|| {
                Ok(PenaltyKind::Lp {
                    p: p?,
                    eps: eps.transpose()?.unwrap_or(DEFAULT_LP_EPS),
                })
            })()
        }
        Penalty::Elastic => {
            let l1 = b
                .required_arg("l1")
                .and_then(|x| positive(ctx, x, "the l1 weight", true));
            let l2 = b
                .required_arg("l2")
                .and_then(|x| positive(ctx, x, "the l2 weight", true));
            (|| Ok(PenaltyKind::Elastic { l1: l1?, l2: l2? }))()
        }
    };
    let (kind, on_all) = (kind?, on_all?);
    Ok(PenaltySpec { kind, on_all })
}
