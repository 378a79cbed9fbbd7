//! Export to TensorBoard: one run (subdirectory named by the trial id) per
//! finished trial, each with one event file of scalars at every check.
//! `tensorboard --logdir OUT` shows them; its run filter selects arms and
//! cells by id (`pull_down`, `-c003-`).

use super::{event, ExportError};
use crate::results::{ensure_real_dir, write_atomic, ResultsDir, ResultsError};
use std::path::{Path, PathBuf};

/// The event file of every run. TensorBoard reads any file whose name holds
/// `tfevents`; a fixed name makes a second export replace the first.
pub const FILE_NAME: &str = "events.out.tfevents.regime";

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    pub runs: usize,
}

/// The default place: `tensorboard/` inside the results directory.
pub fn default_out(results: &ResultsDir) -> PathBuf {
    results.root.join("tensorboard")
}

/// Writes the event files of every finished trial of `results` under `out`.
pub fn export(results: &ResultsDir, out: &Path) -> Result<Written, ExportError> {
    let (_, trials) = super::trials(results)?;
    std::fs::create_dir_all(out).map_err(|e| ResultsError::write(out, e))?;
    ensure_real_dir(out, out)?;
    for t in &trials {
        let dir = out.join(&t.record.key.id);
        ensure_real_dir(out, &dir)?;
        let events: Vec<event::Event> = t
            .points()
            .iter()
            .filter(|p| !p.values.is_empty())
            .map(|p| event::scalars(p.wall_time, p.step as i64, &p.values))
            .collect();
        write_atomic(&dir.join(FILE_NAME), &event::file(t.start, &events))?;
    }
    Ok(Written {
        dir: out.to_path_buf(),
        runs: trials.len(),
    })
}
