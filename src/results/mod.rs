//! `results`: the results store, below both `run` (which writes it) and
//! `report` (which reads it). It owns the directory format, the records and
//! curves, their provenance, locking, and the one atomic writer.
//!
//! Layout (`runs/<name>-<timestamp>/`):
//! - `run.json` (format marker and the options the run was made with),
//!   `source.reg` and `source.sha256`, `plan.yaml` (the compiled plan),
//! - `trials/<trial-id>.json`: one record per finished trial, with its
//!   provenance and the SHA-256 of its curve,
//! - `curves/<trial-id>.csv`: metrics at every check,
//! - `curves/<trial-id>.partial.csv`: the curve of a trial still running,
//!   appended at every check and removed when the trial's curve and record
//!   are written (see `live`),
//! - `summary.csv`, `summary.md`, `contrasts.csv` (when an experiment has
//!   two arms besides its baseline), `trends.csv` (when an experiment has a
//!   baseline and an axis of two or more values), `along.csv` (when an arm has curves
//!   paired with its baseline's) and `plots/` (written by `report`),
//! - `.lock` (held by the process running trials) and `claims/` (array tasks).
//!
//! A trial is done when its record parses, matches the hash it was sealed
//! with, names the trial's plan entry by hash, and its curve is present with
//! the hash the record gives; anything
//! else is missing or damaged, named by `report` and `status` and re-run by
//! `--resume`.

mod atomic;
mod error;
mod live;
mod lock;
mod plan_diff;
pub mod provenance;
mod record;
pub mod seal;

pub use atomic::{
    ensure_real_dir, remove_stale_temporaries, write_atomic, write_user_file, write_with,
};
pub use error::ResultsError;
pub use live::LiveCurve;
pub use lock::{claim, holder, run_in_progress, Claim, DirLock};
pub use provenance::{plan_hash, Blas, Build, DataFile, DataProvenance, Provenance};
pub use record::{curve_csv, parse_curve, CurveRow, Finals, Status, TrialRecord, MAX_PATH};
use seal::SealState;

use crate::plan::{Plan, Trial};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The format marker of `run.json` (3: every record is sealed, see `seal`).
pub const FORMAT: &str = "regime-results/3";

/// How a run was started, beside its plan (`run.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    #[serde(default)]
    pub format: String,
    /// The `--scale` its plan was compiled with.
    pub scale: f64,
    /// The `--seeds` override it was compiled with, if any.
    #[serde(default)]
    pub seeds: Option<u32>,
    /// The `--set KEY=VALUE` overrides it was compiled with, as given.
    #[serde(default)]
    pub overrides: Vec<String>,
}

impl RunMeta {
    pub fn new(scale: f64, seeds: Option<u32>, overrides: Vec<String>) -> RunMeta {
        RunMeta {
            format: FORMAT.into(),
            scale,
            seeds,
            overrides,
        }
    }
}

/// A results directory.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    pub root: PathBuf,
    /// The lock this process holds on it, if it writes trials.
    lock: Option<Arc<DirLock>>,
    /// Whether its records are sealed (made by a regime that seals them):
    /// then a record without a seal had it removed.
    sealed: bool,
}

/// Whether a directory of `format` seals its records (format 3 on).
fn seals_records(format: &str) -> bool {
    format
        .strip_prefix("regime-results/")
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| v >= 3)
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a file of a results directory. Anything but a regular file at its
/// place is an error, not a wait: opening a fifo blocks until a writer
/// comes, which hung `report` and `status` on a fifo put there.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read(path: &Path) -> Result<Vec<u8>, ResultsError> {
    read_regular(path).map_err(|e| ResultsError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// What the directory holds for one trial of the plan.
#[derive(Debug, Clone, PartialEq)]
pub enum TrialState {
    Done(Box<TrialRecord>),
    Missing,
    /// A record or curve exists but cannot be trusted; why.
    Damaged(String),
}

/// Every trial of a plan, sorted by state.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Complete, verified records, in plan order.
    pub done: Vec<TrialRecord>,
    pub missing: Vec<String>,
    /// Trial id and why it cannot be trusted.
    pub damaged: Vec<(String, String)>,
}

impl Inventory {
    pub fn total(&self) -> usize {
        self.done.len() + self.missing.len() + self.damaged.len()
    }
}

