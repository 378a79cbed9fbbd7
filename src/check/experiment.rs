//! Experiments: keys, `vary` axes and arms checked and expanded into trials
//! (cells × arms × seeds × grid values) with equal budgets, seeds and cost
//! estimates. Checking and expanding are one walk: the values built here are
//! `plan`'s types, which `crate::compile` assembles into the `Plan`.

use super::analysis::{analysis, warn_checks, Analysis};
use super::budget::{budgets, derive_seed, estimate, size_text};
use super::eval::{Ctx, Env, Val};
use super::limits::{Target, MAX_TRIALS};
use super::settings::{cell_settings, Settings};
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
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

/// Longest trial id, in bytes. Ids name files (`trials/ID.json`,
/// `curves/ID.csv` and their temporary siblings), and most filesystems
/// allow 255 bytes per file name.
pub const MAX_ID_BYTES: usize = 200;

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

/// What an arm's λ turned out to be in one cell.
pub enum ArmLambda {
    Spec(LambdaSpec),
    Grid(Vec<f64>),
}

/// The values of the `vary` axes: name, then each value and its plan form.
type Axes = Vec<(String, Vec<(Val, AxisValue)>)>;

/// The statements of an experiment, sorted and checked for duplicates.
struct Items<'e> {
    keys: Keys<'e>,
    axes: Vec<(&'e Ident, &'e Expr)>,
    arms: Vec<Arm<'e>>,
}

/// An experiment checked and expanded into its trials: collect the items,
/// evaluate the axes, then expand every cell (see `expand_cell`) and check
/// the limits of what runs here.
pub fn elaborate(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    seeds_override: Option<u32>,
) -> Result<ExperimentPlan, Reported> {
    let mut failed = None;
    let items = collect(ctx, def, &mut failed);
    let (axes, broken_axes) = evaluate_axes(ctx, &items.axes, &mut failed);
    let cells: usize = axes
        .iter()
        .map(|(_, v)| v.len().max(1))
        .try_fold(1usize, |a, b| a.checked_mul(b))
        .unwrap_or(usize::MAX);
    if cells > MAX_TRIALS {
        return Err(ctx.report(
            def.name.span,
            Diagnostic::TooLarge {
                what: format!("experiment `{}`", def.name.name),
                place: ctx.target.place().into(),
                estimate: format!("{cells} cells"),
                span: def.name.span.into(),
                help: Some(format!(
                    "at most {MAX_TRIALS} trials in one experiment, whatever the target; vary fewer values"
                )),
            },
        ));
    }
    if let Some(reported) = failed {
        // Still check every key once, in the first cell, to report what we can.
        let mut env = first_cell_env(&axes);
        env.extend(broken_axes);
        let _ = cell_settings(ctx, &items.keys, &env, def, seeds_override);
        let _ = analysis(ctx, &items.keys, &env);
        for arm in &items.arms {
            let _ = arm_lambda(ctx, arm.value, &env);
        }
        return Err(reported);
    }
    // invariant: from here on every axis has at least one value and there is
    // at least one arm (an empty list or no arm is reported above).
    let an = analysis(ctx, &items.keys, &first_cell_env(&axes))?;
    let mut expansion = Expansion::default();
    for cell in 0..cells {
        let out = expand_cell(
            ctx,
            def,
            &items,
            &axes,
            &an,
            cell,
            seeds_override,
            &mut expansion,
        );
        match out {
            Ok(()) => {}
            Err(Stop::Cell(reported)) => failed = Some(reported),
            Err(Stop::Experiment(reported)) => return Err(reported),
        }
    }
    if let Some(reported) = failed {
        return Err(reported);
    }
    ids_fit(ctx, def, &items.arms, &expansion.trials)?;
    let trials = std::mem::take(&mut expansion.trials);
    compute_fits(ctx, def, &trials)?;
    Ok(assemble(
        ctx,
        def,
        &items.arms,
        &axes,
        &an,
        expansion,
        trials,
    ))
}

