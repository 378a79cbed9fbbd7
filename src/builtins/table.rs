//! The tables. Each kind is an enum (so a `match` over it is exhaustive)
//! whose variants map to their entries; table order is the order of help
//! lines and suggestions. Here: the `kind!` macro and the parameter
//! constructors every table uses, and the tables of what a network is and
//! learns from (layers, data sources, normalizations); how it is trained
//! is in `training`.

use super::{Builtin, Entry, Param};

macro_rules! kind {
    ($(#[$doc:meta])* $Enum:ident, $kind:literal, { $($Variant:ident => $entry:expr,)* }
     $(aliases { $($alias:literal => $Target:ident,)* })?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $Enum {
            $($Variant,)*
        }

        impl Builtin for $Enum {
            const KIND: &'static str = $kind;
            const ALL: &'static [$Enum] = &[$($Enum::$Variant,)*];
            const ALIASES: &'static [(&'static str, $Enum)] = &[$($(($alias, $Enum::$Target),)*)?];
            fn entry(self) -> &'static Entry {
                match self {
                    $($Enum::$Variant => {
                        const ENTRY: Entry = $entry;
                        &ENTRY
                    })*
                }
            }
        }
    };
}
pub(super) use kind;

pub(super) const fn req(name: &'static str, ty: &'static str, range: &'static str) -> Param {
    Param {
        name,
        ty,
        default: None,
        range,
    }
}

pub(super) const fn opt(
    name: &'static str,
    ty: &'static str,
    default: &'static str,
    range: &'static str,
) -> Param {
    Param {
        name,
        ty,
        default: Some(default),
        range,
    }
}

pub(super) const fn word(
    name: &'static str,
    usage: &'static str,
    doc: &'static str,
    explain: &'static str,
) -> Entry {
    Entry {
        name,
        params: &[],
        usage,
        doc,
        explain,
    }
}

// ------------------------------------------------------------------ layers

kind!(
    /// Layers of a `network`.
    Layer, "layer", {
        Dense => Entry {
            name: "dense",
            params: &[req("units", "a whole number", "1 to 10⁷")],
            usage: "dense(n)",
            doc: "a fully connected layer of `units` outputs (flattens its input)",
            explain: "Every output is a weighted sum of every input plus a bias: units·(inputs + 1) parameters. A dense layer after a convolution flattens the channels×height×width input implicitly; the last layer's width must equal the number of classes.",
        },
        Relu => word(
            "relu",
            "relu",
            "max(0, x), element by element",
            "No parameters; the shape is unchanged. The engine fuses it into the layer before it.",
        ),
        Conv => Entry {
            name: "conv",
            params: &[
                req("filters", "a whole number", "1 to 10⁷"),
                req("size", "a whole number (pixels)", "1 to 10⁴"),
                opt("stride", "a whole number (pixels)", "1", "1 to 10⁴"),
                opt("pad", "a whole number (pixels)", "0", "0 to 10⁴"),
            ],
            usage: "conv(filters, size, stride, pad)",
            doc: "a 2-D convolution of `filters` square `size`×`size` filters",
            explain: "The output side is (H + 2·pad − size)/stride + 1 and must be whole: the checker shows the shapes so far when it is not. `pad: (size − 1) / 2` keeps the size at stride 1.",
        },
        Maxpool => Entry {
            name: "maxpool",
            params: &[req("size", "a whole number (pixels)", "1 to 10⁴")],
            usage: "maxpool(size)",
            doc: "the maximum over `size`×`size` windows, stride = size",
            explain: "The size must divide the input's height and width.",
        },
        Dropout => Entry {
            name: "dropout",
            params: &[req("p", "a probability", "in [0, 1)")],
            usage: "dropout(p)",
            doc: "zeroes each activation with probability `p` while training",
            explain: "Inverted dropout: kept activations are scaled by 1/(1 − p) while training, so evaluation uses the network unchanged.",
        },
    }
    aliases {
        "linear" => Dense,
        "fc" => Dense,
        "fully_connected" => Dense,
        "conv2d" => Conv,
        "convolution" => Conv,
        "max_pool" => Maxpool,
        "maxpool2d" => Maxpool,
        "max_pool2d" => Maxpool,
        "pool" => Maxpool,
    }
);

// ------------------------------------------------------------ data sources

const DATA_COMMON: [Param; 3] = [
    opt(
        "val",
        "a whole number of images",
        "1000 (a tenth of the training examples for synthetic, npz and csv)",
        "below the training images",
    ),
    opt(
        "subset",
        "a whole number of images",
        "all",
        "at most the images left after `val`; scaled by --scale",
    ),
    opt("normalize", "a normalization", "mean_image", ""),
];

