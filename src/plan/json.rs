//! The plan as JSON. Seeds are 64-bit, but JavaScript and jq read every JSON
//! number as a double, exact only up to 2^53: so every integer above
//! 2^53 − 1 (in practice, seeds) is written as a decimal string, and the
//! plan's seed fields read either form back (docs/language.md, "Plans and
//! options").

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The largest integer every JSON reader holds exactly (JavaScript's
/// `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The plan (or any part of it) as pretty-printed JSON, large integers as
/// strings.
pub fn to_json<T: Serialize>(plan: &T) -> Result<String, String> {
    let value = serde_json::to_value(plan).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&safe_integers(value)).map_err(|e| e.to_string())
}

fn safe_integers(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) if u > MAX_SAFE_INTEGER => Value::String(u.to_string()),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(safe_integers).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, safe_integers(v))).collect())
        }
        other => other,
    }
}

/// A `u64` written as a number or as a decimal string (serde
/// `deserialize_with`).
pub fn u64_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }
    match Either::deserialize(d)? {
        Either::Number(n) => Ok(n),
        Either::Text(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_above_2_53_become_strings_and_read_back() {
        use crate::plan::{example::trial, LambdaSpec, Schedule, Trial};
        let mut trials =
            vec![trial(LambdaSpec::Schedule(Schedule::Constant { value: 0.0 }), 10); 2];
        trials[0].key.seed = u64::MAX;
        trials[1].key.seed = MAX_SAFE_INTEGER;
        let text = to_json(&trials).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["seed"], Value::String(u64::MAX.to_string()));
        assert_eq!(v[1]["seed"], serde_json::json!(MAX_SAFE_INTEGER));
        let back: Vec<Trial> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, trials);
    }
}
