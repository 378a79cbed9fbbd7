//! Inverted dropout: in training, keep each unit with probability 1−p and
//! scale it by 1/(1−p), so evaluation is the identity.

use super::{Ctx, Layer};
use rand::Rng;

pub struct Dropout {
    pub len: usize,
    pub p: f32,
    /// Per-unit multiplier of the last training pass (0 or 1/(1−p)).
    mask: Vec<f32>,
    train: bool,
}

impl Dropout {
    pub fn new(len: usize, p: f32, capacity: usize) -> Dropout {
        Dropout {
            len,
            p,
            mask: vec![0.0; len * capacity],
            train: false,
        }
    }
}

impl Layer for Dropout {
    fn name(&self) -> &'static str {
        "dropout"
    }
    fn in_len(&self) -> usize {
        self.len
    }
    fn out_len(&self) -> usize {
        self.len
    }
    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, ctx: &mut Ctx) {
        let m = n * self.len;
        self.train = ctx.train && self.p > 0.0;
        if !self.train {
            y[..m].copy_from_slice(&x[..m]);
            return;
        }
        let keep = 1.0 - self.p;
        let scale = if keep > 0.0 { 1.0 / keep } else { 0.0 };
        for ((o, &v), k) in y[..m].iter_mut().zip(&x[..m]).zip(&mut self.mask[..m]) {
            *k = if ctx.rng.random::<f32>() < keep {
                scale
            } else {
                0.0
            };
            *o = v * *k;
        }
    }
    fn backward(&mut self, _: &[f32], _: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let m = n * self.len;
        if let Some(dx) = dx {
            if self.train {
                for ((d, &g), &k) in dx[..m].iter_mut().zip(&dy[..m]).zip(&self.mask[..m]) {
                    *d = g * k;
                }
            } else {
                dx[..m].copy_from_slice(&dy[..m]);
            }
        }
    }
}
