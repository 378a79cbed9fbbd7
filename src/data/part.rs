//! One split of a dataset ([`Part`]) and how its rows become features.
//!
//! Pixel data (IDX, CIFAR-10) stays the bytes the file held: the parts share
//! one buffer, each part lists the rows it owns, and a row is normalised
//! ([`Norm`]) as the trainer gathers it into a batch. Materialising the
//! normalised training set as f32 cost a 185 MB buffer for full
//! Fashion-MNIST — 45,000 page faults, a conversion and a normalisation pass
//! at start-up, and a four times larger working set for every batch gather.
//! The normalisation is the same f32 operations in the same order as on a
//! materialised copy, so the features are the same bits.
//!
//! Features that are floats already (synthetic data, your own files) are
//! stored normalised, row-major.

use std::sync::Arc;

/// One split: `n` examples of `dim` features.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub y: Vec<u8>,
    pub n: usize,
    pub dim: usize,
    rows: Rows,
}

#[derive(Debug, Clone)]
enum Rows {
    /// Row-major `n × dim`, normalised.
    Floats(Vec<f32>),
    /// Row `i` is `pixels[r·dim..(r+1)·dim]` with `r = index[i]` (or `i`
    /// without an index), mapped through `norm`.
    Pixels {
        pixels: Arc<Vec<u8>>,
        index: Option<Vec<usize>>,
        norm: Arc<Norm>,
    },
}

impl Default for Rows {
    fn default() -> Rows {
        Rows::Floats(Vec::new())
    }
}

/// A normalisation as a map from a raw value (pixel or float) to a feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Norm {
    /// `v · scale` (1 for none: exact).
    Scale(f32),
    /// `v · scale − mean[j]`.
    MeanImage { scale: f32, mean: Vec<f32> },
    /// `(v − m) · inv` with `(m, inv)` per channel of `plane` features.
    Standardize {
        plane: usize,
        stats: Vec<(f32, f32)>,
    },
}

impl Norm {
    /// `out[j] = norm(src[j])`; plain loops over slices so they vectorise.
    pub fn map_row<T: Copy + Into<f32>>(&self, src: &[T], out: &mut [f32]) {
        match self {
            Norm::Scale(s) => {
                let s = *s;
                out.iter_mut()
                    .zip(src)
                    .for_each(|(o, &v)| *o = v.into() * s);
            }
            Norm::MeanImage { scale, mean } => {
                let s = *scale;
                out.iter_mut()
                    .zip(src)
                    .zip(mean)
                    .for_each(|((o, &v), &m)| *o = v.into() * s - m);
            }
            Norm::Standardize { plane, stats } => {
                for ((o, x), &(m, inv)) in out.chunks_mut(*plane).zip(src.chunks(*plane)).zip(stats)
                {
                    o.iter_mut()
                        .zip(x)
                        .for_each(|(o, &v)| *o = (v.into() - m) * inv);
                }
            }
        }
    }
}

impl Norm {
    /// [`Norm::map_row`] for pixels, the trainer's hot path: compiled for
    /// AVX-512 and AVX2 too, chosen at run time (the same operations, so the
    /// same bits, on every path).
    pub fn map_pixels(&self, src: &[u8], out: &mut [f32]) {
        match self {
            Norm::Scale(s) => scale_pixels(src, *s, out),
            Norm::MeanImage { scale, mean } => mean_image_pixels(src, *scale, mean, out),
            Norm::Standardize { .. } => self.map_row(src, out),
        }
    }
}

#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx512dq",
    "x86_64+avx2+fma"
))]
fn scale_pixels(src: &[u8], s: f32, out: &mut [f32]) {
    let n = out.len();
    let src = &src[..n];
    for j in 0..n {
        out[j] = src[j] as f32 * s;
    }
}

#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx512dq",
    "x86_64+avx2+fma"
))]
fn mean_image_pixels(src: &[u8], s: f32, mean: &[f32], out: &mut [f32]) {
    let n = out.len();
    let (src, mean) = (&src[..n], &mean[..n]);
    for j in 0..n {
        out[j] = src[j] as f32 * s - mean[j];
    }
}

/// Rows a pass over a whole part asks to be loaded before it reads them.
const PASS_AHEAD: usize = 4;

