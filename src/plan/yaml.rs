//! The plan as YAML and back.

use super::Plan;

/// The plan as YAML, fields in declaration order. serde_yaml writes an enum
/// as a tag and cannot nest tags (`LambdaSpec::Schedule(Schedule::Steps)`),
/// so tags become one-key maps, the same shape as JSON.
pub fn to_yaml(plan: &Plan) -> Result<String, String> {
    let value = serde_yaml::to_value(plan).map_err(|e| e.to_string())?;
    serde_yaml::to_string(&untag(value)).map_err(|e| e.to_string())
}

fn untag(v: serde_yaml::Value) -> serde_yaml::Value {
    use serde_yaml::{Mapping, Value};
    match v {
        Value::Tagged(t) => {
            let name = t.tag.to_string().trim_start_matches('!').to_string();
            let mut m = Mapping::new();
            m.insert(Value::String(name), untag(t.value));
            Value::Mapping(m)
        }
        Value::Mapping(m) => {
            Value::Mapping(m.into_iter().map(|(k, v)| (untag(k), untag(v))).collect())
        }
        Value::Sequence(s) => Value::Sequence(s.into_iter().map(untag).collect()),
        other => other,
    }
}

/// Read a plan written by `to_yaml` (through a JSON value, for the same
/// reason), refusing one edited to name more units than it has trials.
pub fn from_yaml(text: &str) -> Result<Plan, String> {
    let value: serde_json::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let plan: Plan = serde_json::from_value(value).map_err(|e| e.to_string())?;
    units_within_trials(&plan)?;
    Ok(plan)
}

/// Every (split, seed) unit of an experiment has a trial of each arm, so a
/// compiled plan never names more units than trials. In a results
/// directory no hash covers `seeds` and `splits`: edited past that, they
/// had `report`, `status` and `compare` loop over every unit named (four
/// billion for `seeds: 4294967295`).
fn units_within_trials(plan: &Plan) -> Result<(), String> {
    for e in &plan.experiments {
        let units = u64::from(e.seeds) * u64::from(e.splits.max(1));
        if units > e.trials.len() as u64 {
            return Err(format!(
                "experiment `{}` has seeds: {} and splits: {}, more (split, seed) units than its {} trials: the file was edited",
                e.name,
                e.seeds,
                e.splits,
                e.trials.len()
            ));
        }
    }
    Ok(())
}
