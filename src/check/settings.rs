//! The settings of an experiment in one cell: data, network, optimizer,
//! penalty, batch, sampling, seeds, measure, checks and the fixed budget,
//! with their defaults (the optimizer and penalty in `training`).

use super::eval::{Ctx, Env, Val};
use super::experiment::Keys;
use super::training::{optimizer, penalty};
use super::{data, network};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::{ExperimentDef, Span};

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
