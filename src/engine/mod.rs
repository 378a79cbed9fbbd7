//! `engine`: the f32 trainer on OpenBLAS that runs one trial.
//!
//! - [`Trainer`]: built from a plan `Trial` and a shared `Dataset`; the
//!   interpreter calls [`Trainer::step`] with the λ and learning rate of each
//!   iteration and [`Trainer::evaluate`] at checks.
//! - [`layers`]: dense, conv (im2col + one GEMM; at stride 1 on AVX-512 a
//!   register-tiled pass without either), maxpool, relu, dropout and
//!   softmax cross-entropy, each a plain struct over preallocated buffers.
//! - [`penalty`] and [`optim`]: one trait each.
//! - [`with_gemm_threads`]: how many threads a trial's GEMMs, and the passes
//!   cut like them (the direct convolution, pooling, the update), use
//!   (results are bit-identical for every count; see `gemm`).

pub mod gemm;
pub mod init;
pub mod layers;
pub mod net;
pub mod optim;
pub mod penalty;
pub mod selftest;
/// Model, optimizer and data builders for tests and `regime bench`; behind
/// the `testing` feature (on by default through `bench`), not part of the
/// engine proper.
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod threads;
mod trainer;

pub use gemm::{
    blas_choice, blas_config, blas_core, blas_threads, ensure_blas_kernel, gemm_threads, sgemm,
    sgemm_alone, tiles, tiles_with, with_gemm_threads, Cut,
};
pub use layers::conv_path;
pub use optim::scheduled_lr;
pub use threads::room_for_threads;
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
    #[error("out of memory: cannot reserve {bytes} bytes for {what}")]
    #[diagnostic(
        code(regime::out_of_memory),
        help("run fewer trials at once (`--jobs`), free memory or raise the limit (`ulimit -v`, the cgroup's memory.max), or make the network or the batch smaller")
    )]
    OutOfMemory { what: String, bytes: u64 },
}

impl EngineError {
    /// What to do about a trial that failed with this error.
    pub fn run_help(&self) -> String {
        match self {
            EngineError::OutOfMemory { .. } => {
                "run fewer trials at once (`--jobs`), free memory or raise the limit".into()
            }
            _ => "the plan and the data disagree; check the data definition".into(),
        }
    }
}

/// `len` zeros, or `OutOfMemory` naming `what` instead of an abort.
pub fn try_zeros<T: Copy + Default>(len: usize, what: &str) -> Result<Vec<T>, EngineError> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| EngineError::OutOfMemory {
            what: what.to_string(),
            bytes: (len as u64).saturating_mul(std::mem::size_of::<T>() as u64),
        })?;
    v.resize(len, T::default());
    Ok(v)
}

/// Reserves `bytes` and gives them back: fails early, as a diagnostic, when
/// the memory a trial is estimated to need cannot be had (e.g. under
/// `ulimit -v`), instead of an abort in the middle of building it.
pub fn probe_memory(bytes: u64, what: &str) -> Result<(), EngineError> {
    let len = usize::try_from(bytes).map_err(|_| EngineError::OutOfMemory {
        what: what.to_string(),
        bytes,
    })?;
    let mut v: Vec<u8> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| EngineError::OutOfMemory {
            what: what.to_string(),
            bytes,
        })
}
