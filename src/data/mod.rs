//! `data`: datasets loaded once per process and shared read-only by every
//! trial. Loaders for IDX (MNIST, Fashion-MNIST) and CIFAR-10 binaries, a
//! synthetic source, your own files (`npz.rs`, `csv.rs`, `own.rs`), the
//! seeded train/val split, `subset`, and normalisation.
//!
//! Every split is `n` examples of `d` features plus u8 labels; pixel data
//! stays bytes and is normalised row by row as the trainer gathers a
//! minibatch (`part.rs`).

mod cifar;
pub mod csv;
mod error;
mod idx;
pub mod npz;
mod own;
mod part;
mod read;
mod sample;
mod split;

pub use error::DataError;
pub use part::Part;
use read::read_hashed;
pub use read::FileHash;

use crate::plan::{DataSource, DataSpec, Shape};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use split::{finish, Features};
use std::path::Path;

/// A loaded, split and normalised dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub train: Part,
    pub val: Part,
    pub test: Part,
    pub input: Shape,
    pub classes: usize,
    /// Where the data came from, e.g. `/usr/share/datasets/fashion-mnist` or
    /// `bundled sample (5000 train / 1000 test)`.
    pub origin: String,
    /// Every file read to make it, with its SHA-256 (empty for synthetic data).
    pub files: Vec<FileHash>,
    /// The seed of the train/validation split and of `subset`.
    pub split_seed: u64,
}

/// Raw examples before splitting: pixels as read (u8) or features (f32,
/// synthetic data); see [`split::Features`].
struct Raw {
    train_x: Features,
    train_y: Vec<u8>,
    test_x: Features,
    test_y: Vec<u8>,
    input: Shape,
    classes: usize,
    origin: String,
    files: Vec<FileHash>,
}

const FMNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Load the data a plan describes: read, split off `val` by `split_seed`,
/// take `subset`, normalise with statistics of the training part only.
pub fn load(spec: &DataSpec, split_seed: u64) -> Result<Dataset, DataError> {
    let raw = match &spec.source {
        DataSource::FashionMnist { path } => load_fashion_mnist(path.as_deref())?,
        DataSource::Mnist { path } => {
            let dir =
                find_idx_dir(std::slice::from_ref(path)).ok_or_else(|| DataError::NotFound {
                    what: "MNIST IDX files".into(),
                    looked: path.clone(),
                })?;
            load_idx_dir(&dir)?
        }
        DataSource::Cifar10 { path } => load_cifar_dir(path)?,
        DataSource::Synthetic {
            train,
            test,
            dim,
            classes,
            seed,
        } => synthetic(*train, *test, *dim, *classes, *seed),
        DataSource::Npz {
            path,
            x,
            y,
            test_x,
            test_y,
            ..
        } => own::npz_raw(
            spec,
            path,
            npz::Names {
                x,
                y,
                test_x,
                test_y,
            },
        )?,
        DataSource::Csv {
            path,
            label,
            test_path,
            ..
        } => own::csv_raw(spec, path, label, test_path)?,
    };
    finish(spec, raw, split_seed)
}

/// [`load`] through a process-wide cache: the same spec and split seed give
/// the same `Arc<Dataset>`, so data is read, split and normalised once per
/// process and shared read-only by every trial (and thread) that uses it.
/// Errors are not cached.
pub fn load_shared(spec: &DataSpec, split_seed: u64) -> Result<std::sync::Arc<Dataset>, DataError> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Dataset>>>> = OnceLock::new();
    // invariant: DataSpec is plain data that always serialises.
    let key = format!(
        "{}#{split_seed}",
        serde_json::to_string(spec).expect("DataSpec serialises")
    );
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // Holding the lock while loading makes concurrent trials wait for one
    // load instead of each reading the files.
    let mut map = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(d) = map.get(&key) {
        return Ok(Arc::clone(d));
    }
    let d = Arc::new(load(spec, split_seed)?);
    map.insert(key, Arc::clone(&d));
    Ok(d)
}

/// Where Debian's `dataset-fashion-mnist` puts the IDX files.
pub const SYSTEM_FASHION_MNIST: &str = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST: explicit path, `$REGIME_DATA`, Debian's directory, bundled sample.
fn load_fashion_mnist(path: Option<&str>) -> Result<Raw, DataError> {
    let env = std::env::var("REGIME_DATA").ok();
    resolve_fashion_mnist(path, env.as_deref(), SYSTEM_FASHION_MNIST)
}

