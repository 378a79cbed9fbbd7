//! Everything that can go wrong with a results directory, as diagnostics
//! that say what happened, to which file, and what to do.

use miette::Diagnostic;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ResultsError {
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(regime::results_io), help("{hint}"))]
    Write {
        path: String,
        source: std::io::Error,
        hint: String,
    },
    #[error("cannot read {path}: {message}")]
    #[diagnostic(
        code(regime::results_read),
        help("the results directory may be damaged; `regime status DIR` names damaged trials and `regime run FILE --resume DIR` re-runs them")
    )]
    Read { path: String, message: String },
    #[error(
        "{dir} was made from a different source (hash {found}, this file hashes to {expected})"
    )]
    #[diagnostic(
        code(regime::resume_mismatch),
        help("resume only with the file that started the run, unchanged; to run the new version, start a fresh run without --resume")
    )]
    HashMismatch {
        dir: String,
        found: String,
        expected: String,
    },
    #[error("{dir} is not a regime results directory (no {missing})")]
    #[diagnostic(
        code(regime::not_a_results_dir),
        help("pass the directory a `regime run` created, e.g. runs/quickstart-20261129-221500")
    )]
    NotResults { dir: String, missing: String },
    #[error("{dir} already holds a run")]
    #[diagnostic(
        code(regime::results_exist),
        help("continue it with `regime run FILE --resume {dir}` (same file, same options), or pass another --out")
    )]
    Exists { dir: String },
    #[error("{dir} exists, is not empty and was not made by regime")]
    #[diagnostic(
        code(regime::results_not_ours),
        help("regime writes only into a new or empty directory; pass another --out")
    )]
    NotOurs { dir: String },
    #[error("{path} is a symbolic link")]
    #[diagnostic(
        code(regime::results_symlink),
        help("regime never writes through a symlink inside or onto a results directory; pass the real path, or remove the link")
    )]
    Symlink { path: String },
    #[error("{dir} is in use by another regime process ({holder})")]
    #[diagnostic(
        code(regime::results_locked),
        help("wait for that process to finish (or stop it); two processes never run trials into one directory")
    )]
    Locked { dir: String, holder: String },
    #[error("trial {trial} is being run by {holder}")]
    #[diagnostic(
        code(regime::trial_claimed),
        help("another task is running this trial; if that process is gone, `regime run FILE --resume DIR` clears stale claims")
    )]
    Claimed { trial: String, holder: String },
    #[error("the plan in {dir} differs from the plan this file compiles to: {detail}")]
    #[diagnostic(
        code(regime::plan_mismatch),
        help("plan.yaml was edited, or the source, its imports or the options (--set, --seeds, --scale) differ from the run's; resume with the same file and options (or leave them out: --resume uses the run's own), or start a fresh run")
    )]
    PlanMismatch { dir: String, detail: String },
    #[error("the data changed since {dir} was started: {detail}")]
    #[diagnostic(
        code(regime::data_changed),
        help("finished trials were made on other data; restore the files the records name (`regime status DIR` lists them), or start a fresh run")
    )]
    DataChanged { dir: String, detail: String },
}

impl ResultsError {
    /// A write failure, with advice fitting its cause.
    pub fn write(path: &Path, source: std::io::Error) -> ResultsError {
        let hint = match source.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
                "the disk is full: free some space, then `regime run FILE --resume DIR` continues; finished trials are kept".to_string()
            }
            Some(libc::ENAMETOOLONG) => "a file name is too long: shorten the experiment or arm names".to_string(),
            Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => {
                "the directory is not writable: pass another --out".to_string()
            }
            _ => "check that the directory exists and is writable; finished trials are kept".to_string(),
        };
        ResultsError::Write {
            path: path.display().to_string(),
            source,
            hint,
        }
    }
}
