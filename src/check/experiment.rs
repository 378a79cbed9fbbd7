//! Experiments: keys, `vary` axes and arms checked and expanded into trials
//! (cells × arms × seeds × grid values) with equal budgets, seeds and cost
//! estimates. This is where the plan is actually built; `plan::compile` only
//! drives it.

use super::eval::{Ctx, Env, Val};
use super::{data, network, schedule};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::plan::*;
use crate::syntax::ast::{self, ExpStmt, ExperimentDef, Expr, Ident, Span};
use std::collections::BTreeMap;

pub const KEYS: [&str; 13] = [
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
];

/// Defaults of optional keys (documented in docs/language.md).
pub const DEFAULT_BATCH: usize = 200;
pub const DEFAULT_LP_EPS: f64 = 1e-6;

/// Limits of what "runs here" (2 cores, a few GiB).
pub const MAX_TRIALS: usize = 20_000;
pub const MAX_SEEDS: u64 = 1000;
pub const MAX_PARAMETERS: u64 = 20_000_000;
pub const MAX_MEMORY: u64 = 4 << 30;
pub const MAX_TOTAL_FLOPS: f64 = 5e15;

struct Key<'e> {
    ident: &'e Ident,
    every: bool,
    value: &'e Expr,
}

struct Arm<'e> {
    name: &'e Ident,
    value: &'e Expr,
    span: Span,
}

/// What an arm's λ turned out to be in one cell.
enum ArmLambda {
    Spec(LambdaSpec),
    Grid(Vec<f64>),
}

