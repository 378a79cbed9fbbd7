//! The records a results directory holds: `trials/<id>.json` (how a trial
//! ended, its final metrics, its λ path and its provenance) and
//! `curves/<id>.csv` (metrics at every check), tied together by the curve's
//! SHA-256 in the record. A record is sealed with the SHA-256 of its own
//! content, so an edited number makes it damaged instead of a result.

use super::provenance::Provenance;
use crate::plan::TrialKey;
use serde::{Deserialize, Serialize};

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
    /// The plan entry's key: which trial this records.
    #[serde(flatten)]
    pub key: TrialKey,
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
    /// Which data files were used (a readable summary; the files' hashes
    /// are in `provenance.data`).
    pub data_origin: String,
    /// The `--scale` the run was made with.
    pub scale: f64,
    /// SHA-256 of `curves/<id>.csv`: a record and its curve are one unit.
    pub curve_sha256: String,
    pub provenance: Provenance,
    /// SHA-256 of the rest of the record (see `results::seal`). Absent in
    /// records written before records were sealed: read in directories of
    /// that time, with a warning from `report`; damaged in newer ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_sha256: Option<String>,
}

impl TrialRecord {
    /// The parts that must be bit-identical whatever the thread count, job
    /// count or interruption: everything but the wall time and the thread
    /// count in the provenance.
    pub fn deterministic_part(&self) -> TrialRecord {
        let mut r = self.clone();
        r.wall_seconds = 0.0;
        r.provenance.blas.threads = 0;
        // The seal covers the wall time, so it differs from run to run too.
        r.record_sha256 = None;
        r
    }

    /// Seals the record: the hash of its JSON (see `seal`).
    pub fn seal(&mut self) -> Result<(), String> {
        let json = serde_json::to_value(&*self).map_err(|e| e.to_string())?;
        self.record_sha256 = Some(super::seal::seal_of(&json));
        Ok(())
    }
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

/// A curve as CSV bytes.
pub fn curve_csv(curve: &[CurveRow]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in curve {
        w.serialize(row).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A curve from CSV bytes.
pub fn parse_curve(bytes: &[u8]) -> Result<Vec<CurveRow>, String> {
    csv::Reader::from_reader(bytes)
        .deserialize()
        .collect::<Result<Vec<CurveRow>, _>>()
        .map_err(|e| e.to_string())
}
