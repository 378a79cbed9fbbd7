//! Experiments: keys, `vary` axes and arms checked and expanded into trials
//! (cells × arms × seeds × grid values) with equal budgets, seeds and cost
//! estimates. Checking and expanding are one walk: the values built here are
//! `plan`'s types, which `crate::compile` assembles into the `Plan`.

use super::analysis::{analysis, warn_checks};
use super::budget::{budgets, derive_seed, estimate, size_text};
use super::eval::{Ctx, Env, Val};
use super::settings::cell_settings;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::plan::*;
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

/// Limits of what "runs here" (2 cores, a few GiB).
pub const MAX_TRIALS: usize = 20_000;
pub const MAX_PARAMETERS: u64 = 20_000_000;
pub const MAX_MEMORY: u64 = 4 << 30;
pub const MAX_TOTAL_FLOPS: f64 = 5e15;
/// Longest trial id, in bytes. Ids name files (`trials/ID.json`,
/// `curves/ID.csv` and their temporary siblings), and most filesystems
/// allow 255 bytes per file name.
pub const MAX_ID_BYTES: usize = 200;

pub struct Key<'e> {
    pub ident: &'e Ident,
    pub every: bool,
    pub value: &'e Expr,
}

pub struct Arm<'e> {
    pub name: &'e Ident,
    pub value: &'e Expr,
    pub span: Span,
}

/// What an arm's λ turned out to be in one cell.
pub enum ArmLambda {
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
        let _ = analysis(ctx, &keys, &env);
        for arm in &arms {
            let _ = arm_lambda(ctx, arm.value, &env);
        }
        return None;
    }

    // invariant: from here on every axis has at least one value and there is
    // at least one arm (an empty list or no arm set `ok = false` above).
    let an = analysis(ctx, &keys, &first_cell_env(&axes))?;
    let mut warned = vec![];
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
        warn_checks(ctx, &keys, &arms, &lambdas, &budgets, &s, &mut warned);
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
        if trials.len() + per_seed * s.seeds as usize * an.splits as usize > MAX_TRIALS {
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
        for (split, seed_index) in (0..an.splits).flat_map(|p| (0..s.seeds).map(move |i| (p, i))) {
            let seed = split_seed_of(derive_seed(&def.name.name, cell, seed_index), split);
            for (arm, (lambda, iters)) in arms.iter().zip(lambdas.iter().zip(&budgets)) {
                let mut push = |lambda: LambdaSpec, grid: Option<GridPoint>| {
                    let split_part = if an.splits > 1 {
                        format!("-p{}", split + 1)
                    } else {
                        String::new()
                    };
                    let mut id = format!(
                        "{}-c{cell:03}-{}{split_part}-s{}",
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
                        split,
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
    if failed || !ids_fit(ctx, def, &arms, &trials) {
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
        splits: an.splits,
        measure: measure_out,
        target: an.target,
        smooth: an.smooth,
        trials,
    })
}

/// The seed of a trial in data split `split`: split 0 keeps the seed of
/// an experiment without splits; every other split gets an independent one.
fn split_seed_of(seed: u64, split: u32) -> u64 {
    if split == 0 {
        return seed;
    }
    let mut x = seed ^ (split as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Every trial id fits in a file name; otherwise one diagnostic per name to
/// shorten (each arm whose ids are too long, or the experiment's name when
/// it is the longer part).
fn ids_fit(ctx: &mut Ctx, def: &ExperimentDef, arms: &[Arm], trials: &[Trial]) -> bool {
    let exp = &def.name.name;
    let mut ok = true;
    let mut blamed_experiment = false;
    for arm in arms {
        let Some(longest) = trials
            .iter()
            .filter(|t| t.arm == arm.name.name)
            .max_by_key(|t| t.id.len())
        else {
            continue;
        };
        let length = longest.id.len();
        if length <= MAX_ID_BYTES {
            continue;
        }
        ok = false;
        let over = length - MAX_ID_BYTES;
        let (span, kind, name) = if arm.name.name.len() >= exp.len() {
            (arm.name.span, "arm", &arm.name.name)
        } else if blamed_experiment {
            continue;
        } else {
            blamed_experiment = true;
            (def.name.span, "experiment", exp)
        };
        let keep = name.len().saturating_sub(over).max(1);
        ctx.report(
            span,
            Diagnostic::NameTooLong {
                kind: kind.into(),
                name: shorten(name),
                length,
                max: MAX_ID_BYTES,
                span: span.into(),
                label: format!(
                    "{} bytes, in ids like `{}`",
                    name.len(),
                    shorten(&longest.id)
                ),
                help: Some(format!(
                    "trial ids (experiment-cell-arm-seed, plus -gN for a grid point) name the result files; shorten this {kind} name to at most {keep} characters"
                )),
            },
        );
    }
    ok
}

/// A long name for a message: its start and end.
fn shorten(name: &str) -> String {
    if name.chars().count() <= 40 {
        return name.to_string();
    }
    let head: String = name.chars().take(20).collect();
    let tail: String = name
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head}…{tail}")
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
