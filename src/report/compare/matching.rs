//! Which experiments, cells and arms two runs share, the rows of their
//! comparison, and what differs between their plans.

use super::{difference, tagged, units, CompareError, Comparison, Row, Side};
use crate::plan::{AxisValue, ExperimentPlan, Plan};
use crate::report::stats::{self, higher_is_better, paired, Lookup, Stat, Verdict};
use std::collections::{BTreeMap, BTreeSet};

type Vary = BTreeMap<String, AxisValue>;

/// The cells of an experiment with their axis values, in index order.
fn cells(exp: &ExperimentPlan) -> BTreeMap<usize, Vary> {
    let mut out = BTreeMap::new();
    for t in &exp.trials {
        out.entry(t.key.cell).or_insert_with(|| t.key.vary.clone());
    }
    out
}

fn cell_label(vary: &Vary) -> String {
    if vary.is_empty() {
        return "the only cell".into();
    }
    let parts: Vec<String> = vary
        .iter()
        .map(|(k, v)| format!("{k}={}", v.label()))
        .collect();
    parts.join(", ")
}

/// The rows of one experiment both runs hold; what is left out goes to `notes`.
fn experiment_rows(
    (ea, a): (&ExperimentPlan, &Side),
    (eb, b): (&ExperimentPlan, &Side),
    notes: &mut Vec<String>,
) -> Vec<Row> {
    let (la, lb) = (Lookup::new(ea, &a.records), Lookup::new(eb, &b.records));
    let (sa, sb) = (
        stats::summarise(ea, &a.records, &|_| None),
        stats::summarise(eb, &b.records, &|_| None),
    );
    let gain = |s: &stats::ExperimentSummary, cell: usize, arm: &str| {
        s.rows
            .iter()
            .find(|r| r.cell == cell && r.arm == arm)
            .and_then(|r| r.gain)
    };
    let cells_b = cells(eb);
    let arms: Vec<&str> = ea
        .arms
        .iter()
        .map(|x| x.name.as_str())
        .filter(|n| eb.arms.iter().any(|y| y.name == *n))
        .collect();
    for (label, only) in [("A", one_sided(ea, eb)), ("B", one_sided(eb, ea))] {
        if !only.is_empty() {
            notes.push(format!(
                "{}: arms only in {label}: {}",
                ea.name,
                only.join(", ")
            ));
        }
    }
    let mut rows = Vec::new();
    for (cell_a, vary) in cells(ea) {
        let Some((&cell_b, _)) = cells_b.iter().find(|(_, v)| **v == vary) else {
            notes.push(format!("{}: cell {} only in A", ea.name, cell_label(&vary)));
            continue;
        };
        for arm in &arms {
            let (ua, ub) = (units(ea, &la, cell_a, arm), units(eb, &lb, cell_b, arm));
            let (diff, note) = difference(&ua, &ub);
            rows.push(Row {
                experiment: ea.name.clone(),
                measure: ea.measure,
                vary: vary.clone(),
                arm: arm.to_string(),
                a: Stat::split_aware(&tagged(&ua)),
                b: Stat::split_aware(&tagged(&ub)),
                gain_a: gain(&sa, cell_a, arm),
                gain_b: gain(&sb, cell_b, arm),
                diff,
                p_adj: f64::NAN,
                verdict: Verdict::NoDetectableDifference,
                note,
            });
        }
    }
    let cells_a = cells(ea);
    for vary in cells_b
        .values()
        .filter(|v| !cells_a.values().any(|x| x == *v))
    {
        notes.push(format!("{}: cell {} only in B", ea.name, cell_label(vary)));
    }
    rows
}

/// Arm names of `x` that `y` lacks.
fn one_sided(x: &ExperimentPlan, y: &ExperimentPlan) -> Vec<String> {
    x.arms
        .iter()
        .filter(|a| !y.arms.iter().any(|b| b.name == a.name))
        .map(|a| a.name.clone())
        .collect()
}

