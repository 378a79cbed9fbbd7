//! `plan`: checked source compiled into resolved, serializable trials.
mod compile;
mod types;
pub use compile::{compile, compile_source, from_yaml, to_yaml, CompileOptions, Compiled};
pub use types::*;
