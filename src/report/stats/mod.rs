//! Statistics of one experiment, per cell and arm: the measured metric with
//! its split-aware 95% interval, the paired gain over the equal-budget
//! baseline with its test, Holm-adjusted p-value, verdict, simultaneous
//! interval and minimum detectable effect, and the censored time to a
//! target accuracy (see docs/running.md, "Statistics"); the contrasts
//! between the non-baseline arms of each cell (`contrast`); the change of
//! each gain from a `vary` axis's first value to its last (`trend`); and
//! the gain in validation accuracy at each quarter of the budget (`along`).
//!
//! A grid arm is one model per constant λ; in every (split, seed) the
//! constant with the best final validation accuracy is picked, and its
//! measured metric (test accuracy by default) is what the grid arm reports.
//! Pairing is within (split, seed): the arm and the baseline saw the same
//! data, initialisation and batch order.

pub mod along;
pub mod bootstrap;
pub mod contrast;
pub mod paired;
pub mod power;
pub mod quantiles;
#[cfg(test)]
mod simulation;
pub mod survival;
pub mod trend;
pub mod tta;

pub use along::Along;
pub use contrast::Contrast;
pub use paired::{Method, Verdict, ALPHA};
pub use quantiles::{t975, Stat, Unit};
pub use trend::Trend;
pub use tta::TimeToTarget;

use crate::plan::{AxisValue, ExperimentPlan, Metric, TargetSpec, DEFAULT_SMOOTH};
use crate::results::{CurveRow, Status, TrialRecord};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tta::Pair;

/// The test of one arm's gain over the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// Two-sided p-value of "mean gain = 0" and the test that gave it.
    pub p: f64,
    pub method: Method,
    /// Holm-adjusted over the experiment's family.
    pub p_adj: f64,
    pub verdict: Verdict,
    /// Half-width of the Bonferroni simultaneous 95% interval of the gain.
    pub sim_half_width: f64,
    /// Minimum detectable gain at 80% power (two-sided α = 0.05).
    pub mde: f64,
}

/// One (cell, arm) line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    pub arm: String,
    pub is_baseline: bool,
    /// The measured metric over the units.
    pub measure: Option<Stat>,
    /// Paired gain over the baseline (this arm minus baseline, same split and seed).
    pub gain: Option<Stat>,
    pub test: Option<Comparison>,
    /// Time to the target.
    pub tta: Option<TimeToTarget>,
    /// For a grid arm: the constant picked in each (split, seed).
    pub chosen: Vec<f64>,
    pub diverged: usize,
    pub stopped: usize,
    pub seeds: usize,
    pub splits: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentSummary {
    pub experiment: String,
    pub measure: Metric,
    pub axes: Vec<String>,
    pub baseline: Option<String>,
    /// Comparisons in the Holm family (arms × cells × the measure, those with a p-value).
    pub family: usize,
    /// The declared target, if any (else each cell's baseline level is used).
    pub target: Option<TargetSpec>,
    /// Checks the curves are smoothed over.
    pub smooth: u32,
    pub rows: Vec<Row>,
    /// Every pair of non-baseline arms in every cell (empty with fewer than
    /// two such arms), Holm-adjusted as a family of their own.
    pub contrasts: Vec<Contrast>,
    /// Contrasts with a p-value (their Holm family).
    pub contrast_family: usize,
    /// Every arm's gain at each axis's last value against its first (per
    /// combination of the other axes), Holm-adjusted as a family of their own.
    pub trends: Vec<Trend>,
    /// Trends with a p-value (their Holm family).
    pub trend_family: usize,
    /// The gain in validation accuracy at each quarter of the budget, per
    /// cell and arm with curves of its own and of its baseline,
    /// Holm-adjusted as a family of their own.
    pub along: Vec<Along>,
    /// Gains along the way with a p-value (their Holm family).
    pub along_family: usize,
}

/// Finds trials by (cell, arm, split, seed); the split of a record comes
/// from the plan (records of trials not in the plan count as split 0).
pub struct Lookup<'a> {
    records: Vec<&'a TrialRecord>,
    split: HashMap<&'a str, u32>,
}

impl<'a> Lookup<'a> {
    pub fn new(exp: &'a ExperimentPlan, records: &'a [TrialRecord]) -> Lookup<'a> {
        Lookup {
            records: records
                .iter()
                .filter(|r| r.key.experiment == exp.name)
                .collect(),
            split: exp
                .trials
                .iter()
                .map(|t| (t.key.id.as_str(), t.key.split))
                .collect(),
        }
    }

    pub fn split_of(&self, r: &TrialRecord) -> u32 {
        self.split.get(r.key.id.as_str()).copied().unwrap_or(0)
    }

    /// The trial standing for (cell, arm, split, seed): the trial itself, or
    /// the grid point with the best final validation accuracy.
    pub fn representative(
        &self,
        cell: usize,
        arm: &str,
        split: u32,
        seed: u32,
    ) -> Option<&'a TrialRecord> {
        self.records
            .iter()
            .copied()
            .filter(|r| r.key.cell == cell && r.key.arm == arm && r.key.seed_index == seed)
            .filter(|r| self.split_of(r) == split)
            .filter(|r| !matches!(r.status, Status::Diverged { .. }))
            .filter(|r| r.finals.is_some())
            .fold(None, |best: Option<&TrialRecord>, r| match best {
                Some(b) if b.finals.map(|f| f.val_acc) >= r.finals.map(|f| f.val_acc) => Some(b),
                _ => Some(r),
            })
    }
}