/// The FLOPs of every trial together within the target's limit.
fn compute_fits(ctx: &mut Ctx, def: &ExperimentDef, trials: &[Trial]) -> Result<(), Reported> {
    let total: f64 = trials.iter().map(|t| t.estimate.total_flops).sum();
    let limits = ctx.target.limits();
    if total <= limits.total_flops {
        return Ok(());
    }
    let help = ctx.target.help(
        &format!(
            "at most {:.0e} FLOPs ({}) per experiment",
            limits.total_flops, limits.flops_text
        ),
        "; shrink it or run with `--scale`",
        &format!("{:.0e} FLOPs", Target::Slurm.limits().total_flops),
    );
    Err(ctx.report(
        def.name.span,
        Diagnostic::TooLarge {
            what: format!("experiment `{}`", def.name.name),
            place: ctx.target.place().into(),
            estimate: format!("{} trials, {:.1e} FLOPs in total", trials.len(), total),
            span: def.name.span.into(),
            help: Some(help),
        },
    ))
}

/// The experiment's plan from its expanded cells.
fn assemble(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    arms: &[Arm],
    axes: &Axes,
    an: &Analysis,
    expansion: Expansion,
    trials: Vec<Trial>,
) -> ExperimentPlan {
    let Some(data) = expansion.data else {
        unreachable!("an experiment has at least one cell");
    };
    ExperimentPlan {
        name: def.name.name.clone(),
        data,
        axes: axes
            .iter()
            .map(|(n, v)| Axis {
                name: n.clone(),
                values: v.iter().map(|(_, a)| a.clone()).collect(),
            })
            .collect(),
        arms: arms
            .iter()
            .zip(first_grid_flags(ctx, arms, axes))
            .map(|(a, is_grid)| ArmInfo {
                name: a.name.name.clone(),
                is_grid,
            })
            .collect(),
        seeds: expansion.seeds,
        splits: an.splits,
        measure: expansion.measure,
        target: an.target,
        smooth: an.smooth,
        trials,
    }
}

