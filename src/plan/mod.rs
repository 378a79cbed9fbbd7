//! `plan`: checked source compiled into resolved, serializable trials.
mod types;
pub use types::*;
