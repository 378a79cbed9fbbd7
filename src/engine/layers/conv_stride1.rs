//! The stride-1 convolution's forward pass and weight gradient without
//! im2col or a BLAS call.
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
//! vector of per-lane partial sums each, over 16 adjacent outputs at a time;
//! the lanes are added (in lane order) once, after the whole batch.
//!
//! Every output is `Σ_taps w·x` accumulated with fused multiply-adds in tap
//! order (c, kh, kw), then `+ b`. It needs AVX-512F (32 vector registers
//! hold the tile); on other CPUs the layer keeps im2col and OpenBLAS, so, as
//! with OpenBLAS's own kernels, a convnet's last bits depend on the CPU
//! family, never on threads or jobs.

use super::conv::ConvShape;

/// Filters and taps per weight-gradient tile (GF·GT = 24 accumulators).
const GF: usize = 4;
const GT: usize = 6;
/// Outputs of one row per tile (two AVX-512 vectors).
const TW: usize = 32;
/// Filters per tile.
const TF: usize = 8;

/// Scratch of a layer's direct forward pass.
pub(super) struct Direct {
    /// One example's input, zero-padded: C × (H+2p) × (W+2p), plus TW floats
    /// of slack so a tile at the right edge may read past its row.
    padded: Vec<f32>,
    /// Weights as taps × filters (filters rounded up to TF, zeros beyond F),
    /// so a tap's TF weights are adjacent.
    wt: Vec<f32>,
    /// One tile's results before bias and ReLU.
    tile: Vec<f32>,
    /// Per-lane partial sums of the weight gradient, GF·GT·16 per tile.
    lanes: Vec<f32>,
    /// Where each tap reads in the padded plane: c·plane + kh·row + kw
    /// (rounded up to GT taps by repeating the last).
    tap_at: Vec<usize>,
}

