//! One cell of an experiment expanded: its settings, each arm's λ and
//! budget, then a trial per split × seed × arm (× grid point) with its id,
//! seed and cost estimate; and the check that every id fits in a file name.

use super::analysis::{warn_checks, Analysis};
use super::budget::{budgets, derive_seed, estimate};
use super::eval::{Ctx, Env};
use super::experiment::{arm_lambda, ArmLambda, Axes};
use super::items::{Arm, Items};
use super::limits::{network_too_large, MAX_TRIALS};
use super::settings::{cell_settings, Settings};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::ExperimentDef;
use std::collections::BTreeMap;

/// Longest trial id, in bytes. Ids name files (`trials/ID.json`,
/// `curves/ID.csv` and their temporary siblings), and most filesystems
/// allow 255 bytes per file name.
pub const MAX_ID_BYTES: usize = 200;

/// Why expanding a cell stopped: this cell failed (the others are still
/// checked), or the whole experiment is wrong.
pub(super) enum Stop {
    Cell(Reported),
    Experiment(Reported),
}

impl From<Reported> for Stop {
    fn from(r: Reported) -> Stop {
        Stop::Cell(r)
    }
}

/// What the cells expanded so far produced.
pub(super) struct Expansion {
    pub(super) trials: Vec<Trial>,
    pub(super) seeds: u32,
    pub(super) measure: Metric,
    pub(super) data: Option<DataSpec>,
    /// Source locations already warned about (one warning across cells).
    pub(super) warned: Vec<(usize, usize)>,
    pub(super) reported_size: bool,
}

impl Default for Expansion {
    fn default() -> Self {
        Expansion {
            trials: vec![],
            seeds: 1,
            measure: Metric::TestAcc,
            data: None,
            warned: vec![],
            reported_size: false,
        }
    }
}

/// One cell: its settings, each arm's λ and budget, the size limits, then
/// a trial per split × seed × arm (× grid point).
#[allow(clippy::too_many_arguments)]
pub(super) fn expand_cell(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    items: &Items,
    axes: &Axes,
    an: &Analysis,
    cell: usize,
    seeds_override: Option<u32>,
    out: &mut Expansion,
) -> Result<(), Stop> {
    let arms = &items.arms;
    let picks = cell_picks(axes, cell);
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
    let settings = cell_settings(ctx, &items.keys, &env, def, seeds_override);
    let mut lambdas = vec![];
    for arm in arms {
        lambdas.push(arm_lambda(ctx, arm.value, &env));
    }
    let s = settings?;
    let lambdas: Vec<ArmLambda> = lambdas.into_iter().collect::<Result<_, _>>()?;
    let budgets = budgets(ctx, def, arms, &lambdas, &s)?;
    warn_checks(
        ctx,
        &items.keys,
        arms,
        &lambdas,
        &budgets,
        &s,
        &mut out.warned,
    );
    let too_large = network_too_large(ctx, &s, out);
    let per_seed: usize = lambdas
        .iter()
        .map(|l| match l {
            ArmLambda::Grid(v) => v.len(),
            ArmLambda::Spec(_) => 1,
        })
        .sum();
    if out.trials.len() + per_seed * s.seeds as usize * an.splits as usize > MAX_TRIALS {
        return Err(Stop::Experiment(ctx.report(
            def.name.span,
            Diagnostic::TooLarge {
                what: format!("experiment `{}`", def.name.name),
                place: ctx.target.place().into(),
                estimate: format!("more than {MAX_TRIALS} trials"),
                span: def.name.span.into(),
                help: Some("vary fewer values, use fewer seeds or smaller grids".into()),
            },
        )));
    }
    out.seeds = s.seeds;
    out.measure = s.measure;
    if let Some(first) = &out.data {
        if *first != s.data {
            let span = items
                .keys
                .get("data")
                .map(|k| k.value.span)
                .unwrap_or(def.name.span);
            return Err(Stop::Experiment(ctx.report(
                span,
                Diagnostic::VaryingData {
                    experiment: def.name.name.clone(),
                    span: span.into(),
                },
            )));
        }
    }
    out.data = Some(s.data.clone());
    let cell = Cell {
        index: cell,
        vary,
        settings: &s,
        lambdas: &lambdas,
        budgets: &budgets,
    };
    push_trials(def, arms, an, &cell, &mut out.trials);
    match too_large {
        Some(reported) => Err(Stop::Cell(reported)),
        None => Ok(()),
    }
}

/// One cell's values, once its settings, λs and budgets are known.
pub(super) struct Cell<'c> {
    index: usize,
    vary: BTreeMap<String, AxisValue>,
    settings: &'c Settings,
    lambdas: &'c [ArmLambda],
    budgets: &'c [u64],
}

/// A trial per split × seed × arm (× grid point) of one cell, with its id,
/// seed and estimate.
pub(super) fn push_trials(
    def: &ExperimentDef,
    arms: &[Arm],
    an: &Analysis,
    c: &Cell,
    trials: &mut Vec<Trial>,
) {
    let s = c.settings;
    let cell = c.index;
    let estimate = |iters: u64| estimate(&s.network, s.batch, iters);
    for (split, seed_index) in (0..an.splits).flat_map(|p| (0..s.seeds).map(move |i| (p, i))) {
        let seed = split_seed_of(derive_seed(&def.name.name, cell, seed_index), split);
        for (arm, (lambda, iters)) in arms.iter().zip(c.lambdas.iter().zip(c.budgets)) {
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
                    key: TrialKey {
                        id,
                        experiment: def.name.name.clone(),
                        arm: arm.name.name.clone(),
                        cell,
                        vary: c.vary.clone(),
                        seed_index,
                        seed,
                        split,
                        grid,
                    },
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

/// The seed of a trial in data split `split`: split 0 keeps the seed of
/// an experiment without splits; every other split gets an independent one.
pub(super) fn split_seed_of(seed: u64, split: u32) -> u64 {
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
pub(super) fn ids_fit(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    arms: &[Arm],
    trials: &[Trial],
) -> Result<(), Reported> {
    let exp = &def.name.name;
    let mut failed = None;
    let mut blamed_experiment = false;
    for arm in arms {
        let Some(longest) = trials
            .iter()
            .filter(|t| t.key.arm == arm.name.name)
            .max_by_key(|t| t.key.id.len())
        else {
            continue;
        };
        let length = longest.key.id.len();
        if length <= MAX_ID_BYTES {
            continue;
        }
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
        failed = Some(ctx.report(
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
                    shorten(&longest.key.id)
                ),
                help: Some(format!(
                    "trial ids (experiment-cell-arm-seed, plus -gN for a grid point) name the result files; shorten this {kind} name to at most {keep} characters"
                )),
            },
        ));
    }
    match failed {
        Some(reported) => Err(reported),
        None => Ok(()),
    }
}

/// A long name for a message: its start and end.
pub(super) fn shorten(name: &str) -> String {
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

/// Index into each axis for `cell` (the first axis varies slowest).
pub(super) fn cell_picks(axes: &Axes, mut cell: usize) -> Vec<usize> {
    let mut picks = vec![0; axes.len()];
    for (i, (_, vals)) in axes.iter().enumerate().rev() {
        let n = vals.len().max(1);
        picks[i] = cell % n;
        cell /= n;
    }
    picks
}
