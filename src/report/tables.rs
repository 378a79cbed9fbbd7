//! `summary.csv` and `summary.md`: the statistics as tables. Both carry the
//! same numbers in the same unit: accuracies, losses and gains as fractions
//! (0.8123, not 81.23%), times in iterations. The CSV follows the shared
//! column conventions of [`super::columns`] (docs/interop.md). The
//! contrasts between arms are in [`super::contrasts`] and the gains along
//! the way in [`super::along`], which share the cells of a tested
//! difference from here.

use super::columns;
use super::stats::power::mde_cell;
use super::stats::{Comparison, ExperimentSummary, Row, Stat, ALPHA};
use crate::plan::AxisValue;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn axis_value(v: &AxisValue) -> String {
    v.label()
}

fn num(x: Option<f64>) -> String {
    columns::opt(x)
}

/// The low and high ends of `mean ± hw` as CSV cells.
pub(super) fn lo_hi(s: Option<Stat>, hw: Option<f64>) -> [String; 2] {
    match (s, hw) {
        (Some(s), Some(h)) if h.is_finite() => [num(Some(s.mean - h)), num(Some(s.mean + h))],
        _ => Default::default(),
    }
}

fn pair(ci: Option<(f64, f64)>) -> [String; 2] {
    ci.map_or_else(Default::default, |(a, b)| [num(Some(a)), num(Some(b))])
}

const COLUMNS: &str = "arm,baseline,n,splits,seeds,unit,units,df,mean,ci_low,ci_high,gain,gain_ci_low,gain_ci_high,gain_sim_ci_low,gain_sim_ci_high,test,p,p_adj,verdict,mde,family,target,tta_rmst,tta_rmst_ci_low,tta_rmst_ci_high,tta_median,tta_arrived,tta_units,tta_ratio,tta_ratio_ci_low,tta_ratio_ci_high,diverged,stopped";

fn csv_row(s: &ExperimentSummary, r: &Row) -> Vec<String> {
    let m = r.measure;
    let g = r.gain;
    let t = r.test;
    let tta = r.tta.as_ref();
    let mut out = vec![
        r.arm.clone(),
        r.is_baseline.to_string(),
        m.map_or(0, |m| m.n).to_string(),
        r.splits.to_string(),
        r.seeds.to_string(),
        m.map_or("", |m| m.unit.name()).to_string(),
        m.map_or(0, |m| m.units).to_string(),
        num(m.map(|m| m.df)),
        num(m.map(|m| m.mean)),
    ];
    out.extend(lo_hi(m, m.map(|m| m.half_width)));
    out.push(num(g.map(|g| g.mean)));
    out.extend(lo_hi(g, g.map(|g| g.half_width)));
    out.extend(lo_hi(g, t.map(|t| t.sim_half_width)));
    out.push(t.map_or("", |t| t.method.name()).to_string());
    out.push(num(t.map(|t| t.p)));
    out.push(num(t.map(|t| t.p_adj)));
    out.push(t.map_or("", |t| t.verdict.name()).to_string());
    out.push(mde_cell(t.map(|t| t.mde)));
    out.push(s.family.to_string());
    out.push(target_text(s));
    out.push(num(tta.map(|x| x.rmst)));
    out.extend(pair(tta.and_then(|x| x.rmst_ci)));
    out.push(num(tta.and_then(|x| x.median)));
    out.push(tta.map_or(String::new(), |x| x.arrived.to_string()));
    out.push(tta.map_or(String::new(), |x| x.units.to_string()));
    out.push(num(tta.and_then(|x| x.ratio)));
    out.extend(pair(tta.and_then(|x| x.ratio_ci)));
    out.push(r.diverged.to_string());
    out.push(r.stopped.to_string());
    out
}

/// `summary.csv`: one line per (experiment, cell, arm); one column per
/// `vary` axis of any experiment (empty where an experiment lacks it). The
/// grid constants each (split, seed) picked are in `baseline_choices.csv`.
pub fn csv(summaries: &[ExperimentSummary]) -> Result<Vec<u8>, String> {
    cells_csv(
        summaries,
        COLUMNS,
        |s| &s.rows,
        |r| (r.cell, &r.vary),
        csv_row,
    )
}

/// A per-cell CSV (`columns::per_cell_csv`) of the `items` of every summary:
/// `summary.csv`'s rows, `contrasts.csv`'s contrasts.
pub fn cells_csv<T>(
    summaries: &[ExperimentSummary],
    columns: &str,
    items: impl Fn(&ExperimentSummary) -> &[T],
    key: impl Fn(&T) -> (usize, &BTreeMap<String, AxisValue>),
    row: impl Fn(&ExperimentSummary, &T) -> Vec<String>,
) -> Result<Vec<u8>, String> {
    let mut lines = Vec::new();
    for s in summaries {
        for item in items(s) {
            let (cell, vary) = key(item);
            lines.push(columns::CellLine {
                experiment: &s.experiment,
                cell,
                vary,
                values: row(s, item),
            });
        }
    }
    columns::per_cell_csv(columns, &lines)
}

