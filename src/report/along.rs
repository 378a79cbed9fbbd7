//! `along.csv` and the "gain along the way" section of `summary.md`: the
//! paired gain in validation accuracy of each non-baseline arm over the
//! validation-picked constant at each quarter of the budget (computed by
//! `stats::along`), in the units and conventions of `contrasts.csv`.
//!
//! Both exist only when some arm has curves paired with its baseline's: a
//! results directory without curves (or without a grid baseline) gets no
//! `along.csv` (rather than a file with a header and no rows), and its
//! `summary.md` no section.

use super::stats::{Along, ExperimentSummary, ALPHA};
use super::tables::{axis_value, cells_csv, difference_csv, difference_row_md, markdown_header};
use crate::report::columns;
use std::fmt::Write;

const COLUMNS: &str = "arm,quarter,iter,n,unit,units,df,gain,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family";

/// True when some experiment has gains along the way, i.e. `along.csv` is due.
pub fn any(summaries: &[ExperimentSummary]) -> bool {
    summaries.iter().any(|s| !s.along.is_empty())
}

fn csv_row(s: &ExperimentSummary, a: &Along) -> Vec<String> {
    let mut out = vec![a.arm.clone(), columns::num(a.quarter), a.iter.to_string()];
    out.extend(difference_csv(
        a.gain,
        a.test,
        a.test.map_or("", |t| t.verdict.name()),
        s.along_family,
    ));
    out
}

/// `along.csv`: one line per (experiment, cell, arm, quarter), with one
/// column per `vary` axis of any experiment that has such lines.
pub fn csv(summaries: &[ExperimentSummary]) -> Result<Vec<u8>, String> {
    cells_csv(
        summaries,
        COLUMNS,
        |s| &s.along,
        |a| (a.cell, &a.vary),
        csv_row,
    )
}

fn row_md(s: &ExperimentSummary, a: &Along) -> String {
    let mut cells: Vec<String> = s
        .axes
        .iter()
        .map(|x| a.vary.get(x).map(axis_value).unwrap_or_default())
        .collect();
    cells.push(a.arm.clone());
    cells.push(format!("{}%", a.quarter * 100.0));
    cells.push(a.iter.to_string());
    let verdict = a.test.map(|t| t.verdict.name().to_string());
    difference_row_md(cells, a.gain, a.test, verdict)
}

/// The gains along the way of one experiment as a section of `summary.md`
/// (empty when it has none).
pub fn markdown(s: &ExperimentSummary) -> String {
    if s.along.is_empty() {
        return String::new();
    }
    let base = s.baseline.as_deref().unwrap_or("the baseline");
    let mut out = format!(
        "### {}: gain along the way (validation accuracy)\n\n",
        s.experiment
    );
    let _ = writeln!(
        out,
        "Gain: paired difference arm − `{base}` of `val_acc` (fraction) at 25%, 50%, 75% and 100% \
of the budget, each curve read at its last check at or before that iteration, within (split, seed) \
as the gains above, with its 95% interval and the Bonferroni simultaneous interval; \
n (df) = pairs (degrees of freedom).\n\n\
Family: {} tests (every arm × cell × quarter of `{}`), Holm-adjusted at α = {ALPHA} apart from \
the gains and the contrasts. MDE: smallest gain detectable with 80% power. \
The baseline's constant was picked on final validation accuracy on this same validation set, \
so the last quarter is biased in the baseline's favour; the early quarters much less so.\n",
        s.along_family, s.experiment
    );
    let mut head: Vec<String> = s.axes.clone();
    head.extend(
        [
            "arm",
            "at",
            "iter",
            "n (df)",
            "gain",
            "simultaneous",
            "p (test)",
            "p adj",
            "verdict",
            "MDE",
        ]
        .map(String::from),
    );
    markdown_header(&mut out, &head);
    for a in &s.along {
        let _ = writeln!(out, "{}", row_md(s, a));
    }
    out.push('\n');
    out
}
