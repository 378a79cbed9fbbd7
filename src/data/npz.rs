//! `npz(...)`: features and labels from numpy arrays, either members of an
//! `.npz` archive or `.npy` files in a directory (`x: "x_train"` names
//! `x_train.npy` there). [`probe`] reads only the feature headers and the
//! labels, so `regime check` knows sizes and classes without reading the
//! features; [`load`] reads everything, hashing each file it reads.

use super::split::Features;
use super::{read_hashed, DataError, FileHash};
use npyz::{DType, NpyFile, Order, TypeChar};
use std::io::{Cursor, Read, Seek};

/// The array names of one `npz(...)` source.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub x: &'a str,
    pub y: &'a str,
    pub test_x: &'a str,
    pub test_y: &'a str,
}

/// What `regime check` learns from the headers and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub train: usize,
    pub test: usize,
    /// Features per example (the product of every axis after the first).
    pub dim: usize,
    /// The largest label plus one, over training and test labels.
    pub classes: usize,
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// An archive or a directory, opened.
enum Store {
    Zip(zip::ZipArchive<Box<dyn ReadSeek>>),
    Dir,
}

struct Arrays {
    path: String,
    store: Store,
}

impl Arrays {
    /// Open `path`; with `hashes` the archive is read whole and hashed.
    fn open(path: &str, hashes: Option<&mut Vec<FileHash>>) -> Result<Arrays, DataError> {
        let io = |e: std::io::Error| DataError::Io {
            path: path.to_string(),
            message: e.to_string(),
        };
        if std::path::Path::new(path).is_dir() {
            return Ok(Arrays {
                path: path.to_string(),
                store: Store::Dir,
            });
        }
        let reader: Box<dyn ReadSeek> = match hashes {
            Some(h) => Box::new(Cursor::new(read_hashed(path, h)?)),
            None => Box::new(std::fs::File::open(path).map_err(io)?),
        };
        let zip = zip::ZipArchive::new(reader).map_err(|e| DataError::Corrupt {
            path: path.to_string(),
            offset: 0,
            message: format!("not an .npz (zip) archive: {e}"),
        })?;
        Ok(Arrays {
            path: path.to_string(),
            store: Store::Zip(zip),
        })
    }

    /// The array names it holds, for did-you-mean.
    fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = match &self.store {
            Store::Zip(z) => z
                .file_names()
                .filter_map(|n| n.ok()?.strip_suffix(".npy").map(str::to_string))
                .collect(),
            Store::Dir => std::fs::read_dir(&self.path)
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n.strip_suffix(".npy").map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        out.sort();
        out
    }

    /// Run `f` on the array `name` (its header read, its data not yet).
    fn with<T>(
        &mut self,
        name: &str,
        hashes: Option<&mut Vec<FileHash>>,
        f: impl FnOnce(NpyFile<&mut dyn Read>, &str) -> Result<T, DataError>,
    ) -> Result<T, DataError> {
        let missing = |arrays: &Arrays| DataError::MissingName {
            path: arrays.path.clone(),
            what: "array".into(),
            name: name.to_string(),
            known: arrays.names().join(", "),
        };
        match &mut self.store {
            Store::Dir => {
                let file = format!("{}/{name}.npy", self.path);
                if !std::path::Path::new(&file).is_file() {
                    return Err(missing(self));
                }
                let mut reader: Box<dyn Read> = match hashes {
                    Some(h) => Box::new(Cursor::new(read_hashed(&file, h)?)),
                    None => Box::new(std::fs::File::open(&file).map_err(|e| DataError::Io {
                        path: file.clone(),
                        message: e.to_string(),
                    })?),
                };
                let npy = NpyFile::new(&mut *reader as &mut dyn Read)
                    .map_err(|e| bad_header(&file, e))?;
                f(npy, &file)
            }
            Store::Zip(z) => {
                let shown = format!("{}:{name}.npy", self.path);
                let Ok(mut member) = z.by_name(&format!("{name}.npy")) else {
                    return Err(missing(self));
                };
                let npy = NpyFile::new(&mut member as &mut dyn Read)
                    .map_err(|e| bad_header(&shown, e))?;
                f(npy, &shown)
            }
        }
    }
}

fn bad_header(path: &str, e: std::io::Error) -> DataError {
    DataError::Corrupt {
        path: path.to_string(),
        offset: 0,
        message: format!("not a valid .npy array: {e}"),
    }
}

