//! `regime export DIR --to tensorboard|mlflow`: the finished trials of a
//! results directory in the tools people already open (docs/interop.md).
//! Both targets get the same scalars under the names of `curves.csv`'s
//! columns, at the iteration of each check, plus the final test metrics at
//! the last iteration.
//!
//! Wall times: a curve records iterations, not times, so each check's time
//! is estimated as the trial's start (its record's modification time minus
//! its wall time) plus the share of the wall time its iteration is.

mod error;
pub mod event;
pub mod mlflow;
pub mod tensorboard;

pub use error::ExportError;

use crate::plan::{Plan, Trial};
use crate::results::{CurveRow, ResultsDir, ResultsError, TrialRecord};

/// Where to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    TensorBoard,
    MlFlow,
}

/// The names `--to` accepts.
pub const TARGETS: [&str; 2] = ["tensorboard", "mlflow"];

impl Target {
    /// `--to NAME`, with the closest name suggested for a misspelling.
    pub fn parse(name: &str) -> Result<Target, ExportError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "tensorboard" => Ok(Target::TensorBoard),
            "mlflow" => Ok(Target::MlFlow),
            other => {
                let close = TARGETS
                    .iter()
                    .map(|t| (strsim::jaro_winkler(t, other), t))
                    .filter(|(s, _)| *s > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                let help = match close {
                    Some((_, t)) => format!("did you mean `--to {t}`?"),
                    None => format!("export targets: {}", TARGETS.join(", ")),
                };
                Err(ExportError::Target {
                    message: format!("unknown export target `{name}`"),
                    help,
                })
            }
        }
    }
}

/// How a scalar is read from a curve row.
pub type Read = fn(&CurveRow) -> f64;

/// The scalar names, as in `curves.csv`, with how each is read from a row.
pub const SCALARS: [(&str, Read); 11] = [
    ("train_acc", |r| r.train_acc),
    ("val_acc", |r| r.val_acc),
    ("gap", |r| r.train_acc - r.val_acc),
    ("train_loss", |r| r.train_loss),
    ("val_loss", |r| r.val_loss),
    ("data_loss", |r| r.data_loss),
    ("reg_loss", |r| r.reg_loss),
    ("weight_norm", |r| r.weight_norm),
    ("sparsity", |r| r.sparsity),
    ("lambda", |r| r.lambda),
    ("lr", |r| r.lr),
];

/// The scalars at one step; values that do not exist (NaN) are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub step: u64,
    /// Seconds since the Unix epoch (estimated, see the module doc).
    pub wall_time: f64,
    pub values: Vec<(&'static str, f64)>,
}

/// One finished trial with what an export needs.
#[derive(Debug, Clone)]
pub struct TrialExport {
    pub trial: Trial,
    pub record: TrialRecord,
    pub curve: Vec<CurveRow>,
    /// Estimated start, seconds since the Unix epoch.
    pub start: f64,
}

impl TrialExport {
    /// Every check's scalars, then the final test metrics at the last
    /// iteration (absent for a diverged trial).
    pub fn points(&self) -> Vec<Point> {
        let iters = self.record.iters.max(1) as f64;
        let at = |step: u64| self.start + self.record.wall_seconds * (step as f64 / iters).min(1.0);
        let mut out: Vec<Point> = self
            .curve
            .iter()
            .map(|row| Point {
                step: row.iter,
                wall_time: at(row.iter),
                values: SCALARS
                    .iter()
                    .map(|(name, get)| (*name, get(row)))
                    .filter(|(_, v)| v.is_finite())
                    .collect(),
            })
            .collect();
        if let Some(f) = self.record.finals {
            let values: Vec<(&'static str, f64)> =
                [("test_acc", f.test_acc), ("test_loss", f.test_loss)]
                    .into_iter()
                    .filter(|(_, v)| v.is_finite())
                    .collect();
            out.push(Point {
                step: self.record.iters,
                wall_time: at(self.record.iters),
                values,
            });
        }
        out
    }
}

/// Seconds since the Unix epoch of a file's modification.
fn modified(path: &std::path::Path) -> Option<f64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64())
}

/// The finished, verified trials of a results directory, in plan order.
pub fn trials(results: &ResultsDir) -> Result<(Plan, Vec<TrialExport>), ResultsError> {
    let plan = results.plan()?;
    let done = results.inventory(&plan).done;
    let mut out = Vec::new();
    for trial in plan.experiments.iter().flat_map(|e| &e.trials) {
        let Some(record) = done.iter().find(|r| r.key.id == trial.key.id) else {
            continue;
        };
        let end = modified(&results.trial_path(&trial.key.id)).unwrap_or(0.0);
        out.push(TrialExport {
            trial: trial.clone(),
            record: record.clone(),
            curve: results.read_curve(&trial.key.id)?,
            start: (end - record.wall_seconds).max(0.0),
        });
    }
    Ok((plan, out))
}
