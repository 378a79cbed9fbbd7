//! Time to target for one (cell, arm): the target (declared, or the
//! baseline's smoothed final validation accuracy averaged over its units),
//! each unit's censored arrival time, the Kaplan–Meier restricted mean and
//! median, and the arm-to-baseline ratio of restricted means with a seeded
//! cluster-bootstrap interval.

use super::bootstrap::{percentile_ci, RESAMPLES};
use super::survival::{median, observe, rmst, smooth, Obs};
use crate::plan::{Metric, TargetSpec};
use crate::results::{CurveRow, TrialRecord};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToTarget {
    /// Restricted mean iterations to the target, up to `tau`.
    pub rmst: f64,
    /// 95% percentile-bootstrap interval of `rmst`.
    pub rmst_ci: Option<(f64, f64)>,
    /// Kaplan–Meier median iterations (None when half never arrive).
    pub median: Option<f64>,
    /// Restriction time: the longest budget among the units.
    pub tau: f64,
    pub arrived: usize,
    pub units: usize,
    /// RMST of the arm over RMST of the baseline on the same units (< 1: faster).
    pub ratio: Option<f64>,
    pub ratio_ci: Option<(f64, f64)>,
}

/// One paired unit: (split, arm trial and curve, baseline trial and curve).
pub struct Pair<'a> {
    pub split: u32,
    pub arm: (&'a TrialRecord, Vec<CurveRow>),
    pub base: Option<(&'a TrialRecord, Vec<CurveRow>)>,
}

pub fn metric_of(c: &CurveRow, m: Metric) -> f64 {
    match m {
        Metric::TrainAcc => c.train_acc,
        Metric::TrainLoss => c.train_loss,
        Metric::ValLoss => c.val_loss,
        _ => c.val_acc,
    }
}

fn smoothed(curve: &[CurveRow], metric: Metric, window: usize) -> Vec<f64> {
    let raw: Vec<f64> = curve.iter().map(|c| metric_of(c, metric)).collect();
    smooth(&raw, window)
}

/// The default target: the baseline's smoothed final validation accuracy,
/// averaged over the baseline trials given.
pub fn default_target(base: &[&[CurveRow]], window: usize) -> Option<TargetSpec> {
    let finals: Vec<f64> = base
        .iter()
        .filter_map(|c| smoothed(c, Metric::ValAcc, window).last().copied())
        .filter(|v| v.is_finite())
        .collect();
    if finals.is_empty() {
        return None;
    }
    Some(TargetSpec {
        metric: Metric::ValAcc,
        at_least: true,
        value: finals.iter().sum::<f64>() / finals.len() as f64,
    })
}

fn obs(rec: &TrialRecord, curve: &[CurveRow], t: &TargetSpec, window: usize) -> Obs {
    let iters: Vec<u64> = curve.iter().map(|c| c.iter).collect();
    observe(
        &iters,
        &smoothed(curve, t.metric, window),
        t.value,
        t.at_least,
        rec.iters,
    )
}

/// Clusters for the bootstrap: one per split when there are several, else
/// one per unit.
fn clusters<T: Copy>(items: &[(u32, T)]) -> Vec<Vec<T>> {
    let mut splits: Vec<u32> = items.iter().map(|(s, _)| *s).collect();
    splits.sort_unstable();
    splits.dedup();
    if splits.len() >= 2 {
        splits
            .iter()
            .map(|s| {
                items
                    .iter()
                    .filter(|(p, _)| p == s)
                    .map(|(_, x)| *x)
                    .collect()
            })
            .collect()
    } else {
        items.iter().map(|(_, x)| vec![*x]).collect()
    }
}

/// Time to target of one row; `seed` makes its bootstrap reproducible.
pub fn time_to_target(
    pairs: &[Pair],
    target: &TargetSpec,
    window: usize,
    seed: u64,
) -> Option<TimeToTarget> {
    if pairs.is_empty() {
        return None;
    }
    let arm: Vec<(u32, Obs)> = pairs
        .iter()
        .map(|p| (p.split, obs(p.arm.0, &p.arm.1, target, window)))
        .collect();
    let paired: Vec<(u32, (Obs, Obs))> = pairs
        .iter()
        .filter_map(|p| {
            let (rec, c) = p.base.as_ref()?;
            let a = obs(p.arm.0, &p.arm.1, target, window);
            Some((p.split, (a, obs(rec, c, target, window))))
        })
        .collect();
    let tau = pairs
        .iter()
        .flat_map(|p| std::iter::once(p.arm.0.budget).chain(p.base.as_ref().map(|b| b.0.budget)))
        .max()
        .unwrap_or(0) as f64;
    let arm_obs: Vec<Obs> = arm.iter().map(|(_, o)| *o).collect();
    let rmst_of = |v: &[&Obs]| rmst(&v.iter().map(|o| **o).collect::<Vec<_>>(), tau);
    let ratio_of = |v: &[&(Obs, Obs)]| {
        let a: Vec<Obs> = v.iter().map(|p| p.0).collect();
        let b: Vec<Obs> = v.iter().map(|p| p.1).collect();
        rmst(&a, tau) / rmst(&b, tau)
    };
    let paired_only: Vec<&(Obs, Obs)> = paired.iter().map(|(_, p)| p).collect();
    let ratio = (!paired.is_empty() && pairs.iter().all(|p| p.base.is_some()))
        .then(|| ratio_of(&paired_only))
        .filter(|r| r.is_finite());
    Some(TimeToTarget {
        rmst: rmst(&arm_obs, tau),
        rmst_ci: percentile_ci(&clusters(&arm), &rmst_of, RESAMPLES, seed),
        median: median(&arm_obs),
        tau,
        arrived: arm_obs.iter().filter(|o| o.arrived).count(),
        units: arm_obs.len(),
        ratio,
        ratio_ci: ratio
            .and_then(|_| percentile_ci(&clusters(&paired), &ratio_of, RESAMPLES, seed ^ 0x7a7a)),
    })
}
