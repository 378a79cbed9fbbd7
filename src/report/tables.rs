//! `summary.csv` and `summary.md`: the statistics as tables.

use super::stats::{ExperimentSummary, Row, Stat};
use crate::plan::AxisValue;
use std::fmt::Write;

pub fn axis_value(v: &AxisValue) -> String {
    match v {
        AxisValue::Int(i) => i.to_string(),
        AxisValue::Float(f) => format!("{f}"),
        AxisValue::Duration(crate::plan::Duration::Iters(n)) => format!("{n} iters"),
        AxisValue::Duration(crate::plan::Duration::Epochs(e)) => format!("{e} epochs"),
        AxisValue::Text(s) => s.clone(),
    }
}

fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.6}"),
        _ => String::new(),
    }
}

/// `mean ± half-width` in percentage points, for accuracies.
fn pct(s: Option<Stat>, signed: bool) -> String {
    match s {
        None => "–".into(),
        Some(s) => {
            let m = 100.0 * s.mean;
            let mean = if signed {
                format!("{m:+.2}")
            } else {
                format!("{m:.2}")
            };
            if s.half_width.is_finite() {
                format!("{mean} ± {:.2}", 100.0 * s.half_width)
            } else {
                mean
            }
        }
    }
}

fn plain(s: Option<Stat>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.half_width.is_finite() => format!("{:.0} ± {:.0}", s.mean, s.half_width),
        Some(s) => format!("{:.0}", s.mean),
    }
}

pub fn csv(summaries: &[ExperimentSummary]) -> String {
    let mut out = String::from(
        "experiment,cell,vary,arm,baseline,n,mean,ci_low,ci_high,gain,gain_ci_low,gain_ci_high,iters_to_acc,reached,chosen,diverged,stopped\n",
    );
    for s in summaries {
        for r in &s.rows {
            let (m, lo, hi) = triple(r.measure);
            let (g, glo, ghi) = triple(r.gain);
            let vary: Vec<String> = r
                .vary
                .iter()
                .map(|(k, v)| format!("{k}={}", axis_value(v)))
                .collect();
            let chosen: Vec<String> = r.chosen.iter().map(|c| c.to_string()).collect();
            let _ = writeln!(
                out,
                "{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},\"{}\",{},{}",
                s.experiment,
                r.cell,
                vary.join(" "),
                r.arm,
                r.is_baseline,
                r.measure.map_or(0, |m| m.n),
                m,
                lo,
                hi,
                g,
                glo,
                ghi,
                num(r.iters_to_acc.map(|s| s.mean)),
                r.reached,
                chosen.join(" "),
                r.diverged,
                r.stopped
            );
        }
    }
    out
}

fn triple(s: Option<Stat>) -> (String, String, String) {
    match s {
        None => Default::default(),
        Some(s) => (
            num(Some(s.mean)),
            num(Some(s.mean - s.half_width)),
            num(Some(s.mean + s.half_width)),
        ),
    }
}

fn row_md(s: &ExperimentSummary, r: &Row) -> String {
    let mut cells: Vec<String> = s
        .axes
        .iter()
        .map(|a| r.vary.get(a).map(axis_value).unwrap_or_default())
        .collect();
    let arm = if r.is_baseline {
        format!("{} (baseline)", r.arm)
    } else {
        r.arm.clone()
    };
    cells.push(arm);
    cells.push(pct(r.measure, false));
    cells.push(if r.is_baseline {
        "–".into()
    } else {
        pct(r.gain, true)
    });
    cells.push(format!(
        "{} ({}/{})",
        plain(r.iters_to_acc),
        r.reached,
        r.seeds
    ));
    let chosen: Vec<String> = r.chosen.iter().map(|c| format!("{c}")).collect();
    cells.push(if chosen.is_empty() {
        "–".into()
    } else {
        chosen.join(", ")
    });
    let mut status = Vec::new();
    if r.diverged > 0 {
        status.push(format!("{} diverged", r.diverged));
    }
    if r.stopped > 0 {
        status.push(format!("{} stopped", r.stopped));
    }
    cells.push(if status.is_empty() {
        "ok".into()
    } else {
        status.join(", ")
    });
    format!("| {} |", cells.join(" | "))
}

pub fn markdown(summaries: &[ExperimentSummary]) -> String {
    let mut out = String::new();
    for s in summaries {
        let _ = writeln!(out, "## {}\n", s.experiment);
        let _ = writeln!(
            out,
            "Measured: `{}` (mean ± 95% CI over seeds, in %). Gain: paired difference against {} at equal budget. Iters to acc: first check at which validation accuracy reaches the baseline's final validation accuracy (seeds that got there).\n",
            s.measure.name(),
            s.baseline
                .as_deref()
                .map_or("— (no grid arm)".to_string(), |b| format!("`{b}`"))
        );
        let mut head: Vec<String> = s.axes.clone();
        head.extend(
            [
                "arm",
                s.measure.name(),
                "gain (pts)",
                "iters to acc",
                "λ picked",
                "status",
            ]
            .map(String::from),
        );
        let _ = writeln!(out, "| {} |", head.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
        for r in &s.rows {
            let _ = writeln!(out, "{}", row_md(s, r));
        }
        out.push('\n');
    }
    out
}