impl ResultsDir {
    /// Creates a fresh directory (new, or existing and empty), locks it, and
    /// stores the source, the plan and how the run was started.
    pub fn create(
        root: PathBuf,
        source: &str,
        plan: &Plan,
        meta: &RunMeta,
    ) -> Result<Self, ResultsError> {
        refuse_existing(&root)?;
        if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| ResultsError::write(parent, e))?;
        }
        match std::fs::create_dir(&root) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(ResultsError::write(&root, e)),
        }
        let lock = lock::lock_dir(&root, true)?;
        // Checked again under the lock: another process may have started
        // into the same empty directory in between.
        refuse_existing(&root)?;
        atomic::remove_stale_temporaries(&root);
        let dir = ResultsDir {
            root,
            lock: Some(Arc::new(lock)),
            sealed: seals_records(&meta.format),
        };
        for sub in ["trials", "curves"] {
            ensure_real_dir(&dir.root, &dir.root.join(sub))?;
        }
        write_atomic(&dir.root.join("source.reg"), source.as_bytes())?;
        write_atomic(
            &dir.root.join("source.sha256"),
            format!("{}\n", plan.source_hash).as_bytes(),
        )?;
        let yaml = crate::plan::to_yaml(plan).map_err(|e| {
            ResultsError::write(&dir.root.join("plan.yaml"), std::io::Error::other(e))
        })?;
        write_atomic(&dir.root.join("plan.yaml"), yaml.as_bytes())?;
        // run.json last: it marks a directory as regime's.
        let meta = serde_json::to_vec_pretty(meta).map_err(|e| {
            ResultsError::write(
                &dir.root.join("run.json"),
                std::io::Error::other(e.to_string()),
            )
        })?;
        write_atomic(&dir.root.join("run.json"), &meta)?;
        Ok(dir)
    }

    /// Opens an existing directory to read it (report, status).
    pub fn open(root: PathBuf) -> Result<Self, ResultsError> {
        for needed in ["plan.yaml", "source.sha256"] {
            if !root.join(needed).exists() {
                return Err(ResultsError::NotResults {
                    dir: root.display().to_string(),
                    missing: needed.into(),
                });
            }
        }
        let mut dir = ResultsDir {
            root,
            lock: None,
            sealed: false,
        };
        dir.sealed = seals_records(&dir.meta().format);
        Ok(dir)
    }

    /// Opens a directory to run its missing trials: locks it exclusively,
    /// checks that `fresh` (the plan compiled now from the source) is the plan
    /// it holds, and clears what killed processes left behind.
    pub fn open_for_resume(root: PathBuf, fresh: &Plan) -> Result<Self, ResultsError> {
        refuse_symlink(&root)?;
        let mut dir = ResultsDir::open(root)?;
        let lock = lock::lock_dir(&dir.root, true)?;
        dir.lock = Some(Arc::new(lock));
        dir.check_hash(&fresh.source_hash)?;
        let stored = dir.plan()?;
        if let Some(detail) = plan_diff::first_difference(&stored, fresh) {
            return Err(ResultsError::PlanMismatch {
                dir: dir.root.display().to_string(),
                detail,
            });
        }
        lock::clear_claims(&dir.root);
        for sub in ["", "trials", "curves", "plots"] {
            remove_stale_temporaries(&dir.root.join(sub));
        }
        live::remove_stale_partials(&dir.root.join("curves"));
        Ok(dir)
    }

    /// Opens a directory as one Slurm array task: a shared lock (other tasks
    /// run beside it; a local run cannot start meanwhile).
    pub fn open_for_task(root: PathBuf) -> Result<Self, ResultsError> {
        refuse_symlink(&root)?;
        let mut dir = ResultsDir::open(root)?;
        dir.lock = Some(Arc::new(lock::lock_dir(&dir.root, false)?));
        Ok(dir)
    }

    /// True when this process holds the directory's lock (it may write trials).
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }

    pub fn source_hash(&self) -> Result<String, ResultsError> {
        Ok(
            String::from_utf8_lossy(&read(&self.root.join("source.sha256"))?)
                .trim()
                .to_string(),
        )
    }

    /// Refuses to resume from a directory made from another source.
    pub fn check_hash(&self, expected: &str) -> Result<(), ResultsError> {
        let found = self.source_hash()?;
        if found != expected {
            return Err(ResultsError::HashMismatch {
                dir: self.root.display().to_string(),
                found,
                expected: expected.into(),
            });
        }
        Ok(())
    }

    /// How the run was started; a directory without `run.json` ran at scale 1.
    pub fn meta(&self) -> RunMeta {
        read_regular(&self.root.join("run.json"))
            .ok()
            .and_then(|t| serde_json::from_slice(&t).ok())
            .unwrap_or(RunMeta {
                format: String::new(),
                scale: 1.0,
                seeds: None,
                overrides: vec![],
            })
    }

    pub fn plan(&self) -> Result<Plan, ResultsError> {
        let path = self.root.join("plan.yaml");
        let text = String::from_utf8_lossy(&read(&path)?).into_owned();
        crate::plan::from_yaml(&text).map_err(|message| ResultsError::Read {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn trial_path(&self, id: &str) -> PathBuf {
        self.root.join("trials").join(format!("{id}.json"))
    }

    pub fn curve_path(&self, id: &str) -> PathBuf {
        self.root.join("curves").join(format!("{id}.csv"))
    }

    /// Writes the curve, then the record with the curve's hash: a record on
    /// disk means the trial is complete. Then the trial's live curve goes.
    /// Returns the record as written.
    pub fn write_trial(
        &self,
        mut rec: TrialRecord,
        curve: &[CurveRow],
    ) -> Result<TrialRecord, ResultsError> {
        let curve_path = self.curve_path(&rec.key.id);
        let bytes = curve_csv(curve)
            .map_err(|e| ResultsError::write(&curve_path, std::io::Error::other(e)))?;
        rec.curve_sha256 = sha256_hex(&bytes);
        let trial_path = self.trial_path(&rec.key.id);
        rec.seal()
            .map_err(|e| ResultsError::write(&trial_path, std::io::Error::other(e)))?;
        ensure_real_dir(&self.root, &self.root.join("curves"))?;
        ensure_real_dir(&self.root, &self.root.join("trials"))?;
        write_atomic(&curve_path, &bytes)?;
        let json = serde_json::to_vec_pretty(&rec)
            .map_err(|e| ResultsError::write(&trial_path, std::io::Error::other(e.to_string())))?;
        write_atomic(&trial_path, &json)?;
        self.remove_partial(&rec.key.id);
        Ok(rec)
    }

    /// What the directory holds for `trial`, verified (see the module doc).
    pub fn trial_state(&self, trial: &Trial) -> TrialState {
        let path = self.trial_path(&trial.key.id);
        let bytes = match read_regular(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return TrialState::Missing,
            Err(e) => return TrialState::Damaged(format!("record unreadable: {e}")),
        };
        let mut rec: TrialRecord = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => {
                return TrialState::Damaged(format!(
                    "record unreadable or written by an older regime: {e}"
                ))
            }
        };
        match seal::state(&bytes) {
            SealState::Broken => {
                return TrialState::Damaged(
                    "record edited (its content differs from the hash it was sealed with)".into(),
                )
            }
            SealState::Absent if self.sealed => {
                return TrialState::Damaged(
                    "record's seal removed (this directory's records are all sealed)".into(),
                )
            }
            SealState::Holds | SealState::Absent => {}
        }
        if rec.key.id != trial.key.id || rec.provenance.plan_hash != plan_hash(trial) {
            return TrialState::Damaged("record made from another plan entry".into());
        }
        // Records written before the key was shared with the plan carry no
        // `split` (read as 0): the plan entry the hash ties them to says it.
        rec.key.split = trial.key.split;
        if rec.key != trial.key {
            return TrialState::Damaged("record's key differs from its plan entry".into());
        }
        match read_regular(&self.curve_path(&trial.key.id)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                TrialState::Damaged("curve missing".into())
            }
            Err(e) => TrialState::Damaged(format!("curve unreadable: {e}")),
            Ok(c) if sha256_hex(&c) != rec.curve_sha256 => TrialState::Damaged(
                "curve changed or truncated (hash differs from the record's)".into(),
            ),
            Ok(_) => TrialState::Done(Box::new(rec)),
        }
    }

    /// True when `trial` has a complete, verified record.
    pub fn is_done(&self, trial: &Trial) -> bool {
        matches!(self.trial_state(trial), TrialState::Done(_))
    }

    /// Gives up this process's lock (e.g. before Slurm tasks start).
    pub fn release_lock(&mut self) {
        self.lock = None;
    }

    /// Every trial of `plan`, verified and sorted by state.
    pub fn inventory(&self, plan: &Plan) -> Inventory {
        let mut inv = Inventory::default();
        for t in plan.experiments.iter().flat_map(|e| &e.trials) {
            match self.trial_state(t) {
                TrialState::Done(r) => inv.done.push(*r),
                TrialState::Missing => inv.missing.push(t.key.id.clone()),
                TrialState::Damaged(why) => inv.damaged.push((t.key.id.clone(), why)),
            }
        }
        inv
    }

    pub fn read_curve(&self, id: &str) -> Result<Vec<CurveRow>, ResultsError> {
        let path = self.curve_path(id);
        parse_curve(&read(&path)?).map_err(|message| ResultsError::Read {
            path: path.display().to_string(),
            message,
        })
    }
}

