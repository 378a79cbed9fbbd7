//! Which figures a results directory gets, and the report as a whole:
//! `summary.csv`, `summary.md`, the long-format `curves.csv` and
//! `baseline_choices.csv` (src/report/tidy.rs), and `plots/`.
//!
//! - `gain-<arm>` heatmaps over the first two `vary` axes (the paper's Figure 1),
//! - `gain-vs-<axis>`: gain against the first axis with 95% CI bands (Figures 2, 3, 8),
//! - `val-acc-c<cell>`: validation accuracy against epochs, arm against arm,
//!   mean over splits and seeds (Figure 4),
//! - `lambda-c<cell>`: λ over iterations for every arm (split 0, seed 0).

use super::plots::{self, Heatmap, LinePlot, Series};
use super::stats::{summarise, ExperimentSummary, Lookup};
use super::tables::{self, axis_value};
use super::tidy;
use crate::plan::ExperimentPlan;
use crate::results::{
    ensure_real_dir, write_atomic, CurveRow, ResultsDir, ResultsError, TrialRecord,
};
use std::collections::BTreeMap;
use std::path::Path;

fn plot_err(path: &Path) -> impl Fn(plots::PlotError) -> ResultsError + '_ {
    move |e| match e {
        plots::PlotError::Write(w) => w,
        plots::PlotError::Draw(m) => ResultsError::write(path, std::io::Error::other(m)),
    }
}

fn heatmaps(exp: &ExperimentPlan, s: &ExperimentSummary, dir: &Path) -> Result<(), ResultsError> {
    let [ax, ay, ..] = exp.axes.as_slice() else {
        return Ok(());
    };
    for arm in exp
        .arms
        .iter()
        .filter(|a| Some(&a.name) != s.baseline.as_ref())
    {
        let mut values = vec![vec![f64::NAN; ax.values.len()]; ay.values.len()];
        let mut labels = vec![vec!["–".to_string(); ax.values.len()]; ay.values.len()];
        for r in s.rows.iter().filter(|r| r.arm == arm.name) {
            let xi = ax
                .values
                .iter()
                .position(|v| r.vary.get(&ax.name) == Some(v));
            let yi = ay
                .values
                .iter()
                .position(|v| r.vary.get(&ay.name) == Some(v));
            if let (Some(xi), Some(yi), Some(g)) = (xi, yi, r.gain) {
                values[yi][xi] = g.mean;
                labels[yi][xi] = if g.half_width.is_finite() {
                    format!("{:+.4} ± {:.4}", g.mean, g.half_width)
                } else {
                    format!("{:+.4}", g.mean)
                };
            }
        }
        let h = Heatmap {
            title: format!(
                "{}: gain of {} over {} in {} (fraction)",
                exp.name,
                arm.name,
                s.baseline.as_deref().unwrap_or("?"),
                exp.measure.name()
            ),
            x_label: ax.name.clone(),
            y_label: ay.name.clone(),
            x_ticks: ax.values.iter().map(axis_value).collect(),
            y_ticks: ay.values.iter().map(axis_value).collect(),
            values,
            labels,
        };
        let stem = dir.join(format!("gain-{}", arm.name));
        plots::heatmap(&stem, &h).map_err(plot_err(&stem))?;
    }
    Ok(())
}

fn gain_vs_axis(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    dir: &Path,
) -> Result<(), ResultsError> {
    let Some(ax) = exp.axes.first() else {
        return Ok(());
    };
    if s.baseline.is_none() {
        return Ok(());
    }
    let mut series = Vec::new();
    // Other axes split the lines: one per arm and value combination.
    // (x, mean, low, high) per (arm, other axes).
    type Points = Vec<(f64, f64, f64, f64)>;
    let mut groups: BTreeMap<(String, String), Points> = BTreeMap::new();
    for r in s.rows.iter().filter(|r| !r.is_baseline) {
        let Some(g) = r.gain else { continue };
        let Some(v) = r.vary.get(&ax.name) else {
            continue;
        };
        let i = ax.values.iter().position(|x| x == v).unwrap_or(0);
        let rest: Vec<String> = exp.axes[1..]
            .iter()
            .filter_map(|a| {
                r.vary
                    .get(&a.name)
                    .map(|v| format!("{}={}", a.name, axis_value(v)))
            })
            .collect();
        let hw = if g.half_width.is_finite() {
            g.half_width
        } else {
            0.0
        };
        groups
            .entry((r.arm.clone(), rest.join(", ")))
            .or_default()
            .push((i as f64, g.mean, g.mean - hw, g.mean + hw));
    }
    for ((arm, rest), mut pts) in groups {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(Series {
            name: if rest.is_empty() {
                arm
            } else {
                format!("{arm} ({rest})")
            },
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
            band: Some(pts.iter().map(|p| (p.0, p.2, p.3)).collect()),
        });
    }
    let plot = LinePlot {
        title: format!(
            "{}: gain over {} in {} (mean, 95% CI)",
            exp.name,
            s.baseline.as_deref().unwrap_or("?"),
            exp.measure.name()
        ),
        x_label: ax.name.clone(),
        y_label: "gain (fraction)".into(),
        series,
        zero_line: true,
        x_ticks: Some(ax.values.iter().map(axis_value).collect()),
    };
    let stem = dir.join(format!("gain-vs-{}", ax.name));
    plots::line_plot(&stem, &plot).map_err(plot_err(&stem))
}