/// Seed of a row's bootstrap: a hash of experiment, cell and arm.
fn row_seed(exp: &str, cell: usize, arm: &str) -> u64 {
    format!("{exp}/{cell}/{arm}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        })
}

/// The cells of an experiment with their axis values.
fn cells(exp: &ExperimentPlan) -> Vec<(usize, BTreeMap<String, AxisValue>)> {
    let mut seen = BTreeMap::new();
    for t in &exp.trials {
        seen.entry(t.key.cell).or_insert_with(|| t.key.vary.clone());
    }
    seen.into_iter().collect()
}

/// Summarises one experiment from its trial records; `curve` returns the
/// curve of a trial id (None when missing).
pub fn summarise(
    exp: &ExperimentPlan,
    records: &[TrialRecord],
    curve: &dyn Fn(&str) -> Option<Vec<CurveRow>>,
) -> ExperimentSummary {
    let look = Lookup::new(exp, records);
    let baseline = exp.arms.iter().find(|a| a.is_grid).map(|a| a.name.clone());
    let smooth = exp.smooth.unwrap_or(DEFAULT_SMOOTH);
    let (mut rows, mut curve_pairs) = (Vec::new(), Vec::new());
    for (cell, vary) in cells(exp) {
        let target = exp.target.or_else(|| {
            let b = baseline.as_deref()?;
            let curves: Vec<Vec<CurveRow>> = units(exp)
                .filter_map(|(p, s)| curve(&look.representative(cell, b, p, s)?.key.id))
                .collect();
            let refs: Vec<&[CurveRow]> = curves.iter().map(Vec::as_slice).collect();
            tta::default_target(&refs, smooth as usize)
        });
        for arm in &exp.arms {
            let ctx = RowCtx {
                exp,
                look: &look,
                baseline: baseline.as_deref(),
                target,
                smooth,
                curve,
            };
            let (row, pairs) = ctx.row(cell, &vary, &arm.name);
            if !row.is_baseline && pairs.iter().any(|p| p.base.is_some()) {
                curve_pairs.push(along::Curves {
                    cell,
                    vary: vary.clone(),
                    arm: arm.name.clone(),
                    pairs,
                });
            }
            rows.push(row);
        }
    }
    let family = adjust(&mut rows, exp.measure);
    let (contrasts, contrast_family) = contrast::contrasts(exp, &look, baseline.as_deref());
    let (trends, trend_family) = trend::trends(exp, &look, baseline.as_deref());
    let (along, along_family) = along::along(&curve_pairs);
    ExperimentSummary {
        experiment: exp.name.clone(),
        measure: exp.measure,
        axes: exp.axes.iter().map(|a| a.name.clone()).collect(),
        baseline,
        family,
        target: exp.target,
        smooth,
        rows,
        contrasts,
        contrast_family,
        trends,
        trend_family,
        along,
        along_family,
    }
}

/// Every (split, seed) of an experiment.
fn units(exp: &ExperimentPlan) -> impl Iterator<Item = (u32, u32)> + '_ {
    (0..exp.splits.max(1)).flat_map(move |p| (0..exp.seeds).map(move |s| (p, s)))
}

struct RowCtx<'a, 'c> {
    exp: &'a ExperimentPlan,
    look: &'a Lookup<'a>,
    baseline: Option<&'a str>,
    target: Option<TargetSpec>,
    smooth: u32,
    curve: &'c dyn Fn(&str) -> Option<Vec<CurveRow>>,
}