pub fn elaborate(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    seeds_override: Option<u32>,
) -> Option<ExperimentPlan> {
    let mut keys: BTreeMap<&str, Key> = BTreeMap::new();
    let mut axes_src: Vec<(&Ident, &Expr)> = vec![];
    let mut arms: Vec<Arm> = vec![];
    let mut ok = true;
    for stmt in &def.stmts {
        match stmt {
            ExpStmt::Key {
                key, every, value, ..
            } => {
                if !KEYS.contains(&key.name.as_str()) {
                    ctx.report(
                        key.span,
                        Diagnostic::UnknownKey {
                            name: key.name.clone(),
                            span: key.span.into(),
                            help: did_you_mean(&key.name, KEYS)
                                .or_else(|| Some(format!("experiment keys: {}", KEYS.join(", ")))),
                        },
                    );
                    ok = false;
                    continue;
                }
                if let Some(first) = keys.get(key.name.as_str()) {
                    dup(ctx, "key", &key.name, first.ident.span, key.span);
                    ok = false;
                    continue;
                }
                keys.insert(
                    &key.name,
                    Key {
                        ident: key,
                        every: *every,
                        value,
                    },
                );
            }
            ExpStmt::Vary { name, values, .. } => {
                if let Some((first, _)) = axes_src.iter().find(|(n, _)| n.name == name.name) {
                    dup(ctx, "vary axis", &name.name, first.span, name.span);
                    ok = false;
                    continue;
                }
                axes_src.push((name, values));
            }
            ExpStmt::Arm {
                name,
                target,
                value,
                span,
            } => {
                if let Some(first) = arms.iter().find(|a| a.name.name == name.name) {
                    dup(ctx, "arm", &name.name, first.name.span, name.span);
                    ok = false;
                    continue;
                }
                if target.name != "lambda" {
                    ctx.unknown("arm target", &target.name, target.span, &["lambda"]);
                    ok = false;
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
    for required in ["data", "network", "optimizer"] {
        if !keys.contains_key(required) {
            ctx.report(
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
            ok = false;
        }
    }
    if arms.is_empty() {
        ctx.report(
            def.name.span,
            Diagnostic::MissingKey {
                key: "arm".into(),
                experiment: def.name.name.clone(),
                span: def.name.span.into(),
                help: Some("add at least one `arm NAME: lambda = ...`".into()),
            },
        );
        ok = false;
    }
    if let (Some(a), Some(b)) = (keys.get("iters"), keys.get("epochs")) {
        ctx.report(
            b.ident.span,
            Diagnostic::ConflictingKeys {
                first_key: "iters".into(),
                second_key: "epochs".into(),
                first: a.ident.span.into(),
                second: b.ident.span.into(),
            },
        );
        ok = false;
    }

    // Axes.
    let mut axes: Vec<(String, Vec<(Val, AxisValue)>)> = vec![];
    for (name, values) in &axes_src {
        match ctx.eval(values, &Env::new()) {
            Val::List(items) if items.is_empty() => {
                ctx.report(
                    values.span,
                    Diagnostic::EmptyList {
                        what: format!("the list of values of `{}`", name.name),
                        span: values.span.into(),
                    },
                );
                ok = false;
            }
            Val::List(items) => {
                let mut vals = vec![];
                for (v, span) in items {
                    match axis_value(&v) {
                        Some(a) => vals.push((v, a)),
                        None => {
                            ctx.wrong_type(span, "a number, a duration or a name", &v);
                            ok = false;
                        }
                    }
                }
                axes.push((name.name.clone(), vals));
            }
            Val::Unknown => ok = false,
            other => {
                ctx.wrong_type(values.span, "a list of values `[...]`", &other);
                ok = false;
            }
        }
    }
    let cells: usize = axes
        .iter()
        .map(|(_, v)| v.len().max(1))
        .try_fold(1usize, |a, b| a.checked_mul(b))
        .unwrap_or(usize::MAX);
    if cells > MAX_TRIALS {
        ctx.report(
            def.name.span,
            Diagnostic::TooLarge {
                what: format!("experiment `{}`", def.name.name),
                estimate: format!("{cells} cells"),
                span: def.name.span.into(),
                help: Some(format!(
                    "at most {MAX_TRIALS} trials run here; vary fewer values"
                )),
            },
        );
        return None;
    }
    if !ok {
        // Still check every key once, in the first cell, to report what we can.
        let env = first_cell_env(&axes);
        let _ = cell_settings(ctx, &keys, &env, def, seeds_override);
        for arm in &arms {
            let _ = arm_lambda(ctx, arm.value, &env);
        }
        return None;
    }

    // invariant: from here on every axis has at least one value and there is
    // at least one arm (an empty list or no arm set `ok = false` above).
    let mut trials = vec![];
    let mut seeds_out = 1;
    let mut measure_out = Metric::TestAcc;
    let mut data_out = None;
    let mut failed = false;
    let mut reported_size = false;
    for cell in 0..cells {
        let picks = cell_picks(&axes, cell);
        let env: Env = axes
            .iter()
            .zip(&picks)
            .map(|((n, vals), &i)| (n.clone(), vals[i].0.clone()))
            .collect();
        let vary: BTreeMap<String, AxisValue> = axes
            .iter()
            .zip(&picks)
            .map(|((n, vals), &i)| (n.clone(), vals[i].1.clone()))
            .collect();
        let settings = cell_settings(ctx, &keys, &env, def, seeds_override);
        let mut lambdas = vec![];
        for arm in &arms {
            lambdas.push(arm_lambda(ctx, arm.value, &env));
        }
        let (Some(s), true) = (settings, lambdas.iter().all(Option::is_some)) else {
            failed = true;
            continue;
        };
        let lambdas: Vec<ArmLambda> = lambdas.into_iter().flatten().collect();
        let Some(budgets) = budgets(ctx, def, &arms, &lambdas, &s) else {
            failed = true;
            continue;
        };
        let estimate = |iters: u64| estimate(&s.network, s.batch, iters);
        let per_trial = estimate(1);
        if (per_trial.parameters > MAX_PARAMETERS || per_trial.memory_bytes > MAX_MEMORY)
            && !reported_size
        {
            reported_size = true;
            ctx.report(
                s.network_span,
                Diagnostic::TooLarge {
                    what: format!("network `{}`", s.network.name),
                    estimate: size_text(&per_trial),
                    span: s.network_span.into(),
                    help: Some(format!(
                        "at most {} million parameters and {} GiB per trial run here",
                        MAX_PARAMETERS / 1_000_000,
                        MAX_MEMORY >> 30
                    )),
                },
            );
            failed = true;
        }
        let per_seed: usize = lambdas
            .iter()
            .map(|l| match l {
                ArmLambda::Grid(v) => v.len(),
                ArmLambda::Spec(_) => 1,
            })
            .sum();
        if trials.len() + per_seed * s.seeds as usize > MAX_TRIALS {
            ctx.report(
                def.name.span,
                Diagnostic::TooLarge {
                    what: format!("experiment `{}`", def.name.name),
                    estimate: format!("more than {MAX_TRIALS} trials"),
                    span: def.name.span.into(),
                    help: Some("vary fewer values, use fewer seeds or smaller grids".into()),
                },
            );
            return None;
        }
        seeds_out = s.seeds;
        measure_out = s.measure;
        if let Some(first) = &data_out {
            if *first != s.data {
                let span = keys
                    .get("data")
                    .map(|k| k.value.span)
                    .unwrap_or(def.name.span);
                ctx.report(
                    span,
                    Diagnostic::VaryingData {
                        experiment: def.name.name.clone(),
                        span: span.into(),
                    },
                );
                return None;
            }
        }
        data_out = Some(s.data.clone());
        for seed_index in 0..s.seeds {
            let seed = derive_seed(&def.name.name, cell, seed_index);
            for (arm, (lambda, iters)) in arms.iter().zip(lambdas.iter().zip(&budgets)) {
                let mut push = |lambda: LambdaSpec, grid: Option<GridPoint>| {
                    let mut id = format!(
                        "{}-c{cell:03}-{}-s{}",
                        def.name.name,
                        arm.name.name,
                        seed_index + 1
                    );
                    if let Some(g) = grid {
                        id.push_str(&format!("-g{}", g.index));
                    }
                    trials.push(Trial {
                        id,
                        experiment: def.name.name.clone(),
                        arm: arm.name.name.clone(),
                        cell,
                        vary: vary.clone(),
                        seed_index,
                        seed,
                        grid,
                        network: s.network.clone(),
                        optimizer: s.optimizer,
                        penalty: s.penalty,
                        batch: s.batch,
                        sampling: s.sampling,
                        iters: *iters,
                        iters_per_epoch: s.iters_per_epoch,
                        lambda,
                        checks_every: s.checks,
                        estimate: estimate(*iters),
                    });
                };
                match lambda {
                    ArmLambda::Spec(spec) => push(spec.clone(), None),
                    ArmLambda::Grid(values) => {
                        for (index, &value) in values.iter().enumerate() {
                            push(
                                LambdaSpec::Constant(value),
                                Some(GridPoint { index, value }),
                            );
                        }
                    }
                }
            }
        }
    }
    if failed {
        return None;
    }
    let total: f64 = trials.iter().map(|t| t.estimate.total_flops).sum();
    if total > MAX_TOTAL_FLOPS {
        ctx.report(
            def.name.span,
            Diagnostic::TooLarge {
                what: format!("experiment `{}`", def.name.name),
                estimate: format!("{} trials, {:.1e} FLOPs in total", trials.len(), total),
                span: def.name.span.into(),
                help: Some("about a day of compute on two cores is the limit; shrink it or run with `--scale`".into()),
            },
        );
        return None;
    }
    Some(ExperimentPlan {
        name: def.name.name.clone(),
        data: data_out?,
        axes: axes
            .iter()
            .map(|(n, v)| Axis {
                name: n.clone(),
                values: v.iter().map(|(_, a)| a.clone()).collect(),
            })
            .collect(),
        arms: arms
            .iter()
            .zip(first_grid_flags(ctx, &arms, &axes))
            .map(|(a, is_grid)| ArmInfo {
                name: a.name.name.clone(),
                is_grid,
            })
            .collect(),
        seeds: seeds_out,
        measure: measure_out,
        trials,
    })
}

fn dup(ctx: &mut Ctx, kind: &str, name: &str, first: Span, second: Span) {
    ctx.report(
        second,
        Diagnostic::Duplicate {
            kind: kind.to_string(),
            name: name.to_string(),
            first: Some(first.into()),
            second: second.into(),
            help: Some("remove or rename one of them".into()),
        },
    );
}

fn axis_value(v: &Val) -> Option<AxisValue> {
    Some(match v {
        Val::Num { v, int: true } => AxisValue::Int(*v as i64),
        Val::Num { v, .. } => AxisValue::Float(*v),
        Val::Dur(d) => AxisValue::Duration(*d),
        Val::Str(s) | Val::Word(s) => AxisValue::Text(s.clone()),
        _ => return None,
    })
}

/// Index into each axis for `cell` (the first axis varies slowest).
fn cell_picks(axes: &[(String, Vec<(Val, AxisValue)>)], mut cell: usize) -> Vec<usize> {
    let mut picks = vec![0; axes.len()];
    for (i, (_, vals)) in axes.iter().enumerate().rev() {
        let n = vals.len().max(1);
        picks[i] = cell % n;
        cell /= n;
    }
    picks
}

fn first_cell_env(axes: &[(String, Vec<(Val, AxisValue)>)]) -> Env {
    axes.iter()
        .map(|(n, v)| {
            (
                n.clone(),
                v.first().map(|x| x.0.clone()).unwrap_or(Val::Unknown),
            )
        })
        .collect()
}

/// Grid flags from the first cell (an arm is a grid in every cell or none).
fn first_grid_flags(
    ctx: &mut Ctx,
    arms: &[Arm],
    axes: &[(String, Vec<(Val, AxisValue)>)],
) -> Vec<bool> {
    let env = first_cell_env(axes);
    arms.iter()
        .map(|a| matches!(arm_lambda(ctx, a.value, &env), Some(ArmLambda::Grid(_))))
        .collect()
}

/// Everything but the arms, for one cell.
struct Settings {
    data: DataSpec,
    network: NetworkSpec,
    network_span: Span,
    optimizer: OptimizerSpec,
    penalty: PenaltySpec,
    batch: usize,
    sampling: Sampling,
    seeds: u32,
    measure: Metric,
    checks: Duration,
    fixed_iters: Option<u64>,
    iters_per_epoch: u64,
}

fn cell_settings(
    ctx: &mut Ctx,
    keys: &BTreeMap<&str, Key>,
    env: &Env,
    def: &ExperimentDef,
    seeds_override: Option<u32>,
) -> Option<Settings> {
    let _ = def;
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
        Some(k) => {
            let _ = k.every;
            ctx.dur(k.value, env)
        }
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

fn arm_lambda(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<ArmLambda> {
    match ctx.eval(e, env) {
        Val::Num { v, .. } => ctx
            .check_lambda(e.span, v)
            .then_some(ArmLambda::Spec(LambdaSpec::Constant(v))),
        Val::Sched(s) => Some(ArmLambda::Spec(LambdaSpec::Schedule(s))),
        Val::Lambda(l) => Some(ArmLambda::Spec(l)),
        Val::Grid(g) => Some(ArmLambda::Grid(g)),
        Val::Unknown => None,
        Val::Policy(_) => {
            ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "λ".into(),
                    found: "a policy without a start value".into(),
                    span: e.span.into(),
                    help: Some("start it somewhere: `... from 1.0`, or adjust a schedule: `pull_down(each) with ...`".into()),
                },
            );
            None
        }
        Val::Word(w) => {
            let mut known: Vec<&str> = ctx.defs.names_of("schedule");
            known.extend(ctx.defs.names_of("policy"));
            known.extend(env.iter().map(|(n, _)| n.as_str()));
            ctx.unknown("schedule or policy", &w, e.span, &known);
            None
        }
        other => {
            ctx.wrong_type(
                e.span,
                "λ: a number, a schedule, a policy or `grid([...])`",
                &other,
            );
            None
        }
    }
}

/// Iterations of every arm in one cell (equal budget), or a diagnostic.
fn budgets(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    arms: &[Arm],
    lambdas: &[ArmLambda],
    s: &Settings,
) -> Option<Vec<u64>> {
    let ipe = s.iters_per_epoch;
    if let Some(n) = s.fixed_iters {
        return Some(vec![n; arms.len()]);
    }
    let mut lens: Vec<Option<u64>> = vec![];
    let mut ok = true;
    for (arm, l) in arms.iter().zip(lambdas) {
        let (len, why) = match l {
            ArmLambda::Grid(_) => (None, ""),
            ArmLambda::Spec(LambdaSpec::Constant(_)) => (None, "a constant has no end"),
            ArmLambda::Spec(LambdaSpec::Policy { .. }) => (None, "a policy has no end"),
            ArmLambda::Spec(LambdaSpec::Schedule(sc))
            | ArmLambda::Spec(LambdaSpec::Adjusted { schedule: sc, .. }) => {
                (schedule::length(sc, ipe), "this schedule never ends")
            }
        };
        if len.is_none() && !why.is_empty() {
            ctx.report(
                arm.span,
                Diagnostic::NoBudget {
                    arm: arm.name.name.clone(),
                    span: arm.value.span.into(),
                    why: why.into(),
                    help: Some("set `iters: N` or `epochs: N` in the experiment".into()),
                },
            );
            ok = false;
        }
        lens.push(len);
    }
    if !ok {
        return None;
    }
    let fixed: Vec<(usize, u64)> = lens
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|l| (i, l)))
        .collect();
    let Some(longest) = fixed.iter().map(|(_, l)| *l).max() else {
        // invariant: `elaborate` only gets here with at least one arm.
        let arm = &arms[0];
        ctx.report(
            arm.span,
            Diagnostic::NoBudget {
                arm: arm.name.name.clone(),
                span: arm.value.span.into(),
                why: "a grid trains as long as the other arms, and there are none".into(),
                help: Some("set `iters: N` or `epochs: N` in the experiment".into()),
            },
        );
        return None;
    };
    if fixed.iter().any(|(_, l)| *l != longest) {
        let labels = fixed
            .iter()
            .map(|(i, l)| {
                miette::LabeledSpan::new_with_span(
                    Some(format!("{l} iterations")),
                    arms[*i].value.span,
                )
            })
            .collect();
        ctx.report(
            arms[fixed[0].0].span,
            Diagnostic::BudgetMismatch {
                experiment: def.name.name.clone(),
                arms: labels,
                help: Some(format!(
                    "compare at equal budget: make the schedules equally long, or set `iters: {longest}`"
                )),
            },
        );
        return None;
    }
    Some(lens.iter().map(|l| l.unwrap_or(longest)).collect())
}

/// Seed of (experiment, cell, seed index): FNV-1a of the name, mixed with
/// SplitMix64 so it is stable across platforms and Rust versions.
pub fn derive_seed(experiment: &str, cell: usize, seed_index: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in experiment.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut x = h ^ splitmix(cell as u64) ^ splitmix((seed_index as u64) << 32 | 0x5eed);
    x = splitmix(x);
    x
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Cost from shapes alone (see docs/language.md, "Estimates").
pub fn estimate(net: &NetworkSpec, batch: usize, iters: u64) -> Estimate {
    let mut flops = 0.0;
    let mut first = true;
    let mut activations = net.input.size() as u64;
    for l in &net.layers {
        activations = activations.saturating_add(l.output.size() as u64);
        let per_pass = match l.layer {
            Layer::Dense { units } => 2.0 * l.input.size() as f64 * units as f64,
            Layer::Conv { filters, size, .. } => {
                2.0 * filters as f64
                    * (l.input.channels * size * size) as f64
                    * (l.output.height * l.output.width) as f64
            }
            _ => continue,
        };
        flops += per_pass * if first { 2.0 } else { 3.0 };
        first = false;
    }
    let memory = net
        .parameters
        .saturating_mul(4)
        .saturating_add((batch as u64).saturating_mul(activations).saturating_mul(2))
        .saturating_mul(4);
    Estimate {
        parameters: net.parameters,
        flops_per_example: flops,
        total_flops: flops * batch as f64 * iters as f64,
        memory_bytes: memory,
    }
}

fn size_text(e: &Estimate) -> String {
    format!(
        "{:.1}M parameters, {:.2} GiB, {:.1e} FLOPs per example",
        e.parameters as f64 / 1e6,
        e.memory_bytes as f64 / (1u64 << 30) as f64,
        e.flops_per_example
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeds are part of the results' identity: changing the derivation
    /// silently would make old and new runs incomparable.
    #[test]
    fn seed_derivation_is_pinned() {
        assert_eq!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 0, 0)
        );
        assert_ne!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 0, 1)
        );
        assert_ne!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 1, 0)
        );
        assert_ne!(derive_seed("a", 0, 0), derive_seed("b", 0, 0));
        assert_eq!(derive_seed("quickstart", 0, 0), 10039159710837317005);
    }
}
