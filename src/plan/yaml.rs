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

/// Read a plan written by `to_yaml` (through a JSON value, for the same reason).
pub fn from_yaml(text: &str) -> Result<Plan, String> {
    let value: serde_json::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}
