//! The first difference between two plans, said so a user can find it:
//! which experiment or trial, which field, and both values.

use crate::plan::Plan;
use serde_json::Value;

/// `None` when the plans are the same (the path of the source file, which
/// depends on where regime was started, is not compared).
pub fn first_difference(stored: &Plan, fresh: &Plan) -> Option<String> {
    if let Some(d) = overrides_differ(&stored.overrides, &fresh.overrides) {
        return Some(d);
    }
    if stored.experiments.len() != fresh.experiments.len() {
        return Some(format!(
            "{} experiments in plan.yaml, {} in the source",
            stored.experiments.len(),
            fresh.experiments.len()
        ));
    }
    for (a, b) in stored.experiments.iter().zip(&fresh.experiments) {
        if a.trials.len() != b.trials.len() {
            return Some(format!(
                "experiment `{}` has {} trials in plan.yaml, {} in the source",
                a.name,
                a.trials.len(),
                b.trials.len()
            ));
        }
        for (ta, tb) in a.trials.iter().zip(&b.trials) {
            if ta != tb {
                let (va, vb) = (to_value(ta), to_value(tb));
                let field = diff_path(&va, &vb, String::new()).unwrap_or_default();
                return Some(format!("trial {}: {field}", ta.key.id));
            }
        }
        let (mut va, mut vb) = (to_value(a), to_value(b));
        for v in [&mut va, &mut vb] {
            if let Value::Object(m) = v {
                m.remove("trials");
            }
        }
        if let Some(field) = diff_path(&va, &vb, String::new()) {
            return Some(format!("experiment `{}`: {field}", a.name));
        }
    }
    None
}

/// The `--set` overrides a run was started with against those given now,
/// naming only those that differ (their order does not matter: two
/// overrides never set the same key).
fn overrides_differ(stored: &[String], fresh: &[String]) -> Option<String> {
    let trimmed =
        |v: &[String]| -> Vec<String> { v.iter().map(|s| s.trim().to_string()).collect() };
    let (a, b) = (trimmed(stored), trimmed(fresh));
    let shown = |v: Vec<&String>| {
        v.iter()
            .map(|s| format!("`--set {s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let only_run: Vec<&String> = a.iter().filter(|s| !b.contains(s)).collect();
    let only_now: Vec<&String> = b.iter().filter(|s| !a.contains(s)).collect();
    match (only_run.is_empty(), only_now.is_empty()) {
        (true, true) => None,
        (false, false) => Some(format!(
            "the run was started with {}, this command gives {} instead",
            shown(only_run),
            shown(only_now)
        )),
        (false, true) => Some(format!(
            "the run was started with {}, which this command does not give",
            shown(only_run)
        )),
        (true, false) => Some(format!(
            "this command gives {}, which the run was not started with",
            shown(only_now)
        )),
    }
}

fn to_value<T: serde::Serialize>(x: &T) -> Value {
    // invariant: plan types are plain data that always serialise.
    serde_json::to_value(x).expect("plan types serialise")
}

/// `field \`a.b\` is X in plan.yaml, Y in the source` for the first leaf
/// that differs.
fn diff_path(a: &Value, b: &Value, at: String) -> Option<String> {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (k, va) in ma {
                match mb.get(k) {
                    Some(vb) => {
                        if let Some(d) = diff_path(va, vb, join(k)) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("field `{}` only in plan.yaml", join(k))),
                }
            }
            mb.keys()
                .find(|k| !ma.contains_key(*k))
                .map(|k| format!("field `{}` only in the source", join(k)))
        }
        (Value::Array(xa), Value::Array(xb)) if xa.len() == xb.len() => xa
            .iter()
            .zip(xb)
            .enumerate()
            .find_map(|(i, (x, y))| diff_path(x, y, join(&i.to_string()))),
        _ if a == b => None,
        _ => Some(format!(
            "field `{}` is {a} in plan.yaml, {b} in the source",
            if at.is_empty() { "(root)" } else { &at }
        )),
    }
}
