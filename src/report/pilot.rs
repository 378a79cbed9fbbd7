//! `regime plan FILE --pilot DIR`: the minimum detectable effect a planned
//! experiment would have, from the SDs of the paired gains measured in a
//! pilot results directory. Experiments are matched by name, rows by cell
//! (axis values) and arm. The pilot's unit SD (seeds, or split means when
//! the pilot had splits) stands in for the planned unit's SD; planning
//! splits from a seeds-only pilot therefore overstates the MDE when splits
//! differ little, and understates it when they differ a lot (the pilot could
//! not see split variance).

use super::stats::power::mde;
use super::stats::ExperimentSummary;
use super::tables::axis_value;
use crate::plan::Plan;
use std::fmt::Write;

/// The table printed by `regime plan --pilot`.
pub fn pilot_table(plan: &Plan, pilot: &[ExperimentSummary]) -> String {
    let mut out = String::from(
        "minimum detectable gain at 80% power (two-sided α = 0.05, paired), from pilot SDs:\n",
    );
    let mut any = false;
    for exp in &plan.experiments {
        let Some(p) = pilot.iter().find(|s| s.experiment == exp.name) else {
            let _ = writeln!(out, "  {}: not in the pilot", exp.name);
            continue;
        };
        let units = if exp.splits > 1 {
            exp.splits as usize
        } else {
            exp.seeds as usize
        };
        let unit = if exp.splits > 1 { "splits" } else { "seeds" };
        for r in p.rows.iter().filter(|r| !r.is_baseline) {
            let Some(g) = r.gain.filter(|g| g.sd.is_finite()) else {
                continue;
            };
            any = true;
            let cell: Vec<String> = r
                .vary
                .iter()
                .map(|(k, v)| format!("{k}={}", axis_value(v)))
                .collect();
            let planned = mde(g.sd, units);
            let planned = if planned.is_finite() {
                format!("{planned:.4}")
            } else if planned.is_nan() {
                "none (one unit has no interval)".into()
            } else {
                "none (the exact test of so few units never reaches p < 0.05)".into()
            };
            let _ = writeln!(
                out,
                "  {} [{}] {}: pilot sd {:.4} over {} {}s → MDE {planned} with {units} {unit}",
                exp.name,
                cell.join(", "),
                r.arm,
                g.sd,
                g.units,
                g.unit.name(),
            );
        }
    }
    if !any {
        out.push_str("  (the pilot has no paired gain with an SD: it needs a grid baseline and at least two seeds or splits)\n");
    }
    out
}
