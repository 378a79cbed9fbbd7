//! The AVX-512F kernels of the stride-1 convolution (`conv_stride1`): one
//! forward tile of [`TF`] filters × [`TW`] outputs, and one weight-gradient
//! tile of [`GF`] filters × [`GT`] taps. Each kernel is single-threaded and
//! computes its tile in a fixed order (taps in order for an output, outputs
//! in order for a gradient lane); `conv_stride1` decides which tiles run and
//! on which thread, which cannot change a bit of any tile.
//!
//! Both read the zero-padded input in place; the safe wrappers check every
//! bound the raw-pointer kernels rely on.

/// Filters and taps per weight-gradient tile (GF·GT = 24 accumulators).
pub(super) const GF: usize = 4;
pub(super) const GT: usize = 6;
/// Outputs of one row per tile (two AVX-512 vectors).
pub(super) const TW: usize = 32;
/// Filters per tile.
pub(super) const TF: usize = 8;

/// Where one tile reads: tap (c, kh, kw) of output `origin` (row-major in the
/// padded plane) is `padded[c·plane + origin + kh·row + kw]`.
pub(super) struct Geometry {
    pub(super) channels: usize,
    pub(super) kernel: usize,
    pub(super) row: usize,
    pub(super) plane: usize,
    pub(super) origin: usize,
    /// Row length of `wt` (filters rounded up to TF).
    pub(super) filters: usize,
    /// First filter of the tile.
    pub(super) first: usize,
}

/// Whether this CPU runs the direct pass (AVX-512F); elsewhere the layer
/// keeps im2col and OpenBLAS.
#[inline]
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
// Inline: called per tile from `conv_stride1`, which may be compiled in
// another codegen unit.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(super) fn tile_kernel(g: &Geometry, padded: &[f32], wt: &[f32], tile: &mut [f32; TF * TW]) {
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
pub(super) fn tile_kernel(_: &Geometry, _: &[f32], _: &[f32], _: &mut [f32; TF * TW]) {
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
pub(super) struct GradGeometry {
    pub(super) oh: usize,
    pub(super) ow: usize,
    /// Row length of the padded plane.
    pub(super) row: usize,
}

/// Adds to `lanes[k][u][lane]` the products `dy[rows[k] + o]·padded[at[u] + o']`
/// over every output o = (i, j) of one example (o' its place in the padded
/// plane), 16 outputs of a row per step, masked at the row's end.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(super) fn grad_tile(
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
pub(super) fn grad_tile(
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
