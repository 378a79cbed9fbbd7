//! Which builtins a place of a `.reg` file takes, for the name index and
//! completion: the tables of `crate::builtins` with their kinds, and the
//! kinds each experiment key and argument name expects.

use crate::builtins::{self, Entry};
use std::sync::OnceLock;

/// Every builtin with its kind, built once.
pub fn builtin_table() -> &'static [(&'static str, &'static Entry)] {
    static ALL: OnceLock<Vec<(&'static str, &'static Entry)>> = OnceLock::new();
    ALL.get_or_init(builtins::all)
}

/// The builtin called `name`, preferring one of the kinds in `hint`.
pub fn builtin(name: &str, hint: &[&str]) -> Option<(&'static str, &'static Entry)> {
    let mut hits = builtin_table().iter().filter(|(_, e)| e.name == name);
    let first = hits.clone().next().copied();
    hits.find(|(k, _)| hint.contains(k)).copied().or(first)
}

/// The kinds of builtin an experiment key takes.
pub fn key_kinds(key: &str) -> &'static [&'static str] {
    match key {
        "data" => &["data source"],
        "optimizer" => &["optimizer"],
        "penalty" => &["penalty"],
        "init" => &["initialisation"],
        "sampling" => &["sampling"],
        "normalize" => &["normalization"],
        "measure" | "target" => &["metric"],
        _ => &[],
    }
}

/// The kinds of builtin an argument of that name takes, when it decides.
pub fn arg_kinds(arg: &str) -> Option<&'static [&'static str]> {
    match arg {
        "normalize" => Some(&["normalization"]),
        "init" => Some(&["initialisation"]),
        _ => None,
    }
}

/// The names every builtin kind offers, for completion (`kind` as in the
/// tables: "layer", "metric", ...).
pub fn builtins_of(kinds: &[&str]) -> Vec<(&'static str, &'static Entry)> {
    builtin_table()
        .iter()
        .filter(|(k, _)| kinds.is_empty() || kinds.contains(k))
        .copied()
        .collect()
}
