//! The results directory of a run, and the records written into it.
//!
//! Layout (`runs/<name>-<timestamp>/`):
//! - `source.reg` (the checked source) and `source.sha256`,
//! - `plan.yaml` (the compiled plan, the same `regime plan` prints),
//! - `trials/<trial-id>.json`: one record per finished trial,
//! - `curves/<trial-id>.csv`: metrics at every check,
//! - `summary.csv`, `summary.md` and `plots/` (written by `report`).
//!
//! Every file is written atomically (a temporary file in the same directory,
//! then a rename), so a killed run leaves either a whole record or none, and
//! `--resume` can trust what it finds.

use crate::plan::{AxisValue, GridPoint, Plan};
use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ResultsError {
    #[error("cannot write {path}: {source}")]
    #[diagnostic(
        code(regime::results_io),
        help("check that the directory exists, is writable and that the disk is not full")
    )]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {message}")]
    #[diagnostic(
        code(regime::results_read),
        help("the results directory may be damaged; a trial whose record is unreadable can be deleted and re-run with --resume")
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
}

/// How a trial ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Status {
    /// Trained its whole budget.
    Ok,
    /// A policy's `stop` ended it early.
    Stopped { rule: String },
    /// The loss became NaN/Inf or exploded.
    Diverged { message: String },
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Stopped { .. } => "stopped",
            Status::Diverged { .. } => "diverged",
        }
    }
}

/// Final metrics of a trial.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Finals {
    pub train_acc: f64,
    pub train_loss: f64,
    pub val_acc: f64,
    pub val_loss: f64,
    pub test_acc: f64,
    pub test_loss: f64,
}

impl Finals {
    pub fn get(&self, m: crate::plan::Metric) -> Option<f64> {
        use crate::plan::Metric::*;
        Some(match m {
            TrainAcc => self.train_acc,
            TrainLoss => self.train_loss,
            ValAcc => self.val_acc,
            ValLoss => self.val_loss,
            TestAcc => self.test_acc,
            TestLoss => self.test_loss,
            _ => return None,
        })
    }
}

/// `trials/<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    pub id: String,
    pub experiment: String,
    pub arm: String,
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    pub seed_index: u32,
    pub seed: u64,
    pub grid: Option<GridPoint>,
    #[serde(flatten)]
    pub status: Status,
    /// Iterations actually trained, and the budget.
    pub iters: u64,
    pub budget: u64,
    /// Final metrics; absent for a diverged trial.
    pub finals: Option<Finals>,
    pub final_lambda: f64,
    pub wall_seconds: f64,
    /// Iteration and text of every policy rule that fired.
    pub fired: Vec<(u64, String)>,
    /// (iteration, λ) at every change of λ, so the trajectory can be drawn
    /// exactly (thinned to at most `MAX_PATH` points for smooth schedules).
    #[serde(default)]
    pub lambda_path: Vec<(u64, f64)>,
    /// Which data files were used.
    pub data_origin: String,
    /// The `--scale` the run was made with.
    pub scale: f64,
}

/// Most points kept of a trial's λ trajectory.
pub const MAX_PATH: usize = 1000;

/// One row of `curves/<id>.csv`: metrics measured at a check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    pub iter: u64,
    pub epoch: f64,
    pub lambda: f64,
    pub lr: f64,
    pub train_acc: f64,
    pub train_loss: f64,
    pub val_acc: f64,
    pub val_loss: f64,
    pub data_loss: f64,
    pub reg_loss: f64,
    pub sparsity: f64,
    pub weight_norm: f64,
}

/// How a run was started, beside its plan (`run.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The `--scale` its plan was compiled with.
    pub scale: f64,
}

/// A results directory.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    pub root: PathBuf,
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    let err = |source| ResultsError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