/// A markdown table's header line and its separator line.
pub fn markdown_header(out: &mut String, head: &[String]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
}

/// The target as text: declared, or "baseline" (each cell's baseline level).
fn target_text(s: &ExperimentSummary) -> String {
    match s.target {
        Some(t) => format!(
            "{} {} {}",
            t.metric.name(),
            if t.at_least { ">=" } else { "<=" },
            t.value
        ),
        None => "baseline".into(),
    }
}

/// `mean ± half-width` as fractions.
fn pm(s: Option<Stat>, signed: bool) -> String {
    match s {
        None => "–".into(),
        Some(s) => {
            let mean = if signed {
                // Never "-0.0000": a gain that rounds to zero has no sign.
                crate::report::plots::ticks::signed(s.mean, 4)
            } else {
                format!("{:.4}", s.mean)
            };
            if s.half_width.is_finite() {
                format!("{mean} ± {:.4}", s.half_width)
            } else {
                mean
            }
        }
    }
}

fn ci(ci: Option<(f64, f64)>) -> String {
    ci.map_or(String::new(), |(a, b)| format!(" [{a:.0}, {b:.0}]"))
}

fn ratio_ci(ci: Option<(f64, f64)>) -> String {
    ci.map_or(String::new(), |(a, b)| format!(" [{a:.2}, {b:.2}]"))
}

fn p_text(p: f64) -> String {
    if !p.is_finite() {
        "–".into()
    } else if p < 0.0001 {
        "<0.0001".into()
    } else {
        format!("{p:.4}")
    }
}

/// The markdown cells of a tested difference (a gain or a contrast):
/// estimate ± 95% half-width, simultaneous half-width, p (test), adjusted
/// p, verdict, MDE.
pub(super) fn test_cells(d: Stat, t: &Comparison, verdict: &str) -> Vec<String> {
    vec![
        pm(Some(d), true),
        if t.sim_half_width.is_finite() {
            format!("± {:.4}", t.sim_half_width)
        } else {
            "–".into()
        },
        format!("{} ({})", p_text(t.p), t.method.name()),
        p_text(t.p_adj),
        verdict.into(),
        if t.mde.is_finite() {
            format!("{:.4}", t.mde)
        } else if t.mde == f64::INFINITY {
            "∞ (too few units)".into()
        } else {
            "–".into()
        },
    ]
}

/// The CSV cells of a tested difference (a contrast, a gain along the
/// way): n, unit, units, df, estimate, 95% and simultaneous intervals,
/// test, p, adjusted p, `verdict`, MDE and the family size.
pub(super) fn difference_csv(
    d: Option<Stat>,
    t: Option<Comparison>,
    verdict: &str,
    family: usize,
) -> Vec<String> {
    let mut out = vec![
        d.map_or(0, |d| d.n).to_string(),
        d.map_or("", |d| d.unit.name()).to_string(),
        d.map_or(0, |d| d.units).to_string(),
        num(d.map(|d| d.df)),
        num(d.map(|d| d.mean)),
    ];
    out.extend(lo_hi(d, d.map(|d| d.half_width)));
    out.extend(lo_hi(d, t.map(|t| t.sim_half_width)));
    out.push(t.map_or("", |t| t.method.name()).to_string());
    out.push(num(t.map(|t| t.p)));
    out.push(num(t.map(|t| t.p_adj)));
    out.push(verdict.to_string());
    out.push(mde_cell(t.map(|t| t.mde)));
    out.push(family.to_string());
    out
}

/// A markdown row of a tested difference (a contrast, a trend, a gain along
/// the way): the `lead` cells that say what is compared, then n (df), the
/// difference and its test with `verdict` (dashes without a test).
pub(super) fn difference_row_md(
    mut lead: Vec<String>,
    d: Option<Stat>,
    t: Option<Comparison>,
    verdict: Option<String>,
) -> String {
    lead.push(n_df(d));
    lead.extend(match (d, t, verdict) {
        (Some(d), Some(t), Some(v)) => test_cells(d, &t, &v),
        (d, _, _) => untested_cells(d),
    });
    format!("| {} |", lead.join(" | "))
}

/// The cells of a difference without a test (fewer than two units): its
/// estimate, if any, and dashes.
pub(super) fn untested_cells(d: Option<Stat>) -> Vec<String> {
    let mut v = vec![d.map_or("–".into(), |d| pm(Some(d), true))];
    v.extend(std::iter::repeat_n("–".to_string(), 5));
    v
}

fn comparison_cells(r: &Row) -> Vec<String> {
    match (r.gain, r.test) {
        (Some(g), Some(t)) => test_cells(g, &t, t.verdict.name()),
        (g, _) => untested_cells(g.filter(|_| !r.is_baseline)),
    }
}

/// `n (df)`: the values behind an estimate and its degrees of freedom.
pub(super) fn n_df(m: Option<Stat>) -> String {
    m.map_or("0".into(), |m| {
        if m.df.is_finite() {
            format!("{} ({})", m.n, m.df)
        } else {
            format!("{} (–)", m.n)
        }
    })
}

