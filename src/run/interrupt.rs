//! Ctrl-C (SIGINT), SIGTERM (what `kill` and Slurm send) and SIGHUP: one
//! handler for all three (the `ctrlc` crate's `termination` feature).
//!
//! - While trials train, the first signal asks them to stop between steps;
//!   finished records are kept and the run ends with the resume command.
//! - A second signal while they wind down stops at once (every finished
//!   record is already written whole).
//! - While the summary and plots are written, a signal stops at once and
//!   says how to rebuild them (`regime report DIR`): the trials are all saved.
//!
//! Either way the process exits with 130, as after Ctrl-C.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Exit code after an interruption (128 + SIGINT, as shells report Ctrl-C).
pub const EXIT_INTERRUPTED: i32 = 130;

/// The results directory while its report is being written.
static REPORTING: Mutex<Option<String>> = Mutex::new(None);
/// Signals received since the current run started.
static SIGNALS: AtomicUsize = AtomicUsize::new(0);
/// How to continue the current run.
static RESUME: Mutex<Option<String>> = Mutex::new(None);

/// What a signal does, given what the process is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Ask the trials to stop between steps.
    Cancel,
    /// Stop now, printing this.
    Exit(String),
}

/// The decision, apart from its effects (so it can be tested).
pub fn action(signals_before: usize, reporting: Option<&str>, resume: Option<&str>) -> Action {
    if let Some(dir) = reporting {
        return Action::Exit(format!(
            "interrupted while writing the summary and plots: every trial is saved in {dir}; \
             rebuild the summary and plots with `regime report {}`",
            crate::run::slurm::sh_quote(dir)
        ));
    }
    if signals_before > 0 {
        return Action::Exit(format!(
            "interrupted again: stopping now; finished trials are kept; continue with `{}`",
            resume.unwrap_or("regime run FILE --resume DIR")
        ));
    }
    Action::Cancel
}

/// Installs the handler once per process; every signal sets `cancel`.
pub fn install(cancel: &'static AtomicBool) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // A second handler cannot be installed; a failure here only means
        // the signals end the process the usual way.
        let _ = ctrlc::set_handler(move || {
            let before = SIGNALS.fetch_add(1, Ordering::SeqCst);
            let reporting = REPORTING.lock().ok().and_then(|r| r.clone());
            let resume = RESUME.lock().ok().and_then(|r| r.clone());
            cancel.store(true, Ordering::SeqCst);
            if let Action::Exit(message) = action(before, reporting.as_deref(), resume.as_deref()) {
                eprintln!("\n{message}");
                std::process::exit(EXIT_INTERRUPTED);
            }
        });
    });
}

/// A new run of `file` into `dir` starts: earlier signals (of an earlier
/// run in this process) no longer count.
pub fn reset(cancel: &AtomicBool, file: &str, dir: &Path) {
    if let Ok(mut r) = RESUME.lock() {
        *r = Some(format!(
            "regime run {} --resume {}",
            crate::run::slurm::sh_quote(file),
            crate::run::slurm::sh_quote(&dir.display().to_string())
        ));
    }
    SIGNALS.store(0, Ordering::SeqCst);
    cancel.store(false, Ordering::SeqCst);
}

/// While this lives, a signal stops the process and says how to rebuild
/// the report of `dir`.
pub struct Reporting(());

impl Reporting {
    pub fn start(dir: &Path) -> Reporting {
        if let Ok(mut r) = REPORTING.lock() {
            *r = Some(dir.display().to_string());
        }
        Reporting(())
    }
}

impl Drop for Reporting {
    fn drop(&mut self) {
        if let Ok(mut r) = REPORTING.lock() {
            *r = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_cancels_and_later_ones_or_the_report_phase_exit() {
        assert_eq!(action(0, None, None), Action::Cancel);
        let Action::Exit(again) = action(1, None, Some("regime run 'a.reg' --resume 'r'")) else {
            panic!("a second signal must stop at once")
        };
        assert!(again.contains("regime run 'a.reg' --resume 'r'"), "{again}");
        let Action::Exit(report) = action(0, Some("runs/My Runs"), None) else {
            panic!("a signal during the report must not be ignored")
        };
        assert!(report.contains("regime report 'runs/My Runs'"), "{report}");
    }

    #[test]
    fn the_report_guard_is_cleared_when_dropped() {
        {
            let _g = Reporting::start(Path::new("/r"));
            assert_eq!(REPORTING.lock().unwrap().as_deref(), Some("/r"));
        }
        assert_eq!(*REPORTING.lock().unwrap(), None);
    }
}