/// Compares two runs; refuses runs with no (experiment, cell, arm) in
/// common on the same measure.
pub fn compare(a: &Side, b: &Side) -> Result<Comparison, CompareError> {
    let refuse = |reason: String| CompareError::Incomparable {
        a: a.label.clone(),
        b: b.label.clone(),
        reason,
    };
    let names =
        |p: &Plan| -> Vec<String> { p.experiments.iter().map(|e| e.name.clone()).collect() };
    let mut notes = Vec::new();
    let mut rows = Vec::new();
    let mut shared = 0;
    for ea in &a.plan.experiments {
        let Some(eb) = b.plan.experiments.iter().find(|e| e.name == ea.name) else {
            notes.push(format!("experiment {} only in A", ea.name));
            continue;
        };
        shared += 1;
        if ea.measure != eb.measure {
            notes.push(format!(
                "{}: not compared: it measures {} in A and {} in B",
                ea.name,
                ea.measure.name(),
                eb.measure.name()
            ));
            continue;
        }
        rows.extend(experiment_rows((ea, a), (eb, b), &mut notes));
    }
    for eb in &b.plan.experiments {
        if !a.plan.experiments.iter().any(|e| e.name == eb.name) {
            notes.push(format!("experiment {} only in B", eb.name));
        }
    }
    if shared == 0 {
        return Err(refuse(format!(
            "they share no experiment (A has {}; B has {})",
            names(&a.plan).join(", "),
            names(&b.plan).join(", ")
        )));
    }
    if rows.is_empty() {
        return Err(refuse(format!(
            "no cell and arm of a shared experiment is in both on the same measure ({})",
            notes.join("; ")
        )));
    }
    let family = adjust(&mut rows);
    Ok(Comparison {
        a: a.label.clone(),
        b: b.label.clone(),
        plans: plan_differences(&a.plan, &b.plan),
        notes,
        rows,
        family,
    })
}

/// Holm-adjusts every row's p and sets its verdict (B better or worse
/// than A); returns the family size.
fn adjust(rows: &mut [Row]) -> usize {
    let p: Vec<f64> = rows
        .iter()
        .map(|r| r.diff.map_or(f64::NAN, |d| d.p))
        .collect();
    let adj = paired::holm(&p);
    for (r, p_adj) in rows.iter_mut().zip(adj) {
        r.p_adj = p_adj;
        if let Some(d) = r.diff {
            r.verdict = paired::verdict(d.mean, p_adj, higher_is_better(r.measure));
        }
    }
    p.iter().filter(|x| !x.is_nan()).count()
}

/// What differs between the plans, said per experiment; one line saying
/// they are identical when they are.
pub fn plan_differences(a: &Plan, b: &Plan) -> Vec<String> {
    if a.experiments == b.experiments {
        return vec!["identical plans: the same trials, so every unit can pair".into()];
    }
    let mut out = Vec::new();
    if a.source_hash != b.source_hash {
        out.push("the sources differ".into());
    }
    for ea in &a.experiments {
        let Some(eb) = b.experiments.iter().find(|e| e.name == ea.name) else {
            continue;
        };
        for (what, x, y) in [
            ("seeds", ea.seeds, eb.seeds),
            ("splits", ea.splits, eb.splits),
        ] {
            if x != y {
                out.push(format!("{}: {what} {x} in A, {y} in B", ea.name));
            }
        }
        let mut fields = BTreeSet::new();
        let mut only = (0, 0);
        for ta in &ea.trials {
            match eb.trials.iter().find(|t| t.key.id == ta.key.id) {
                Some(tb) => fields.extend(differing_fields(ta, tb)),
                None => only.0 += 1,
            }
        }
        only.1 = eb
            .trials
            .iter()
            .filter(|t| !ea.trials.iter().any(|x| x.key.id == t.key.id))
            .count();
        if !fields.is_empty() {
            let f: Vec<String> = fields.into_iter().collect();
            out.push(format!(
                "{}: trials of the same id differ in {}",
                ea.name,
                f.join(", ")
            ));
        }
        if only != (0, 0) {
            out.push(format!(
                "{}: {} trials only in A, {} only in B",
                ea.name, only.0, only.1
            ));
        }
    }
    out
}

/// The top-level fields of two trials' plan entries that differ.
fn differing_fields<T: serde::Serialize>(a: &T, b: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(x)), Ok(serde_json::Value::Object(y))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return vec![];
    };
    let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    keys.into_iter()
        .filter(|k| x.get(*k) != y.get(*k))
        .map(|k| k.to_string())
        .collect()
}