fn refuse_symlink(root: &Path) -> Result<(), ResultsError> {
    match std::fs::symlink_metadata(root) {
        Ok(m) if m.file_type().is_symlink() => Err(ResultsError::Symlink {
            path: root.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// A new run may only go into a new or empty directory.
fn refuse_existing(root: &Path) -> Result<(), ResultsError> {
    refuse_symlink(root)?;
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(());
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    if names.is_empty() || abandoned_start(root, &names) {
        return Ok(());
    }
    let ours = names.iter().any(|n| n == "run.json" || n == "plan.yaml");
    let dir = root.display().to_string();
    Err(if ours {
        ResultsError::Exists { dir }
    } else {
        ResultsError::NotOurs { dir }
    })
}

/// What a run killed while creating its directory leaves: the files written
/// before `run.json` (which is written last), empty `trials/` and `curves/`,
/// and temporaries. No trial ran, so starting afresh into it loses nothing
/// and reuses nothing; refusing would leave a directory no command accepts.
fn abandoned_start(root: &Path, names: &[String]) -> bool {
    let empty = |sub: &str| std::fs::read_dir(root.join(sub)).is_ok_and(|mut d| d.next().is_none());
    names.iter().all(|n| match n.as_str() {
        "source.reg" | "source.sha256" | "plan.yaml" => true,
        "trials" | "curves" => empty(n),
        _ => n.starts_with('.') && n.contains(".tmp-"),
    })
}

#[cfg(test)]
mod tests;
