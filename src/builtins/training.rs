//! The tables of how a network is trained: optimizers, penalties,
//! initialisations, samplings, λ schedules, and what policies may do, call
//! and read (see `table` for the `kind!` macro).

use super::table::{kind, opt, req, word};
use super::{Builtin, Entry, Param};

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
