//! Explanations of the errors of loading data at run time: the environment,
//! unreadable, damaged or mismatched files, and your own `npz`/`csv` files.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "data_env" => DATA_ENV,
        "data_io" => DATA_IO,
        "data_gzip" => DATA_GZIP,
        "data_bad_magic" => DATA_BAD_MAGIC,
        "data_truncated" => DATA_TRUNCATED,
        "data_corrupt" => DATA_CORRUPT,
        "data_count_mismatch" => DATA_COUNT_MISMATCH,
        "data_shape" => DATA_SHAPE,
        "data_not_found" => DATA_NOT_FOUND,
        "data_split" => DATA_SPLIT,
        "data_missing_name" => DATA_MISSING_NAME,
        "data_dtype" => DATA_DTYPE,
        "data_ragged_row" => DATA_RAGGED_ROW,
        "data_value" => DATA_VALUE,
        "data_label" => DATA_LABEL,
        "data_length_mismatch" => DATA_LENGTH_MISMATCH,
        _ => return None,
    })
}

const DATA_ENV: &str = "\
regime::data_env — $REGIME_DATA is set but does not hold Fashion-MNIST.

A `fashion_mnist(...)` without `path` reads the four IDX files
(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte, each possibly .gz) from $REGIME_DATA or its
fashion-mnist/ subdirectory. When the variable is set, those files must be
there: falling back to /usr/share/datasets/fashion-mnist or the bundled
sample would train on other images than the ones meant, and the results
would not say so. The message names the variable's value and the first
missing file (or that the directory does not exist).

Example:
    REGIME_DATA=/data/fmnsit regime run fig1.reg    # a typo
Fix: point it at the directory holding the files, or unset it
(an empty value counts as unset):
    REGIME_DATA=/data/fmnist regime run fig1.reg
";

const DATA_IO: &str = "\
regime::data_io — a data file could not be read.

The loader names the file and the operating system's reason (missing,
permissions, a directory where a file was expected).

Fix: check the `path:` of the data definition (relative paths are relative
to the .reg file) and that the file is readable.
";

const DATA_GZIP: &str = "\
regime::data_gzip — a gzipped data file is not a valid gzip stream.

The message gives how many decompressed bytes came out before the stream
broke, which tells a truncated download from a file that is not gzip.

Fix: download or copy the file again.
";

const DATA_BAD_MAGIC: &str = "\
regime::data_bad_magic — a data file does not start with the expected magic number.

IDX files start with 00 00 08 <ndim>; the message gives the byte offset,
what was expected and what was found, e.g. a labels file given where an
images file belongs, or an HTML error page saved under the file's name.

Fix: put the right files under their standard names in the data directory.
";

const DATA_TRUNCATED: &str = "\
regime::data_truncated — a data file is shorter than its header promises.

The header gives the number of items and their size; the message names
the offset where the file ends early.

Fix: the file is incomplete; download or copy it again.
";

const DATA_CORRUPT: &str = "\
regime::data_corrupt — a data file's contents make no sense at some byte.

For example a label outside the number of classes, or a CIFAR-10 record
with a bad class byte. The message names the file and the byte offset.

Fix: replace the file; check that it is the data set the definition names.
";

const DATA_COUNT_MISMATCH: &str = "\
regime::data_count_mismatch — the images and labels files hold different numbers of examples.

Both files of a split must come from the same data set and split
(train with train, t10k with t10k).

Fix: use the matching pair of files.
";

const DATA_SHAPE: &str = "\
regime::data_shape — a data file's examples have no usable shape.

Either the files do not agree (test images of another size than the
training images, an npz test array with another number of features than
the training array, a file changed since `regime check` to another width:
one network cannot take both), or one file's shape cannot hold examples:
a scalar array, a shape whose product overflows 64 bits, a zero-width
axis (shape [n, 0]), or a CSV whose header has only the label column.

Fix: use the matching test and training files; save feature arrays as
examples × features (`x.reshape(len(x), -1)`); give a CSV its feature
columns, separated by commas.
";

const DATA_NOT_FOUND: &str = "\
regime::data_not_found — the data files are not where regime looked.

The message lists every place looked in: `path:`, $REGIME_DATA, the
Debian package's directory and the bundled sample, as they apply.

Fix: give `path:` in the data definition, or set $REGIME_DATA.
";

const DATA_SPLIT: &str = "\
regime::data_split — the data loaded does not fit what the plan expects.

`regime check` works from the source's nominal size and shape; this is the
same check against the files actually loaded: inputs of another shape than
the plan's, or a `val` that leaves no training examples (e.g. files smaller
than the standard ones).

Fix: a smaller `val` or `subset`, or the data files the source names.
";

const DATA_MISSING_NAME: &str = "\
regime::data_missing_name — an array or column the plan names is not in the file.

`regime check` found it; the file changed before the run. The message
lists the arrays (npz) or header columns (csv) the file has now.

Fix: check the file again, and name one of the listed arrays or columns.
";

const DATA_DTYPE: &str = "\
regime::data_dtype — an array's dtype is not one regime reads.

Features are float32, float64 (read as float32) or uint8 (pixels);
labels are integers of any width. Other dtypes (bool, complex, strings,
objects) and Fortran-ordered arrays are refused rather than guessed at.

Fix: `np.savez(..., x=x.astype(np.float32), y=y.astype(np.int64))`.
";

const DATA_RAGGED_ROW: &str = "\
regime::data_ragged_row — a CSV row has another number of fields than the header.

The message gives the line (the header is line 1). A missing or extra
comma would otherwise shift every later feature into the wrong column.

Fix: one value per header column on every row.
";

const DATA_VALUE: &str = "\
regime::data_value — a feature is not a finite number.

Features are read as 32-bit floats: every CSV column except the label, and
every value of an npz feature array (float32 or float64). Text, `nan`,
`inf` and values beyond ±3.4e38 are refused: one of them would turn every
loss and gradient of the trial into NaN. The message gives the place (a
CSV's line and column; an npz array's example and feature, counted from
0) and the value.

Fix: encode categorical columns as numbers, fill or drop missing values
(`nan`; in numpy `np.isfinite(x).all()` finds them, `np.nan_to_num` fills
them), or drop the column from the file.
";

const DATA_LABEL: &str = "\
regime::data_label — a label is not a class index regime can use.

Labels are whole numbers from 0 to 255 (the class count is the largest
label plus one, read at check time). Negative, fractional or larger
labels, or a label beyond the classes the plan was made with (the file
changed after `regime check`), are refused.

Fix: map the labels to 0, 1, …, classes − 1, and check again.
";

const DATA_LENGTH_MISMATCH: &str = "\
regime::data_length_mismatch — features and labels hold different numbers of examples.

`x` (or `test_x`) must have one row per label in `y` (or `test_y`); if
not, the pairs are misaligned and every label may belong to another
example.

Fix: save the matching arrays together.
";