fn read(path: &Path) -> Result<String, ResultsError> {
    std::fs::read_to_string(path).map_err(|e| ResultsError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

impl ResultsDir {
    /// Creates a fresh directory and stores the source and the plan in it.
    pub fn create(
        root: PathBuf,
        source: &str,
        plan: &Plan,
        meta: &RunMeta,
    ) -> Result<Self, ResultsError> {
        let dir = ResultsDir { root };
        for sub in ["trials", "curves"] {
            std::fs::create_dir_all(dir.root.join(sub)).map_err(|source| ResultsError::Write {
                path: dir.root.join(sub).display().to_string(),
                source,
            })?;
        }
        write_atomic(&dir.root.join("source.reg"), source.as_bytes())?;
        write_atomic(
            &dir.root.join("source.sha256"),
            format!("{}\n", plan.source_hash).as_bytes(),
        )?;
        let yaml = crate::plan::to_yaml(plan).map_err(|e| ResultsError::Write {
            path: dir.root.join("plan.yaml").display().to_string(),
            source: std::io::Error::other(e),
        })?;
        write_atomic(&dir.root.join("plan.yaml"), yaml.as_bytes())?;
        let meta = serde_json::to_vec_pretty(meta).map_err(|e| ResultsError::Write {
            path: dir.root.join("run.json").display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomic(&dir.root.join("run.json"), &meta)?;
        Ok(dir)
    }

    /// Opens an existing directory, checking that it is one.
    pub fn open(root: PathBuf) -> Result<Self, ResultsError> {
        for needed in ["plan.yaml", "source.sha256"] {
            if !root.join(needed).exists() {
                return Err(ResultsError::NotResults {
                    dir: root.display().to_string(),
                    missing: needed.into(),
                });
            }
        }
        Ok(ResultsDir { root })
    }

    pub fn source_hash(&self) -> Result<String, ResultsError> {
        Ok(read(&self.root.join("source.sha256"))?.trim().to_string())
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
        std::fs::read_to_string(self.root.join("run.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(RunMeta { scale: 1.0 })
    }

    pub fn plan(&self) -> Result<Plan, ResultsError> {
        let path = self.root.join("plan.yaml");
        crate::plan::from_yaml(&read(&path)?).map_err(|message| ResultsError::Read {
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

    pub fn has_trial(&self, id: &str) -> bool {
        self.trial_path(id).exists()
    }

    /// Writes the curve first, then the record: a record on disk means the
    /// trial is complete.
    pub fn write_trial(&self, rec: &TrialRecord, curve: &[CurveRow]) -> Result<(), ResultsError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for row in curve {
            w.serialize(row).map_err(|e| ResultsError::Write {
                path: self.curve_path(&rec.id).display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        let bytes = w.into_inner().map_err(|e| ResultsError::Write {
            path: self.curve_path(&rec.id).display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomic(&self.curve_path(&rec.id), &bytes)?;
        let json = serde_json::to_vec_pretty(rec).map_err(|e| ResultsError::Write {
            path: self.trial_path(&rec.id).display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomic(&self.trial_path(&rec.id), &json)
    }

    pub fn read_trial(&self, id: &str) -> Result<TrialRecord, ResultsError> {
        let path = self.trial_path(id);
        serde_json::from_str(&read(&path)?).map_err(|e| ResultsError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    pub fn read_curve(&self, id: &str) -> Result<Vec<CurveRow>, ResultsError> {
        let path = self.curve_path(id);
        let text = read(&path)?;
        csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .collect::<Result<Vec<CurveRow>, _>>()
            .map_err(|e| ResultsError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })
    }

    /// Every trial record present, in plan order.
    pub fn read_all(&self, plan: &Plan) -> Result<Vec<TrialRecord>, ResultsError> {
        plan.experiments
            .iter()
            .flat_map(|e| &e.trials)
            .filter(|t| self.has_trial(&t.id))
            .map(|t| self.read_trial(&t.id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> TrialRecord {
        TrialRecord {
            id: id.into(),
            experiment: "e".into(),
            arm: "a".into(),
            cell: 0,
            vary: BTreeMap::from([("hidden".to_string(), AxisValue::Int(50))]),
            seed_index: 0,
            seed: 7,
            grid: Some(GridPoint {
                index: 1,
                value: 2.0,
            }),
            status: Status::Stopped {
                rule: "when x: stop".into(),
            },
            iters: 10,
            budget: 20,
            finals: Some(Finals {
                train_acc: 0.9,
                train_loss: 0.3,
                val_acc: 0.8,
                val_loss: 0.5,
                test_acc: 0.79,
                test_loss: 0.55,
            }),
            final_lambda: 1.5,
            wall_seconds: 0.25,
            fired: vec![(5, "when x: stop".into())],
            lambda_path: vec![(0, 1.0), (5, 1.5)],
            data_origin: "synthetic".into(),
            scale: 1.0,
        }
    }

    #[test]
    fn trial_and_curve_round_trip_and_leave_no_temporaries() {
        let tmp = tempfile::tempdir().unwrap();
        let plan = Plan {
            source: "x.reg".into(),
            source_hash: sha256_hex(b"x"),
            experiments: vec![],
        };
        let dir =
            ResultsDir::create(tmp.path().join("r"), "x", &plan, &RunMeta { scale: 0.5 }).unwrap();
        assert_eq!(dir.meta().scale, 0.5);
        let rec = record("e-c000-a-s0");
        let curve = vec![CurveRow {
            iter: 0,
            epoch: 0.0,
            lambda: 1.0,
            lr: 0.1,
            train_acc: 0.1,
            train_loss: 2.3,
            val_acc: 0.1,
            val_loss: 2.3,
            data_loss: 2.3,
            reg_loss: 0.0,
            sparsity: 0.0,
            weight_norm: 1.0,
        }];
        dir.write_trial(&rec, &curve).unwrap();
        assert_eq!(dir.read_trial(&rec.id).unwrap(), rec);
        assert_eq!(dir.read_curve(&rec.id).unwrap(), curve);
        let again = ResultsDir::open(dir.root.clone()).unwrap();
        assert_eq!(again.plan().unwrap(), plan);
        again.check_hash(&plan.source_hash).unwrap();
        assert!(matches!(
            again.check_hash("other"),
            Err(ResultsError::HashMismatch { .. })
        ));
        let leftovers: Vec<_> = std::fs::read_dir(dir.root.join("trials"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn opening_a_plain_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            ResultsDir::open(tmp.path().to_path_buf()),
            Err(ResultsError::NotResults { .. })
        ));
    }
}
