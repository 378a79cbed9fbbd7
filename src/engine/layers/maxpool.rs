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

/// The common 2×2 case over one example: two input rows at a time.
fn forward_2x2(channels: usize, h: usize, w: usize, img: &[f32], y: &mut [f32], at: &mut [u32]) {
    let (oh, ow) = (h / 2, w / 2);
    for c in 0..channels {
        for i in 0..oh {
            let top = (c * h + 2 * i) * w;
            let (r0, r1) = (&img[top..top + w], &img[top + w..top + 2 * w]);
            let o0 = (c * oh + i) * ow;
            for (j, (yo, ao)) in y[o0..o0 + ow]
                .iter_mut()
                .zip(&mut at[o0..o0 + ow])
                .enumerate()
            {
                // Candidates in row-major order; strict `>` keeps the first of
                // tied maxima.
                let (mut best, mut idx) = (r0[2 * j], top + 2 * j);
                for (v, k) in [
                    (r0[2 * j + 1], top + 2 * j + 1),
                    (r1[2 * j], top + w + 2 * j),
                    (r1[2 * j + 1], top + w + 2 * j + 1),
                ] {
                    let better = v > best;
                    best = if better { v } else { best };
                    idx = if better { k } else { idx };
                }
                *yo = best;
                *ao = idx as u32;
            }
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
        let (k, w, oh, ow) = (self.size, self.w, self.h / self.size, self.w / self.size);
        let (il, ol) = (self.in_len(), self.out_len());
        for e in 0..n {
            let img = &x[e * il..(e + 1) * il];
            let (ye, ae) = (
                &mut y[e * ol..(e + 1) * ol],
                &mut self.argmax[e * ol..(e + 1) * ol],
            );
            if k == 2 {
                forward_2x2(self.c, self.h, w, img, ye, ae);
                continue;
            }
            for c in 0..self.c {
                for i in 0..oh {
                    let row0 = (c * self.h + i * k) * w;
                    let o0 = (c * oh + i) * ow;
                    for j in 0..ow {
                        let base = row0 + j * k;
                        let (mut best, mut at) = (img[base], base);
                        for a in 0..k {
                            for b in 0..k {
                                let idx = base + a * w + b;
                                let v = img[idx];
                                // Strict `>`: the first maximum wins ties.
                                // Selects, not branches: random data makes
                                // the comparison unpredictable.
                                let better = v > best;
                                best = if better { v } else { best };
                                at = if better { idx } else { at };
                            }
                        }
                        ye[o0 + j] = best;
                        ae[o0 + j] = at as u32;
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
