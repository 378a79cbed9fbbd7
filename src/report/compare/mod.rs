//! `regime compare A B`: the summary of two results directories side by
//! side, and the difference B − A of each (experiment, cell, arm) both hold.
//!
//! What is compared: experiments by name, cells by their axis values (not
//! their index), arms by name, on each experiment's measure; an experiment
//! whose measure differs between the runs is left out with a note, and runs
//! with nothing in common are refused (`regime::compare_incomparable`).
//!
//! Pairing: a unit (split, seed) is paired when both runs' trials standing
//! for it have the same id (grid suffix aside) and the same derived seed —
//! the same initialisation, batch order and split — and then the test is the
//! one of the summary's gains (src/report/stats/paired.rs). With fewer than
//! two pairs the row falls back to Welch's unpaired t test, and says so.
//! Every row's p is Holm-adjusted over all rows of the comparison.

use super::stats::{paired, quantiles, Lookup, Stat, Verdict};
use crate::plan::{AxisValue, ExperimentPlan, Metric, Plan};
use crate::results::{ResultsDir, ResultsError, TrialRecord};
use miette::Diagnostic;
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum CompareError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Results(#[from] ResultsError),
    #[error("{a} and {b} cannot be compared: {reason}")]
    #[diagnostic(
        code(regime::compare_incomparable),
        help("compare pairs the experiments (by name), cells (by axis values) and arms (by name) two runs share, on the same measure; compare runs of the same or an edited .reg file")
    )]
    Incomparable {
        a: String,
        b: String,
        reason: String,
    },
}

/// One run: its directory as given, plan and verified records.
pub struct Side {
    pub label: String,
    pub plan: Plan,
    pub records: Vec<TrialRecord>,
}

impl Side {
    pub fn open(results: &ResultsDir, label: String) -> Result<Side, ResultsError> {
        let plan = results.plan()?;
        let records = results.inventory(&plan).done;
        Ok(Side {
            label,
            plan,
            records,
        })
    }
}

/// B − A of one row, with its 95% interval and two-sided test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    pub mean: f64,
    pub half_width: f64,
    pub df: f64,
    /// Units behind it: pairs, or A's plus B's units when unpaired.
    pub units: usize,
    pub paired: bool,
    pub p: f64,
    /// `sign-flip` or `t` (paired), `welch` (unpaired).
    pub test: &'static str,
}

/// One (experiment, cell, arm) both runs hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub experiment: String,
    pub measure: Metric,
    pub vary: BTreeMap<String, AxisValue>,
    pub arm: String,
    pub a: Option<Stat>,
    pub b: Option<Stat>,
    /// Each run's own gain over its baseline (from its summary).
    pub gain_a: Option<Stat>,
    pub gain_b: Option<Stat>,
    pub diff: Option<Difference>,
    pub p_adj: f64,
    pub verdict: Verdict,
    /// Why a row is unpaired, or which units pairing left out.
    pub note: Option<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    /// What differs between the plans, or that they are identical.
    pub plans: Vec<String>,
    /// What is left out, and why.
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows with a p-value (the Holm family).
    pub family: usize,
}

/// A unit's measured value and what pairing needs to know of its trial.
#[derive(Debug, Clone)]
struct Unit {
    split: u32,
    seed: u32,
    /// The trial id without a grid point's `-g<k>` suffix.
    key: String,
    seed_value: u64,
    value: f64,
}

fn units(exp: &ExperimentPlan, look: &Lookup, cell: usize, arm: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    for split in 0..exp.splits.max(1) {
        for seed in 0..exp.seeds {
            let Some(rep) = look.representative(cell, arm, split, seed) else {
                continue;
            };
            let Some(value) = rep.finals.and_then(|f| f.get(exp.measure)) else {
                continue;
            };
            let key = match rep.key.grid {
                Some(g) => rep
                    .key
                    .id
                    .strip_suffix(&format!("-g{}", g.index))
                    .unwrap_or(&rep.key.id)
                    .to_string(),
                None => rep.key.id.clone(),
            };
            out.push(Unit {
                split,
                seed,
                key,
                seed_value: rep.key.seed,
                value,
            });
        }
    }
    out
}

fn tagged(units: &[Unit]) -> Vec<(u32, f64)> {
    units.iter().map(|u| (u.split, u.value)).collect()
}

/// The paired difference over matched units (tagged by split).
pub fn paired_difference(diffs: &[(u32, f64)]) -> Option<Difference> {
    let s = Stat::split_aware(diffs)?;
    let (unit_values, _) = quantiles::unit_values(diffs);
    let (p, test) = paired::paired_p(&unit_values).map_or((f64::NAN, ""), |(p, m)| (p, m.name()));
    Some(Difference {
        mean: s.mean,
        half_width: s.half_width,
        df: s.df,
        units: s.units,
        paired: true,
        p,
        test,
    })
}

/// Welch's unpaired difference b − a over the units of analysis of each
/// side (split means when a side has several splits).
pub fn welch_difference(a: &[(u32, f64)], b: &[(u32, f64)]) -> Option<Difference> {
    let (ua, _) = quantiles::unit_values(a);
    let (ub, _) = quantiles::unit_values(b);
    let (sa, sb) = (Stat::of(&ua)?, Stat::of(&ub)?);
    let mean = sb.mean - sa.mean;
    let units = sa.units + sb.units;
    if sa.units < 2 || sb.units < 2 {
        let (half_width, df, p) = (f64::NAN, f64::NAN, f64::NAN);
        let test = "welch";
        return Some(Difference {
            mean,
            half_width,
            df,
            units,
            paired: false,
            p,
            test,
        });
    }
    let (va, vb) = (
        sa.sd.powi(2) / sa.units as f64,
        sb.sd.powi(2) / sb.units as f64,
    );
    let se = (va + vb).sqrt();
    let (half_width, df, p) = if se == 0.0 {
        let p = if mean == 0.0 { 1.0 } else { 0.0 };
        (0.0, (units - 2) as f64, p)
    } else {
        let df = (va + vb).powi(2)
            / (va.powi(2) / (sa.units - 1) as f64 + vb.powi(2) / (sb.units - 1) as f64);
        (
            quantiles::t975(df) * se,
            df,
            quantiles::t_two_sided_p(mean / se, df),
        )
    };
    Some(Difference {
        mean,
        half_width,
        df,
        units,
        paired: false,
        p,
        test: "welch",
    })
}

/// The difference of one row: paired where units match, else unpaired.
fn difference(a: &[Unit], b: &[Unit]) -> (Option<Difference>, Option<String>) {
    let mut pairs = Vec::new();
    for ua in a {
        let matched = b.iter().find(|ub| {
            (ub.split, ub.seed) == (ua.split, ua.seed)
                && ub.key == ua.key
                && ub.seed_value == ua.seed_value
        });
        if let Some(ub) = matched {
            pairs.push((ua.split, ub.value - ua.value));
        }
    }
    let most = a.len().max(b.len());
    if pairs.len() >= 2 {
        let note = (pairs.len() < most).then(|| {
            format!(
                "{} of {most} units paired; the others have no matching trial in the other run",
                pairs.len()
            )
        });
        return (paired_difference(&pairs), note);
    }
    let why = if a.is_empty() || b.is_empty() {
        "no finished trials in one run".to_string()
    } else {
        "unpaired (Welch): trial ids or seeds differ between the runs".to_string()
    };
    (welch_difference(&tagged(a), &tagged(b)), Some(why))
}

mod matching;
pub mod table;
pub use matching::compare;
