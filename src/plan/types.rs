//! The compiled plan: every trial of every experiment, fully resolved.
//!
//! This is the contract between the front half (`syntax` → `check` → `plan`)
//! and the back half (`run`, `engine`, `data`). Everything here is plain data,
//! serializable with serde (exported as YAML by `regime plan`), with no spans
//! and no references to the source: a results directory stores it and a Slurm
//! task can rebuild any trial from it alone.

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

// ---------------------------------------------------------------- data

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSpec {
    /// Name of the `data` definition in the source.
    pub name: String,
    pub source: DataSource,
    /// Images held out of the training set for validation.
    pub val: usize,
    /// Use only this many training images (after the validation split).
    pub subset: Option<usize>,
    pub normalize: Normalize,
    /// Shape of one input: channels, height, width.
    pub input: Shape,
    pub classes: usize,
    /// Training examples after split and subset (what an epoch walks through).
    pub train_size: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Fashion-MNIST: explicit path, else `$REGIME_DATA`, else the Debian
    /// package's directory, else the bundled sample.
    FashionMnist {
        path: Option<String>,
    },
    Mnist {
        path: String,
    },
    Cifar10 {
        path: String,
    },
    /// Gaussian inputs labelled by a fixed random linear map (learnable).
    Synthetic {
        train: usize,
        test: usize,
        dim: usize,
        classes: usize,
        #[serde(deserialize_with = "super::json::u64_or_string")]
        seed: u64,
    },
    /// numpy arrays: members of an `.npz` archive, or `NAME.npy` files in a
    /// directory. Sizes and classes were read from the files at check time.
    Npz {
        path: String,
        x: String,
        y: String,
        test_x: String,
        test_y: String,
        /// Test examples (rows of `test_x`).
        test_size: usize,
    },
    /// A CSV with a header; `label` names the label column, every other
    /// column is a feature. The test examples are a second CSV, `test_path`,
    /// with the same header.
    Csv {
        path: String,
        label: String,
        test_path: String,
        /// Test examples (rows of `test_path`).
        test_size: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    /// Raw pixel values 0–255.
    None,
    /// Pixels scaled to [0, 1].
    Unit,
    /// Pixels scaled to [0, 1], mean training image subtracted.
    MeanImage,
    /// Raw pixels 0–255 minus the mean training image (the paper's cs231n code).
    RawMeanImage,
    /// Per-channel standardisation to zero mean and unit variance.
    Standardize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Shape {
    pub fn size(&self) -> usize {
        self.channels * self.height * self.width
    }
}

/// How minibatches are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// A fresh permutation every epoch (the default).
    Shuffle,
    /// Independent draws with replacement (the cs231n code the paper used).
    Replacement,
}

// ---------------------------------------------------------------- network

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkSpec {
    /// Name of the `network` definition and its arguments, for display.
    pub name: String,
    pub input: Shape,
    pub layers: Vec<ResolvedLayer>,
    pub init: Init,
    pub parameters: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedLayer {
    pub layer: Layer,
    /// Shape of what enters the layer; a dense layer flattens it.
    pub input: Shape,
    pub output: Shape,
    pub parameters: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Dense {
        units: usize,
    },
    Relu,
    Conv {
        filters: usize,
        size: usize,
        stride: usize,
        pad: usize,
    },
    Maxpool {
        size: usize,
    },
    Dropout {
        p: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    He,
    Xavier,
    Normal { std: f64 },
}

// ---------------------------------------------------------------- optimizer & penalty

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerSpec {
    Sgd {
        lr: f64,
        momentum: f64,
        nesterov: bool,
        decay: Option<Decay>,
    },
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
        decay: Option<Decay>,
    },
}

impl OptimizerSpec {
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerSpec::Sgd { lr, .. } | OptimizerSpec::Adam { lr, .. } => *lr,
        }
    }
    pub fn decay(&self) -> Option<Decay> {
        match self {
            OptimizerSpec::Sgd { decay, .. } | OptimizerSpec::Adam { decay, .. } => *decay,
        }
    }
}

