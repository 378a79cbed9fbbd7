//! A comparison as a markdown report (what `regime compare` prints) and as
//! a tidy CSV (`--csv`), in the units of `summary.csv` (fractions).

use super::{Comparison, Difference, Row};
use crate::report::columns::{self, opt, AxisColumns};
use crate::report::stats::Stat;
use std::fmt::Write;

fn pm(s: Option<Stat>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.half_width.is_finite() => format!("{:.4} ± {:.4}", s.mean, s.half_width),
        Some(s) => format!("{:.4}", s.mean),
    }
}

/// A signed difference, four decimals, never "-0.0000".
fn sign4(v: f64) -> String {
    crate::report::plots::ticks::signed(v, 4)
}

fn signed(s: Option<Stat>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.half_width.is_finite() => format!("{} ± {:.4}", sign4(s.mean), s.half_width),
        Some(s) => sign4(s.mean),
    }
}

fn diff_text(d: Option<Difference>) -> [String; 3] {
    let Some(d) = d else {
        return ["–".into(), "–".into(), "–".into()];
    };
    let mean = if d.half_width.is_finite() {
        format!("{} ± {:.4}", sign4(d.mean), d.half_width)
    } else {
        sign4(d.mean)
    };
    let pairing = format!(
        "{} ({} units)",
        if d.paired { "paired" } else { "unpaired" },
        d.units
    );
    let p = if d.p.is_finite() {
        format!("{:.4} ({})", d.p, d.test)
    } else {
        "–".into()
    };
    [mean, pairing, p]
}

fn row_md(axes: &[String], r: &Row) -> String {
    let mut cells: Vec<String> = axes
        .iter()
        .map(|a| r.vary.get(a).map(|v| v.label()).unwrap_or_default())
        .collect();
    cells.push(r.arm.clone());
    cells.push(pm(r.a));
    cells.push(pm(r.b));
    cells.extend(diff_text(r.diff));
    cells.push(if r.p_adj.is_finite() {
        format!("{:.4}", r.p_adj)
    } else {
        "–".into()
    });
    cells.push(r.verdict.name().into());
    cells.push(signed(r.gain_a));
    cells.push(signed(r.gain_b));
    cells.push(r.note.clone().unwrap_or_default());
    format!("| {} |", cells.join(" | "))
}

/// The comparison as markdown: what was compared and how, then one table
/// per experiment.
pub fn markdown(c: &Comparison) -> String {
    let mut out = format!("# Comparison\n\nA: `{}`\nB: `{}`\n\nPlans:\n", c.a, c.b);
    for p in &c.plans {
        let _ = writeln!(out, "- {p}");
    }
    let _ = writeln!(
        out,
        "\nCompared: experiments by name, cells by their axis values, arms by name, on each \
experiment's measure (fractions). B − A is paired within (split, seed) where both runs' trials have \
the same id and seed (the summary's test: exact sign-flip up to 10 units, else paired t), otherwise \
Welch's unpaired t; 95% intervals; p Holm-adjusted over the {} rows with a test; the verdict says \
whether B is better or worse than A. Gain A, gain B: each run's own gain over its baseline.",
        c.family
    );
    if !c.notes.is_empty() {
        out.push_str("\nLeft out:\n");
        for n in &c.notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    let mut experiments: Vec<&str> = c.rows.iter().map(|r| r.experiment.as_str()).collect();
    experiments.dedup();
    for e in experiments {
        let rows: Vec<&Row> = c.rows.iter().filter(|r| r.experiment == e).collect();
        let axes: Vec<String> = rows[0].vary.keys().cloned().collect();
        let _ = writeln!(out, "\n## {e} ({})\n", rows[0].measure.name());
        let mut head = axes.clone();
        head.extend(
            [
                "arm", "A", "B", "B − A", "pairing", "p (test)", "p adj", "verdict", "gain A",
                "gain B", "note",
            ]
            .map(String::from),
        );
        crate::report::tables::markdown_header(&mut out, &head);
        for r in rows {
            let _ = writeln!(out, "{}", row_md(&axes, r));
        }
    }
    out
}

const COLUMNS: [&str; 23] = [
    "arm",
    "measure",
    "a_mean",
    "a_ci_low",
    "a_ci_high",
    "a_n",
    "b_mean",
    "b_ci_low",
    "b_ci_high",
    "b_n",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "df",
    "paired",
    "units",
    "test",
    "p",
    "p_adj",
    "verdict",
    "gain_a",
    "gain_b",
    "note",
];

fn stat_cells(s: Option<Stat>) -> [String; 4] {
    match s {
        None => Default::default(),
        Some(s) => [
            columns::num(s.mean),
            columns::num(s.mean - s.half_width),
            columns::num(s.mean + s.half_width),
            s.n.to_string(),
        ],
    }
}

fn row_csv(r: &Row) -> Vec<String> {
    let mut out = vec![r.arm.clone(), r.measure.name().to_string()];
    out.extend(stat_cells(r.a));
    out.extend(stat_cells(r.b));
    let d = r.diff;
    out.push(opt(d.map(|d| d.mean)));
    out.push(opt(d.map(|d| d.mean - d.half_width)));
    out.push(opt(d.map(|d| d.mean + d.half_width)));
    out.push(opt(d.map(|d| d.df)));
    out.push(d.map_or(String::new(), |d| d.paired.to_string()));
    out.push(d.map_or(String::new(), |d| d.units.to_string()));
    out.push(d.map_or("", |d| d.test).to_string());
    out.push(opt(d.map(|d| d.p)));
    out.push(columns::num(r.p_adj));
    out.push(r.verdict.name().to_string());
    out.push(opt(r.gain_a.map(|g| g.mean)));
    out.push(opt(r.gain_b.map(|g| g.mean)));
    out.push(r.note.clone().unwrap_or_default());
    out
}

/// The comparison as a tidy CSV: one line per row, axes as columns.
pub fn csv(c: &Comparison) -> Result<Vec<u8>, String> {
    let mut reserved = vec!["experiment"];
    reserved.extend(COLUMNS);
    let axes = AxisColumns::new(
        c.rows
            .iter()
            .flat_map(|r| r.vary.iter().map(|(k, v)| (k.as_str(), v))),
        &reserved,
    );
    let mut w = csv::Writer::from_writer(vec![]);
    let mut head = vec!["experiment".to_string()];
    head.extend(axes.headers());
    head.extend(COLUMNS.map(String::from));
    w.write_record(&head).map_err(|e| e.to_string())?;
    for r in &c.rows {
        let mut rec = vec![r.experiment.clone()];
        rec.extend(axes.cells(&r.vary));
        rec.extend(row_csv(r));
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    columns::finish(w)
}