fn tta_cells(r: &Row) -> Vec<String> {
    match &r.tta {
        None => vec!["–".into(), "–".into()],
        Some(t) => {
            let median = t.median.map_or("–".into(), |m| format!("{m:.0}"));
            vec![
                format!(
                    "{:.0}{} (median {median}, {}/{} arrived)",
                    t.rmst,
                    ci(t.rmst_ci),
                    t.arrived,
                    t.units
                ),
                t.ratio
                    .map_or("–".into(), |x| format!("{x:.2}{}", ratio_ci(t.ratio_ci))),
            ]
        }
    }
}

fn row_md(s: &ExperimentSummary, r: &Row) -> String {
    let mut cells: Vec<String> = s
        .axes
        .iter()
        .map(|a| r.vary.get(a).map(axis_value).unwrap_or_default())
        .collect();
    cells.push(if r.is_baseline {
        format!("{} (baseline)", r.arm)
    } else {
        r.arm.clone()
    });
    cells.push(pm(r.measure, false));
    cells.push(n_df(r.measure));
    cells.extend(comparison_cells(r));
    cells.extend(tta_cells(r));
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

fn preamble(s: &ExperimentSummary) -> String {
    let unit = match s.rows.first().map(|r| r.splits) {
        Some(k) if k > 1 => format!(
            "unit of analysis: the data split ({k} splits, seeds averaged within each; df = splits − 1)"
        ),
        _ => "unit of analysis: the seed (one data split; df = seeds − 1)".into(),
    };
    let baseline = s
        .baseline
        .as_deref()
        .map_or("— (no grid arm)".to_string(), |b| format!("`{b}`"));
    let target = match s.target {
        Some(_) => format!("`{}`", target_text(s)),
        None => "the baseline's smoothed final val_acc in each cell".into(),
    };
    format!(
        "Measured: `{}` {}, mean ± 95% t interval; {unit}; n (df) = values (degrees of freedom). \
Gain: paired difference against {baseline} within (split, seed), with its 95% interval and the Bonferroni simultaneous interval.\n\n\
Family: {} comparisons (every arm × cell of `{}` against the baseline), Holm-adjusted at α = {ALPHA}; verdicts use the adjusted p.\n\n\
MDE: smallest gain detectable with 80% power (two-sided α = {ALPHA}, paired). \
Time to target ({target}, curves smoothed over {} checks): Kaplan–Meier restricted mean iterations up to the budget [95% bootstrap CI], non-arrivals censored at their last iteration; ratio = arm / baseline restricted mean [95% cluster-bootstrap CI].\n",
        s.measure.name(),
        measure_unit(s.measure),
        s.family,
        s.measure.name(),
        s.smooth
    )
}

pub fn markdown(summaries: &[ExperimentSummary]) -> String {
    let mut out = String::new();
    for s in summaries {
        let _ = writeln!(out, "## {}\n", s.experiment);
        let _ = writeln!(out, "{}", preamble(s));
        let mut head: Vec<String> = s.axes.clone();
        head.extend(
            [
                "arm",
                s.measure.name(),
                "n (df)",
                "gain",
                "simultaneous",
                "p (test)",
                "p adj",
                "verdict",
                "MDE",
                "iters to target",
                "ratio",
                "λ picked",
                "status",
            ]
            .map(String::from),
        );
        markdown_header(&mut out, &head);
        for r in &s.rows {
            let _ = writeln!(out, "{}", row_md(s, r));
        }
        out.push('\n');
        out.push_str(&super::contrasts::markdown(s));
        out.push_str(&super::trends::markdown(s));
        out.push_str(&super::along::markdown(s));
    }
    out
}

/// How a measure's values read: accuracies are fractions of the images,
/// losses are mean cross-entropies (plus the penalty for `reg_loss`).
fn measure_unit(measure: crate::plan::Metric) -> &'static str {
    use crate::plan::Metric::*;
    match measure {
        TrainAcc | ValAcc | TestAcc | Sparsity => "as a fraction",
        TrainLoss | ValLoss | TestLoss | DataLoss => "as mean cross-entropy (nats)",
        RegLoss => "as the penalty term",
        Lambda | Lr | Iter | Epoch | WeightNorm => "as recorded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::Stat;

    #[test]
    fn a_gain_that_rounds_to_zero_has_no_sign() {
        let tiny = Stat::of(&[-0.00001, -0.00002, -0.00003]).unwrap();
        let text = pm(Some(tiny), true);
        assert!(text.starts_with("0.0000 ± "), "{text}");
        let real = Stat::of(&[-0.01, -0.02, -0.03]).unwrap();
        assert!(pm(Some(real), true).starts_with("-0.0200 ± "));
    }

    #[test]
    fn losses_are_not_called_fractions() {
        assert_eq!(measure_unit(crate::plan::Metric::TestAcc), "as a fraction");
        assert!(measure_unit(crate::plan::Metric::TestLoss).contains("cross-entropy"));
    }
}
