//! The stride-1 convolution's forward pass and weight gradient without
//! im2col or a BLAS call, spread over the GEMM threads.
//!
//! Why: with few filters (32 in the cs231n convnet) a convolution's GEMM
//! does 2·F flops per im2col element, and OpenBLAS packs its whole im2col
//! operand before multiplying: writing the columns and packing them cost
//! about as much as the multiply (the convnet ran at 87% of the sgemm of its
//! own shape, 42% of the machine's best sgemm). At stride 1 the im2col row of
//! filter tap (c, kh, kw) over the outputs `j0..j0+TW` of output row `i` is
//! the contiguous run `padded[c][i+kh][j0+kw ..]` of the zero-padded input,
//! so a register tile of [`TF`] filters × [`TW`] outputs reads the input in
//! place: per tap one load of TW inputs and TF broadcast weights for TF·TW
//! multiply-adds.
//!
//! The weight gradient `dW[f][tap] = Σ_examples Σ_outputs dy·x` reads the
//! output gradient (in the batch layout, no transpose) and the padded input
//! in place the same way: a tile of [`GF`] filters × [`GT`] taps keeps one
//! vector of per-lane partial sums each, over 16 adjacent outputs at a time,
//! example after example; the lanes are added (in lane order) once, after
//! the whole batch.
//!
//! Every output is `Σ_taps w·x` accumulated with fused multiply-adds in tap
//! order (c, kh, kw), then `+ b`. It needs AVX-512F (32 vector registers
//! hold the tile; the kernels are in `conv_stride1_kernels`); on other CPUs
//! the layer keeps im2col and OpenBLAS, so, as with OpenBLAS's own kernels,
//! a convnet's last bits depend on the CPU family, never on threads or jobs.
//!
//! **Threads.** On the threads of `with_gemm_threads` each pass is cut into
//! parts whose boundaries depend on the shape alone ([`per_part`]): the
//! forward pass into runs of examples (each part pads its examples in turn
//! into a slot of its own and computes all their outputs); the weight
//! gradient into runs of tiles, after the whole batch is padded into one
//! slot per example (each part sums its tiles over every example, in
//! example order); the backward pass's ReLU mask into runs of examples and
//! its bias gradient into runs of filters (each filter's per-example sums
//! added in example order, [`mask_and_bias`]). On one thread the same
//! tiles run without the cut: each example is padded into the first slot
//! and adds to every tile before the next (the example stays in cache).
//! Either way every output, every gradient lane and every bias sum is
//! computed by one tile or part in the order above, so the thread count
//! cannot change a bit (see the `gemm` module doc). All scratch is sized
//! for the batch capacity when the layer is built; the passes allocate
//! nothing.

use super::conv::ConvShape;
pub(super) use super::conv_stride1_kernels::available;
use super::conv_stride1_kernels::{grad_tile, tile_kernel, Geometry, GradGeometry, GF, GT, TF, TW};
use super::{lane_sum, relu_mask};
use crate::engine::gemm_threads;
use rayon::prelude::*;

/// Most parts a pass is cut into: a multiple of 2, 3 and 4, so 2, 3, 4 or 6
/// threads get the same number of parts each.
const MAX_PARTS: usize = 12;
/// Least multiply-adds per part: a pass runs once per step, on its own, so
/// (as `gemm::sgemm_alone`) a part is worth one rayon task from about a
/// million multiply-adds; twice that keeps the task cost under a few percent.
const MIN_PART_WORK: usize = 1 << 21;
/// Least floats per part of a pass that only moves data (padding, the ReLU
/// mask, the bias gradient): as for a dense layer's rows.
const MIN_PART_FLOATS: usize = 1 << 15;
/// Floats of one weight-gradient tile's lanes.
const LANES: usize = GF * GT * 16;

/// Units per part when `units` units of `work` each are cut into parts of
/// `min_work` or more: from the shape alone, never from the thread count.
fn per_part(units: usize, work: usize, min_work: usize) -> usize {
    let parts = (units.saturating_mul(work) / min_work).clamp(1, MAX_PARTS);
    units.div_ceil(parts).max(1)
}

/// Whether `parts` parts run on the GEMM threads rather than in turn here.
fn parallel(parts: usize) -> bool {
    parts > 1 && gemm_threads() > 1
}

