//! Which figures a results directory gets, and the report as a whole:
//! `summary.csv`, `summary.md`, `contrasts.csv` (when some experiment has
//! two arms besides its baseline), `trends.csv` (when some experiment has a
//! baseline and an axis of two or more values), `along.csv` (when some arm has curves
//! paired with its baseline's), the long-format `curves.csv` and
//! `baseline_choices.csv` (src/report/tidy.rs), and `plots/`.
//!
//! - `gain`, `gain-<arm>`, `gain-vs-<axis>`: the gains over the baseline
//!   (`gain_figures`);
//! - `val-acc-c<cell>`, `val-loss-c<cell>`, `lambda-c<cell>`: the curves of
//!   each cell (`curve_figures`).

use super::plots;
use super::stats::{summarise, ExperimentSummary};
use super::tidy;
use super::{along, contrasts, tables, trends};
use super::{curve_figures, gain_figures};
use crate::results::{ensure_real_dir, write_atomic, ResultsDir, ResultsError};
use std::path::Path;

pub(super) fn plot_err(path: &Path) -> impl Fn(plots::PlotError) -> ResultsError + '_ {
    move |e| match e {
        plots::PlotError::Write(w) => w,
        plots::PlotError::Draw(m) => ResultsError::write(path, std::io::Error::other(m)),
    }
}

/// The summaries of every experiment of a results directory (complete,
/// verified records only).
pub fn summaries(results: &ResultsDir) -> Result<Vec<ExperimentSummary>, ResultsError> {
    let plan = results.plan()?;
    let records = results.inventory(&plan).done;
    Ok(plan
        .experiments
        .iter()
        .map(|e| summarise(e, &records, &|id| results.read_curve(id).ok()))
        .collect())
}

/// What `write_report` produced: the markdown summary, and warnings about
/// the records (mixed provenance, missing or damaged trials) to print.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    pub markdown: String,
    pub warnings: Vec<String>,
}

/// Renders one of the optional CSV tables from the summaries.
type Table = fn(&[ExperimentSummary]) -> Result<Vec<u8>, String>;

/// Writes one CSV table (`name`) into the results directory, atomically.
fn write_table(
    results: &ResultsDir,
    name: &str,
    bytes: Result<Vec<u8>, String>,
) -> Result<(), ResultsError> {
    let path = results.root.join(name);
    let bytes = bytes.map_err(|e| ResultsError::write(&path, std::io::Error::other(e)))?;
    write_atomic(&path, &bytes)
}

/// Removes a table an earlier report wrote that this one does not: left
/// beside a new summary, its rows would read as current.
fn remove_stale(results: &ResultsDir, name: &str) -> Result<(), ResultsError> {
    let path = results.root.join(name);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ResultsError::write(&path, e)),
        _ => Ok(()),
    }
}

/// Removes the figures an earlier report drew in `dir`, so only this
/// report's remain (a figure of gains that no longer exist misleads).
fn clear_figures(dir: &std::path::Path) -> Result<(), ResultsError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let figure = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("png" | "svg")
        );
        if figure && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(&path).map_err(|e| ResultsError::write(&path, e))?;
        }
    }
    Ok(())
}

/// Builds summaries, tables and plots from the complete, verified records of
/// a results directory and writes them into it.
pub fn write_report(results: &ResultsDir) -> Result<ReportOutput, ResultsError> {
    let plan = results.plan()?;
    let inventory = results.inventory(&plan);
    let records = &inventory.done;
    let summaries: Vec<ExperimentSummary> = plan
        .experiments
        .iter()
        .map(|e| summarise(e, records, &|id| results.read_curve(id).ok()))
        .collect();
    let provenance = super::provenance::block(&inventory);
    let md = format!("{}{}", provenance.markdown, tables::markdown(&summaries));
    let summary_csv = tables::csv(&summaries).map_err(|e| {
        ResultsError::write(&results.root.join("summary.csv"), std::io::Error::other(e))
    })?;
    write_atomic(&results.root.join("summary.csv"), &summary_csv)?;
    let optional_tables = [
        (
            "contrasts.csv",
            contrasts::any(&summaries),
            contrasts::csv as Table,
        ),
        ("trends.csv", trends::any(&summaries), trends::csv),
        ("along.csv", along::any(&summaries), along::csv),
    ];
    for (name, produced, table) in optional_tables {
        if produced {
            write_table(results, name, table(&summaries))?;
        } else {
            remove_stale(results, name)?;
        }
    }
    write_atomic(&results.root.join("summary.md"), md.as_bytes())?;
    let curves = tidy::curves_csv(&plan, records, &|id| results.read_curve(id))?;
    write_atomic(&results.root.join("curves.csv"), &curves)?;
    let choices = tidy::choices_csv(&plan, records)?;
    write_atomic(&results.root.join("baseline_choices.csv"), &choices)?;
    let plots = results.root.join("plots");
    ensure_real_dir(&results.root, &plots)?;
    for (exp, s) in plan.experiments.iter().zip(&summaries) {
        let dir = if plan.experiments.len() > 1 {
            plots.join(&exp.name)
        } else {
            plots.clone()
        };
        ensure_real_dir(&results.root, &dir)?;
        clear_figures(&dir)?;
        gain_figures::gain_intervals(exp, s, records, &dir)?;
        gain_figures::heatmaps(exp, s, &dir)?;
        gain_figures::gain_vs_axis(exp, s, &dir)?;
        curve_figures::cell_curves(exp, s, records, results, &dir)?;
    }
    Ok(ReportOutput {
        markdown: md,
        warnings: provenance.warnings,
    })
}