/// The resolution order, with the environment and system directory as
/// arguments so tests can exercise every step.
fn resolve_fashion_mnist(
    path: Option<&str>,
    env: Option<&str>,
    system: &str,
) -> Result<Raw, DataError> {
    if let Some(p) = path {
        let dir =
            find_idx_dir(&[p.to_string(), format!("{p}/fashion-mnist")]).ok_or_else(|| {
                DataError::NotFound {
                    what: "Fashion-MNIST IDX files".into(),
                    looked: p.to_string(),
                }
            })?;
        return load_idx_dir(&dir);
    }
    // A set variable is a promise: it must hold the data (in itself or its
    // fashion-mnist/ subdirectory), or the run would silently train on other
    // images. An empty value counts as unset.
    if let Some(env) = env.filter(|e| !e.is_empty()) {
        let candidates = [format!("{env}/fashion-mnist"), env.to_string()];
        if let Some(dir) = find_idx_dir(&candidates) {
            return load_idx_dir(&dir);
        }
        return Err(env_error(env));
    }
    if let Some(dir) = find_idx_dir(&[system.to_string()]) {
        return load_idx_dir(&dir);
    }
    let (ti, tl, si, sl) = sample::FILES;
    let mut raw = idx_raw(
        ("bundled:train-images-idx3-ubyte.gz", ti),
        ("bundled:train-labels-idx1-ubyte.gz", tl),
        ("bundled:t10k-images-idx3-ubyte.gz", si),
        ("bundled:t10k-labels-idx1-ubyte.gz", sl),
    )?;
    raw.files = [
        ("bundled:train-images-idx3-ubyte.gz", ti),
        ("bundled:train-labels-idx1-ubyte.gz", tl),
        ("bundled:t10k-images-idx3-ubyte.gz", si),
        ("bundled:t10k-labels-idx1-ubyte.gz", sl),
    ]
    .iter()
    .map(|(p, b)| FileHash::of(p, b))
    .collect();
    raw.origin = format!(
        "bundled Fashion-MNIST sample ({} train / {} test)",
        raw.train_y.len(),
        raw.test_y.len()
    );
    Ok(raw)
}

/// Why `$REGIME_DATA` (set to `env`) does not hold Fashion-MNIST: the
/// directory is missing, or the first IDX file missing from it (its
/// `fashion-mnist/` subdirectory when that exists).
fn env_error(env: &str) -> DataError {
    let sub = format!("{env}/fashion-mnist");
    let dir = if Path::new(&sub).is_dir() {
        sub
    } else {
        env.to_string()
    };
    let missing = if !Path::new(&dir).is_dir() {
        format!("{dir} (no such directory)")
    } else {
        FMNIST_FILES
            .iter()
            .find(|f| idx_file(&dir, f).is_none())
            .map(|f| format!("{dir}/{f} (or {f}.gz)"))
            .unwrap_or_else(|| dir.clone())
    };
    DataError::EnvMissing {
        var: "REGIME_DATA".into(),
        value: env.to_string(),
        missing,
    }
}

/// The first candidate directory holding the four IDX files (`.gz` or raw).
fn find_idx_dir(candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .find(|d| FMNIST_FILES.iter().all(|f| idx_file(d, f).is_some()))
        .cloned()
}

fn idx_file(dir: &str, stem: &str) -> Option<String> {
    [format!("{dir}/{stem}.gz"), format!("{dir}/{stem}")]
        .into_iter()
        .find(|p| Path::new(p).is_file())
}

fn load_idx_dir(dir: &str) -> Result<Raw, DataError> {
    let mut files = Vec::new();
    let mut hashes = Vec::new();
    for stem in FMNIST_FILES {
        let p = idx_file(dir, stem).ok_or_else(|| DataError::NotFound {
            what: stem.to_string(),
            looked: dir.to_string(),
        })?;
        let bytes = read_hashed(&p, &mut hashes)?;
        files.push((p, bytes));
    }
    let mut it = files.into_iter();
    let mut next = || it.next().expect("four IDX files were read");
    let ((ti, tib), (tl, tlb), (si, sib), (sl, slb)) = (next(), next(), next(), next());
    let mut raw = idx_raw((&ti, tib), (&tl, tlb), (&si, sib), (&sl, slb))?;
    raw.origin = dir.to_string();
    raw.files = hashes;
    Ok(raw)
}

