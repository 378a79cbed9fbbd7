//! Max pooling over non-overlapping `size × size` windows (stride = size).
//! The gradient goes to the first maximum of each window (row-major order),
//! so ties are routed to exactly one input.

use super::{Ctx, Layer};

pub struct MaxPool {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub size: usize,
    /// Index (within one example's input) of each output's chosen input.
    argmax: Vec<u32>,
}

impl MaxPool {
    pub fn new(c: usize, h: usize, w: usize, size: usize, capacity: usize) -> MaxPool {
        let out = c * (h / size) * (w / size);
        MaxPool {
            c,
            h,
            w,
            size,
            argmax: vec![0; out * capacity],
        }
    }
}

impl Layer for MaxPool {
    fn name(&self) -> &'static str {
        "maxpool"
    }
    fn in_len(&self) -> usize {
        self.c * self.h * self.w
    }
    fn out_len(&self) -> usize {
        self.c * (self.h / self.size) * (self.w / self.size)
    }
    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, _: &mut Ctx) {
        let (k, oh, ow) = (self.size, self.h / self.size, self.w / self.size);
        let (il, ol) = (self.in_len(), self.out_len());
        for e in 0..n {
            let img = &x[e * il..(e + 1) * il];
            for c in 0..self.c {
                for i in 0..oh {
                    for j in 0..ow {
                        let mut best = (f32::NEG_INFINITY, 0usize);
                        for a in 0..k {
                            for b in 0..k {
                                let idx = (c * self.h + i * k + a) * self.w + j * k + b;
                                // Strict `>`: the first maximum wins ties. A NaN
                                // never wins, so fall back to the first index.
                                if img[idx] > best.0 || (a == 0 && b == 0) {
                                    best = (img[idx], idx);
                                }
                            }
                        }
                        let o = e * ol + (c * oh + i) * ow + j;
                        y[o] = best.0;
                        self.argmax[o] = best.1 as u32;
                    }
                }
            }
        }
    }
    fn backward(&mut self, _: &[f32], _: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let (il, ol) = (self.in_len(), self.out_len());
        if let Some(dx) = dx {
            dx[..n * il].fill(0.0);
            for e in 0..n {
                for o in 0..ol {
                    dx[e * il + self.argmax[e * ol + o] as usize] += dy[e * ol + o];
                }
            }
        }
    }
}