/// Scratch of a layer's direct passes, sized for its batch capacity.
pub(super) struct Direct {
    /// The batch, zero-padded: per example a slot of C × (H+2p) × (W+2p)
    /// floats and [`TW`] + K of slack, so a tile at the right edge may read
    /// past its row without leaving the slot.
    padded: Vec<f32>,
    /// Floats per slot of `padded`.
    slot: usize,
    /// Weights as taps × filters (filters rounded up to TF, zeros beyond F),
    /// so a tap's TF weights are adjacent.
    wt: Vec<f32>,
    /// Per-lane partial sums of the weight gradient, [`LANES`] per tile,
    /// tiles in (filter block, tap block) order.
    lanes: Vec<f32>,
    /// Where each tap reads in the padded plane: c·plane + kh·row + kw
    /// (rounded up to GT taps by repeating the last).
    tap_at: Vec<usize>,
}

impl Direct {
    pub(super) fn new(s: ConvShape, capacity: usize) -> Direct {
        let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
        let slot = s.channels * hp * wp + TW + s.kernel;
        Direct {
            padded: vec![0.0; slot * capacity.max(1)],
            slot,
            wt: vec![0.0; ckk(s) * s.filters.next_multiple_of(TF)],
            lanes: vec![0.0; s.filters.div_ceil(GF) * ckk(s).div_ceil(GT) * LANES],
            tap_at: (0..ckk(s).next_multiple_of(GT))
                .map(|t| {
                    let t = t.min(ckk(s) - 1);
                    let (c, kh, kw) = (
                        t / (s.kernel * s.kernel),
                        t / s.kernel % s.kernel,
                        t % s.kernel,
                    );
                    c * hp * wp + kh * wp + kw
                })
                .collect(),
        }
    }

    /// Lays out the weights for the tiles; once per forward call.
    pub(super) fn load_weights(&mut self, s: ConvShape, w: &[f32]) {
        let (taps, fr) = (ckk(s), s.filters.next_multiple_of(TF));
        for f in 0..s.filters {
            for r in 0..taps {
                self.wt[r * fr + f] = w[f * taps + r];
            }
        }
    }

    /// `y` (n × F × OH × OW) of the batch `x` (n × C × H × W): bias, then
    /// ReLU if asked. In parts of whole examples, each padded in turn into
    /// its part's slot (on one thread, all into the first).
    pub(super) fn forward(
        &mut self,
        s: ConvShape,
        b: &[f32],
        relu: bool,
        x: &[f32],
        y: &mut [f32],
        n: usize,
    ) {
        let (il, ol) = (s.channels * s.height * s.width, out_len(s));
        let per = forward_per(s, n);
        let wt = &self.wt[..];
        let part = |(p, (ys, slot)): (usize, (&mut [f32], &mut [f32]))| {
            for (k, ye) in ys.chunks_exact_mut(ol).enumerate() {
                let e = p * per + k;
                pad(s, &x[e * il..(e + 1) * il], slot);
                forward_example(s, b, relu, wt, slot, ye);
            }
        };
        // invariant: the network never passes more examples than the
        // capacity it sized every buffer for (so no more parts than slots).
        assert!(
            n * self.slot <= self.padded.len(),
            "batch over the capacity"
        );
        let ys = &mut y[..n * ol];
        if parallel(n.div_ceil(per)) {
            ys.par_chunks_mut(per * ol)
                .zip(self.padded.par_chunks_mut(self.slot))
                .enumerate()
                .for_each(part);
        } else {
            part((0, (ys, &mut self.padded[..self.slot])));
        }
    }