/// Rows and features per row of a C-ordered array of at least one axis.
fn rows(npy: &NpyFile<&mut dyn Read>, path: &str) -> Result<(usize, usize), DataError> {
    if npy.order() == Order::Fortran {
        return Err(DataError::Dtype {
            path: path.to_string(),
            found: "a Fortran-ordered array".into(),
            expected: "a C-ordered array (save `np.ascontiguousarray(a)`)".into(),
        });
    }
    let shape = npy.shape();
    let [n, rest @ ..] = shape else {
        return Err(DataError::Shape {
            path: path.to_string(),
            message: "a scalar, not an array of examples".into(),
        });
    };
    // A header's dimensions are the file's word: npyz multiplies them
    // unchecked (wrapping in release), so every product is checked here,
    // before anything is sized by it.
    let dim = rest.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
    match dim.filter(|&d| n.checked_mul(d).is_some()) {
        // A zero-width axis leaves examples with nothing to learn from.
        Some(0) => Err(DataError::Shape {
            path: path.to_string(),
            message: format!("the shape {shape:?} holds no values per example"),
        }),
        Some(dim) => Ok((*n as usize, dim as usize)),
        None => Err(DataError::Shape {
            path: path.to_string(),
            message: format!("the shape {shape:?} has more values than 64 bits can count"),
        }),
    }
}

fn descr(npy: &NpyFile<&mut dyn Read>) -> String {
    match npy.dtype() {
        DType::Plain(t) => t.to_string(),
        other => other.descr(),
    }
}

/// Read features: float32, float64 (to f32) or uint8 (kept as pixels).
fn features(npy: NpyFile<&mut dyn Read>, path: &str) -> Result<(Features, usize), DataError> {
    let (n, dim) = rows(&npy, path)?;
    let io = |e: std::io::Error| DataError::Corrupt {
        path: path.to_string(),
        offset: 0,
        message: format!("cannot read {n}×{dim} values: {e}"),
    };
    let feats = match npy.dtype() {
        DType::Plain(t) if t.type_char() == TypeChar::Float && t.size_field() == 4 => {
            let values = npy.into_vec::<f32>().map_err(io)?;
            finite(&values, |v| v.is_finite(), dim, path)?;
            Features::Floats(values)
        }
        DType::Plain(t) if t.type_char() == TypeChar::Float && t.size_field() == 8 => {
            let values = npy.into_vec::<f64>().map_err(io)?;
            finite(&values, |v| (v as f32).is_finite(), dim, path)?;
            Features::Floats(values.into_iter().map(|v| v as f32).collect())
        }
        DType::Plain(t) if t.type_char() == TypeChar::Uint && t.size_field() == 1 => {
            Features::Pixels(npy.into_vec::<u8>().map_err(io)?)
        }
        _ => return Err(dtype_error(&npy, path, "features")),
    };
    Ok((feats, n))
}

/// Refuses the first value that is not `fits` as an f32: `nan`, `inf` and
/// float64 values past f32's range (which would become `inf`) turn every
/// loss and gradient of a trial into NaN.
fn finite<T: Copy + std::fmt::Debug>(
    values: &[T],
    fits: impl Fn(T) -> bool,
    dim: usize,
    path: &str,
) -> Result<(), DataError> {
    match values.iter().position(|&v| !fits(v)) {
        None => Ok(()),
        Some(i) => Err(DataError::Value {
            path: path.to_string(),
            at: format!("example {}, feature {}", i / dim, i % dim),
            // Debug shows 1e39 as `1e39`, not forty digits.
            value: format!("{:?}", values[i]),
        }),
    }
}

fn dtype_error(npy: &NpyFile<&mut dyn Read>, path: &str, what: &str) -> DataError {
    DataError::Dtype {
        path: path.to_string(),
        found: format!("dtype {}", descr(npy)),
        expected: if what == "labels" {
            "integer labels (int8 … int64, uint8 … uint64)".into()
        } else {
            "float32, float64 or uint8 features".into()
        },
    }
}

/// Every value of an integer array, widened to i128 so one range check
/// serves every integer dtype.
fn widened<T: npyz::Deserialize + Into<i128>>(
    npy: NpyFile<&mut dyn Read>,
) -> std::io::Result<Vec<i128>> {
    Ok(npy.into_vec::<T>()?.into_iter().map(Into::into).collect())
}

