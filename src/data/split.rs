//! From raw examples to the three parts a trial trains and measures on:
//! the seeded train/validation split, `subset`, and normalisation with
//! statistics of the training part only.

use super::part::{Norm, Part};
use super::{DataError, Dataset, Raw};
use crate::plan::{DataSpec, Normalize, Shape};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// Examples as a loader produced them. Pixels stay bytes: the parts share
/// the buffer and normalise a row when it is gathered (see `part.rs`).
pub(super) enum Features {
    /// 0–255 values, scaled by `unit`/`mean_image` normalisation.
    Pixels(Vec<u8>),
    /// Already features (synthetic data); never scaled.
    Floats(Vec<f32>),
}

/// The rows `idx` of float features (in that order) as a part, one pass per
/// row into a buffer sized up front.
fn gather_floats(x: &[f32], y: &[u8], idx: &[usize], dim: usize) -> Part {
    let mut rows = Vec::with_capacity(idx.len() * dim);
    for &i in idx {
        rows.extend_from_slice(&x[i * dim..(i + 1) * dim]);
    }
    Part::from_floats(rows, idx.iter().map(|&i| y[i]).collect(), dim)
}

/// Train and validation (rows `train_idx`, `val_idx` of the training file)
/// and test (every row of the test file).
fn parts(
    train_x: Features,
    train_y: &[u8],
    test_x: Features,
    test_y: Vec<u8>,
    (train_idx, val_idx): (&[usize], &[usize]),
    dim: usize,
) -> [Part; 3] {
    let labels = |idx: &[usize]| idx.iter().map(|&i| train_y[i]).collect::<Vec<u8>>();
    let (train, val) = match train_x {
        Features::Pixels(p) => {
            let p = Arc::new(p);
            (
                Part::from_pixels(
                    Arc::clone(&p),
                    Some(train_idx.to_vec()),
                    labels(train_idx),
                    dim,
                ),
                Part::from_pixels(p, Some(val_idx.to_vec()), labels(val_idx), dim),
            )
        }
        Features::Floats(f) => (
            gather_floats(&f, train_y, train_idx, dim),
            gather_floats(&f, train_y, val_idx, dim),
        ),
    };
    let test = match test_x {
        Features::Pixels(p) => Part::from_pixels(Arc::new(p), None, test_y, dim),
        Features::Floats(f) => Part::from_floats(f, test_y, dim),
    };
    [train, val, test]
}

/// Split, subset and normalise.
pub(super) fn finish(spec: &DataSpec, raw: Raw, split_seed: u64) -> Result<Dataset, DataError> {
    let dim = raw.input.size();
    if spec.input.size() != dim {
        return Err(DataError::Split {
            name: spec.name.clone(),
            message: format!(
                "the plan expects inputs of {}×{}×{} but the data has {}×{}×{}",
                spec.input.channels,
                spec.input.height,
                spec.input.width,
                raw.input.channels,
                raw.input.height,
                raw.input.width
            ),
        });
    }
    let n_all = raw.train_y.len();
    if spec.val >= n_all {
        return Err(DataError::Split {
            name: spec.name.clone(),
            message: format!(
                "val: {} leaves no training examples out of {n_all}",
                spec.val
            ),
        });
    }
    // A seeded permutation: the first `val` go to validation, the rest (in
    // permuted order) to training, of which `subset` keeps the first.
    let mut perm: Vec<usize> = (0..n_all).collect();
    perm.shuffle(&mut ChaCha8Rng::seed_from_u64(split_seed ^ 0x5eed_da7a));
    let (val_idx, rest) = perm.split_at(spec.val);
    let train_idx = match spec.subset {
        Some(s) if s < rest.len() => &rest[..s],
        _ => rest,
    };
    let pixels = matches!(raw.train_x, Features::Pixels(_));
    let [mut train, mut val, mut test] = parts(
        raw.train_x,
        &raw.train_y,
        raw.test_x,
        raw.test_y,
        (train_idx, val_idx),
        dim,
    );
    normalize(
        spec.normalize,
        pixels,
        raw.input,
        &mut train,
        &mut [&mut val, &mut test],
    );
    Ok(Dataset {
        train,
        val,
        test,
        input: raw.input,
        classes: raw.classes.max(spec.classes),
        origin: raw.origin,
        files: raw.files,
        split_seed,
    })
}

/// Apply a normalisation with statistics of `train` to every part. The
/// statistics are sums in f64 over the training rows in order, of the values
/// the normalisation starts from, so they do not depend on how rows are kept.
fn normalize(
    mode: Normalize,
    pixels: bool,
    shape: Shape,
    train: &mut Part,
    rest: &mut [&mut Part],
) {
    let scale = if pixels { 1.0 / 255.0 } else { 1.0 };
    let norm = match mode {
        Normalize::None => return,
        Normalize::Unit => Norm::Scale(scale),
        Normalize::MeanImage | Normalize::RawMeanImage => {
            let s = if mode == Normalize::MeanImage {
                scale
            } else {
                1.0
            };
            Norm::MeanImage {
                scale: s,
                mean: mean_image(train, s),
            }
        }
        Normalize::Standardize => standardize(train, shape),
    };
    let norm = Arc::new(norm);
    train.normalize(&norm);
    rest.iter_mut().for_each(|p| p.normalize(&norm));
}

/// Mean of `v · s` per feature over the training rows.
fn mean_image(p: &Part, s: f32) -> Vec<f32> {
    let mut acc = vec![0f64; p.dim];
    p.for_each_raw_row(|row| add_scaled(&mut acc, row, s));
    let n = p.n.max(1) as f64;
    acc.iter().map(|a| (a / n) as f32).collect()
}

/// `acc[j] += row[j]·s` in f64; compiled for AVX-512 and AVX2 too (one pass
/// over the whole training set at start-up).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx512dq",
    "x86_64+avx2+fma"
))]
fn add_scaled(acc: &mut [f64], row: &[f32], s: f32) {
    let n = acc.len();
    let row = &row[..n];
    for j in 0..n {
        acc[j] += (row[j] * s) as f64;
    }
}

/// Per-channel mean and inverse standard deviation over the training rows.
fn standardize(p: &Part, shape: Shape) -> Norm {
    let plane = shape.height * shape.width;
    let n = p.n.max(1) as f64;
    let mut sums = vec![(0f64, 0f64); shape.channels];
    p.for_each_raw_row(|row| {
        for (c, (s, s2)) in sums.iter_mut().enumerate() {
            for &v in &row[c * plane..(c + 1) * plane] {
                *s += v as f64;
                *s2 += (v as f64) * (v as f64);
            }
        }
    });
    let stats = sums
        .iter()
        .map(|&(s, s2)| {
            let m = s / (n * plane as f64);
            let var = (s2 / (n * plane as f64) - m * m).max(0.0);
            // A constant channel keeps std 1 rather than dividing by zero.
            let sd = if var > 1e-12 { var.sqrt() } else { 1.0 };
            (m as f32, (1.0 / sd) as f32)
        })
        .collect();
    Norm::Standardize { plane, stats }
}
