//! The figures of the gains over the baseline:
//!
//! - `gain`: every comparison (arm × cell) as its 95% interval, with the
//!   unit gains as dots — whether an interval excludes zero, at a glance;
//! - `gain-<arm>`: heatmaps over the first two `vary` axes (the paper's Figure 1);
//! - `gain-vs-<axis>`: gain against the first axis with 95% CI bands, one
//!   line per arm and value of the other axes (Figures 2, 3, 8).

use super::plots::ticks::signed;
use super::plots::{self, Heatmap, IntervalPlot, IntervalRow, LinePlot, Scale, Series};
use super::stats::{quantiles::unit_values, ExperimentSummary, Lookup, Row};
use super::tables::axis_value;
use crate::plan::{AxisValue, Duration, ExperimentPlan};
use crate::results::{ResultsError, TrialRecord};
use std::cmp::Ordering;
use std::path::Path;

use super::figures::plot_err;

/// Orders axis values by value: numbers numerically, durations by length
/// (iterations before epochs, which have no common unit), text as text.
pub fn by_value(a: &AxisValue, b: &AxisValue) -> Ordering {
    let num = |v: &AxisValue| match v {
        AxisValue::Int(i) => Some(*i as f64),
        AxisValue::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (AxisValue::Duration(x), AxisValue::Duration(y)) => match (x, y) {
            (Duration::Iters(p), Duration::Iters(q)) => p.cmp(q),
            (Duration::Epochs(p), Duration::Epochs(q)) => p.total_cmp(q),
            (Duration::Iters(_), Duration::Epochs(_)) => Ordering::Less,
            (Duration::Epochs(_), Duration::Iters(_)) => Ordering::Greater,
        },
        (AxisValue::Text(x), AxisValue::Text(y)) => x.cmp(y),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.label().cmp(&b.label()),
        },
    }
}

