//! `plan`: the resolved, serializable trials a checked program compiles to
//! (built by `check`, assembled by the driver in `crate::compile`), and
//! their YAML form. Nothing here calls another stage.
#[cfg(test)]
pub(crate) mod example;
mod types;
mod yaml;
pub use types::*;
pub use yaml::{from_yaml, to_yaml};
