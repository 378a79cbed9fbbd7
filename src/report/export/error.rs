//! What can go wrong in `regime export`, as diagnostics that say what
//! happened and what to do.

use crate::results::ResultsError;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ExportError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Results(#[from] ResultsError),
    /// The target or its options cannot be used: an unknown `--to`, an
    /// option of the other target, a tracking URI that is not a server.
    #[error("{message}")]
    #[diagnostic(code(regime::export_target), help("{help}"))]
    Target { message: String, help: String },
    #[error("cannot reach the MLflow tracking server at {uri}: {reason}")]
    #[diagnostic(
        code(regime::export_unreachable),
        help("start it (e.g. `mlflow server --backend-store-uri sqlite:///mlflow.db --port 5000`) or pass its address with --tracking-uri (or MLFLOW_TRACKING_URI); {done} of {total} trials were exported before this, and exporting again skips them")
    )]
    Unreachable {
        uri: String,
        reason: String,
        done: usize,
        total: usize,
    },
    #[error("the MLflow server at {uri} refused {call}: {detail}")]
    #[diagnostic(
        code(regime::export_refused),
        help("the server's own message is above; {done} of {total} trials were exported before this, and exporting again skips them (a half-exported run is replaced)")
    )]
    Refused {
        uri: String,
        call: String,
        detail: String,
        done: usize,
        total: usize,
    },
}