kind!(
    /// Data sources of a `data` definition.
    Source, "data source", {
        FashionMnist => Entry {
            name: "fashion_mnist",
            params: &[
                opt("path", "a directory (string)", "", ""),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "fashion_mnist(path, val, subset, normalize)",
            doc: "Fashion-MNIST: 60,000 training images, 1×28×28, 10 classes",
            explain: "Read from IDX files (gzipped or not) in `path`; without it, from `$REGIME_DATA` (which must then hold all four files), the Debian package's directory /usr/share/datasets/fashion-mnist, or the bundled sample. A relative path is relative to the file that writes it.",
        },
        Mnist => Entry {
            name: "mnist",
            params: &[
                req("path", "a directory (string)", ""),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "mnist(path, val, subset, normalize)",
            doc: "MNIST: 60,000 training images, 1×28×28, 10 classes",
            explain: "Read from IDX files (gzipped or not) in `path`, which is required. A relative path is relative to the file that writes it.",
        },
        Cifar10 => Entry {
            name: "cifar10",
            params: &[
                req("path", "a directory (string)", ""),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "cifar10(path, val, subset, normalize)",
            doc: "CIFAR-10: 50,000 training images, 3×32×32, 10 classes",
            explain: "Read from the binary batches in `path`, which is required. A relative path is relative to the file that writes it.",
        },
        Synthetic => Entry {
            name: "synthetic",
            params: &[
                req("train", "a whole number of examples", "1 to 10⁸"),
                opt("test", "a whole number of examples", "train / 5", "1 to 10⁸"),
                req("dim", "a whole number of features", "1 to 10⁷"),
                req("classes", "a whole number", "2 to 10⁵"),
                opt("seed", "a whole number", "0", ""),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "synthetic(train, test, dim, classes, seed, val, subset, normalize)",
            doc: "Gaussian class clusters of `dim` features, drawn from `seed`",
            explain: "For tests and quick experiments without downloads: the same seed always draws the same data.",
        },
        Npz => Entry {
            name: "npz",
            params: &[
                req("path", "an .npz file or a directory of .npy files (string)", ""),
                req("x", "an array name (string)", ""),
                req("y", "an array name (string)", ""),
                req("test_x", "an array name (string)", ""),
                req("test_y", "an array name (string)", ""),
                opt("shape", "a list [C, H, W] of whole numbers", "[1, 1, features]", "product = features per example"),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "npz(path, x, y, test_x, test_y, shape, val, subset, normalize)",
            doc: "your own numpy arrays: training `x`/`y` and test `test_x`/`test_y`",
            explain: "`path` is an .npz archive (`np.savez`) whose members `x`, `y`, `test_x` and `test_y` name, or a directory holding `x.npy` and so on. Features are float32, float64 or uint8 (uint8 counts as pixels: `unit` and `mean_image` scale them by 1/255), one example per row of the first axis; labels are integers 0–255, one per example. `regime check` reads the array headers and the labels, so sizes, the class count (largest label + 1) and `shape:` are checked before a run; `shape: [C, H, W]` declares images for convolutions. A relative path is relative to the file that writes it; every file read is hashed into the results' provenance.",
        },
        Csv => Entry {
            name: "csv",
            params: &[
                req("path", "a CSV file with a header row (string)", ""),
                req("label", "a column name (string)", ""),
                req("test", "a CSV file with the same header (string)", ""),
                opt("shape", "a list [C, H, W] of whole numbers", "[1, 1, features]", "product = features per example"),
                DATA_COMMON[0], DATA_COMMON[1], DATA_COMMON[2],
            ],
            usage: "csv(path, label, test, shape, val, subset, normalize)",
            doc: "your own CSV: the `label` column is the class, every other column a feature",
            explain: "`path` holds the training examples and `test` the test examples, both with the same header row. Labels are whole numbers 0–255; features are numbers (never scaled as pixels). `regime check` reads both files, so a ragged row, a non-number, a bad label or a wrong `shape:` is reported at the data definition before a run. A relative path is relative to the file that writes it; every file read is hashed into the results' provenance.",
        },
    }
    aliases {
        "fmnist" => FashionMnist,
        "fashionmnist" => FashionMnist,
        "fashion" => FashionMnist,
        "cifar" => Cifar10,
        "cifar_10" => Cifar10,
        "random" => Synthetic,
    }
);

kind!(
    /// Normalizations of the input (`normalize:`).
    Normalization, "normalization", {
        None => word("none", "none", "the raw pixel values, 0–255", "No scaling at all."),
        Unit => word("unit", "unit", "pixels scaled to [0, 1]", "Divides by 255."),
        MeanImage => word("mean_image", "mean_image", "scaled to [0, 1], then the training mean image subtracted", "The default. The mean is taken over the training images only."),
        RawMeanImage => word("raw_mean_image", "raw_mean_image", "the training mean image subtracted from raw 0–255 pixels", "As in the paper's cs231n code."),
        Standardize => word("standardize", "standardize", "each channel to mean 0 and SD 1 over the training set", "Per channel, from the training images."),
    }
    aliases {
        "standard" => Standardize,
        "standard_scaler" => Standardize,
        "zscore" => Standardize,
        "z_score" => Standardize,
        "minmax" => Unit,
        "min_max" => Unit,
    }
);