/// Prefetch hints for every cache line of `bytes`.
#[inline]
fn prefetch_lines(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for line in bytes.chunks(64) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never faults; the address is
        // inside a live slice anyway.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast())
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

impl Part {
    /// A part of float features, row-major `y.len() × dim`, used as they are.
    pub fn from_floats(x: Vec<f32>, y: Vec<u8>, dim: usize) -> Part {
        debug_assert_eq!(x.len(), y.len() * dim);
        Part {
            n: y.len(),
            dim,
            rows: Rows::Floats(x),
            y,
        }
    }

    /// A part of rows `index` (all rows in order: `None`) of a shared pixel
    /// buffer, not yet normalised (`Norm::Scale(1)` until [`Part::normalize`]).
    pub(super) fn from_pixels(
        pixels: Arc<Vec<u8>>,
        index: Option<Vec<usize>>,
        y: Vec<u8>,
        dim: usize,
    ) -> Part {
        Part {
            n: y.len(),
            dim,
            rows: Rows::Pixels {
                pixels,
                index,
                norm: Arc::new(Norm::Scale(1.0)),
            },
            y,
        }
    }

    /// Writes the features of example `i` into `out` (`dim` floats).
    pub fn row_into(&self, i: usize, out: &mut [f32]) {
        let d = self.dim;
        match &self.rows {
            Rows::Floats(x) => out.copy_from_slice(&x[i * d..(i + 1) * d]),
            Rows::Pixels {
                pixels,
                index,
                norm,
            } => {
                let r = index.as_ref().map_or(i, |ix| ix[i]);
                norm.map_pixels(&pixels[r * d..(r + 1) * d], out);
            }
        }
    }

    /// Asks the CPU to start loading example `i`'s stored row into cache.
    /// Minibatch rows are random, so without it each gather waits for memory
    /// line after line; the trainer calls this a few rows ahead.
    pub fn prefetch(&self, i: usize) {
        let d = self.dim;
        let bytes: &[u8] = match &self.rows {
            Rows::Floats(x) => {
                let row = &x[i * d..(i + 1) * d];
                // SAFETY: viewing initialised f32s as bytes (no padding).
                unsafe { std::slice::from_raw_parts(row.as_ptr().cast(), 4 * d) }
            }
            Rows::Pixels { pixels, index, .. } => {
                let r = index.as_ref().map_or(i, |ix| ix[i]);
                &pixels[r * d..(r + 1) * d]
            }
        };
        prefetch_lines(bytes);
    }

    /// Every example's features, row-major (for tests and small tools; the
    /// trainer gathers rows with [`Part::row_into`]).
    pub fn features(&self) -> Vec<f32> {
        let mut x = vec![0f32; self.n * self.dim];
        for (i, row) in x.chunks_exact_mut(self.dim.max(1)).enumerate() {
            self.row_into(i, row);
        }
        x
    }

    /// Calls `f` with the raw (not yet normalised) values of every row, in
    /// order: what normalisation statistics are computed from.
    pub(super) fn for_each_raw_row(&self, mut f: impl FnMut(&[f32])) {
        let d = self.dim;
        match &self.rows {
            Rows::Floats(x) => x.chunks_exact(d.max(1)).for_each(f),
            Rows::Pixels { pixels, index, .. } => {
                let mut row = vec![0f32; d];
                for i in 0..self.n {
                    if i + PASS_AHEAD < self.n {
                        self.prefetch(i + PASS_AHEAD);
                    }
                    let r = index.as_ref().map_or(i, |ix| ix[i]);
                    scale_pixels(&pixels[r * d..(r + 1) * d], 1.0, &mut row);
                    f(&row);
                }
            }
        }
    }

    /// Applies `norm` (once): in place to float rows, as the gather-time map
    /// of pixel rows.
    pub(super) fn normalize(&mut self, norm: &Arc<Norm>) {
        let d = self.dim;
        match &mut self.rows {
            Rows::Floats(x) => {
                let mut raw = vec![0f32; d];
                for row in x.chunks_exact_mut(d.max(1)) {
                    raw.copy_from_slice(row);
                    norm.map_row(&raw, row);
                }
            }
            Rows::Pixels { norm: mine, .. } => *mine = Arc::clone(norm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_rows_are_the_bits_of_the_same_normalisation_on_floats() {
        let pixels: Vec<u8> = (0..4 * 6).map(|i| (i * 37 % 256) as u8).collect();
        let y = [0u8, 1, 2, 3];
        let norms = [
            Norm::Scale(1.0 / 255.0),
            Norm::MeanImage {
                scale: 1.0 / 255.0,
                mean: vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            },
            Norm::Standardize {
                plane: 3,
                stats: vec![(100.3, 0.013), (80.1, 0.021)],
            },
        ];
        for norm in norms {
            let norm = Arc::new(norm);
            let mut lazy = Part::from_pixels(
                Arc::new(pixels.clone()),
                Some(vec![2, 0, 3]),
                y[..3].into(),
                6,
            );
            lazy.normalize(&norm);
            let floats: Vec<f32> = [2, 0, 3]
                .iter()
                .flat_map(|&r| pixels[r * 6..(r + 1) * 6].iter().map(|&v| v as f32))
                .collect();
            let mut eager = Part::from_floats(floats, y[..3].into(), 6);
            eager.normalize(&norm);
            let (a, b) = (lazy.features(), eager.features());
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
            assert!(a.iter().any(|&v| v != 0.0));
        }
    }
}
