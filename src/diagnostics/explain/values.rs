//! Explanations of the mistakes in names and values: unknown names, metrics,
//! layers, penalties, arguments and keys; arguments missing, repeated or too
//! many; types, units and ranges; empty lists and clamps.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "unknown_name" => UNKNOWN_NAME,
        "unknown_metric" => UNKNOWN_METRIC,
        "sealed_metric" => SEALED_METRIC,
        "unknown_layer" => UNKNOWN_LAYER,
        "unknown_penalty" => UNKNOWN_PENALTY,
        "unknown_argument" => UNKNOWN_ARGUMENT,
        "unknown_key" => UNKNOWN_KEY,
        "missing_argument" => MISSING_ARGUMENT,
        "duplicate_argument" => DUPLICATE_ARGUMENT,
        "too_many_arguments" => TOO_MANY_ARGUMENTS,
        "wrong_type" => WRONG_TYPE,
        "wrong_unit" => WRONG_UNIT,
        "out_of_range" => OUT_OF_RANGE,
        "float_overflow" => FLOAT_OVERFLOW,
        "empty_list" => EMPTY_LIST,
        "bad_clamp" => BAD_CLAMP,
        _ => return None,
    })
}

const UNKNOWN_NAME: &str = "\
regime::unknown_name — a name is not defined.

Definitions (data, network, schedule, policy) live in one namespace shared
with everything imported. Built-ins (steps, linear, sgd, adam, grid, …) are
always available. The message suggests the closest known name.

Example:
    arm a: lambda = pul_down(250 iters)
Fix:
    arm a: lambda = pull_down(250 iters)
";

const UNKNOWN_METRIC: &str = "\
regime::unknown_metric — a policy reads something that is not a metric.

Policies can read train_acc, val_acc, train_loss, val_loss, data_loss,
reg_loss, lambda, lr, iter, epoch, weight_norm and sparsity, plus the
policy's own parameters.

Example:
    when train_ac - val_acc > 0.05: lambda *= 1.5
Fix:
    when train_acc - val_acc > 0.05: lambda *= 1.5
";

const SEALED_METRIC: &str = "\
regime::sealed_metric — a policy reads a test metric.

test_acc and test_loss are measured only when a trial ends, so that no choice
made during training can see the test set. Steer on validation metrics.

Example:
    when test_acc < 0.8: lambda /= 2
Fix:
    when val_acc < 0.8: lambda /= 2
";

const UNKNOWN_LAYER: &str = "\
regime::unknown_layer — a network uses a layer regime does not have.

Layers: dense(n), relu, conv(filters, size, stride, pad), maxpool(size),
dropout(p). Flattening before a dense layer is implicit.

Example:
    network n { dense(100) rellu dense(10) }
Fix:
    network n { dense(100) relu dense(10) }
";

const UNKNOWN_PENALTY: &str = "\
regime::unknown_penalty — `penalty:` names no known penalty.

Penalties: none, l2 (λ·Σw²), l1 (λ·Σ|w|, `l1(proximal: true)` for exact
zeros), lp(p: 0.5) (λ·Σ(w²+ε²)^(p/2)), elastic(l1: a, l2: b).

Example:
    penalty: l3
Fix:
    penalty: l2
";

const UNKNOWN_ARGUMENT: &str = "\
regime::unknown_argument — a call names an argument it does not take.

Example:
    optimizer: sgd(lr: 1e-3, momentun: 0.9)
Fix:
    optimizer: sgd(lr: 1e-3, momentum: 0.9)
";

const UNKNOWN_KEY: &str = "\
regime::unknown_key — an experiment sets a key regime does not know.

Keys: data, network, optimizer, batch, iters, epochs, penalty, seeds, measure,
checks, init, sampling, normalize; plus `vary NAME in [...]` and
`arm NAME: lambda = ...` statements.

Example:
    batchsize: 200
Fix:
    batch: 200
";

const MISSING_ARGUMENT: &str = "\
regime::missing_argument — a call leaves out an argument that has no default.

Example:
    schedule s = steps([3, 2, 1, 0])
Fix:
    schedule s = steps([3, 2, 1, 0], each: 1000 iters)
";

const DUPLICATE_ARGUMENT: &str = "\
regime::duplicate_argument — the same argument is given twice (by name, or by
position and by name).

Example:
    sgd(lr: 1e-3, lr: 1e-2)
Fix:
    sgd(lr: 1e-3)
";

const TOO_MANY_ARGUMENTS: &str = "\
regime::too_many_arguments — a call has more positional arguments than the
callee takes.

Example:
    dense(100, 10)
Fix:
    dense(100)
";

const WRONG_TYPE: &str = "\
regime::wrong_type — a value has the wrong kind: a string where a number is
needed, a list where a schedule is needed, a policy without a starting value.

Example:
    batch: \"200\"
    arm a: lambda = gap_feedback()
Fix:
    batch: 200
    arm a: lambda = gap_feedback() from 1.0
";

const WRONG_UNIT: &str = "\
regime::wrong_unit — a duration is missing its unit, has one where a plain
number is needed, or counts fractional iterations.

Example:
    schedule s = steps([1, 0], each: 0.3)
    policy p { every 2.5 iters }
Fix:
    schedule s = steps([1, 0], each: 300 iters)
    policy p { every 2 iters }
";

const OUT_OF_RANGE: &str = "\
regime::out_of_range — a number is outside what makes sense: λ < 0, a
learning rate ≤ 0, p outside (0, 2], dropout outside [0, 1), momentum outside
[0, 1), a count below 1.

Example:
    optimizer: sgd(lr: 0)
Fix:
    optimizer: sgd(lr: 1e-3)
";

const FLOAT_OVERFLOW: &str = "\
regime::float_overflow — a number literal is beyond the largest 64-bit float
(about 1.8e308), so it would silently become infinity. Usually a typo in the
exponent.

Example:
    arm big: lambda = 1e400
Fix:
    arm big: lambda = 1e-4
";

const EMPTY_LIST: &str = "\
regime::empty_list — a list that needs values is empty (steps, grid, vary).

Example:
    vary hidden in []
Fix:
    vary hidden in [100, 200]
";

const BAD_CLAMP: &str = "\
regime::bad_clamp — `clamp x in [a, b]` with a > b: no value satisfies it.

Example:
    clamp lambda in [10, 1e-5]
Fix:
    clamp lambda in [1e-5, 10]
";
