//! The curves of one cell, arm against arm:
//!
//! - `val-acc-c<cell>` and `val-loss-c<cell>`: validation accuracy and loss
//!   against epochs, the mean over the units of analysis with its 95% CI
//!   band, n in the legend (Figure 4);
//! - `lambda-c<cell>`: λ over iterations on a log axis (policies and
//!   schedules move λ by factors) for every (split, seed) of every arm; a
//!   grid arm is drawn at the constant each unit chose, named in the legend.

use super::figures::plot_err;
use super::plots::{self, ticks, LinePlot, Scale, Series};
use super::stats::{ExperimentSummary, Lookup, Stat, Unit};
use super::tables::axis_value;
use crate::plan::ExperimentPlan;
use crate::results::{CurveRow, ResultsDir, ResultsError, TrialRecord};
use std::collections::BTreeMap;
use std::path::Path;

/// One unit's trial (the chosen constant for a grid arm) and its curve.
struct UnitRun<'a> {
    split: u32,
    seed: u32,
    rec: &'a TrialRecord,
    curve: Option<Vec<CurveRow>>,
}

fn unit_runs<'a>(
    exp: &ExperimentPlan,
    look: &Lookup<'a>,
    results: &ResultsDir,
    cell: usize,
    arm: &str,
) -> Vec<UnitRun<'a>> {
    let mut out = vec![];
    for split in 0..exp.splits.max(1) {
        for seed in 0..exp.seeds {
            if let Some(rec) = look.representative(cell, arm, split, seed) {
                let curve = results.read_curve(&rec.key.id).ok();
                out.push(UnitRun {
                    split,
                    seed,
                    rec,
                    curve,
                });
            }
        }
    }
    out
}

/// "8 splits", "12 seeds" or "4 splits × 3 seeds": what a mean is over.
fn over(s: &Stat) -> String {
    match s.unit {
        Unit::Split if s.n > s.units => {
            format!("{} splits × {} seeds", s.units, s.n / s.units.max(1))
        }
        Unit::Split => format!("{} splits", s.units),
        Unit::Seed => format!("{} seeds", s.units),
    }
}

/// Mean and 95% band of `y` over the units at each check, against the
/// epoch; the check at iteration 0 (the untrained net) is left out when
/// there are later ones, so the scale shows where the arms differ.
fn mean_band(runs: &[UnitRun], y: fn(&CurveRow) -> f64) -> Option<(Series, Stat)> {
    let mut by_iter: BTreeMap<u64, (f64, Vec<(u32, f64)>)> = BTreeMap::new();
    for r in runs {
        for row in r.curve.iter().flatten() {
            let e = by_iter.entry(row.iter).or_insert((row.epoch, vec![]));
            e.1.push((r.split, y(row)));
        }
    }
    if by_iter.len() > 2 {
        by_iter.remove(&0);
    }
    let stats: Vec<(f64, Stat)> = by_iter
        .values()
        .filter_map(|(x, v)| Some((*x, Stat::split_aware(v)?)))
        .collect();
    let last = stats.last()?.1;
    let hw = |s: &Stat| {
        if s.half_width.is_finite() {
            s.half_width
        } else {
            0.0
        }
    };
    let series = Series {
        points: stats.iter().map(|(x, s)| (*x, s.mean)).collect(),
        band: Some(
            stats
                .iter()
                .map(|(x, s)| (*x, s.mean - hw(s), s.mean + hw(s)))
                .collect(),
        ),
        markers: true,
        ..Default::default()
    };
    Some((series, last))
}

/// What one line of an arm stands for, plural: seeds, splits or both.
fn unit_name(exp: &ExperimentPlan) -> &'static str {
    match (exp.splits > 1, exp.seeds > 1) {
        (true, true) => "(split, seed) pairs",
        (true, false) => "splits",
        _ => "seeds",
    }
}

fn unit_name_one(exp: &ExperimentPlan) -> &'static str {
    match (exp.splits > 1, exp.seeds > 1) {
        (true, true) => "(split, seed) pair",
        (true, false) => "split",
        _ => "seed",
    }
}

