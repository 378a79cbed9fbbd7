//! Max pooling over non-overlapping `size × size` windows (stride = size).
//! The gradient goes to the first maximum of each window (row-major order),
//! so ties are routed to exactly one input. Examples are independent, so on
//! the GEMM threads they are pooled in parallel with the same bits.

use super::{Ctx, Layer};
use crate::engine::gemm_threads;
use rayon::prelude::*;

/// Batches of this many input floats or more are spread over the GEMM
/// threads (as a dense layer's rows).
const PARALLEL_FLOATS: usize = 1 << 15;

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

/// Any window size over one example, `size × size` candidates each.
fn forward_kxk(
    channels: usize,
    h: usize,
    w: usize,
    k: usize,
    img: &[f32],
    y: &mut [f32],
    at: &mut [u32],
) {
    let (oh, ow) = (h / k, w / k);
    for c in 0..channels {
        for i in 0..oh {
            let row0 = (c * h + i * k) * w;
            let o0 = (c * oh + i) * ow;
            for j in 0..ow {
                let base = row0 + j * k;
                let (mut best, mut arg) = (img[base], base);
                for a in 0..k {
                    for b in 0..k {
                        let idx = base + a * w + b;
                        let v = img[idx];
                        // Strict `>`: the first maximum wins ties. Selects,
                        // not branches: random data makes the comparison
                        // unpredictable.
                        let better = v > best;
                        best = if better { v } else { best };
                        arg = if better { idx } else { arg };
                    }
                }
                y[o0 + j] = best;
                at[o0 + j] = arg as u32;
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
        let (c, h, w, k) = (self.c, self.h, self.w, self.size);
        let (il, ol) = (self.in_len(), self.out_len());
        let one = |((img, ye), ae): ((&[f32], &mut [f32]), &mut [u32])| {
            if k == 2 {
                forward_2x2(c, h, w, img, ye, ae);
            } else {
                forward_kxk(c, h, w, k, img, ye, ae);
            }
        };
        let (x, y, at) = (&x[..n * il], &mut y[..n * ol], &mut self.argmax[..n * ol]);
        // Examples are independent: on the GEMM threads they may run anywhere.
        if gemm_threads() > 1 && x.len() >= PARALLEL_FLOATS {
            x.par_chunks_exact(il)
                .zip(y.par_chunks_exact_mut(ol))
                .zip(at.par_chunks_exact_mut(ol))
                .for_each(one);
        } else {
            x.chunks_exact(il)
                .zip(y.chunks_exact_mut(ol))
                .zip(at.chunks_exact_mut(ol))
                .for_each(one);
        }
    }
    fn backward(&mut self, _: &[f32], _: &[f32], dy: &mut [f32], dx: Option<&mut [f32]>, n: usize) {
        let (il, ol) = (self.in_len(), self.out_len());
        let Some(dx) = dx else { return };
        // Each input gets the gradient of the outputs of its own example.
        let one = |((dxe, dye), ae): ((&mut [f32], &[f32]), &[u32])| {
            dxe.fill(0.0);
            for (&g, &a) in dye.iter().zip(ae) {
                dxe[a as usize] += g;
            }
        };
        let (dx, dy, at) = (&mut dx[..n * il], &dy[..n * ol], &self.argmax[..n * ol]);
        if gemm_threads() > 1 && dx.len() >= PARALLEL_FLOATS {
            dx.par_chunks_exact_mut(il)
                .zip(dy.par_chunks_exact(ol))
                .zip(at.par_chunks_exact(ol))
                .for_each(one);
        } else {
            dx.chunks_exact_mut(il)
                .zip(dy.chunks_exact(ol))
                .zip(at.chunks_exact(ol))
                .for_each(one);
        }
    }
}
