//! Fully connected layer `y = x·W + b` (W is in×out, row-major), optionally
//! with a fused ReLU so bias and activation cost one pass over the output.
//! Its products run one at a time, so they are cut finer than the
//! convnet's per-example ones (`gemm::sgemm_alone`).

use super::{relu_mask, Ctx, Layer, Param};
use crate::engine::gemm::sgemm_alone as sgemm;

pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub relu: bool,
    /// [W (inputs×outputs), b (outputs)].
    params: [Param; 2],
}

impl Dense {
    pub fn new(inputs: usize, outputs: usize, relu: bool, w: Vec<f32>) -> Dense {
        Dense {
            inputs,
            outputs,
            relu,
            params: [Param::new(w, false), Param::new(vec![0.0; outputs], true)],
        }
    }
}

impl Layer for Dense {
    fn name(&self) -> &'static str {
        if self.relu {
            "dense+relu"
        } else {
            "dense"
        }
    }
    fn in_len(&self) -> usize {
        self.inputs
    }
    fn out_len(&self) -> usize {
        self.outputs
    }

    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, _: &mut Ctx) {
        let (i, o) = (self.inputs, self.outputs);
        let y = &mut y[..n * o];
        sgemm(false, false, n, o, i, 1.0, x, &self.params[0].w, 0.0, y);
        let b = &self.params[1].w;
        let relu = self.relu;
        // Rows are independent: on the GEMM threads they may run anywhere.
        each_row(y, o, |row| {
            if relu {
                row.iter_mut()
                    .zip(b)
                    .for_each(|(v, &bb)| *v = (*v + bb).max(0.0));
            } else {
                row.iter_mut().zip(b).for_each(|(v, &bb)| *v += bb);
            }
        });
    }

    fn backward(&mut self, x: &[f32], y: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let (i, o) = (self.inputs, self.outputs);
        let dy = &mut dy[..n * o];
        if self.relu {
            let y = &y[..n * o];
            each_row_pair(dy, y, o, relu_mask);
        }
        let [w, b] = &mut self.params;
        // dW (+)= xᵀ·dy
        let beta = if w.accumulate { 1.0 } else { 0.0 };
        sgemm(true, false, i, o, n, 1.0, x, dy, beta, &mut w.g);
        bias_grad(&mut b.g, dy, o, b.accumulate);
        if let Some(dx) = dx {
            // dx = dy·Wᵀ
            sgemm(false, true, n, i, o, 1.0, dy, &w.w, 0.0, &mut dx[..n * i]);
        }
    }

    fn params(&self) -> &[Param] {
        &self.params
    }
    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }
}

/// Rows of this many floats or more are worth spreading over the GEMM threads.
const PARALLEL_ROWS: usize = 1 << 15;

/// `f` on every row of `m` (rows of `width`), on the GEMM threads when
/// there are several. Rows are independent, so the result is the same bits.
fn each_row(m: &mut [f32], width: usize, f: impl Fn(&mut [f32]) + Sync + Send) {
    if crate::engine::gemm_threads() > 1 && m.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        m.par_chunks_exact_mut(width).for_each(f);
    } else {
        m.chunks_exact_mut(width).for_each(f);
    }
}

/// `f(row of a, row of b)` for every row, like [`each_row`].
fn each_row_pair(
    a: &mut [f32],
    b: &[f32],
    width: usize,
    f: impl Fn(&[f32], &mut [f32]) + Sync + Send,
) {
    if crate::engine::gemm_threads() > 1 && a.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        a.par_chunks_exact_mut(width)
            .zip(b.par_chunks_exact(width))
            .for_each(|(ra, rb)| f(rb, ra));
    } else {
        a.chunks_exact_mut(width)
            .zip(b.chunks_exact(width))
            .for_each(|(ra, rb)| f(rb, ra));
    }
}

/// The bias gradient: column sums of `dy` (added to `g` when `accumulate`).
/// Each column is summed over the rows in row order whichever thread does
/// it, so splitting the columns among threads keeps the bits.
fn bias_grad(g: &mut [f32], dy: &[f32], width: usize, accumulate: bool) {
    let sum_cols = |lo: usize, gs: &mut [f32]| {
        if !accumulate {
            gs.fill(0.0);
        }
        let len = gs.len();
        for row in dy.chunks_exact(width) {
            gs.iter_mut()
                .zip(&row[lo..lo + len])
                .for_each(|(g, &d)| *g += d);
        }
    };
    if crate::engine::gemm_threads() > 1 && dy.len() >= PARALLEL_ROWS && width >= 64 {
        use rayon::prelude::*;
        let cols = width
            .div_ceil(crate::engine::gemm_threads())
            .next_multiple_of(16);
        g.par_chunks_mut(cols)
            .enumerate()
            .for_each(|(k, gs)| sum_cols(k * cols, gs));
    } else {
        sum_cols(0, g);
    }
}
