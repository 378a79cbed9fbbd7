//! A record's seal: `record_sha256`, the SHA-256 of everything else the
//! record's file holds, so an edited number makes the trial damaged.
//!
//! The hash is taken over what the file holds, not over how this build
//! would write the record again: a field a later regime adds (or an older
//! one lacks) is hashed as found, so records stay sealed across versions.
//! It is taken over a canonical form (keys sorted, every number by its
//! exact value, f64 by its bits), so neither the layout, the key order nor
//! how a JSON library prints floats changes it. serde_json's
//! `float_roundtrip` makes every f64 read back to the bits it was written
//! from.

use serde_json::Value;
use std::fmt::Write as _;

/// The field that holds the seal.
pub const FIELD: &str = "record_sha256";

/// What a record file's seal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealState {
    /// The seal matches the content.
    Holds,
    /// The content differs from what was sealed.
    Broken,
    /// No seal (written before records were sealed, or the seal removed).
    Absent,
}

/// The seal of a record's JSON: the hash of its canonical form, leaving out
/// any seal it already has.
pub fn seal_of(record: &Value) -> String {
    let mut canonical = String::new();
    match record {
        Value::Object(fields) => {
            let unsealed: serde_json::Map<String, Value> = fields
                .iter()
                .filter(|(k, _)| k.as_str() != FIELD)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            write_canonical(&Value::Object(unsealed), &mut canonical);
        }
        other => write_canonical(other, &mut canonical),
    }
    super::sha256_hex(canonical.as_bytes())
}

/// Whether the record file `bytes` carries a seal, and whether it holds.
pub fn state(bytes: &[u8]) -> SealState {
    let Ok(record) = serde_json::from_slice::<Value>(bytes) else {
        return SealState::Broken;
    };
    match record.get(FIELD) {
        None => SealState::Absent,
        Some(Value::String(seal)) if *seal == seal_of(&record) => SealState::Holds,
        Some(_) => SealState::Broken,
    }
}

/// Writes `value` unambiguously: a tag per kind, lengths before strings
/// and containers, object keys sorted, integers in decimal and floats by
/// their bits.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push('n'),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                let _ = write!(out, "u{u};");
            } else if let Some(i) = n.as_i64() {
                let _ = write!(out, "i{i};");
            } else {
                let bits = n.as_f64().unwrap_or(f64::NAN).to_bits();
                let _ = write!(out, "f{bits:016x};");
            }
        }
        Value::String(s) => {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        Value::Array(items) => {
            let _ = write!(out, "a{}:", items.len());
            for item in items {
                write_canonical(item, out);
            }
        }
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            let _ = write!(out, "o{}:", keys.len());
            for key in keys {
                let _ = write!(out, "s{}:{key}", key.len());
                write_canonical(&fields[key.as_str()], out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seal_ignores_layout_and_key_order_but_not_values() {
        let mut a = json!({"b": [1, -2, 0.5, -0.0], "a": {"x": "y"}, "c": null});
        a[FIELD] = seal_of(&a).into();
        let pretty = serde_json::to_vec_pretty(&a).unwrap();
        assert_eq!(state(&pretty), SealState::Holds);
        let reordered = format!(
            r#"{{"{FIELD}": {}, "c": null, "a": {{"x": "y"}}, "b": [1, -2, 0.5, -0.0]}}"#,
            a[FIELD]
        );
        assert_eq!(state(reordered.as_bytes()), SealState::Holds);
        // 0.0 for -0.0, 1.0 for 1, a longer string, one more field: edits.
        for edited in [
            reordered.replace("-0.0", "0.0"),
            reordered.replace("[1,", "[1.0,"),
            reordered.replace("\"y\"", "\"yy\""),
            reordered.replace("\"c\": null", "\"c\": null, \"d\": 1"),
        ] {
            assert_eq!(state(edited.as_bytes()), SealState::Broken, "{edited}");
        }
        let mut unsealed = a.clone();
        unsealed.as_object_mut().unwrap().remove(FIELD);
        let bytes = serde_json::to_vec(&unsealed).unwrap();
        assert_eq!(state(&bytes), SealState::Absent);
        assert_eq!(state(b"{"), SealState::Broken);
    }

    #[test]
    fn strings_and_containers_cannot_run_into_each_other() {
        let one = json!({"k": ["ab", "c"]});
        let other = json!({"k": ["a", "bc"]});
        assert_ne!(seal_of(&one), seal_of(&other));
        assert_ne!(seal_of(&json!([[1], 2])), seal_of(&json!([[1, 2]])));
    }
}
