//! Errors of the data loaders: every one names the file and, for a bad file,
//! the byte offset where it stops making sense, so a user can look at it.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum DataError {
    #[error("cannot read {path}: {message}")]
    #[diagnostic(
        code(regime::data_io),
        help("check that the file exists and is readable")
    )]
    Io { path: String, message: String },

    #[error(
        "{path}: not a valid gzip stream (failed after {offset} decompressed bytes): {message}"
    )]
    #[diagnostic(
        code(regime::data_gzip),
        help("the file is corrupt or truncated; download it again")
    )]
    Gzip {
        path: String,
        offset: u64,
        message: String,
    },

    #[error("{path}: bad magic number at byte {offset}: expected {expected}, found {found}")]
    #[diagnostic(
        code(regime::data_bad_magic),
        help("this is not the file format regime expected here (IDX: 00 00 08 <ndim>)")
    )]
    BadMagic {
        path: String,
        offset: u64,
        expected: String,
        found: String,
    },

    #[error("{path}: truncated at byte {offset}: the header promises {expected} bytes, the file has {found}")]
    #[diagnostic(
        code(regime::data_truncated),
        help("the file is incomplete; download or copy it again")
    )]
    Truncated {
        path: String,
        offset: u64,
        expected: u64,
        found: u64,
    },

    #[error("{path}: {message} (at byte {offset})")]
    #[diagnostic(code(regime::data_corrupt))]
    Corrupt {
        path: String,
        offset: u64,
        message: String,
    },

    #[error("{labels}: {label_count} labels (count at byte {offset}) but {images} holds {image_count} images")]
    #[diagnostic(
        code(regime::data_count_mismatch),
        help("images and labels must come from the same split of the same dataset")
    )]
    CountMismatch {
        labels: String,
        images: String,
        offset: u64,
        label_count: u64,
        image_count: u64,
    },

    #[error("{path}: {message}")]
    #[diagnostic(
        code(regime::data_shape),
        help("features are examples × values (an npz array of shape [n, …], a CSV with feature columns besides the label), the same width in the training and test files; `regime explain data_shape` lists the causes")
    )]
    Shape { path: String, message: String },

    #[error("no {what} found: looked in {looked}")]
    #[diagnostic(
        code(regime::data_not_found),
        help("give `path:` in the data definition, or set $REGIME_DATA")
    )]
    NotFound { what: String, looked: String },

    #[error("${var} is {value}, but it does not hold Fashion-MNIST: missing {missing}")]
    #[diagnostic(
        code(regime::data_env),
        help("put the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each possibly .gz) in ${var} or its fashion-mnist/ subdirectory, or unset ${var} to use /usr/share/datasets/fashion-mnist or the bundled sample")
    )]
    EnvMissing {
        var: String,
        value: String,
        missing: String,
    },

    #[error("data `{name}`: {message}")]
    #[diagnostic(code(regime::data_split))]
    Split { name: String, message: String },

    #[error("{path}: no {what} `{name}` (it has: {known})")]
    #[diagnostic(
        code(regime::data_missing_name),
        help("name one of the arrays (npz) or header columns (csv) the file has")
    )]
    MissingName {
        path: String,
        what: String,
        name: String,
        known: String,
    },

    #[error("{path}: {found}, but regime reads {expected}")]
    #[diagnostic(
        code(regime::data_dtype),
        help("convert the array in numpy, e.g. `x.astype(np.float32)` or `y.astype(np.int64)`")
    )]
    Dtype {
        path: String,
        found: String,
        expected: String,
    },

    #[error("{path}: line {line} has {found} fields but the header has {expected}")]
    #[diagnostic(
        code(regime::data_ragged_row),
        help("every row needs one value per header column")
    )]
    Ragged {
        path: String,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error("{path}: {at}: `{value}` is not a finite number")]
    #[diagnostic(
        code(regime::data_value),
        help("features are finite numbers (within ±3.4e38) only; encode categories as numbers first, and fill or drop missing values (in numpy, `np.isfinite(x).all()` finds them)")
    )]
    Value {
        path: String,
        /// Where: `line 3, column `b`` (CSV) or `example 7, feature 2` (npz).
        at: String,
        value: String,
    },

    #[error("{path}: label `{value}` at {at} is not a whole number from 0 to 255")]
    #[diagnostic(
        code(regime::data_label),
        help("labels are class indices 0, 1, …, classes − 1 (at most 256 classes)")
    )]
    Label {
        path: String,
        at: String,
        value: String,
    },

    #[error("{path}: `{x}` has {nx} examples but `{y}` has {ny} labels")]
    #[diagnostic(
        code(regime::data_length_mismatch),
        help("features and labels must have one row per example, in the same order")
    )]
    Lengths {
        path: String,
        x: String,
        y: String,
        nx: usize,
        ny: usize,
    },
}
