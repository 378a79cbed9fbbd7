//! `contrasts.csv` and the contrasts section of `summary.md`: the paired
//! difference between every two non-baseline arms of each cell (computed by
//! `stats::contrast`), in the units and conventions of `summary.csv`.
//!
//! Both exist only for a plan with an experiment of two or more arms
//! besides the baseline: a results directory without such an experiment
//! gets no `contrasts.csv` (rather than a file with a header and no rows),
//! and its `summary.md` no section.

use super::stats::{contrast, Contrast, ExperimentSummary, ALPHA};
use super::tables::{axis_value, cells_csv, difference_csv, difference_row_md, markdown_header};
use std::fmt::Write;

const COLUMNS: &str = "arm_a,arm_b,n,unit,units,df,diff,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family";

/// True when some experiment has contrasts, i.e. `contrasts.csv` is due.
pub fn any(summaries: &[ExperimentSummary]) -> bool {
    summaries.iter().any(|s| !s.contrasts.is_empty())
}

fn csv_row(s: &ExperimentSummary, c: &Contrast) -> Vec<String> {
    let mut out = vec![c.arm_a.clone(), c.arm_b.clone()];
    out.extend(difference_csv(
        c.diff,
        c.test,
        c.test.map_or("", |t| contrast::verdict_name(t.verdict)),
        s.contrast_family,
    ));
    out
}

/// `contrasts.csv`: one line per (experiment, cell, pair of arms), with one
/// column per `vary` axis of any experiment that has contrasts.
pub fn csv(summaries: &[ExperimentSummary]) -> Result<Vec<u8>, String> {
    cells_csv(
        summaries,
        COLUMNS,
        |s| &s.contrasts,
        |c| (c.cell, &c.vary),
        csv_row,
    )
}

fn row_md(s: &ExperimentSummary, c: &Contrast) -> String {
    let mut cells: Vec<String> = s
        .axes
        .iter()
        .map(|a| c.vary.get(a).map(axis_value).unwrap_or_default())
        .collect();
    cells.push(format!("{} − {}", c.arm_a, c.arm_b));
    difference_row_md(cells, c.diff, c.test, c.verdict_text())
}

/// The contrasts of one experiment as a section of `summary.md` (empty
/// when it has none).
pub fn markdown(s: &ExperimentSummary) -> String {
    if s.contrasts.is_empty() {
        return String::new();
    }
    let mut out = format!("### {}: contrasts between arms\n\n", s.experiment);
    let _ = writeln!(
        out,
        "a − b: paired difference of `{}` between two arms other than the baseline \
(a declared first) within (split, seed), the units and test of the gains above, with its 95% \
interval and the Bonferroni simultaneous interval; n (df) = pairs (degrees of freedom).\n\n\
Family: {} contrasts (every pair of arms × cell of `{}`), Holm-adjusted at α = {ALPHA} \
apart from the gains' family; verdicts use the adjusted p and name the better arm. \
MDE: smallest difference detectable with 80% power.\n",
        s.measure.name(),
        s.contrast_family,
        s.experiment
    );
    let mut head: Vec<String> = s.axes.clone();
    head.extend(
        [
            "a − b",
            "n (df)",
            "difference",
            "simultaneous",
            "p (test)",
            "p adj",
            "verdict",
            "MDE",
        ]
        .map(String::from),
    );
    markdown_header(&mut out, &head);
    for c in &s.contrasts {
        let _ = writeln!(out, "{}", row_md(s, c));
    }
    out.push('\n');
    out
}