    /// `g (F × C·K·K) = Σ over the n examples of dy ⋆ x`, added to `g` when
    /// `accumulate`. `x` and `dy` are batches in the layer's layouts.
    ///
    /// On the GEMM threads the whole batch is padded first and each part
    /// sums its tiles over it, example after example; on one thread each
    /// example is padded into the first slot and adds to every tile in turn
    /// (as one part: the same sums in the same order, with the example in
    /// cache).
    pub(super) fn weight_grad(
        &mut self,
        s: ConvShape,
        x: &[f32],
        dy: &[f32],
        n: usize,
        g: &mut [f32],
        accumulate: bool,
    ) {
        let (il, ol, taps) = (s.channels * s.height * s.width, out_len(s), ckk(s));
        let (tiles, per) = grad_per(s, n);
        if parallel(tiles.div_ceil(per)) {
            self.pad_batch(s, x, n);
            let (padded, slot, tap_at) = (&self.padded[..], self.slot, &self.tap_at[..]);
            self.lanes
                .par_chunks_mut(per * LANES)
                .enumerate()
                .for_each(|(p, lanes)| {
                    lanes.fill(0.0);
                    for e in 0..n {
                        let xe = &padded[e * slot..(e + 1) * slot];
                        let dye = &dy[e * ol..(e + 1) * ol];
                        grad_tiles(s, xe, dye, tap_at, p * per, lanes);
                    }
                });
        } else {
            self.lanes.fill(0.0);
            let (xe, tap_at) = (&mut self.padded[..self.slot], &self.tap_at[..]);
            for e in 0..n {
                pad(s, &x[e * il..(e + 1) * il], xe);
                grad_tiles(s, xe, &dy[e * ol..(e + 1) * ol], tap_at, 0, &mut self.lanes);
            }
        }
        let tb = taps.div_ceil(GT);
        for f in 0..s.filters {
            for t in 0..taps {
                let (f0, k, t0, u) = (f / GF, f % GF, t / GT, t % GT);
                let l = &self.lanes[((f0 * tb + t0) * GF * GT + k * GT + u) * 16..][..16];
                let sum = l.iter().fold(0f32, |a, &v| a + v);
                let out = &mut g[f * taps + t];
                *out = if accumulate { *out + sum } else { sum };
            }
        }
    }

    /// Pads the n examples of `x` into their slots, in parts of examples.
    fn pad_batch(&mut self, s: ConvShape, x: &[f32], n: usize) {
        let (il, slot) = (s.channels * s.height * s.width, self.slot);
        let per = per_part(n, il, MIN_PART_FLOATS);
        let part = |(xs, ps): (&[f32], &mut [f32])| {
            for (xe, pe) in xs.chunks_exact(il).zip(ps.chunks_exact_mut(slot)) {
                pad(s, xe, pe);
            }
        };
        // invariant: as in `forward`.
        assert!(n * slot <= self.padded.len(), "batch over the capacity");
        let (xs, ps) = (&x[..n * il], &mut self.padded[..n * slot]);
        xs.par_chunks(per * il)
            .zip(ps.par_chunks_mut(per * slot))
            .for_each(part);
    }
}

/// The direct backward's first steps on the output gradient `dy` of n
/// examples: the fused ReLU's mask (when `relu` holds the outputs; rows are
/// independent, so in parts of examples), then the bias gradient `bg[f] +=
/// Σ_examples Σ dy[e][f]` in parts of filters, each filter's example sums
/// added in example order as on one thread.
pub(super) fn mask_and_bias(
    s: ConvShape,
    relu: Option<&[f32]>,
    dy: &mut [f32],
    n: usize,
    bg: &mut [f32],
) {
    let (ol, ohw) = (out_len(s), s.out_height() * s.out_width());
    let dy = &mut dy[..n * ol];
    if let Some(y) = relu {
        let (y, per) = (&y[..n * ol], per_part(n, ol, MIN_PART_FLOATS));
        if parallel(n.div_ceil(per)) {
            dy.par_chunks_mut(per * ol)
                .zip(y.par_chunks(per * ol))
                .for_each(|(d, y)| relu_mask(y, d));
        } else {
            relu_mask(y, dy);
        }
    }
    let dy = &*dy;
    let per = per_part(s.filters, n * ohw, MIN_PART_FLOATS);
    let sums = |(p, gs): (usize, &mut [f32])| {
        for dye in dy.chunks_exact(ol) {
            let rows = dye[p * per * ohw..].chunks_exact(ohw);
            gs.iter_mut()
                .zip(rows)
                .for_each(|(g, row)| *g += lane_sum(row));
        }
    };
    if parallel(s.filters.div_ceil(per)) {
        bg.par_chunks_mut(per).enumerate().for_each(sums);
    } else {
        sums((0, bg));
    }
}

/// Examples per part of the forward pass over a batch of n.
fn forward_per(s: ConvShape, n: usize) -> usize {
    let ohw = s.out_height() * s.out_width();
    per_part(
        n,
        s.filters.next_multiple_of(TF) * ckk(s) * ohw,
        MIN_PART_WORK,
    )
}

