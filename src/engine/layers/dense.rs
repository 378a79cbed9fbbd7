//! Fully connected layer `y = x·W + b` (W is in×out, row-major), optionally
//! with a fused ReLU so bias and activation cost one pass over the output.

use super::{relu_mask, Ctx, Layer, Param};
use crate::engine::gemm::sgemm;

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
        for row in y.chunks_exact_mut(o) {
            if self.relu {
                row.iter_mut()
                    .zip(b)
                    .for_each(|(v, &bb)| *v = (*v + bb).max(0.0));
            } else {
                row.iter_mut().zip(b).for_each(|(v, &bb)| *v += bb);
            }
        }
    }

    fn backward(&mut self, x: &[f32], y: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let (i, o) = (self.inputs, self.outputs);
        let dy = &mut dy[..n * o];
        if self.relu {
            relu_mask(&y[..n * o], dy);
        }
        let [w, b] = &mut self.params;
        // dW (+)= xᵀ·dy
        let beta = if w.accumulate { 1.0 } else { 0.0 };
        sgemm(true, false, i, o, n, 1.0, x, dy, beta, &mut w.g);
        if !b.accumulate {
            b.g.fill(0.0);
        }
        for row in dy.chunks_exact(o) {
            b.g.iter_mut().zip(row).for_each(|(g, &d)| *g += d);
        }
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