/// A λ path as a staircase: each value holds until the next change.
fn staircase(path: &[(u64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(path.len() * 2);
    for (i, &(t, l)) in path.iter().enumerate() {
        if i > 0 {
            out.push((t as f64, path[i - 1].1));
        }
        out.push((t as f64, l));
    }
    out
}

/// Mean of a column over seeds, aligned on the check iteration.
fn mean_curve(
    curves: &[Vec<CurveRow>],
    x: fn(&CurveRow) -> f64,
    y: fn(&CurveRow) -> f64,
) -> Vec<(f64, f64)> {
    let mut by_iter: BTreeMap<u64, (f64, f64, usize)> = BTreeMap::new();
    for c in curves {
        for row in c {
            let e = by_iter.entry(row.iter).or_insert((x(row), 0.0, 0));
            e.1 += y(row);
            e.2 += 1;
        }
    }
    by_iter
        .values()
        .map(|&(x, s, n)| (x, s / n as f64))
        .collect()
}

fn cell_curves(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    records: &[TrialRecord],
    results: &ResultsDir,
    dir: &Path,
) -> Result<(), ResultsError> {
    let look = Lookup::new(exp, records);
    let mut cells: Vec<(usize, String)> = s
        .rows
        .iter()
        .map(|r| {
            let v: Vec<String> = r
                .vary
                .iter()
                .map(|(k, v)| format!("{k}={}", axis_value(v)))
                .collect();
            (r.cell, v.join(", "))
        })
        .collect();
    cells.dedup();
    for (cell, label) in cells {
        let mut acc = Vec::new();
        let mut lam = Vec::new();
        for arm in &exp.arms {
            let mut curves = Vec::new();
            let units = (0..exp.splits.max(1)).flat_map(|p| (0..exp.seeds).map(move |s| (p, s)));
            for (split, seed) in units {
                if let Some(rep) = look.representative(cell, &arm.name, split, seed) {
                    if let Ok(c) = results.read_curve(&rep.id) {
                        curves.push(c);
                    }
                }
            }
            if curves.is_empty() {
                continue;
            }
            acc.push(Series {
                name: arm.name.clone(),
                points: mean_curve(&curves, |r| r.epoch, |r| r.val_acc),
                band: None,
            });
            if let Some(rep) = look.representative(cell, &arm.name, 0, 0) {
                lam.push(Series {
                    name: arm.name.clone(),
                    points: staircase(&rep.lambda_path),
                    band: None,
                });
            }
        }
        let suffix = if label.is_empty() {
            String::new()
        } else {
            format!(" ({label})")
        };
        let stem = dir.join(format!("val-acc-c{cell:03}"));
        plots::line_plot(
            &stem,
            &LinePlot {
                title: format!("{}: validation accuracy{suffix}", exp.name),
                x_label: "epoch".into(),
                y_label: "validation accuracy (fraction)".into(),
                series: acc,
                zero_line: false,
                x_ticks: None,
            },
        )
        .map_err(plot_err(&stem))?;
        let stem = dir.join(format!("lambda-c{cell:03}"));
        plots::line_plot(
            &stem,
            &LinePlot {
                title: format!("{}: λ over training, seed 0{suffix}", exp.name),
                x_label: "iteration".into(),
                y_label: "λ".into(),
                series: lam,
                zero_line: false,
                x_ticks: None,
            },
        )
        .map_err(plot_err(&stem))?;
    }
    Ok(())
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
        heatmaps(exp, s, &dir)?;
        gain_vs_axis(exp, s, &dir)?;
        cell_curves(exp, s, records, results, &dir)?;
    }
    Ok(ReportOutput {
        markdown: md,
        warnings: provenance.warnings,
    })
}