/// Learning-rate decay: multiply by `factor` after every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Decay {
    pub factor: f64,
    pub every: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PenaltySpec {
    pub kind: PenaltyKind,
    /// Penalise biases too (`on: all`); by default weights only.
    pub on_all: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    None,
    /// λ·Σw² (the paper's convention, no ½).
    L2,
    /// λ·Σ|w|; `proximal` applies soft-thresholding after the step (exact zeros).
    L1 {
        proximal: bool,
    },
    /// λ·Σ(w² + ε²)^(p/2), 0 < p < 2 (p = 0.5 is the paper's L½).
    Lp {
        p: f64,
        eps: f64,
    },
    /// λ·(a·Σ|w| + b·Σw²).
    Elastic {
        l1: f64,
        l2: f64,
    },
}

// ---------------------------------------------------------------- λ over time

/// How λ evolves during a trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LambdaSpec {
    Constant(f64),
    Schedule(Schedule),
    /// A feedback policy starting from `from`.
    Policy {
        policy: Policy,
        from: f64,
    },
    /// A schedule multiplied by the running factor of a policy (the policy's
    /// actions act on the factor, starting at 1; clamps bound the product).
    Adjusted {
        schedule: Schedule,
        policy: Policy,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Constant {
        value: f64,
    },
    /// `values[k]` for iterations [k·each, (k+1)·each); the last value holds after.
    Steps {
        values: Vec<f64>,
        each: Duration,
    },
    Linear {
        from: f64,
        to: f64,
        over: Duration,
    },
    /// `from · rate^(t / every)`, stepwise.
    Exponential {
        from: f64,
        rate: f64,
        every: Duration,
    },
    Cosine {
        from: f64,
        to: f64,
        over: Duration,
    },
    /// The inner schedule played backwards over its own length.
    Reverse {
        inner: Box<Schedule>,
    },
    /// `first` for its length, then `second` (time restarts at 0).
    Then {
        first: Box<Schedule>,
        second: Box<Schedule>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Definition name and arguments, for display.
    pub name: String,
    pub every: Duration,
    /// Checked in order at every check; the first whose condition holds applies.
    pub rules: Vec<Rule>,
    pub clamp_lambda: Option<(f64, f64)>,
    pub clamp_lr: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub when: Expr,
    pub actions: Vec<Action>,
    /// The rule as written, for logs and results.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Set {
        target: Target,
        op: AssignOp,
        value: Expr,
    },
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Lambda,
    Lr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignOp {
    Set,
    Mul,
    Div,
    Add,
    Sub,
}

/// A resolved expression: parameters are substituted by numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    Num(f64),
    Bool(bool),
    Metric(Metric),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
    },
    History {
        func: HistoryFunc,
        metric: Metric,
        last: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    Abs,
    Min,
    Max,
    Log,
    Exp,
}

/// Functions over the history of a metric at past checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFunc {
    /// Value at the previous check.
    Prev,
    /// Current value minus the previous check's.
    Delta,
    /// Mean over the last k checks (the current one included).
    Mean,
    /// Best value so far (max for accuracies, min for losses).
    Best,
    /// Checks since the best value.
    SinceBest,
}

/// Everything a policy can read at a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    TrainAcc,
    ValAcc,
    TestAcc,
    TrainLoss,
    ValLoss,
    TestLoss,
    DataLoss,
    RegLoss,
    Lambda,
    Lr,
    Iter,
    Epoch,
    WeightNorm,
    Sparsity,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::TrainAcc,
        Metric::ValAcc,
        Metric::TestAcc,
        Metric::TrainLoss,
        Metric::ValLoss,
        Metric::TestLoss,
        Metric::DataLoss,
        Metric::RegLoss,
        Metric::Lambda,
        Metric::Lr,
        Metric::Iter,
        Metric::Epoch,
        Metric::WeightNorm,
        Metric::Sparsity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::TrainAcc => "train_acc",
            Metric::ValAcc => "val_acc",
            Metric::TestAcc => "test_acc",
            Metric::TrainLoss => "train_loss",
            Metric::ValLoss => "val_loss",
            Metric::TestLoss => "test_loss",
            Metric::DataLoss => "data_loss",
            Metric::RegLoss => "reg_loss",
            Metric::Lambda => "lambda",
            Metric::Lr => "lr",
            Metric::Iter => "iter",
            Metric::Epoch => "epoch",
            Metric::WeightNorm => "weight_norm",
            Metric::Sparsity => "sparsity",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether larger is better (for `best` and `since_best`).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::TrainAcc | Metric::ValAcc | Metric::TestAcc)
    }

    /// Metrics a policy may read during training (test metrics stay sealed until the end).
    pub fn readable_in_policy(self) -> bool {
        !matches!(self, Metric::TestAcc | Metric::TestLoss)
    }
}
