//! `trends.csv` and the trends section of `summary.md`: how each arm's gain
//! over the baseline changes from a `vary` axis's first value to its last
//! (computed by `stats::trend`), in the units and conventions of
//! `contrasts.csv`.
//!
//! A trend spans two cells, so its lines name the axis, its two ends and
//! the other axes' values instead of a cell. Both exist only when some
//! experiment has a baseline and an axis of two or more values: otherwise
//! no `trends.csv` (rather than a header with no rows) and no section.

use super::columns;
use super::stats::{trend, ExperimentSummary, Trend, ALPHA};
use super::tables::{difference_csv, difference_row_md, markdown_header};
use std::fmt::Write;

const COLUMNS: &str = "experiment,arm,axis,from,to,fixed,n,unit,units,df,diff,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family";

/// True when some experiment has trends, i.e. `trends.csv` is due.
pub fn any(summaries: &[ExperimentSummary]) -> bool {
    summaries.iter().any(|s| !s.trends.is_empty())
}

/// The other axes' values as `each=250 iters; lr=0.1` (empty with one axis).
fn fixed_text(t: &Trend) -> String {
    let parts: Vec<String> = t
        .fixed
        .iter()
        .map(|(k, v)| format!("{k}={}", v.label()))
        .collect();
    parts.join("; ")
}

/// `trends.csv`: one line per (experiment, arm, axis, values of the others).
pub fn csv(summaries: &[ExperimentSummary]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(COLUMNS.split(','))
        .map_err(|e| e.to_string())?;
    for s in summaries {
        for t in &s.trends {
            let mut rec = vec![
                s.experiment.clone(),
                t.arm.clone(),
                t.axis.clone(),
                t.from.label(),
                t.to.label(),
                fixed_text(t),
            ];
            rec.extend(difference_csv(
                t.diff,
                t.test,
                t.test.map_or("", |x| trend::verdict_name(x.verdict)),
                s.trend_family,
            ));
            w.write_record(&rec).map_err(|e| e.to_string())?;
        }
    }
    columns::finish(w)
}

fn row_md(t: &Trend) -> String {
    let verdict = t.test.map(|x| trend::verdict_name(x.verdict).to_string());
    difference_row_md(vec![t.arm.clone(), t.label()], t.diff, t.test, verdict)
}

/// The trends of one experiment as a section of `summary.md` (empty when
/// it has none).
pub fn markdown(s: &ExperimentSummary) -> String {
    if s.trends.is_empty() {
        return String::new();
    }
    let mut out = format!("### {}: trends across axes\n\n", s.experiment);
    let _ = writeln!(
        out,
        "gain(last) − gain(first): how an arm's gain in `{}` over the baseline changes from an \
axis's first value to its last, the other axes held fixed; paired within (split, seed) (both \
cells of a unit saw the same data split), with the gains' test, its 95% interval and the \
Bonferroni simultaneous interval.\n\n\
Family: {} trends (every arm × axis × values of the other axes of `{}`), Holm-adjusted at \
α = {ALPHA} apart from the gains, the contrasts and the gains along the way; `gain improves` says the gain is better (in the measure's direction) at the \
last value. MDE: smallest change detectable with 80% power.\n",
        s.measure.name(),
        s.trend_family,
        s.experiment
    );
    let head = [
        "arm",
        "trend",
        "n (df)",
        "difference",
        "simultaneous",
        "p (test)",
        "p adj",
        "verdict",
        "MDE",
    ]
    .map(String::from);
    markdown_header(&mut out, &head);
    for t in &s.trends {
        let _ = writeln!(out, "{}", row_md(t));
    }
    out.push('\n');
    out
}