/// Legend order of lines keyed by (arm's place in the file, values of the
/// other axes): arms as declared, then values ascending.
pub fn legend_order(keys: &mut [(usize, Vec<AxisValue>)]) {
    keys.sort_by(|(a, va), (b, vb)| {
        a.cmp(b).then_with(|| {
            va.iter()
                .zip(vb)
                .map(|(x, y)| by_value(x, y))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    });
}

/// " (fraction)" for accuracies; losses and the rest have their own scale.
pub fn unit_text(exp: &ExperimentPlan) -> &'static str {
    use crate::plan::Metric::*;
    match exp.measure {
        TrainAcc | ValAcc | TestAcc => " (fraction)",
        _ => "",
    }
}

fn cell_label(exp: &ExperimentPlan, r: &Row) -> String {
    let parts: Vec<String> = exp
        .axes
        .iter()
        .filter_map(|a| {
            r.vary
                .get(&a.name)
                .map(|v| format!("{} = {}", a.name, axis_value(v)))
        })
        .collect();
    parts.join(", ")
}

/// Gain of `arm` over the baseline in each unit of analysis of a cell.
fn unit_gains(exp: &ExperimentPlan, look: &Lookup, baseline: &str, r: &Row) -> Vec<f64> {
    let mut gains = vec![];
    for split in 0..exp.splits.max(1) {
        for seed in 0..exp.seeds {
            let value = |arm: &str| {
                look.representative(r.cell, arm, split, seed)?
                    .finals?
                    .get(exp.measure)
            };
            if let (Some(a), Some(b)) = (value(&r.arm), value(baseline)) {
                gains.push((split, a - b));
            }
        }
    }
    unit_values(&gains).0
}

/// `gain`: the interval of every comparison of the experiment.
pub fn gain_intervals(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    records: &[TrialRecord],
    dir: &Path,
) -> Result<(), ResultsError> {
    let Some(baseline) = s.baseline.as_deref() else {
        return Ok(());
    };
    let look = Lookup::new(exp, records);
    let style = |arm: &str| exp.arms.iter().position(|a| a.name == arm).unwrap_or(0);
    let mut rows = vec![];
    let mut unit = "seed";
    // Arm by arm, cells in value order.
    let mut ordered: Vec<&Row> = s.rows.iter().filter(|r| !r.is_baseline).collect();
    let key = |r: &Row| -> (usize, Vec<AxisValue>) {
        let values = exp
            .axes
            .iter()
            .filter_map(|a| r.vary.get(&a.name).cloned())
            .collect();
        (style(&r.arm), values)
    };
    let mut keys: Vec<(usize, Vec<AxisValue>)> = ordered.iter().map(|r| key(r)).collect();
    legend_order(&mut keys);
    ordered.sort_by_key(|r| keys.iter().position(|k| *k == key(r)));
    for r in ordered {
        let Some(g) = r.gain else { continue };
        unit = g.unit.name();
        let cell = cell_label(exp, r);
        let hw = g.half_width;
        rows.push(IntervalRow {
            label: if cell.is_empty() {
                r.arm.clone()
            } else {
                format!("{} ({cell})", r.arm)
            },
            mean: g.mean,
            lo: g.mean - hw,
            hi: g.mean + hw,
            units: unit_gains(exp, &look, baseline, r),
            style: style(&r.arm),
        });
    }
    if rows.is_empty() {
        return Ok(());
    }
    let direction = if exp.measure.higher_is_better() {
        "right of 0: the arm is better"
    } else {
        "left of 0: the arm is better (a loss)"
    };
    let n = s
        .rows
        .iter()
        .filter_map(|r| r.gain)
        .map(|g| g.units)
        .max()
        .unwrap_or(0);
    let plot = IntervalPlot {
        title: format!("{}: gain over {baseline} in {}", exp.name, exp.measure.name()),
        x_label: format!("gain in {}{}: arm − {baseline}", exp.measure.name(), unit_text(exp)),
        rows,
        notes: vec![
            format!("bar: 95% t interval of the mean gain; marker: the mean; dots: the {n} {unit}s, paired within (split, seed)"),
            direction.into(),
            format!("{baseline}: per (split, seed), the constant with the best final validation accuracy"),
        ],
    };
    let stem = dir.join("gain");
    plots::interval_plot(&stem, &plot).map_err(plot_err(&stem))
}

pub fn heatmaps(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    dir: &Path,
) -> Result<(), ResultsError> {
    let [ax, ay, ..] = exp.axes.as_slice() else {
        return Ok(());
    };
    let baseline = s.baseline.as_deref().unwrap_or("?");
    for arm in exp
        .arms
        .iter()
        .filter(|a| Some(&a.name) != s.baseline.as_ref())
    {
        let mut values = vec![vec![f64::NAN; ax.values.len()]; ay.values.len()];
        let mut labels = vec![vec!["–".to_string(); ax.values.len()]; ay.values.len()];
        for r in s.rows.iter().filter(|r| r.arm == arm.name) {
            let at = |a: &crate::plan::Axis| {
                a.values.iter().position(|v| r.vary.get(&a.name) == Some(v))
            };
            if let (Some(xi), Some(yi), Some(g)) = (at(ax), at(ay), r.gain) {
                values[yi][xi] = g.mean;
                labels[yi][xi] = if g.half_width.is_finite() {
                    format!("{} ± {:.4}", signed(g.mean, 4), g.half_width)
                } else {
                    signed(g.mean, 4)
                };
            }
        }
        let units = s
            .rows
            .iter()
            .filter_map(|r| r.gain)
            .map(|g| (g.units, g.unit.name()))
            .max();
        let mut notes = vec!["± = 95% CI (t interval over the units)".to_string()];
        if let Some((n, unit)) = units {
            notes.push(format!(
                "each cell: mean gain over {n} {unit}s, paired within (split, seed)"
            ));
        }
        notes.push(format!(
            "blue: {} better than {baseline}; red: worse",
            arm.name
        ));
        let h = Heatmap {
            title: format!(
                "{}: gain of {} over {baseline} in {}",
                exp.name,
                arm.name,
                exp.measure.name()
            ),
            x_label: ax.name.clone(),
            y_label: ay.name.clone(),
            x_ticks: ax.values.iter().map(axis_value).collect(),
            y_ticks: ay.values.iter().map(axis_value).collect(),
            values,
            labels,
            value_label: format!("gain in {}{}", exp.measure.name(), unit_text(exp)),
            higher_is_better: exp.measure.higher_is_better(),
            notes,
        };
        let stem = dir.join(format!("gain-{}", arm.name));
        plots::heatmap(&stem, &h).map_err(plot_err(&stem))?;
    }
    Ok(())
}

pub fn gain_vs_axis(
    exp: &ExperimentPlan,
    s: &ExperimentSummary,
    dir: &Path,
) -> Result<(), ResultsError> {
    let Some(ax) = exp.axes.first() else {
        return Ok(());
    };
    let Some(baseline) = s.baseline.as_deref() else {
        return Ok(());
    };
    // (x, mean, low, high) per line, keyed by (arm, values of the other axes).
    type Points = Vec<(f64, f64, f64, f64)>;
    let mut groups: Vec<((usize, Vec<AxisValue>), Points, usize)> = vec![];
    for r in s.rows.iter().filter(|r| !r.is_baseline) {
        let (Some(g), Some(v)) = (r.gain, r.vary.get(&ax.name)) else {
            continue;
        };
        let x = ax.values.iter().position(|x| x == v).unwrap_or(0) as f64;
        let arm = exp.arms.iter().position(|a| a.name == r.arm).unwrap_or(0);
        let rest: Vec<AxisValue> = exp.axes[1..]
            .iter()
            .filter_map(|a| r.vary.get(&a.name).cloned())
            .collect();
        let hw = if g.half_width.is_finite() {
            g.half_width
        } else {
            0.0
        };
        let key = (arm, rest);
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, pts, _)) => pts.push((x, g.mean, g.mean - hw, g.mean + hw)),
            None => groups.push((key, vec![(x, g.mean, g.mean - hw, g.mean + hw)], g.units)),
        }
    }
    let mut keys: Vec<(usize, Vec<AxisValue>)> = groups.iter().map(|g| g.0.clone()).collect();
    legend_order(&mut keys);
    let mut series = vec![];
    for (style, key) in keys.iter().enumerate() {
        let Some((_, pts, n)) = groups.iter_mut().find(|(k, _, _)| k == key) else {
            continue;
        };
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rest: Vec<String> = exp.axes[1..]
            .iter()
            .zip(&key.1)
            .map(|(a, v)| format!("{} = {}", a.name, axis_value(v)))
            .collect();
        let arm = &exp.arms[key.0].name;
        series.push(Series {
            name: if rest.is_empty() {
                format!("{arm} (n = {n})")
            } else {
                format!("{arm}, {} (n = {n})", rest.join(", "))
            },
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
            band: Some(pts.iter().map(|p| (p.0, p.2, p.3)).collect()),
            style,
            thin: false,
            markers: true,
        });
    }
    let plot = LinePlot {
        title: format!("{}: gain over {baseline} in {}", exp.name, exp.measure.name()),
        x_label: ax.name.clone(),
        y_label: format!("gain in {}{}", exp.measure.name(), unit_text(exp)),
        series,
        zero_line: true,
        x_ticks: Some(ax.values.iter().map(axis_value).collect()),
        y_scale: Scale::Linear,
        notes: vec![
            "line: mean gain; band: its 95% t interval over the units (n per point)".into(),
            format!("{baseline}: per (split, seed), the constant with the best final validation accuracy"),
        ],
    };
    let stem = dir.join(format!("gain-vs-{}", ax.name));
    plots::line_plot(&stem, &plot).map_err(plot_err(&stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legends_are_ordered_by_value_not_by_text() {
        let it = |n| AxisValue::Duration(Duration::Iters(n));
        let mut keys = vec![
            (1, vec![it(250)]),
            (0, vec![it(1000)]),
            (0, vec![it(250)]),
            (0, vec![it(500)]),
        ];
        legend_order(&mut keys);
        let order: Vec<(usize, String)> = keys.iter().map(|(a, v)| (*a, v[0].label())).collect();
        assert_eq!(
            order,
            [
                (0, "250 iters".into()),
                (0, "500 iters".into()),
                (0, "1000 iters".into()),
                (1, "250 iters".into())
            ]
        );
        let mut floats = vec![
            (0, vec![AxisValue::Float(0.01)]),
            (0, vec![AxisValue::Float(0.003)]),
            (0, vec![AxisValue::Int(1)]),
        ];
        legend_order(&mut floats);
        let labels: Vec<String> = floats.iter().map(|k| k.1[0].label()).collect();
        assert_eq!(labels, ["0.003", "0.01", "1"]);
    }
}
