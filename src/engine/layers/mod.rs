//! Layers as plain structs. Each one reads its input batch and writes its
//! output into buffers the network allocated once for the batch capacity;
//! `backward` gets the output gradient (mutable, so fused activations can mask
//! it in place) and writes the input gradient only when one is wanted (the
//! first layer needs none).
//!
//! Batches are row-major: `n` rows of `in_len()` (or `out_len()`) floats; an
//! image row is channel-major (C, H, W).

mod conv;
mod conv_reference;
mod conv_stride1;
mod conv_stride1_kernels;

/// How this machine computes convolutions: the direct stride-1 passes where
/// the CPU has AVX-512F, else im2col and the BLAS sgemm. Convnet results
/// differ in their last bits between the two, so records state it.
pub fn conv_path() -> &'static str {
    if conv_stride1::available() {
        "direct stride-1 (AVX-512F), other strides im2col + sgemm"
    } else {
        "im2col + sgemm"
    }
}
mod dense;
mod dropout;
mod loss;
mod maxpool;
mod relu;

pub use conv::{Conv, ConvShape};
pub use conv_reference::conv_direct;
pub use dense::Dense;
pub use dropout::Dropout;
pub use loss::softmax_cross_entropy;
pub use maxpool::MaxPool;
pub use relu::Relu;

use rand_chacha::ChaCha8Rng;

/// A trainable tensor with its gradient.
#[derive(Debug, Clone)]
pub struct Param {
    pub w: Vec<f32>,
    pub g: Vec<f32>,
    /// Biases are not penalised unless the penalty says `on: all`.
    pub is_bias: bool,
    /// Whether `g` already holds a gradient (the penalty's) that backward
    /// must add to; when false, backward overwrites it (saving a pass).
    pub accumulate: bool,
}

impl Param {
    pub fn new(w: Vec<f32>, is_bias: bool) -> Param {
        let g = vec![0.0; w.len()];
        Param {
            w,
            g,
            is_bias,
            accumulate: false,
        }
    }
}

/// What a forward pass may need besides the input.
pub struct Ctx<'a> {
    /// Training pass (dropout active) or evaluation.
    pub train: bool,
    pub rng: &'a mut ChaCha8Rng,
}

pub trait Layer: Send {
    fn name(&self) -> &'static str;
    /// Floats per example going in and coming out.
    fn in_len(&self) -> usize;
    fn out_len(&self) -> usize;
    /// `y[..n·out_len]` from `x[..n·in_len]`.
    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, ctx: &mut Ctx);
    /// Parameter gradients — *added* to `Param::g` when `Param::accumulate`
    /// (the trainer then started them at the penalty's gradient), written
    /// otherwise — and, if
    /// `dx` is given, the input gradient (overwritten). `x` and `y` are what the last forward saw and made;
    /// `dy` may be modified.
    fn backward(&mut self, x: &[f32], y: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize);
    fn params(&self) -> &[Param] {
        &[]
    }
    fn params_mut(&mut self) -> &mut [Param] {
        &mut []
    }
}

/// Zero `dy` where the (post-ReLU) output is not positive: the ReLU backward
/// of a layer with a fused activation.
#[inline]
pub(crate) fn relu_mask(y: &[f32], dy: &mut [f32]) {
    // A select rather than a conditional store, so the loop vectorises.
    for (d, &v) in dy.iter_mut().zip(y) {
        *d = if v > 0.0 { *d } else { 0.0 };
    }
}

/// Σx with eight independent accumulators, so the loop vectorises (a single
/// running sum is a serial dependency the compiler may not reorder).
pub(crate) fn lane_sum(x: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let mut it = x.chunks_exact(8);
    for c in &mut it {
        for k in 0..8 {
            lanes[k] += c[k];
        }
    }
    lanes.iter().sum::<f32>() + it.remainder().iter().sum::<f32>()
}
