//! `plan`: checked source compiled into resolved, serializable trials.
mod compile;
mod types;
pub use compile::{compile, compile_source, to_yaml, CompileOptions, Compiled};
pub use types::*;
