//! `plan`: the resolved, serializable trials a checked program compiles to
//! (built by `check`, assembled by the driver in `crate::compile`), and
//! their YAML and JSON forms. Nothing here calls another stage. The types:
//! the plan, its experiments and trials (`types`), what a trial trains
//! (`setup`), and λ over time with its policies (`lambda`).
#[cfg(test)]
pub(crate) mod example;
mod json;
mod lambda;
mod setup;
mod types;
mod yaml;
pub use json::{to_json, u64_or_string, MAX_SAFE_INTEGER};
pub use lambda::*;
pub use setup::*;
pub use types::*;
pub use yaml::{from_yaml, to_yaml};
