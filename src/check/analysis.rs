//! The analysis keys of an experiment: `splits` (independent data splits
//! crossed with the seeds), `target` (the time-to-accuracy level, fixed
//! before the run) and `smooth` (checks the curve is averaged over before
//! the target is sought); and the warnings about checks that cannot happen
//! within the budget (a policy that never acts, `checks` longer than the run).

use super::eval::{Ctx, Env};
use super::experiment::{Arm, ArmLambda, Key};
use super::settings::Settings;
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{LambdaSpec, Metric, TargetSpec};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Span};
use std::collections::BTreeMap;

pub const MAX_SPLITS: u64 = 100;
pub const MAX_SMOOTH: u64 = 1000;

/// Metrics a curve records and a target may name.
const TARGET_METRICS: [Metric; 4] = [
    Metric::ValAcc,
    Metric::ValLoss,
    Metric::TrainAcc,
    Metric::TrainLoss,
];

pub struct Analysis {
    pub splits: u32,
    pub target: Option<TargetSpec>,
    pub smooth: Option<u32>,
}

pub fn analysis(
    ctx: &mut Ctx,
    keys: &BTreeMap<&str, Key>,
    env: &Env,
) -> Result<Analysis, Reported> {
    let splits = match keys.get("splits") {
        Some(k) => ctx
            .count_in(k.value, env, "`splits`", 1, MAX_SPLITS)
            .map(|n| n as u32),
        None => Ok(1),
    };
    let smooth = match keys.get("smooth") {
        Some(k) => ctx
            .count_in(k.value, env, "`smooth`", 1, MAX_SMOOTH)
            .map(|n| Some(n as u32)),
        None => Ok(None),
    };
    let target = match keys.get("target") {
        Some(k) => target(ctx, k.value, env).map(Some),
        None => Ok(None),
    };
    Ok(Analysis {
        splits: splits?,
        target: target?,
        smooth: smooth?,
    })
}

fn bad_target(ctx: &mut Ctx, e: &Expr, label: &str, help: String) -> Result<TargetSpec, Reported> {
    Err(ctx.report(
        e.span,
        Diagnostic::BadTarget {
            span: e.span.into(),
            label: label.into(),
            help: Some(help),
        },
    ))
}

/// `val_acc >= 0.85` or `val_loss <= 0.4`.
fn target(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<TargetSpec, Reported> {
    let mut e = e;
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    let form = "write `target: val_acc >= 0.85` (or `val_loss <= 0.4` for a loss)".to_string();
    let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
        return bad_target(ctx, e, "not a comparison", form);
    };
    let at_least = match op {
        BinOp::Ge => true,
        BinOp::Le => false,
        _ => return bad_target(ctx, e, "use `>=` or `<=`", form),
    };
    let metric = match &lhs.kind {
        ExprKind::Ident(name) => TARGET_METRICS.into_iter().find(|m| m.name() == name),
        _ => None,
    };
    let Some(metric) = metric else {
        let names: Vec<&str> = TARGET_METRICS.iter().map(|m| m.name()).collect();
        return bad_target(
            ctx,
            lhs,
            "not a curve metric",
            format!("the target compares one of {}", names.join(", ")),
        );
    };
    let value = ctx.num(rhs, env)?;
    if metric.higher_is_better() != at_least {
        let (op, what) = if at_least {
            ("<=", "a loss falls to its target")
        } else {
            (">=", "an accuracy rises to its target")
        };
        return bad_target(
            ctx,
            e,
            "the comparison points the wrong way",
            format!("{what}: write `{} {op} ...`", metric.name()),
        );
    }
    let range_ok = if at_least {
        (0.0..=1.0).contains(&value)
    } else {
        value >= 0.0 && value.is_finite()
    };
    if !range_ok {
        let allowed = if at_least { "in [0, 1]" } else { "≥ 0" };
        return Err(ctx.out_of_range(rhs.span, "the target", allowed, value));
    }
    Ok(TargetSpec {
        metric,
        at_least,
        value,
    })
}

/// Warnings for one cell: `checks` longer than the budget, and policies that
/// check no more often than their arm trains. `warned` keeps one warning per
/// source location across cells.
pub fn warn_checks(
    ctx: &mut Ctx,
    keys: &BTreeMap<&str, Key>,
    arms: &[Arm],
    lambdas: &[ArmLambda],
    budgets: &[u64],
    settings: &Settings,
    warned: &mut Vec<(usize, usize)>,
) {
    // (Span's equality ignores positions, so compare offsets.)
    let ipe = settings.iters_per_epoch;
    let checks_iters = settings.checks.to_iters(ipe);
    let mut once = |span: Span| {
        let key = (span.start, span.end);
        let new = !warned.contains(&key);
        warned.push(key);
        new
    };
    let min_iters = budgets.iter().copied().min().unwrap_or(0);
    if let Some(k) = keys.get("checks") {
        if checks_iters > min_iters && once(k.value.span) {
            ctx.warn(
                k.value.span,
                Diagnostic::ChecksExceedBudget {
                    every: checks_iters,
                    iters: min_iters,
                    span: k.value.span.into(),
                    help: Some(format!(
                        "check at least a few times per run, e.g. `checks: every {} iters`",
                        (min_iters / 10).max(1)
                    )),
                },
            );
        }
    }
    for ((arm, lambda), &iters) in arms.iter().zip(lambdas).zip(budgets) {
        let policy = match lambda {
            ArmLambda::Spec(LambdaSpec::Policy { policy, .. })
            | ArmLambda::Spec(LambdaSpec::Adjusted { policy, .. }) => policy,
            _ => continue,
        };
        let every = policy.every.to_iters(ipe);
        if every >= iters && once(arm.value.span) {
            ctx.warn(
                arm.value.span,
                Diagnostic::PolicyNeverActs {
                    policy: policy.name.clone(),
                    every,
                    iters,
                    span: arm.value.span.into(),
                    help: Some(format!(
                        "check more often than the budget (e.g. `every {} iters` in the policy), or train longer",
                        (iters / 10).max(1)
                    )),
                },
            );
        }
    }
}