impl Direct {
    pub(super) fn new(s: ConvShape) -> Direct {
        let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
        Direct {
            padded: vec![0.0; s.channels * hp * wp + TW + s.kernel],
            wt: vec![0.0; ckk(s) * s.filters.next_multiple_of(TF)],
            tile: vec![0.0; TF * TW],
            lanes: vec![0.0; s.filters.div_ceil(GF) * ckk(s).div_ceil(GT) * GF * GT * 16],
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

    /// Copies one example into the interior of the padded buffer (the border
    /// stays zero from construction).
    fn pad(&mut self, s: ConvShape, x: &[f32]) {
        let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
        for c in 0..s.channels {
            for h in 0..s.height {
                let src = &x[(c * s.height + h) * s.width..][..s.width];
                let at = (c * hp + h + s.pad) * wp + s.pad;
                self.padded[at..at + s.width].copy_from_slice(src);
            }
        }
    }

    /// `g (F × C·K·K) = Σ over the n examples of dy ⋆ x`, added to `g` when
    /// `accumulate`. `x` and `dy` are batches in the layer's layouts.
    pub(super) fn weight_grad(
        &mut self,
        s: ConvShape,
        x: &[f32],
        dy: &[f32],
        n: usize,
        g: &mut [f32],
        accumulate: bool,
    ) {
        let (il, taps) = (s.channels * s.height * s.width, ckk(s));
        let (oh, ow) = (s.out_height(), s.out_width());
        let ol = s.filters * oh * ow;
        let (fb, tb) = (s.filters.div_ceil(GF), taps.div_ceil(GT));
        self.lanes.fill(0.0);
        for e in 0..n {
            self.pad(s, &x[e * il..(e + 1) * il]);
            let dye = &dy[e * ol..(e + 1) * ol];
            for f0 in 0..fb {
                for t0 in 0..tb {
                    let rows: [usize; GF] =
                        std::array::from_fn(|k| (f0 * GF + k).min(s.filters - 1) * oh * ow);
                    let at: &[usize; GT] =
                        self.tap_at[t0 * GT..][..GT].try_into().expect("GT taps");
                    let lanes = &mut self.lanes[(f0 * tb + t0) * GF * GT * 16..][..GF * GT * 16];
                    let geo = GradGeometry {
                        oh,
                        ow,
                        row: s.width + 2 * s.pad,
                    };
                    grad_tile(&geo, &self.padded, dye, &rows, at, lanes);
                }
            }
        }
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

    /// Lays out the weights for the tiles; once per forward call.
    pub(super) fn load_weights(&mut self, s: ConvShape, w: &[f32]) {
        let (taps, fr) = (ckk(s), s.filters.next_multiple_of(TF));
        for f in 0..s.filters {
            for r in 0..taps {
                self.wt[r * fr + f] = w[f * taps + r];
            }
        }
    }

    /// `y` (F × OH × OW) of one example `x` (C × H × W): bias, then ReLU if asked.
    pub(super) fn forward(
        &mut self,
        s: ConvShape,
        b: &[f32],
        relu: bool,
        x: &[f32],
        y: &mut [f32],
    ) {
        let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad);
        let (oh, ow) = (s.out_height(), s.out_width());
        self.pad(s, x);
        let fr = s.filters.next_multiple_of(TF);
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
                    let tile: &mut [f32; TF * TW] = (&mut self.tile[..])
                        .try_into()
                        .expect("tile buffer is TF·TW");
                    tile_kernel(&geo, &self.padded, &self.wt, tile);
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
}

fn ckk(s: ConvShape) -> usize {
    s.channels * s.kernel * s.kernel
}

/// Where one tile reads: tap (c, kh, kw) of output `origin` (row-major in the
/// padded plane) is `padded[c·plane + origin + kh·row + kw]`.
struct Geometry {
    channels: usize,
    kernel: usize,
    row: usize,
    plane: usize,
    origin: usize,
    /// Row length of `wt` (filters rounded up to TF).
    filters: usize,
    /// First filter of the tile.
    first: usize,
}

/// Whether this CPU runs the direct pass (AVX-512F); elsewhere the layer
/// keeps im2col and OpenBLAS.
pub(super) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `tile[f][j] = Σ_taps wt[tap][first+f] · padded[tap's run][j]`, fused
/// multiply-adds in tap order; the 2·TF accumulators are 16 of the 32
/// AVX-512 registers.
#[cfg(target_arch = "x86_64")]
fn tile_kernel(g: &Geometry, padded: &[f32], wt: &[f32], tile: &mut [f32; TF * TW]) {
    // invariant: the layer sized both buffers for its shape; checked here
    // because the kernel reads through raw pointers.
    let taps = g.channels * g.kernel * g.kernel;
    let last_read = (g.channels - 1) * g.plane + g.origin + (g.kernel - 1) * (g.row + 1) + TW;
    assert!(last_read <= padded.len(), "padded input too short");
    assert!(
        (taps - 1) * g.filters + g.first + TF <= wt.len(),
        "weights too short"
    );
    assert!(available(), "direct convolution without AVX-512F");
    // SAFETY: AVX-512F is present (asserted) and every read is within the
    // bounds asserted above.
    unsafe { tile_avx512(g, padded.as_ptr(), wt.as_ptr(), tile) }
}

#[cfg(not(target_arch = "x86_64"))]
fn tile_kernel(_: &Geometry, _: &[f32], _: &[f32], _: &mut [f32; TF * TW]) {
    unreachable!("the direct pass is only chosen where `available()`");
}

/// # Safety
/// AVX-512F must be available and `padded`/`wt` hold every element the
/// geometry reads (see [`tile_kernel`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tile_avx512(g: &Geometry, padded: *const f32, wt: *const f32, tile: &mut [f32; TF * TW]) {
    use std::arch::x86_64::*;
    let mut acc = [_mm512_setzero_ps(); 2 * TF];
    let mut tap = 0;
    for c in 0..g.channels {
        for kh in 0..g.kernel {
            let run = padded.add(c * g.plane + g.origin + kh * g.row);
            for kw in 0..g.kernel {
                let x0 = _mm512_loadu_ps(run.add(kw));
                let x1 = _mm512_loadu_ps(run.add(kw + 16));
                let w = wt.add(tap * g.filters + g.first);
                for f in 0..TF {
                    let wf = _mm512_set1_ps(*w.add(f));
                    acc[2 * f] = _mm512_fmadd_ps(wf, x0, acc[2 * f]);
                    acc[2 * f + 1] = _mm512_fmadd_ps(wf, x1, acc[2 * f + 1]);
                }
                tap += 1;
            }
        }
    }
    for (f, dst) in tile.chunks_exact_mut(TW).enumerate() {
        _mm512_storeu_ps(dst.as_mut_ptr(), acc[2 * f]);
        _mm512_storeu_ps(dst.as_mut_ptr().add(16), acc[2 * f + 1]);
    }
}

/// Output geometry of a weight-gradient tile.
struct GradGeometry {
    oh: usize,
    ow: usize,
    /// Row length of the padded plane.
    row: usize,
}

/// Adds to `lanes[k][u][lane]` the products `dy[rows[k] + o]·padded[at[u] + o']`
/// over every output o = (i, j) of one example (o' its place in the padded
/// plane), 16 outputs of a row per step, masked at the row's end.
#[cfg(target_arch = "x86_64")]
fn grad_tile(
    g: &GradGeometry,
    padded: &[f32],
    dy: &[f32],
    rows: &[usize; GF],
    at: &[usize; GT],
    lanes: &mut [f32],
) {
    // invariant: the layer built `rows`/`at` from its shape; checked here
    // because the kernel reads through raw pointers.
    let outputs = g.oh * g.ow;
    assert!(
        rows.iter().all(|&r| r + outputs <= dy.len()),
        "gradient rows out of range"
    );
    let reach = (g.oh - 1) * g.row + g.ow;
    assert!(
        at.iter().all(|&a| a + reach <= padded.len()),
        "taps out of range"
    );
    assert!(lanes.len() == GF * GT * 16, "lane buffer");
    assert!(available(), "direct convolution without AVX-512F");
    // SAFETY: AVX-512F is present and every masked read is inside the
    // bounds asserted above.
    unsafe {
        grad_avx512(
            g,
            padded.as_ptr(),
            dy.as_ptr(),
            rows,
            at,
            lanes.as_mut_ptr(),
        )
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn grad_tile(
    _: &GradGeometry,
    _: &[f32],
    _: &[f32],
    _: &[usize; GF],
    _: &[usize; GT],
    _: &mut [f32],
) {
    unreachable!("the direct pass is only chosen where `available()`");
}

/// # Safety
/// AVX-512F must be available; see [`grad_tile`] for the bounds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn grad_avx512(
    g: &GradGeometry,
    padded: *const f32,
    dy: *const f32,
    rows: &[usize; GF],
    at: &[usize; GT],
    lanes: *mut f32,
) {
    use std::arch::x86_64::*;
    let mut acc = [_mm512_setzero_ps(); GF * GT];
    for (a, v) in acc.iter_mut().enumerate() {
        *v = _mm512_loadu_ps(lanes.add(16 * a));
    }
    for i in 0..g.oh {
        for j0 in (0..g.ow).step_by(16) {
            let left = g.ow - j0;
            let m: __mmask16 = if left >= 16 {
                0xffff
            } else {
                (1u16 << left) - 1
            };
            let (o, o2) = (i * g.ow + j0, i * g.row + j0);
            let d: [__m512; GF] =
                std::array::from_fn(|k| _mm512_maskz_loadu_ps(m, dy.add(rows[k] + o)));
            for u in 0..GT {
                let x = _mm512_maskz_loadu_ps(m, padded.add(at[u] + o2));
                for k in 0..GF {
                    acc[k * GT + u] = _mm512_fmadd_ps(d[k], x, acc[k * GT + u]);
                }
            }
        }
    }
    for (a, v) in acc.iter().enumerate() {
        _mm512_storeu_ps(lanes.add(16 * a), *v);
    }
}
