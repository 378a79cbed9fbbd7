//! Checked program → `Plan`. The expansion itself lives in
//! `check::experiment` (checking and expanding are one walk); this module
//! fixes the public entry points and the options.

use super::Plan;
use crate::check::{self, CheckOptions};
use crate::diagnostics::Report;
use std::path::Path;

/// How to compile: `seeds` overrides every experiment's `seeds:`; `scale`
/// multiplies every duration written in iterations and every `subset`
/// (1.0 = as written).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompileOptions {
    pub seeds: Option<u32>,
    pub scale: f64,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            seeds: None,
            scale: 1.0,
        }
    }
}

/// A compiled plan and the warnings found on the way.
#[derive(Debug)]
pub struct Compiled {
    pub plan: Plan,
    pub warnings: Report,
}

/// Read, check and compile the file at `path`. Any error gives the report
/// (with warnings too); warnings alone do not stop compilation.
pub fn compile(path: &Path, options: &CompileOptions) -> Result<Compiled, Report> {
    let checked = check::check_path_with(path, to_check(options));
    finish(path.to_string_lossy().to_string(), checked)
}

/// Like `compile`, from text; relative imports are resolved in `dir`.
pub fn compile_source(
    name: &str,
    text: &str,
    dir: Option<&Path>,
    options: &CompileOptions,
) -> Result<Compiled, Report> {
    let checked = check::check_source_with(name, text, dir, to_check(options));
    finish(name.to_string(), checked)
}

fn to_check(o: &CompileOptions) -> CheckOptions {
    CheckOptions {
        seeds: o.seeds,
        scale: o.scale,
    }
}

fn finish(source: String, checked: check::Checked) -> Result<Compiled, Report> {
    if checked.report.has_errors() {
        return Err(checked.report);
    }
    Ok(Compiled {
        plan: Plan {
            source,
            source_hash: checked.source_hash,
            experiments: checked.experiments,
        },
        warnings: checked.report,
    })
}

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