impl<'a> RowCtx<'a, '_> {
    /// The row of (cell, arm), and the curves of its units paired with the
    /// baseline's (time to target and the gains along the way read them).
    fn row(
        &self,
        cell: usize,
        vary: &BTreeMap<String, AxisValue>,
        arm: &str,
    ) -> (Row, Vec<Pair<'a>>) {
        let (exp, look) = (self.exp, self.look);
        let is_baseline = self.baseline == Some(arm);
        let (mut values, mut chosen, mut pairs) = (vec![], vec![], vec![]);
        for (split, seed) in units(exp) {
            let Some(rep) = look.representative(cell, arm, split, seed) else {
                continue;
            };
            let Some(v) = rep.finals.and_then(|f| f.get(exp.measure)) else {
                continue;
            };
            values.push((split, v));
            if let Some(g) = rep.key.grid {
                chosen.push(g.value);
            }
            let base = self
                .baseline
                .and_then(|b| look.representative(cell, b, split, seed));
            if let Some(c) = (self.curve)(&rep.key.id) {
                let base = base
                    .filter(|_| !is_baseline)
                    .and_then(|b| Some((b, (self.curve)(&b.key.id)?)));
                pairs.push(Pair {
                    split,
                    arm: (rep, c),
                    base,
                });
            }
        }
        let all: Vec<&TrialRecord> = look
            .records
            .iter()
            .copied()
            .filter(|r| r.key.cell == cell && r.key.arm == arm)
            .collect();
        let count = |f: fn(&Status) -> bool| all.iter().filter(|r| f(&r.status)).count();
        let gains = match self.baseline {
            Some(b) if !is_baseline => paired_differences(exp, look, cell, arm, b),
            _ => vec![],
        };
        let gain = Stat::split_aware(&gains);
        let seed = row_seed(&exp.name, cell, arm);
        let row = Row {
            cell,
            vary: vary.clone(),
            arm: arm.to_string(),
            is_baseline,
            measure: Stat::split_aware(&values),
            test: gain.and_then(|g| comparison(&gains, &g)),
            gain,
            tta: self
                .target
                .and_then(|t| tta::time_to_target(&pairs, &t, self.smooth as usize, seed)),
            chosen,
            diverged: count(|s| matches!(s, Status::Diverged { .. })),
            stopped: count(|s| matches!(s, Status::Stopped { .. })),
            seeds: exp.seeds as usize,
            splits: exp.splits.max(1) as usize,
        };
        (row, pairs)
    }
}

/// The paired differences a − b of the measure over the units (split,
/// seed) where both arms have a value, tagged with the split: the pairing of
/// every gain (b the baseline) and every contrast. Both trials of a pair saw
/// the same data split, initialisation and batch order.
fn paired_differences(
    exp: &ExperimentPlan,
    look: &Lookup,
    cell: usize,
    a: &str,
    b: &str,
) -> Vec<(u32, f64)> {
    unit_gains(exp, look, cell, a, b)
        .into_iter()
        .map(|((split, _), d)| (split, d))
        .collect()
}

/// [`paired_differences`] tagged with the whole unit (split, seed), for
/// pairing the units of two cells (`trend`).
fn unit_gains(
    exp: &ExperimentPlan,
    look: &Lookup,
    cell: usize,
    a: &str,
    b: &str,
) -> Vec<((u32, u32), f64)> {
    let value = |arm: &str, split: u32, seed: u32| {
        look.representative(cell, arm, split, seed)?
            .finals?
            .get(exp.measure)
    };
    units(exp)
        .filter_map(|(split, seed)| {
            let d = value(a, split, seed)? - value(b, split, seed)?;
            Some(((split, seed), d))
        })
        .collect()
}

/// The unadjusted test of a gain (adjusted later by [`adjust`]).
fn comparison(gains: &[(u32, f64)], g: &Stat) -> Option<Comparison> {
    let (units, _) = quantiles::unit_values(gains);
    let (p, method) = paired::paired_p(&units)?;
    Some(Comparison {
        p,
        method,
        p_adj: f64::NAN,
        verdict: Verdict::NoDetectableDifference,
        sim_half_width: f64::NAN,
        mde: power::mde(g.sd, g.units),
    })
}

/// Which direction of `measure` is an improvement: up, except for losses.
pub fn higher_is_better(measure: Metric) -> bool {
    !matches!(
        measure,
        Metric::TrainLoss | Metric::ValLoss | Metric::TestLoss | Metric::DataLoss | Metric::RegLoss
    )
}

/// Holm-adjusts every comparison of the experiment against the baseline;
/// returns the family size.
fn adjust(rows: &mut [Row], measure: Metric) -> usize {
    adjust_family(
        rows.iter_mut().map(|r| (&mut r.test, r.gain)),
        higher_is_better(measure),
    )
}

/// Holm-adjusts one family of tests (each with the difference it tests),
/// sets their verdicts and Bonferroni simultaneous intervals; returns the
/// family size: the tests with a p-value.
fn adjust_family<'a>(
    tests: impl IntoIterator<Item = (&'a mut Option<Comparison>, Option<Stat>)>,
    higher: bool,
) -> usize {
    let mut tests: Vec<_> = tests.into_iter().collect();
    let p: Vec<f64> = tests
        .iter()
        .map(|(t, _)| t.map_or(f64::NAN, |t| t.p))
        .collect();
    let family = p.iter().filter(|x| !x.is_nan()).count();
    let adj = paired::holm(&p);
    for ((t, d), a) in tests.iter_mut().zip(adj) {
        if let (Some(t), Some(d)) = (t.as_mut(), d) {
            t.p_adj = a;
            t.verdict = paired::verdict(d.mean, a, higher);
            t.sim_half_width = paired::simultaneous_half_width(d, family);
        }
    }
    family
}

#[cfg(test)]
mod tests;
