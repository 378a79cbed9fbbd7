//! Live curves: while a trial trains, every check's row is appended to
//! `curves/<id>.partial.csv` and flushed, so a running trial's curve can be
//! read (`regime status`, `tail -f`, pandas).
//!
//! The partial file is the one file regime writes by appending rather than
//! atomically, and it is never a result: a trial is done only when its
//! record exists and names the SHA-256 of `curves/<id>.csv`, which is
//! written atomically at the end (see `ResultsDir::write_trial`), after
//! which the partial file is removed. A partial file without a record is a
//! trial that is running, or that was stopped (then `--resume` runs it again
//! from the start, replacing the file). It is opened without following a
//! symlink; when it cannot be written the trial goes on without it.

use super::{CurveRow, ResultsDir};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The growing curve of one running trial.
pub struct LiveCurve {
    path: PathBuf,
    writer: Option<csv::Writer<std::fs::File>>,
    /// Why the live curve stopped being written, if it did.
    error: Option<String>,
}

impl LiveCurve {
    /// Appends one row and flushes it to the file.
    pub fn append(&mut self, row: &CurveRow) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        if let Err(e) = w
            .serialize(row)
            .map_err(|e| e.to_string())
            .and_then(|()| w.flush().map_err(|e| e.to_string()))
        {
            self.error = Some(e);
            self.writer = None;
        }
    }

    /// Why the live curve could not be written (the trial's final curve is
    /// written regardless), naming the file.
    pub fn error(&self) -> Option<String> {
        self.error
            .as_ref()
            .map(|e| format!("cannot write the live curve {}: {e}", self.path.display()))
    }
}

/// Suffix of a live curve's file name (`<id>.partial.csv`); trial ids have
/// no `.`, so it never names a finished curve.
const PARTIAL: &str = ".partial.csv";

impl ResultsDir {
    pub fn partial_curve_path(&self, id: &str) -> PathBuf {
        self.root.join("curves").join(format!("{id}{PARTIAL}"))
    }

    /// Starts the live curve of trial `id`, replacing what an earlier,
    /// stopped attempt left.
    pub fn live_curve(&self, id: &str) -> LiveCurve {
        let path = self.partial_curve_path(id);
        let opened = super::ensure_real_dir(&self.root, &self.root.join("curves"))
            .map_err(|e| e.to_string())
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o644)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&path)
                    .map_err(|e| e.to_string())
            });
        match opened {
            Ok(f) => LiveCurve {
                path,
                writer: Some(csv::Writer::from_writer(f)),
                error: None,
            },
            Err(e) => LiveCurve {
                path,
                writer: None,
                error: Some(e),
            },
        }
    }

    /// The last complete row of trial `id`'s live curve, if it has one (a
    /// row being written as this reads is left out).
    pub fn latest_point(&self, id: &str) -> Option<CurveRow> {
        let bytes = super::read_regular(&self.partial_curve_path(id)).ok()?;
        // Only rows that end in a newline are complete.
        let end = bytes.iter().rposition(|&b| b == b'\n')? + 1;
        csv::Reader::from_reader(&bytes[..end])
            .deserialize::<CurveRow>()
            .map_while(Result::ok)
            .last()
    }

    /// Removes trial `id`'s live curve (its final curve is written).
    pub fn remove_partial(&self, id: &str) {
        let _ = std::fs::remove_file(self.partial_curve_path(id));
    }
}

/// Removes the live curves in `curves` that no process writes any more
/// (called by a run holding the directory's exclusive lock).
pub fn remove_stale_partials(curves: &Path) {
    let Ok(entries) = std::fs::read_dir(curves) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().ends_with(PARTIAL) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