/// Read labels: a 1-D (or n×1) integer array with values in 0..=255.
fn labels(npy: NpyFile<&mut dyn Read>, path: &str) -> Result<Vec<u8>, DataError> {
    let (_, per_row) = rows(&npy, path)?;
    if per_row != 1 {
        return Err(DataError::Shape {
            path: path.to_string(),
            message: format!(
                "labels must be one per example, but the array has shape {:?}",
                npy.shape()
            ),
        });
    }
    let io = |e: std::io::Error| DataError::Corrupt {
        path: path.to_string(),
        offset: 0,
        message: e.to_string(),
    };
    let DType::Plain(t) = npy.dtype() else {
        return Err(dtype_error(&npy, path, "labels"));
    };
    let values: Vec<i128> = match (t.type_char(), t.size_field()) {
        (TypeChar::Int, 1) => widened::<i8>(npy).map_err(io)?,
        (TypeChar::Int, 2) => widened::<i16>(npy).map_err(io)?,
        (TypeChar::Int, 4) => widened::<i32>(npy).map_err(io)?,
        (TypeChar::Int, 8) => widened::<i64>(npy).map_err(io)?,
        (TypeChar::Uint, 1) => widened::<u8>(npy).map_err(io)?,
        (TypeChar::Uint, 2) => widened::<u16>(npy).map_err(io)?,
        (TypeChar::Uint, 4) => widened::<u32>(npy).map_err(io)?,
        (TypeChar::Uint, 8) => widened::<u64>(npy).map_err(io)?,
        _ => return Err(dtype_error(&npy, path, "labels")),
    };
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u8::try_from(v).map_err(|_| DataError::Label {
                path: path.to_string(),
                at: format!("index {i}"),
                value: v.to_string(),
            })
        })
        .collect()
}

fn same_length(path: &str, x: &str, y: &str, nx: usize, ny: usize) -> Result<(), DataError> {
    if nx == ny {
        return Ok(());
    }
    Err(DataError::Lengths {
        path: path.to_string(),
        x: x.to_string(),
        y: y.to_string(),
        nx,
        ny,
    })
}

/// Headers of the feature arrays and the labels in full (check time).
pub fn probe(path: &str, names: Names) -> Result<Probe, DataError> {
    let mut a = Arrays::open(path, None)?;
    let header = |npy: NpyFile<&mut dyn Read>, p: &str| {
        let (n, dim) = rows(&npy, p)?;
        match npy.dtype() {
            DType::Plain(t)
                if matches!(
                    (t.type_char(), t.size_field()),
                    (TypeChar::Float, 4 | 8) | (TypeChar::Uint, 1)
                ) =>
            {
                Ok((n, dim))
            }
            _ => Err(dtype_error(&npy, p, "features")),
        }
    };
    let (n, dim) = a.with(names.x, None, header)?;
    let y = a.with(names.y, None, labels)?;
    let (tn, tdim) = a.with(names.test_x, None, header)?;
    let ty = a.with(names.test_y, None, labels)?;
    same_length(path, names.x, names.y, n, y.len())?;
    same_length(path, names.test_x, names.test_y, tn, ty.len())?;
    if tdim != dim {
        return Err(DataError::Shape {
            path: path.to_string(),
            message: format!(
                "`{}` has {tdim} features per example but `{}` has {dim}",
                names.test_x, names.x
            ),
        });
    }
    let classes = y
        .iter()
        .chain(&ty)
        .map(|&l| l as usize + 1)
        .max()
        .unwrap_or(0);
    Ok(Probe {
        train: n,
        test: tn,
        dim,
        classes,
    })
}

/// Every array of an `npz(...)` source, read in full.
pub(super) struct Loaded {
    pub train_x: Features,
    pub train_y: Vec<u8>,
    pub test_x: Features,
    pub test_y: Vec<u8>,
    /// Features per example.
    pub dim: usize,
}

/// Every array in full, each file hashed into `files`.
pub(super) fn load(
    path: &str,
    names: Names,
    files: &mut Vec<FileHash>,
) -> Result<Loaded, DataError> {
    let zip = !std::path::Path::new(path).is_dir();
    let mut a = Arrays::open(path, zip.then_some(&mut *files))?;
    let dim_of = |p: &str, npy: &NpyFile<&mut dyn Read>| rows(npy, p).map(|r| r.1);
    let (x, n, dim) = a.with(names.x, per_file(zip, files), |npy, p| {
        let dim = dim_of(p, &npy)?;
        features(npy, p).map(|(f, n)| (f, n, dim))
    })?;
    let y = a.with(names.y, per_file(zip, files), labels)?;
    let (tx, tn, tdim) = a.with(names.test_x, per_file(zip, files), |npy, p| {
        let dim = dim_of(p, &npy)?;
        features(npy, p).map(|(f, n)| (f, n, dim))
    })?;
    let ty = a.with(names.test_y, per_file(zip, files), labels)?;
    same_length(path, names.x, names.y, n, y.len())?;
    same_length(path, names.test_x, names.test_y, tn, ty.len())?;
    if tdim != dim {
        return Err(DataError::Shape {
            path: path.to_string(),
            message: format!(
                "`{}` has {tdim} features per example but `{}` has {dim}",
                names.test_x, names.x
            ),
        });
    }
    Ok(Loaded {
        train_x: x,
        train_y: y,
        test_x: tx,
        test_y: ty,
        dim,
    })
}

/// A directory's arrays are hashed file by file; an archive was hashed whole.
fn per_file(zip: bool, files: &mut Vec<FileHash>) -> Option<&mut Vec<FileHash>> {
    (!zip).then_some(files)
}
