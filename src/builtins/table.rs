//! The tables. Each kind is an enum (so a `match` over it is exhaustive)
//! whose variants map to their entries; table order is the order of help
//! lines and suggestions.

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

const fn req(name: &'static str, ty: &'static str, range: &'static str) -> Param {
    Param {
        name,
        ty,
        default: None,
        range,
    }
}

const fn opt(
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

const fn word(
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
        "1000 (a tenth of `train` for synthetic)",
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

// ---------------------------------------------------------------- training

kind!(
    /// Optimizers (`optimizer:`).
    Optimizer, "optimizer", {
        Sgd => Entry {
            name: "sgd",
            params: &[
                req("lr", "a learning rate", "greater than 0"),
                opt("momentum", "a number", "0", "in [0, 1)"),
                opt("nesterov", "true or false", "false", ""),
                opt("decay", "a decay (`0.95 per epoch`)", "", "factor greater than 0"),
            ],
            usage: "sgd(lr, momentum, nesterov, decay)",
            doc: "stochastic gradient descent, with optional (Nesterov) momentum",
            explain: "`decay: 0.95 per epoch` multiplies the learning rate by 0.95 after every epoch (`per 1000 iters` works too).",
        },
        Adam => Entry {
            name: "adam",
            params: &[
                opt("lr", "a learning rate", "1e-3", "greater than 0"),
                opt("beta1", "a number", "0.9", "in [0, 1)"),
                opt("beta2", "a number", "0.999", "in [0, 1)"),
                opt("decay", "a decay (`0.95 per epoch`)", "", "factor greater than 0"),
            ],
            usage: "adam(lr, beta1, beta2, decay)",
            doc: "Adam, with bias correction",
            explain: "With bias correction (ε = 1e-8); `decay:` works as for sgd.",
        },
    }
    aliases {
        "momentum" => Sgd,
        "nesterov" => Sgd,
    }
);

const ON: Param = opt("on", "`weights` or `all`", "weights", "");

kind!(
    /// Penalties (`penalty:`), scaled by the arm's λ.
    Penalty, "penalty", {
        None => word("none", "none", "no penalty: λ has no effect", "Useful as a baseline without regularization."),
        L2 => Entry {
            name: "l2",
            params: &[ON],
            usage: "l2",
            doc: "λ·Σw² (no ½): weight decay, the default",
            explain: "`on: all` penalises the biases too; by default only weights are.",
        },
        L1 => Entry {
            name: "l1",
            params: &[opt("proximal", "true or false", "false", ""), ON],
            usage: "l1",
            doc: "λ·Σ|w|, by subgradient or by a proximal (soft-threshold) step",
            explain: "The subgradient at 0 is 0. `l1(proximal: true)` leaves the gradient alone and soft-thresholds after each optimizer step, w ← sign(w)·max(|w| − lr·λ, 0), which produces exact zeros (see `sparsity`).",
        },
        Lp => Entry {
            name: "lp",
            params: &[
                req("p", "a number", "in (0, 2]"),
                opt("eps", "a number", "1e-6", "greater than 0"),
                ON,
            ],
            usage: "lp(p: 0.5)",
            doc: "λ·Σ(w² + eps²)^(p/2): L_p, e.g. L½",
            explain: "For p < 1 the penalty is not convex and its unsmoothed gradient is infinite at 0; `eps` keeps it finite.",
        },
        Elastic => Entry {
            name: "elastic",
            params: &[
                req("l1", "a weight", "≥ 0"),
                req("l2", "a weight", "≥ 0"),
                ON,
            ],
            usage: "elastic(l1: a, l2: b)",
            doc: "λ·(a·Σ|w| + b·Σw²): elastic net",
            explain: "Both weights are fixed; λ scales their sum.",
        },
    }
    aliases {
        "weight_decay" => L2,
        "ridge" => L2,
        "lasso" => L1,
        "elastic_net" => Elastic,
        "elasticnet" => Elastic,
    }
);

kind!(
    /// Weight initialisations (`init:`).
    Init, "initialisation", {
        He => word("he", "he", "normal with SD √(2 / fan-in) (the default)", "Suited to ReLU networks."),
        Xavier => word("xavier", "xavier", "normal with SD √(2 / (fan-in + fan-out))", "Glorot's initialisation."),
        Normal => Entry {
            name: "normal",
            params: &[req("std", "a standard deviation", "greater than 0")],
            usage: "normal(std)",
            doc: "normal with a fixed SD",
            explain: "`normal(1e-4)` starts every weight near 0, as some of the paper's figures do.",
        },
    }
    aliases {
        "glorot" => Xavier,
        "glorot_normal" => Xavier,
        "xavier_normal" => Xavier,
        "kaiming" => He,
        "kaiming_normal" => He,
        "he_normal" => He,
        "msra" => He,
        "gaussian" => Normal,
        "random_normal" => Normal,
    }
);

kind!(
    /// How minibatches are drawn (`sampling:`).
    Sampling, "sampling", {
        Shuffle => word("shuffle", "shuffle", "a fresh permutation every epoch (the default)", "Every example is seen once per epoch."),
        Replacement => word("replacement", "replacement", "independent draws with replacement", "As in the paper's code; an epoch is then a number of iterations, not a pass."),
    }
    aliases {
        "with_replacement" => Replacement,
        "bootstrap" => Replacement,
        "permutation" => Shuffle,
        "shuffled" => Shuffle,
        "random_reshuffling" => Shuffle,
    }
);

// --------------------------------------------------------------- schedules

const DURATION: &str = "a duration (`500 iters`, `2 epochs`)";

kind!(
    /// Builtin λ schedules.
    Schedule, "schedule", {
        Constant => Entry {
            name: "constant",
            params: &[req("value", "λ", "≥ 0")],
            usage: "constant(v)",
            doc: "λ = v throughout; a plain number means the same",
            explain: "Has no length: an arm with a constant needs `iters:` or `epochs:`.",
        },
        Steps => Entry {
            name: "steps",
            params: &[req("values", "a list of λ", "each ≥ 0"), req("each", DURATION, "greater than 0")],
            usage: "steps(values, each)",
            doc: "values[k] during the k-th `each`; the last value holds after",
            explain: "Lasts len(values)·each.",
        },
        Linear => Entry {
            name: "linear",
            params: &[req("from", "λ", "≥ 0"), req("to", "λ", "≥ 0"), req("over", DURATION, "greater than 0")],
            usage: "linear(from, to, over)",
            doc: "a straight line from `from` to `to` over `over`, then `to`",
            explain: "Lasts `over`.",
        },
        Exponential => Entry {
            name: "exponential",
            params: &[req("from", "λ", "≥ 0"), req("rate", "a factor", "greater than 0"), req("every", DURATION, "greater than 0")],
            usage: "exponential(from, rate, every)",
            doc: "from · rate^⌊t / every⌋",
            explain: "Has no length: an arm with it needs `iters:` or `epochs:`.",
        },
        Cosine => Entry {
            name: "cosine",
            params: &[req("from", "λ", "≥ 0"), req("to", "λ", "≥ 0"), req("over", DURATION, "greater than 0")],
            usage: "cosine(from, to, over)",
            doc: "half a cosine from `from` to `to` over `over`, then `to`",
            explain: "Lasts `over`.",
        },
        Reverse => Entry {
            name: "reverse",
            params: &[req("schedule", "a schedule with an end", "")],
            usage: "reverse(s)",
            doc: "`s` played backwards over its own length",
            explain: "Needs a schedule with an end (steps, linear, cosine, or `then` of those).",
        },
    }
    aliases {
        "step" => Steps,
        "multistep" => Steps,
        "piecewise" => Steps,
        "piecewise_constant" => Steps,
        "const" => Constant,
        "cosine_annealing" => Cosine,
        "exp" => Exponential,
        "exponential_decay" => Exponential,
        "linear_decay" => Linear,
    }
);

// ---------------------------------------------------------- policy rules

kind!(
    /// Functions of numbers in policy rules.
    Func, "function", {
        Abs => Entry { name: "abs", params: &[req("x", "a number", "")], usage: "abs(x)", doc: "|x|", explain: "A number in, a number out." },
        Min => Entry { name: "min", params: &[req("a", "a number", ""), req("b", "a number", "")], usage: "min(a, b)", doc: "the smaller of a and b", explain: "Two numbers in, a number out." },
        Max => Entry { name: "max", params: &[req("a", "a number", ""), req("b", "a number", "")], usage: "max(a, b)", doc: "the larger of a and b", explain: "Two numbers in, a number out." },
        Log => Entry { name: "log", params: &[req("x", "a number", "")], usage: "log(x)", doc: "the natural logarithm", explain: "A number in, a number out." },
        Exp => Entry { name: "exp", params: &[req("x", "a number", "")], usage: "exp(x)", doc: "e^x", explain: "A number in, a number out." },
    }
);

const METRIC: Param = req("metric", "a metric name", "one a policy may read");

kind!(
    /// Functions of a metric's history in policy rules.
    History, "history function", {
        Prev => Entry { name: "prev", params: &[METRIC], usage: "prev(m)", doc: "`m` at the previous check", explain: "At the first check, the current value." },
        Delta => Entry { name: "delta", params: &[METRIC], usage: "delta(m)", doc: "`m` now minus `m` at the previous check", explain: "0 at the first check." },
        Mean => Entry { name: "mean", params: &[METRIC, req("last", "a whole number of checks", "at least 1")], usage: "mean(m, last: k)", doc: "mean of `m` over the last `k` checks, this one included", explain: "Over fewer checks while fewer have happened." },
        Best => Entry { name: "best", params: &[METRIC], usage: "best(m)", doc: "best `m` so far (max for accuracies, min otherwise)", explain: "Includes the current check." },
        SinceBest => Entry { name: "since_best", params: &[METRIC], usage: "since_best(m)", doc: "checks since the best `m`", explain: "0 when the current check is the best." },
    }
    aliases {
        "previous" => Prev,
        "average" => Mean,
        "avg" => Mean,
    }
);

kind!(
    /// Metrics: what a check measures (`measure:`, policy rules, `target:`).
    MetricName, "metric", {
        TrainAcc => word("train_acc", "train_acc", "accuracy on the training set", "Measured at every check on the training examples."),
        ValAcc => word("val_acc", "val_acc", "accuracy on the held-out validation images", "What policies and targets usually read."),
        TestAcc => word("test_acc", "test_acc", "accuracy on the test set (the default measure)", "Sealed: a policy cannot read it, so no decision sees the test set."),
        TrainLoss => word("train_loss", "train_loss", "cross-entropy on the training set", "Without the penalty."),
        ValLoss => word("val_loss", "val_loss", "cross-entropy on the validation images", "Without the penalty."),
        TestLoss => word("test_loss", "test_loss", "cross-entropy on the test set", "Sealed like test_acc."),
        DataLoss => word("data_loss", "data_loss", "the data term of the training objective", "The cross-entropy part of what the optimizer minimises."),
        RegLoss => word("reg_loss", "reg_loss", "the penalty term of the training objective", "The regularization part of what the optimizer minimises."),
        Lambda => word("lambda", "lambda", "the current λ", "What schedules and policies set."),
        Lr => word("lr", "lr", "the current learning rate", "After decay and policy actions."),
        Iter => word("iter", "iter", "iterations done", "Counts minibatch steps."),
        Epoch => word("epoch", "epoch", "epochs done", "Counts passes over the training set (in iterations per epoch)."),
        WeightNorm => word("weight_norm", "weight_norm", "the norm of the weights", "Grows when the penalty is too weak."),
        Sparsity => word("sparsity", "sparsity", "the fraction of weights that are 0", "Meaningful with `l1(proximal: true)`."),
    }
);
