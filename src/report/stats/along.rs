//! The gain along the way: for each non-baseline arm of each cell, the
//! paired difference arm − baseline of validation accuracy at each quarter
//! of the budget (25%, 50%, 75%, 100%), so "ahead early, caught up later"
//! is a tested statement rather than a reading of plotted bands.
//!
//! Each curve is read at its last check at or before the quarter's
//! iteration (⌊quarter × its trial's budget⌋; curves have a row at
//! iteration 0, at every check and at the end of the budget, and a trial
//! stopped early keeps its last check). The pairs are the ones time to target uses
//! ([`Pair`]: the arm's trial and, in the same (split, seed), the grid
//! constant picked on final validation accuracy), and from there pairing,
//! unit of analysis, test, intervals, MDE and verdict rule are the gains'
//! own (`paired`, `quantiles`, `power`).
//!
//! Family: every (cell, arm, quarter) of one experiment, Holm-adjusted
//! together and apart from the gains and the contrasts, whose adjusted
//! p-values stay as they were. The baseline was picked on its final
//! validation accuracy on this same validation set, so at the last quarter
//! the difference is biased in the baseline's favour (the best of several
//! constants on the very numbers compared); the early quarters much less.

use super::tta::Pair;
use super::{adjust_family, comparison, Comparison, Stat};
use crate::plan::AxisValue;
use crate::results::CurveRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// The fractions of the budget the gain is tested at.
pub const QUARTERS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// The gain in validation accuracy of one (cell, arm) at one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Along {
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    pub arm: String,
    /// The fraction of the budget: 0.25, 0.5, 0.75 or 1.
    pub quarter: f64,
    /// The quarter's iteration for the longest budget among the units
    /// (within a cell every trial has the same budget).
    pub iter: u64,
    /// Paired difference arm − baseline of validation accuracy (fraction).
    pub gain: Option<Stat>,
    pub test: Option<Comparison>,
}

/// The curves of one (cell, arm)'s units paired with the baseline's.
pub struct Curves<'a> {
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    pub arm: String,
    pub pairs: Vec<Pair<'a>>,
}

/// The iteration of quarter `k` (1 to 4) of a budget, rounded down.
pub fn quarter_iter(budget: u64, k: u64) -> u64 {
    budget * k / 4
}

/// The curve's last check at or before iteration `iter`.
pub fn at(curve: &[CurveRow], iter: u64) -> Option<&CurveRow> {
    curve
        .iter()
        .filter(|c| c.iter <= iter)
        .max_by_key(|c| c.iter)
}

/// The paired differences arm − baseline of validation accuracy at quarter
/// `k`, tagged with the split; units without a baseline curve, or with a
/// curve lacking a check by then, are left out.
fn differences(pairs: &[Pair], k: u64) -> Vec<(u32, f64)> {
    pairs
        .iter()
        .filter_map(|p| {
            let (base, base_curve) = p.base.as_ref()?;
            let a = at(&p.arm.1, quarter_iter(p.arm.0.budget, k))?;
            let b = at(base_curve, quarter_iter(base.budget, k))?;
            Some((p.split, a.val_acc - b.val_acc))
        })
        .collect()
}

/// The gains along the way of one experiment, (cell, arm) by (cell, arm)
/// and quarter by quarter, Holm-adjusted over all of them; and the family
/// size.
pub fn along(curves: &[Curves]) -> (Vec<Along>, usize) {
    let mut out = Vec::new();
    for c in curves {
        let budget = c.pairs.iter().map(|p| p.arm.0.budget).max().unwrap_or(0);
        for (k, quarter) in (1..).zip(QUARTERS) {
            let diffs = differences(&c.pairs, k);
            let gain = Stat::split_aware(&diffs);
            out.push(Along {
                cell: c.cell,
                vary: c.vary.clone(),
                arm: c.arm.clone(),
                quarter,
                iter: quarter_iter(budget, k),
                test: gain.and_then(|g| comparison(&diffs, &g)),
                gain,
            });
        }
    }
    // Validation accuracy: higher is better.
    let family = adjust_family(out.iter_mut().map(|a| (&mut a.test, a.gain)), true);
    (out, family)
}

#[cfg(test)]
#[path = "along_tests.rs"]
mod tests;
