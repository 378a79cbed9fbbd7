//! From raw examples to the three parts a trial trains and measures on:
//! the seeded train/validation split, `subset`, and normalisation with
//! statistics of the training part only.

use super::{DataError, Dataset, Part, Raw};
use crate::plan::{DataSpec, Normalize, Shape};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Examples as a loader produced them. Pixels stay bytes until the split
/// gathers the rows it keeps: converting the whole file to f32 first cost a
/// second 188 MB buffer (and its page faults) for full Fashion-MNIST.
pub(super) enum Features {
    /// 0–255 values, scaled by `unit`/`mean_image` normalisation.
    Pixels(Vec<u8>),
    /// Already features (synthetic data); never scaled.
    Floats(Vec<f32>),
}

impl Features {
    /// The rows `idx` (in that order) as a part, one pass per row into a
    /// buffer sized up front.
    fn gather(&self, y: &[u8], idx: &[usize], dim: usize) -> Part {
        let mut rows = Vec::with_capacity(idx.len() * dim);
        for &i in idx {
            let at = i * dim..(i + 1) * dim;
            match self {
                Features::Pixels(p) => rows.extend(p[at].iter().map(|&v| v as f32)),
                Features::Floats(f) => rows.extend_from_slice(&f[at]),
            }
        }
        Part {
            x: rows,
            y: idx.iter().map(|&i| y[i]).collect(),
            n: idx.len(),
            dim,
        }
    }
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
    let mut train = raw.train_x.gather(&raw.train_y, train_idx, dim);
    let mut val = raw.train_x.gather(&raw.train_y, val_idx, dim);
    drop(raw.train_x);
    let all_test: Vec<usize> = (0..raw.test_y.len()).collect();
    let mut test = raw.test_x.gather(&raw.test_y, &all_test, dim);
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

/// Apply a normalisation with statistics of `train` to every part.
fn normalize(
    mode: Normalize,
    pixels: bool,
    shape: Shape,
    train: &mut Part,
    rest: &mut [&mut Part],
) {
    let scale = if pixels { 1.0 / 255.0 } else { 1.0 };
    let dim = train.dim;
    let mut all: Vec<&mut Part> = vec![train];
    all.extend(rest.iter_mut().map(|p| &mut **p));
    match mode {
        Normalize::None => {}
        Normalize::Unit => all
            .iter_mut()
            .for_each(|p| p.x.iter_mut().for_each(|v| *v *= scale)),
        Normalize::MeanImage | Normalize::RawMeanImage => {
            let s = if mode == Normalize::MeanImage {
                scale
            } else {
                1.0
            };
            all.iter_mut()
                .for_each(|p| p.x.iter_mut().for_each(|v| *v *= s));
            let mean = mean_image(all[0], dim);
            for p in all.iter_mut() {
                for row in p.x.chunks_exact_mut(dim) {
                    row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
                }
            }
        }
        Normalize::Standardize => {
            let plane = shape.height * shape.width;
            let n = all[0].n.max(1) as f64;
            let mut stats = Vec::new();
            for c in 0..shape.channels {
                let (mut s, mut s2) = (0f64, 0f64);
                for row in all[0].x.chunks_exact(dim) {
                    for &v in &row[c * plane..(c + 1) * plane] {
                        s += v as f64;
                        s2 += (v as f64) * (v as f64);
                    }
                }
                let m = s / (n * plane as f64);
                let var = (s2 / (n * plane as f64) - m * m).max(0.0);
                // A constant channel keeps std 1 rather than dividing by zero.
                let sd = if var > 1e-12 { var.sqrt() } else { 1.0 };
                stats.push((m as f32, (1.0 / sd) as f32));
            }
            for p in all.iter_mut() {
                for row in p.x.chunks_exact_mut(dim) {
                    for (c, &(m, inv)) in stats.iter().enumerate() {
                        row[c * plane..(c + 1) * plane]
                            .iter_mut()
                            .for_each(|v| *v = (*v - m) * inv);
                    }
                }
            }
        }
    }
}

fn mean_image(p: &Part, dim: usize) -> Vec<f32> {
    let mut acc = vec![0f64; dim];
    for row in p.x.chunks_exact(dim) {
        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v as f64);
    }
    let n = p.n.max(1) as f64;
    acc.iter().map(|a| (a / n) as f32).collect()
}