trait IntoBytes {
    fn into_bytes(self, path: &str) -> Result<Vec<u8>, DataError>;
}
impl IntoBytes for Vec<u8> {
    fn into_bytes(self, _: &str) -> Result<Vec<u8>, DataError> {
        Ok(self)
    }
}
impl IntoBytes for &'static [u8] {
    fn into_bytes(self, path: &str) -> Result<Vec<u8>, DataError> {
        idx::gunzip_if_needed(path, self.to_vec())
    }
}

fn idx_raw<B: IntoBytes>(
    ti: (&str, B),
    tl: (&str, B),
    si: (&str, B),
    sl: (&str, B),
) -> Result<Raw, DataError> {
    let classes = 10;
    let (tx, ty, _, h, w) = idx::load_pair(
        ti.0,
        ti.1.into_bytes(ti.0)?,
        tl.0,
        tl.1.into_bytes(tl.0)?,
        classes,
    )?;
    let (sx, sy, _, sh, sw) = idx::load_pair(
        si.0,
        si.1.into_bytes(si.0)?,
        sl.0,
        sl.1.into_bytes(sl.0)?,
        classes,
    )?;
    if (sh, sw) != (h, w) {
        return Err(DataError::Shape {
            path: si.0.to_string(),
            message: format!("test images are {sh}×{sw} but training images are {h}×{w}"),
        });
    }
    Ok(Raw {
        train_x: Features::Pixels(tx),
        train_y: ty,
        test_x: Features::Pixels(sx),
        test_y: sy,
        input: Shape {
            channels: 1,
            height: h,
            width: w,
        },
        classes,
        origin: String::new(),
        files: Vec::new(),
    })
}

/// Load a CIFAR-10 directory: `data_batch_1..5.bin` and `test_batch.bin`.
/// Missing training batches are allowed as long as at least one exists (the
/// tests and small setups use fewer).
fn load_cifar_dir(dir: &str) -> Result<Raw, DataError> {
    let (mut tx, mut ty, mut sx, mut sy) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut files = Vec::new();
    let mut found = 0;
    for k in 1..=5 {
        let p = format!("{dir}/data_batch_{k}.bin");
        if Path::new(&p).is_file() {
            let bytes = read_hashed(&p, &mut files)?;
            cifar::parse_into(&p, &bytes, &mut tx, &mut ty)?;
            found += 1;
        }
    }
    let tp = format!("{dir}/test_batch.bin");
    if found == 0 || !Path::new(&tp).is_file() {
        return Err(DataError::NotFound {
            what: "CIFAR-10 binary batches (data_batch_N.bin and test_batch.bin)".into(),
            looked: dir.to_string(),
        });
    }
    let bytes = read_hashed(&tp, &mut files)?;
    cifar::parse_into(&tp, &bytes, &mut sx, &mut sy)?;
    Ok(Raw {
        train_x: Features::Pixels(tx),
        train_y: ty,
        test_x: Features::Pixels(sx),
        test_y: sy,
        input: Shape {
            channels: 3,
            height: 32,
            width: 32,
        },
        classes: 10,
        origin: format!("{dir} (CIFAR-10, {found} training batches)"),
        files,
    })
}

/// Gaussian inputs labelled by the argmax of a fixed random linear map.
fn synthetic(train: usize, test: usize, dim: usize, classes: usize, seed: u64) -> Raw {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let classes = classes.max(1);
    let proj: Vec<f32> = (0..dim * classes)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let mut make = |n: usize| {
        let x: Vec<f32> = (0..n * dim)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let y = (0..n)
            .map(|i| {
                let row = &x[i * dim..(i + 1) * dim];
                let mut best = (f32::NEG_INFINITY, 0u8);
                for c in 0..classes {
                    let s: f32 = row
                        .iter()
                        .enumerate()
                        .map(|(j, v)| v * proj[j * classes + c])
                        .sum();
                    if s > best.0 {
                        best = (s, c as u8);
                    }
                }
                best.1
            })
            .collect();
        (x, y)
    };
    let (train_x, train_y) = make(train);
    let (test_x, test_y) = make(test);
    Raw {
        train_x: Features::Floats(train_x),
        train_y,
        test_x: Features::Floats(test_x),
        test_y,
        input: Shape {
            channels: 1,
            height: 1,
            width: dim,
        },
        classes,
        origin: format!("synthetic ({train} train / {test} test, dim {dim}, seed {seed})"),
        files: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