/// The units, 1-based as in trial ids: "seed 3", "splits 2–8", "p1s2 p2s1".
fn unit_list(exp: &ExperimentPlan, runs: &[&UnitRun]) -> String {
    let word = if runs.len() == 1 {
        unit_name_one(exp)
    } else {
        unit_name(exp)
    };
    let list = match (exp.splits > 1, exp.seeds > 1) {
        (true, true) => {
            let ids: Vec<String> = runs
                .iter()
                .map(|r| format!("p{}s{}", r.split + 1, r.seed + 1))
                .collect();
            ids.join(" ")
        }
        (true, false) => ticks::runs(&runs.iter().map(|r| r.split).collect::<Vec<_>>()),
        _ => ticks::runs(&runs.iter().map(|r| r.seed).collect::<Vec<_>>()),
    };
    if exp.splits > 1 && exp.seeds > 1 {
        return list; // "p1s2" names both
    }
    format!("{word} {list}")
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

/// The λ lines of one arm: one per chosen constant for a grid arm (sorted
/// by value, each naming the units that chose it), else one per unit (a
/// single line when every unit followed the same path).
fn lambda_series(exp: &ExperimentPlan, arm: &str, style: usize, runs: &[UnitRun]) -> Vec<Series> {
    let total = runs.len();
    let what = unit_name(exp);
    if runs.iter().any(|r| r.rec.key.grid.is_some()) {
        let mut values: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.rec.key.grid.map(|g| g.value))
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        return values
            .into_iter()
            .map(|v| {
                let chose: Vec<&UnitRun> = runs
                    .iter()
                    .filter(|r| r.rec.key.grid.map(|g| g.value) == Some(v))
                    .collect();
                let end = chose.iter().map(|r| r.rec.iters).max().unwrap_or(0) as f64;
                Series {
                    name: format!(
                        "{arm}: λ = {} chosen by {} of {total} {what} ({})",
                        ticks::number(v),
                        chose.len(),
                        unit_list(exp, &chose)
                    ),
                    points: vec![(0.0, v), (end, v)],
                    style,
                    ..Default::default()
                }
            })
            .collect();
    }
    let paths: Vec<Vec<(f64, f64)>> = runs.iter().map(|r| staircase(&r.rec.lambda_path)).collect();
    if paths.windows(2).all(|w| w[0] == w[1]) {
        let name = format!("{arm} (the same in all {total} {what})");
        let points = paths.into_iter().next().unwrap_or_default();
        return vec![Series {
            name,
            points,
            style,
            ..Default::default()
        }];
    }
    paths
        .into_iter()
        .enumerate()
        .map(|(i, points)| Series {
            name: if i == 0 {
                format!("{arm} (one line per unit: {total} {what})")
            } else {
                String::new()
            },
            points,
            style,
            thin: true,
            ..Default::default()
        })
        .collect()
}

/// The cells of a summary with their labels ("hidden = 50, each = 250
/// iters", axes in the order the file declares them).
fn cells(exp: &ExperimentPlan, s: &ExperimentSummary) -> Vec<(usize, String)> {
    let mut cells: Vec<(usize, String)> = s
        .rows
        .iter()
        .map(|r| {
            let v: Vec<String> = exp
                .axes
                .iter()
                .filter_map(|a| Some(format!("{} = {}", a.name, axis_value(r.vary.get(&a.name)?))))
                .collect();
            (r.cell, v.join(", "))
        })
        .collect();
    cells.dedup();
    cells
}

pub fn cell_curves(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    records: &[TrialRecord],
    results: &ResultsDir,
    dir: &Path,
) -> Result<(), ResultsError> {
    let look = Lookup::new(exp, records);
    for (cell, label) in cells(exp, s) {
        let (mut acc, mut loss, mut lam) = (vec![], vec![], vec![]);
        for (style, arm) in exp.arms.iter().enumerate() {
            let runs = unit_runs(exp, &look, results, cell, &arm.name);
            if runs.is_empty() {
                continue;
            }
            for (out, y) in [
                (&mut acc, (|r: &CurveRow| r.val_acc) as fn(&CurveRow) -> f64),
                (&mut loss, |r| r.val_loss),
            ] {
                if let Some((mut series, stat)) = mean_band(&runs, y) {
                    series.name = format!("{} (n = {})", arm.name, over(&stat));
                    series.style = style;
                    out.push(series);
                }
            }
            lam.extend(lambda_series(exp, &arm.name, style, &runs));
        }
        let suffix = if label.is_empty() {
            String::new()
        } else {
            format!(" ({label})")
        };
        let band_note = "line: mean over the units of analysis; band: its 95% t interval. The bands are not paired: the gain plot compares arms within (split, seed)".to_string();
        let first_note = "the check at iteration 0 (the untrained net) is left out".to_string();
        for (name, what, series) in [
            ("val-acc", "validation accuracy", acc),
            ("val-loss", "validation loss", loss),
        ] {
            let stem = dir.join(format!("{name}-c{cell:03}"));
            let plot = LinePlot {
                title: format!("{}: {what}{suffix}", exp.name),
                x_label: "epoch".into(),
                y_label: format!("{what} (fraction)")
                    .replace("loss (fraction)", "loss (cross-entropy)"),
                series,
                notes: vec![band_note.clone(), first_note.clone()],
                ..Default::default()
            };
            plots::line_plot(&stem, &plot).map_err(plot_err(&stem))?;
        }
        let mut notes = vec![format!(
            "λ on a log scale (schedules and policies move it by factors); one line per {}",
            unit_name_one(exp)
        )];
        if lam.iter().any(|s| s.points.iter().any(|p| p.1 == 0.0)) {
            notes.push(
                "λ = 0 has no logarithm: it is drawn on the line labelled 0, below the axis break"
                    .into(),
            );
        }
        let stem = dir.join(format!("lambda-c{cell:03}"));
        let plot = LinePlot {
            title: format!("{}: λ over training{suffix}", exp.name),
            x_label: "iteration".into(),
            y_label: "λ".into(),
            series: lam,
            y_scale: Scale::Log,
            notes,
            ..Default::default()
        };
        plots::line_plot(&stem, &plot).map_err(plot_err(&stem))?;
    }
    Ok(())
}
