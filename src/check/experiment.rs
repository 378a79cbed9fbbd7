//! Experiments: keys, `vary` axes and arms checked and expanded into trials
//! (cells × arms × seeds × grid values) with equal budgets, seeds and cost
//! estimates. Checking and expanding are one walk: the values built here are
//! `plan`'s types, which `crate::compile` assembles into the `Plan`. Here:
//! the axes and the walk over cells; the statements are collected in
//! `items`, each cell expanded in `cells`, and the cost held to the
//! target's limits in `limits`.

use super::analysis::{analysis, Analysis};
use super::cells::{expand_cell, ids_fit, Expansion, Stop};
use super::eval::{Ctx, Env, Val};
use super::items::collect;
use super::limits::{compute_fits, MAX_TRIALS};
use super::settings::cell_settings;
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::{ExperimentDef, Expr, Ident};

pub use super::items::{Arm, Key, Keys, KEYS};

/// What an arm's λ turned out to be in one cell.
pub enum ArmLambda {
    Spec(LambdaSpec),
    Grid(Vec<f64>),
}

/// The values of the `vary` axes: name, then each value and its plan form.
pub(super) type Axes = Vec<(String, Vec<(Val, AxisValue)>)>;

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

fn axis_value(v: &Val) -> Option<AxisValue> {
    Some(match v {
        // A whole number past i64 (`100000000000000000000000`) stays a float
        // rather than being cut to i64::MAX.
        Val::Num { v, int: true } if v.abs() < 2f64.powi(63) => AxisValue::Int(*v as i64),
        Val::Num { v, .. } => AxisValue::Float(*v),
        Val::Dur(d) => AxisValue::Duration(*d),
        Val::Str(s) | Val::Word(s) => AxisValue::Text(s.clone()),
        _ => return None,
    })
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

pub(super) fn arm_lambda(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<ArmLambda, Reported> {
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
