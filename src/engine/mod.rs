//! `engine`: the f32 trainer on OpenBLAS that runs one trial.
//!
//! - [`Trainer`]: built from a plan `Trial` and a shared `Dataset`; the
//!   interpreter calls [`Trainer::step`] with the λ and learning rate of each
//!   iteration and [`Trainer::evaluate`] at checks.
//! - [`layers`]: dense, conv (im2col + one GEMM), maxpool, relu, dropout and
//!   softmax cross-entropy, each a plain struct over preallocated buffers.
//! - [`penalty`] and [`optim`]: one trait each.
//! - [`with_gemm_threads`]: how many threads a trial's GEMMs use (results
//!   are bit-identical for every count; see `gemm`).

mod gemm;
pub mod init;
pub mod layers;
pub mod net;
pub mod optim;
pub mod penalty;
pub mod testing;
mod trainer;

pub use gemm::{
    blas_config, blas_core, blas_threads, ensure_blas_kernel, gemm_threads, sgemm, tiles,
    with_gemm_threads, Cut,
};
pub use optim::scheduled_lr;
pub use trainer::{Trainer, EXPLODED_LOSS, SPARSITY_THRESHOLD, TRAIN_SAMPLE};

use miette::Diagnostic;
use thiserror::Error;

/// Losses of one step, at the weights before its update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepStats {
    /// Mean softmax cross-entropy of the minibatch.
    pub data_loss: f64,
    /// The penalty's value λ·Σφ(w) over the penalised parameters.
    pub reg_loss: f64,
}

/// Which examples `evaluate` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// A fixed subsample of the training set (1000 examples, chosen by the seed).
    TrainSample,
    /// The whole training set.
    Train,
    Val,
    Test,
}

/// Accuracy in [0, 1] and mean cross-entropy; both NaN on an empty split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eval {
    pub acc: f64,
    pub loss: f64,
}

#[derive(Debug, Error, Diagnostic)]
pub enum EngineError {
    #[error("training diverged at iteration {iter} (λ = {lambda}, lr = {lr}): loss {loss}")]
    #[diagnostic(
        code(regime::diverged),
        help("the loss became NaN, infinite or exploded; lower the learning rate or λ")
    )]
    Diverged {
        iter: u64,
        lambda: f32,
        lr: f32,
        loss: f64,
    },
    #[error("cannot build the trainer: {message}")]
    #[diagnostic(code(regime::engine_config))]
    Config { message: String },
}