/// Weight-gradient tiles, and tiles per part, for a batch of n.
fn grad_per(s: ConvShape, n: usize) -> (usize, usize) {
    let tiles = s.filters.div_ceil(GF) * ckk(s).div_ceil(GT);
    let work = n * GF * GT * s.out_height() * s.out_width();
    (tiles, per_part(tiles, work, MIN_PART_WORK))
}

/// How many parts the forward pass and the weight gradient of a batch of n
/// are cut into (parts run in parallel when there are GEMM threads).
pub(super) fn parts(s: ConvShape, n: usize) -> (usize, usize) {
    let (tiles, per) = grad_per(s, n);
    (n.div_ceil(forward_per(s, n)), tiles.div_ceil(per))
}

fn ckk(s: ConvShape) -> usize {
    s.channels * s.kernel * s.kernel
}

fn out_len(s: ConvShape) -> usize {
    s.filters * s.out_height() * s.out_width()
}

/// Copies one example into the interior of its slot (the border stays zero
/// from construction).
fn pad(s: ConvShape, x: &[f32], slot: &mut [f32]) {
    let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
    for c in 0..s.channels {
        for h in 0..s.height {
            let src = &x[(c * s.height + h) * s.width..][..s.width];
            let at = (c * hp + h + s.pad) * wp + s.pad;
            slot[at..at + s.width].copy_from_slice(src);
        }
    }
}

/// `y` (F × OH × OW) of one padded example: every tile, then bias and ReLU.
fn forward_example(s: ConvShape, b: &[f32], relu: bool, wt: &[f32], padded: &[f32], y: &mut [f32]) {
    let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
    let (oh, ow) = (s.out_height(), s.out_width());
    let fr = s.filters.next_multiple_of(TF);
    let mut tile = [0f32; TF * TW];
    for i in 0..oh {
        for j0 in (0..ow).step_by(TW) {
            let width = (ow - j0).min(TW);
            for f0 in (0..s.filters).step_by(TF) {
                let geo = Geometry {
                    channels: s.channels,
                    kernel: s.kernel,
                    row: wp,
                    plane: hp * wp,
                    origin: i * wp + j0,
                    filters: fr,
                    first: f0,
                };
                tile_kernel(&geo, padded, wt, &mut tile);
                for f in f0..(f0 + TF).min(s.filters) {
                    let out = &mut y[(f * oh + i) * ow + j0..][..width];
                    let acc = &tile[(f - f0) * TW..][..width];
                    if relu {
                        out.iter_mut()
                            .zip(acc)
                            .for_each(|(o, &a)| *o = (a + b[f]).max(0.0));
                    } else {
                        out.iter_mut().zip(acc).for_each(|(o, &a)| *o = a + b[f]);
                    }
                }
            }
        }
    }
}

/// Adds one example's products to the lanes of consecutive tiles, from
/// tile `first` (tiles in (filter block, tap block) order), [`LANES`]
/// floats each.
fn grad_tiles(
    s: ConvShape,
    padded: &[f32],
    dy: &[f32],
    tap_at: &[usize],
    first: usize,
    lanes: &mut [f32],
) {
    let tb = ckk(s).div_ceil(GT);
    for (k, l) in lanes.chunks_exact_mut(LANES).enumerate() {
        let (f0, t0) = ((first + k) / tb, (first + k) % tb);
        grad_block(s, padded, dy, f0, &tap_at[t0 * GT..][..GT], l);
    }
}

/// Adds one example's products to the lanes of the tile of filter block
/// `f0` and the GT taps at `at`.
fn grad_block(
    s: ConvShape,
    padded: &[f32],
    dy: &[f32],
    f0: usize,
    at: &[usize],
    lanes: &mut [f32],
) {
    let (oh, ow) = (s.out_height(), s.out_width());
    let rows: [usize; GF] = std::array::from_fn(|k| (f0 * GF + k).min(s.filters - 1) * oh * ow);
    let at: &[usize; GT] = at.try_into().expect("the caller slices exactly GT taps");
    let geo = GradGeometry {
        oh,
        ow,
        row: s.width + 2 * s.pad,
    };
    grad_tile(&geo, padded, dy, &rows, at, lanes);
}
