//! Contrasts between the arms of a cell: for every two non-baseline arms a
//! and b (a declared before b), the paired difference a − b of the measure.
//!
//! Pairing and test are the gains' own: the difference is taken within
//! (split, seed) where both arms have a value (`paired_differences`, the
//! function the gains use with b the baseline), the units are the seeds or
//! the split means, and the test, MDE, simultaneous interval and verdict
//! rule are those of the gains. So "a beats b" is tested on the same trials
//! that saw the same data, initialisation and batch order, instead of being
//! read off two intervals against the baseline.
//!
//! Family: all contrasts of one experiment (every pair of non-baseline arms
//! × every cell, those with a p-value), Holm-adjusted together and apart
//! from the gains' family. The gains answer "does this arm beat the tuned
//! constant?", the contrasts "which of the arms is better?"; each question's
//! verdicts hold their own 5% family-wise error, and adding arms to an
//! experiment leaves the gains' adjusted p-values as they were.

use super::{
    adjust_family, cells, comparison, higher_is_better, paired_differences, Comparison, Lookup,
    Stat, Verdict,
};
use crate::plan::{AxisValue, ExperimentPlan};
use serde::Serialize;
use std::collections::BTreeMap;

/// One contrast a − b in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contrast {
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    /// The arm declared first.
    pub arm_a: String,
    pub arm_b: String,
    /// Paired difference a − b over the units both arms have.
    pub diff: Option<Stat>,
    /// Its test; `Verdict::Better` says a is better than b.
    pub test: Option<Comparison>,
}

/// The words of a contrast's verdict in `contrasts.csv`: which column's arm
/// is better. Plain "better" would leave open which of the two.
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "arm_a better",
        Verdict::Worse => "arm_b better",
        Verdict::NoDetectableDifference => Verdict::NoDetectableDifference.name(),
    }
}

impl Contrast {
    /// The verdict naming the better arm (`pull_down better`), for tables
    /// that show the arms' names.
    pub fn verdict_text(&self) -> Option<String> {
        let t = self.test?;
        Some(match t.verdict {
            Verdict::Better => format!("{} better", self.arm_a),
            Verdict::Worse => format!("{} better", self.arm_b),
            Verdict::NoDetectableDifference => t.verdict.name().to_string(),
        })
    }
}

/// Every pair of arms other than the baseline, in declared order (a before
/// b); empty with fewer than two such arms.
pub fn arm_pairs<'a>(exp: &'a ExperimentPlan, baseline: Option<&str>) -> Vec<(&'a str, &'a str)> {
    let arms: Vec<&str> = exp
        .arms
        .iter()
        .map(|a| a.name.as_str())
        .filter(|a| Some(*a) != baseline)
        .collect();
    let mut out = Vec::new();
    for (i, a) in arms.iter().enumerate() {
        for b in &arms[i + 1..] {
            out.push((*a, *b));
        }
    }
    out
}

/// The contrasts of one experiment, cell by cell, Holm-adjusted over all of
/// them; and the family size.
pub fn contrasts(
    exp: &ExperimentPlan,
    look: &Lookup,
    baseline: Option<&str>,
) -> (Vec<Contrast>, usize) {
    let pairs = arm_pairs(exp, baseline);
    let mut out = Vec::new();
    for (cell, vary) in cells(exp) {
        for &(a, b) in &pairs {
            let diffs = paired_differences(exp, look, cell, a, b);
            let diff = Stat::split_aware(&diffs);
            out.push(Contrast {
                cell,
                vary: vary.clone(),
                arm_a: a.to_string(),
                arm_b: b.to_string(),
                test: diff.and_then(|d| comparison(&diffs, &d)),
                diff,
            });
        }
    }
    let family = adjust_family(
        out.iter_mut().map(|c| (&mut c.test, c.diff)),
        higher_is_better(exp.measure),
    );
    (out, family)
}

#[cfg(test)]
#[path = "contrast_tests.rs"]
mod tests;
