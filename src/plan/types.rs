//! The compiled plan: every trial of every experiment, fully resolved.
//!
//! This is the contract between the front half (`syntax` → `check` → `plan`)
//! and the back half (`run`, `engine`, `data`). Everything here is plain data,
//! serializable with serde (exported as YAML by `regime plan`), with no spans
//! and no references to the source: a results directory stores it and a Slurm
//! task can rebuild any trial from it alone.

use super::{DataSpec, LambdaSpec, Metric, NetworkSpec, OptimizerSpec, PenaltySpec, Sampling};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole file compiled: the experiments it defines, in source order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Path of the source file as given on the command line.
    pub source: String,
    /// Hex SHA-256 of the source text (and of every file it imports, in import order).
    pub source_hash: String,
    /// The `--set KEY=VALUE` overrides it was compiled with, as given
    /// (left out of the serialized plan when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub experiments: Vec<ExperimentPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentPlan {
    pub name: String,
    pub data: DataSpec,
    /// The `vary` axes in source order: name and the values it takes.
    pub axes: Vec<Axis>,
    /// Arm names in source order.
    pub arms: Vec<ArmInfo>,
    pub seeds: u32,
    /// Independent data splits (validation set, training subset, and the
    /// generator of `synthetic` data), crossed with the seeds. 1 by default,
    /// and then left out of the serialized plan.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub splits: u32,
    /// Metric the experiment reports (e.g. `test_acc`).
    pub measure: Metric,
    /// The declared time-to-accuracy target (`target: val_acc >= 0.85`);
    /// None: the baseline's smoothed final validation accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSpec>,
    /// Checks the validation curve is averaged over before the target is
    /// sought (`smooth: 3`); None: [`DEFAULT_SMOOTH`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smooth: Option<u32>,
    /// Every trial: cells (cartesian product of axes) × arms × splits × seeds × grid values.
    pub trials: Vec<Trial>,
}

/// Checks a curve is smoothed over when the experiment does not say.
pub const DEFAULT_SMOOTH: u32 = 3;

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A time-to-accuracy target: `metric >= value` (or `<=` for a loss).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub metric: Metric,
    /// True for `>=`, false for `<=`.
    pub at_least: bool,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub name: String,
    pub values: Vec<AxisValue>,
}

/// A value a `vary` axis takes, kept printable for tables and plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    Int(i64),
    Float(f64),
    Duration(Duration),
    Text(String),
}

impl AxisValue {
    /// The value as written in a table or plot label (`50`, `0.5`,
    /// `250 iters`).
    pub fn label(&self) -> String {
        match self {
            AxisValue::Int(i) => i.to_string(),
            AxisValue::Float(f) => format!("{f}"),
            AxisValue::Duration(Duration::Iters(n)) => format!("{n} iters"),
            AxisValue::Duration(Duration::Epochs(e)) => format!("{e} epochs"),
            AxisValue::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmInfo {
    pub name: String,
    /// True for a `grid([...])` arm: an equal-budget baseline whose best value
    /// (on validation accuracy) is reported.
    pub is_grid: bool,
}

/// One training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// Which trial this is; its fields come first in the serialized entry.
    #[serde(flatten)]
    pub key: TrialKey,
    pub network: NetworkSpec,
    pub optimizer: OptimizerSpec,
    pub penalty: PenaltySpec,
    pub batch: usize,
    pub sampling: Sampling,
    /// Iterations this trial trains (equal for every arm of a cell when the
    /// experiment compares at equal budget).
    pub iters: u64,
    /// Iterations in one epoch (training set size / batch, rounded up).
    pub iters_per_epoch: u64,
    pub lambda: LambdaSpec,
    /// How often metrics are measured and written to the curve.
    pub checks_every: Duration,
    pub estimate: Estimate,
}

/// What identifies a trial and places it in its experiment. A plan entry
/// (`Trial`) and a trial's record (`results::TrialRecord`) both start with
/// it (`#[serde(flatten)]`), so the two cannot drift apart; flattening keeps
/// the serialized fields, their order, and so plan hashes, as they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialKey {
    /// Stable, file-name safe id, e.g. `fig1-c003-pull_down-s1` or `fig1-c003-best_fixed-s1-g2`;
    /// with several splits the split comes before the seed: `fig1-c003-pull_down-p2-s1`.
    pub id: String,
    pub experiment: String,
    pub arm: String,
    /// Index of the cell (position in the cartesian product of the axes).
    pub cell: usize,
    /// The axis values of that cell, by axis name.
    pub vary: BTreeMap<String, AxisValue>,
    /// Seed index (0-based) and the derived seed. Every arm of a cell shares it,
    /// so arms see the same initialisation and batch order.
    pub seed_index: u32,
    /// Written as a string in JSON when above 2^53 (`plan::to_json`).
    #[serde(deserialize_with = "super::json::u64_or_string")]
    pub seed: u64,
    /// Data split index (0-based); 0, and left out when serialized, when the
    /// experiment has one split. Records written before the key was shared
    /// lack it (see `results::ResultsDir::trial_state`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub split: u32,
    /// For a grid arm: the index and value of the constant λ this trial trains.
    pub grid: Option<GridPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridPoint {
    pub index: usize,
    pub value: f64,
}

/// Cost estimate of a trial, from shapes alone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub parameters: u64,
    /// GEMM FLOPs of one training example, forward and backward.
    pub flops_per_example: f64,
    /// Total FLOPs of the trial (flops_per_example × batch × iters).
    pub total_flops: f64,
    /// Bytes of parameters, gradients, optimizer state and activations of one batch.
    pub memory_bytes: u64,
}

// ---------------------------------------------------------------- durations

/// A span of training time. Epochs may be fractional (`0.5 epochs`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duration {
    Iters(u64),
    Epochs(f64),
}

impl Duration {
    /// Length in iterations, given the epoch length; at least 1.
    pub fn to_iters(self, iters_per_epoch: u64) -> u64 {
        match self {
            Duration::Iters(n) => n.max(1),
            Duration::Epochs(e) => ((e * iters_per_epoch as f64).round() as u64).max(1),
        }
    }
}
