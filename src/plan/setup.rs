//! The plan's description of what a trial trains: its data, network,
//! optimizer and penalty, fully resolved (sizes, shapes, defaults).

use super::Duration;
use serde::{Deserialize, Serialize};

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
