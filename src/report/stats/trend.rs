//! Trends across a `vary` axis: does an arm's gain over the baseline change
//! from the axis's first value to its last ("the gain grows with hidden
//! units", "it shrinks as iterations per value grow")?
//!
//! For every non-baseline arm, every axis and every combination of the
//! other axes' values, the difference of the gains at the two ends,
//! gain(last) − gain(first), unit by unit: the (split, seed) unit's gain at
//! the last value minus the same unit's gain at the first. A data split is
//! drawn by the data's name and the split's index alone, so the two cells
//! of a unit saw the same validation set and training subset (their
//! initialisations differ, seeded per cell): the pairing is real, as the
//! gains' is, and the units stay independent of each other. The test is the
//! gains' own (exact sign-flip up to ten units, else t, on the split means),
//! and so are the MDE, the simultaneous interval and the verdict rule.
//!
//! A trend read from whether two per-cell intervals overlap is neither a
//! test nor adjusted; this is both. Family: all trends of one experiment,
//! Holm-adjusted together and apart from the gains, the contrasts and the
//! gains along the way. An axis whose first and last values are equal
//! (`[50, 800, 50]`) has no trend.
//! `Verdict::Better` says the gain is better (in the measure's direction)
//! at the axis's last value than at its first.

use super::{adjust_family, cells, comparison, higher_is_better, unit_gains, Comparison, Lookup};
use super::{Stat, Verdict};
use crate::plan::{AxisValue, ExperimentPlan};
use serde::Serialize;
use std::collections::BTreeMap;

/// One arm's gain at an axis's last value against its first, the other
/// axes held at `fixed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub arm: String,
    pub axis: String,
    pub from: AxisValue,
    pub to: AxisValue,
    /// The other axes' values (empty with one axis).
    pub fixed: BTreeMap<String, AxisValue>,
    /// gain(to) − gain(from) over the unit indices both cells have.
    pub diff: Option<Stat>,
    /// Its test; `Verdict::Better`: the gain is better at `to`.
    pub test: Option<Comparison>,
}

/// The words of a trend's verdict in `trends.csv` and the tables.
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "gain improves",
        Verdict::Worse => "gain worsens",
        Verdict::NoDetectableDifference => Verdict::NoDetectableDifference.name(),
    }
}

impl Trend {
    /// `hidden 50 → 800`, with the fixed axes after a semicolon.
    pub fn label(&self) -> String {
        let mut out = format!("{} {} → {}", self.axis, self.from.label(), self.to.label());
        let fixed: Vec<String> = self
            .fixed
            .iter()
            .map(|(k, v)| format!("{k} {}", v.label()))
            .collect();
        if !fixed.is_empty() {
            out.push_str(&format!(" ({})", fixed.join(", ")));
        }
        out
    }
}

/// The cell holding `vary`, if the plan has it.
fn cell_of(
    all: &[(usize, BTreeMap<String, AxisValue>)],
    vary: &BTreeMap<String, AxisValue>,
) -> Option<usize> {
    all.iter().find(|(_, v)| v == vary).map(|(c, _)| *c)
}

/// The trends of one experiment, Holm-adjusted over all of them; and the
/// family size. None without a baseline or an axis of two or more values.
pub fn trends(exp: &ExperimentPlan, look: &Lookup, baseline: Option<&str>) -> (Vec<Trend>, usize) {
    let Some(base) = baseline else {
        return (vec![], 0);
    };
    let all = cells(exp);
    let mut out = Vec::new();
    let arms = exp
        .arms
        .iter()
        .map(|a| a.name.as_str())
        .filter(|a| *a != base);
    for arm in arms {
        for axis in exp.axes.iter().filter(|a| a.values.len() >= 2) {
            let (first, last) = (&axis.values[0], &axis.values[axis.values.len() - 1]);
            if first == last {
                continue;
            }
            // One trend per combination of the other axes: the cells at
            // the axis's first value, each with its other values.
            for (from_cell, vary) in all.iter().filter(|(_, v)| v.get(&axis.name) == Some(first)) {
                let mut to_vary = vary.clone();
                to_vary.insert(axis.name.clone(), last.clone());
                let Some(to_cell) = cell_of(&all, &to_vary) else {
                    continue;
                };
                let at_to = unit_gains(exp, look, to_cell, arm, base);
                let at_from = unit_gains(exp, look, *from_cell, arm, base);
                let diffs: Vec<(u32, f64)> = at_to
                    .iter()
                    .filter_map(|(unit, g)| {
                        let (_, f) = at_from.iter().find(|(u, _)| u == unit)?;
                        Some((unit.0, g - f))
                    })
                    .collect();
                let diff = Stat::split_aware(&diffs);
                let mut fixed = vary.clone();
                fixed.remove(&axis.name);
                out.push(Trend {
                    arm: arm.to_string(),
                    axis: axis.name.clone(),
                    from: first.clone(),
                    to: last.clone(),
                    fixed,
                    test: diff.and_then(|d| comparison(&diffs, &d)),
                    diff,
                });
            }
        }
    }
    let family = adjust_family(
        out.iter_mut().map(|t| (&mut t.test, t.diff)),
        higher_is_better(exp.measure),
    );
    (out, family)
}

#[cfg(test)]
#[path = "trend_tests.rs"]
mod tests;
