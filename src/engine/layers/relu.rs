//! Stand-alone ReLU (one that cannot be fused into the layer before it).

use super::{relu_mask, Ctx, Layer};

pub struct Relu {
    pub len: usize,
}

impl Layer for Relu {
    fn name(&self) -> &'static str {
        "relu"
    }
    fn in_len(&self) -> usize {
        self.len
    }
    fn out_len(&self) -> usize {
        self.len
    }
    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, _: &mut Ctx) {
        let m = n * self.len;
        y[..m]
            .iter_mut()
            .zip(&x[..m])
            .for_each(|(o, &v)| *o = v.max(0.0));
    }
    fn backward(&mut self, _: &[f32], y: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let m = n * self.len;
        if let Some(dx) = dx {
            relu_mask(&y[..m], &mut dy[..m]);
            dx[..m].copy_from_slice(&dy[..m]);
        }
    }
}