/// Keys, axes and arms, with unknown keys, duplicates, missing keys and
/// conflicting keys reported (`failed` keeps the proof).
fn collect<'e>(ctx: &mut Ctx, def: &'e ExperimentDef, failed: &mut Option<Reported>) -> Items<'e> {
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
fn required_keys(
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

/// The values of every `vary` axis. An axis without a usable value is left
/// out, and comes back as an unknown value (with its proof) for the
/// first-cell check of a failed experiment.
fn evaluate_axes(
    ctx: &mut Ctx,
    axes_src: &[(&Ident, &Expr)],
    failed: &mut Option<Reported>,
) -> (Axes, Env) {
    let mut axes: Axes = vec![];
    let mut broken: Env = vec![];
    for (name, values) in axes_src {
        match ctx.eval(values, &Env::new()) {
            Val::List(items) if items.is_empty() => {
                *failed = Some(ctx.report(
                    values.span,
                    Diagnostic::EmptyList {
                        what: format!("the list of values of `{}`", name.name),
                        span: values.span.into(),
                    },
                ));
            }
            Val::List(items) => {
                let mut vals = vec![];
                let mut wrong = None;
                for (v, span) in items {
                    match axis_value(&v) {
                        Some(a) => vals.push((v, a)),
                        None => {
                            wrong =
                                Some(ctx.wrong_type(span, "a number, a duration or a name", &v));
                        }
                    }
                }
                match (vals.is_empty(), wrong) {
                    (true, Some(reported)) => {
                        broken.push((name.name.clone(), Val::Unknown(reported)))
                    }
                    _ => axes.push((name.name.clone(), vals)),
                }
                if wrong.is_some() {
                    *failed = wrong;
                }
            }
            Val::Unknown(reported) => *failed = Some(reported),
            other => {
                *failed = Some(ctx.wrong_type(values.span, "a list of values `[...]`", &other));
            }
        }
    }
    (axes, broken)
}

/// Why expanding a cell stopped: this cell failed (the others are still
/// checked), or the whole experiment is wrong.
enum Stop {
    Cell(Reported),
    Experiment(Reported),
}

impl From<Reported> for Stop {
    fn from(r: Reported) -> Stop {
        Stop::Cell(r)
    }
}

/// What the cells expanded so far produced.
struct Expansion {
    trials: Vec<Trial>,
    seeds: u32,
    measure: Metric,
    data: Option<DataSpec>,
    /// Source locations already warned about (one warning across cells).
    warned: Vec<(usize, usize)>,
    reported_size: bool,
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
fn expand_cell(
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

/// A network too large to run here (reported once per experiment).
fn network_too_large(ctx: &mut Ctx, s: &Settings, out: &mut Expansion) -> Option<Reported> {
    let per_trial = estimate(&s.network, s.batch, 1);
    let limits = ctx.target.limits();
    if (per_trial.parameters <= limits.parameters && per_trial.memory_bytes <= limits.memory)
        || out.reported_size
    {
        return None;
    }
    out.reported_size = true;
    let slurm = Target::Slurm.limits();
    let help = ctx.target.help(
        &format!(
            "at most {} million parameters and {} GiB per trial",
            limits.parameters / 1_000_000,
            limits.memory >> 30
        ),
        "",
        &format!(
            "{} million and {} GiB",
            slurm.parameters / 1_000_000,
            slurm.memory >> 30
        ),
    );
    Some(ctx.report(
        s.network_span,
        Diagnostic::TooLarge {
            what: format!("network `{}`", s.network.name),
            place: ctx.target.place().into(),
            estimate: size_text(&per_trial),
            span: s.network_span.into(),
            help: Some(help),
        },
    ))
}

/// One cell's values, once its settings, λs and budgets are known.
struct Cell<'c> {
    index: usize,
    vary: BTreeMap<String, AxisValue>,
    settings: &'c Settings,
    lambdas: &'c [ArmLambda],
    budgets: &'c [u64],
}

/// A trial per split × seed × arm (× grid point) of one cell, with its id,
/// seed and estimate.
fn push_trials(
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
fn ids_fit(
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

fn dup(ctx: &mut Ctx, kind: &str, name: &str, first: Span, second: Span) -> Reported {
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
fn cell_picks(axes: &Axes, mut cell: usize) -> Vec<usize> {
    let mut picks = vec![0; axes.len()];
    for (i, (_, vals)) in axes.iter().enumerate().rev() {
        let n = vals.len().max(1);
        picks[i] = cell % n;
        cell /= n;
    }
    picks
}

/// The first value of every axis (each has one: see `evaluate_axes`).
fn first_cell_env(axes: &Axes) -> Env {
    axes.iter()
        .filter_map(|(n, v)| v.first().map(|x| (n.clone(), x.0.clone())))
        .collect()
}

/// Grid flags from the first cell (an arm is a grid in every cell or none).
fn first_grid_flags(ctx: &mut Ctx, arms: &[Arm], axes: &Axes) -> Vec<bool> {
    let env = first_cell_env(axes);
    arms.iter()
        .map(|a| matches!(arm_lambda(ctx, a.value, &env), Ok(ArmLambda::Grid(_))))
        .collect()
}

fn arm_lambda(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<ArmLambda, Reported> {
    match ctx.eval(e, env) {
        Val::Num { v, .. } => ctx
            .check_lambda(e.span, v)
            .map(|()| ArmLambda::Spec(LambdaSpec::Constant(v))),
        Val::Sched(s) => Ok(ArmLambda::Spec(LambdaSpec::Schedule(s))),
        Val::Lambda(l) => Ok(ArmLambda::Spec(l)),
        Val::Grid(g) => Ok(ArmLambda::Grid(g)),
        Val::Unknown(reported) => Err(reported),
        Val::Policy(_) => Err(ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "λ".into(),
                    found: "a policy without a start value".into(),
                    span: e.span.into(),
                    help: Some("start it somewhere: `... from 1.0`, or adjust a schedule: `pull_down(each) with ...`".into()),
                },
        )),
        Val::Word(w) => {
            let mut known: Vec<&str> = ctx.defs.names_of("schedule");
            known.extend(ctx.defs.names_of("policy"));
            known.extend(env.iter().map(|(n, _)| n.as_str()));
            Err(ctx.unknown("schedule or policy", &w, e.span, &known))
        }
        other => Err(ctx.wrong_type(
            e.span,
            "λ: a number, a schedule, a policy or `grid([...])`",
            &other,
        )),
    }
}
