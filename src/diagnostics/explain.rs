//! Long explanations for `regime explain CODE`: what the diagnostic means,
//! why regime insists, and an example of the mistake and its fix.

/// Every diagnostic code, without the `regime::` prefix.
pub const ALL_CODES: &[&str] = &[
    "syntax",
    "unknown_name",
    "unknown_metric",
    "sealed_metric",
    "unknown_layer",
    "unknown_penalty",
    "unknown_argument",
    "unknown_key",
    "unknown_import",
    "missing_file",
    "import_cycle",
    "missing_argument",
    "duplicate_argument",
    "too_many_arguments",
    "wrong_type",
    "wrong_unit",
    "out_of_range",
    "empty_list",
    "bad_clamp",
    "batch_too_large",
    "shape",
    "class_mismatch",
    "duplicate",
    "missing_key",
    "conflicting_keys",
    "budget_mismatch",
    "no_budget",
    "too_large",
    "name_too_long",
    "varying_data",
    "recursive",
    "unused",
    "schedule_truncated",
    "rule_never_fires",
    "rule_shadowed",
    // Raised by commands (run, status, report) rather than by a file's text.
    "data_env",
    "slurm_bad_value",
    "not_enough_memory",
    "out_of_memory",
];

/// The explanation of `code` (with or without the `regime::` prefix).
pub fn explain(code: &str) -> Option<&'static str> {
    let code = code.trim().trim_start_matches("regime::");
    Some(match code {
        "syntax" => SYNTAX,
        "unknown_name" => UNKNOWN_NAME,
        "unknown_metric" => UNKNOWN_METRIC,
        "sealed_metric" => SEALED_METRIC,
        "unknown_layer" => UNKNOWN_LAYER,
        "unknown_penalty" => UNKNOWN_PENALTY,
        "unknown_argument" => UNKNOWN_ARGUMENT,
        "unknown_key" => UNKNOWN_KEY,
        "unknown_import" => UNKNOWN_IMPORT,
        "missing_file" => MISSING_FILE,
        "import_cycle" => IMPORT_CYCLE,
        "missing_argument" => MISSING_ARGUMENT,
        "duplicate_argument" => DUPLICATE_ARGUMENT,
        "too_many_arguments" => TOO_MANY_ARGUMENTS,
        "wrong_type" => WRONG_TYPE,
        "wrong_unit" => WRONG_UNIT,
        "out_of_range" => OUT_OF_RANGE,
        "empty_list" => EMPTY_LIST,
        "bad_clamp" => BAD_CLAMP,
        "batch_too_large" => BATCH_TOO_LARGE,
        "shape" => SHAPE,
        "class_mismatch" => CLASS_MISMATCH,
        "duplicate" => DUPLICATE,
        "missing_key" => MISSING_KEY,
        "conflicting_keys" => CONFLICTING_KEYS,
        "budget_mismatch" => BUDGET_MISMATCH,
        "no_budget" => NO_BUDGET,
        "too_large" => TOO_LARGE,
        "name_too_long" => NAME_TOO_LONG,
        "varying_data" => VARYING_DATA,
        "recursive" => RECURSIVE,
        "unused" => UNUSED,
        "schedule_truncated" => SCHEDULE_TRUNCATED,
        "rule_never_fires" => RULE_NEVER_FIRES,
        "rule_shadowed" => RULE_SHADOWED,
        "data_env" => DATA_ENV,
        "slurm_bad_value" => SLURM_BAD_VALUE,
        "not_enough_memory" => NOT_ENOUGH_MEMORY,
        "out_of_memory" => OUT_OF_MEMORY,
        _ => return None,
    })
}

const SYNTAX: &str = "\
regime::syntax — the file does not follow the grammar.

The parser names what it expected and the token it found instead. Parsing
resumes at the next line and at the next top-level definition, so one slip
does not hide the errors after it. A duration's unit must follow its number
on the same line.

Example:
    data d = fashion_mnist(val: ])        # expected a value, found `]`
Fix:
    data d = fashion_mnist(val: 1000)

The forms of every statement:
    import \"std/policies\"
    data NAME = source(arg: value, ...)
    network NAME(param = default, ...) { layer  layer ... }
    schedule NAME(param = default, ...) = value
    policy NAME(param = default, ...) {
      every DURATION
      when CONDITION: ACTION, ACTION      # lambda *= 1.5, lr /= 2, stop
      clamp lambda in [LOW, HIGH]
    }
    experiment NAME {
      key: value                          # data, network, optimizer, ...
      vary NAME in [value, ...]
      arm NAME: lambda = value
    }
";

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

const UNKNOWN_IMPORT: &str = "\
regime::unknown_import — `import \"std/...\"` names no module of the bundled
standard library.

Example:
    import \"std/policy\"
Fix:
    import \"std/policies\"
";

const MISSING_FILE: &str = "\
regime::missing_file — a local import cannot be read.

Paths are resolved relative to the importing file, not the working directory;
the `.reg` extension may be left out.

Example:
    import \"./mine.reg\"      # but the file is in lib/
Fix:
    import \"./lib/mine.reg\"
";

const IMPORT_CYCLE: &str = "\
regime::import_cycle — files import each other in a circle.

Example:
    # a.reg
    import \"./b.reg\"
    # b.reg
    import \"./a.reg\"
Fix: move what both need into c.reg and import it from both.
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

const BATCH_TOO_LARGE: &str = "\
regime::batch_too_large — the batch is larger than the training set left
after the validation split and subset.

Example:
    data d = fashion_mnist(subset: 100)
    ... batch: 200
Fix: lower the batch or enlarge the subset.
";

const SHAPE: &str = "\
regime::shape — a convolution or pooling layer does not divide its input
evenly: (H + 2·pad − size) / stride + 1 must be whole, and a pool's size must
divide the height and width. The message shows the computed shapes.

Example:
    conv(filters: 8, size: 4, stride: 3)   # on 28×28: (28 − 4)/3 + 1 = 9 ✓
    maxpool(2)                             # 9×9 is odd ✗
Fix: change the pool size, the stride or the padding.
";

const CLASS_MISMATCH: &str = "\
regime::class_mismatch — the last layer's width differs from the number of
classes in the data, so the softmax cannot be computed.

Example:
    network n { dense(100) relu dense(100) }   # Fashion-MNIST has 10 classes
Fix:
    network n { dense(100) relu dense(10) }
";

const DUPLICATE: &str = "\
regime::duplicate — a name is defined twice: a definition in one file or in
two imported files, an experiment key, an arm or a vary axis. Both places are
shown. (A definition in the checked file may shadow an imported one: that is
allowed, and the local one wins.)

Example:
    schedule s = constant(1)
    schedule s = constant(2)
Fix: rename or remove one.
";

const MISSING_KEY: &str = "\
regime::missing_key — an experiment lacks something it needs: `data`,
`network`, `optimizer` and at least one `arm`.

Example:
    experiment e { data: d  network: n  arm a: lambda = 0 }
Fix:
    experiment e { data: d  network: n  optimizer: sgd(lr: 1e-3)  arm a: lambda = 0 }
";

const CONFLICTING_KEYS: &str = "\
regime::conflicting_keys — two keys say the same thing differently, e.g.
both `iters` and `epochs`.

Example:
    iters: 4000
    epochs: 2
Fix: keep one.
";

const BUDGET_MISMATCH: &str = "\
regime::budget_mismatch — without `iters` or `epochs`, each arm trains for
the length of its schedule, and comparisons are only fair at equal budget.
Here the non-grid arms of one cell have schedules of different lengths.

Example:
    arm a: lambda = steps([1, 0], each: 1000 iters)     # 2000 iterations
    arm b: lambda = linear(1, 0, over: 3000 iters)      # 3000 iterations
Fix: make the lengths equal, or set `iters: 3000` (schedules hold their last
value after they end).
";

const NO_BUDGET: &str = "\
regime::no_budget — an arm has no length of its own (a constant, a policy or
an exponential schedule) and the experiment sets neither `iters` nor `epochs`.

Example:
    arm a: lambda = gap_feedback() from 1.0
Fix:
    epochs: 10
";

const TOO_LARGE: &str = "\
regime::too_large — the estimated cost does not fit this machine: more than
20 million parameters, more than 4 GiB of memory for one trial, more than
20,000 trials, or more than 5·10^15 FLOPs in total (about a day on two cores).
The message shows the estimate.

Fix: fewer or smaller cells, fewer seeds, a smaller network, or `--scale`.
";

const VARYING_DATA: &str = "\
regime::varying_data — the `data:` of an experiment depends on a `vary` axis
and changes between cells. A plan records one data set per experiment, and
comparisons across cells only make sense on the same data.

Example:
    vary d in [fmnist, cifar]
    data: d
Fix: write one experiment per data set (they can share everything else
through definitions).
";

const NAME_TOO_LONG: &str = "\
regime::name_too_long — an experiment or arm name makes trial ids too long
to be file names.

Each trial is stored as files named by its id, experiment-cell-arm-seed
with -gN for a grid point (`fig1-c003-pull_down-s1-g2`), in trials/ and
curves/. Most filesystems allow 255 bytes per file name, so regime keeps ids
to at most 200 bytes and refuses at check time rather than after training.
The message names the longer of the two names and how short it must be.

Example:
    arm pull_down_with_a_description_of_everything_it_does_...: lambda = ...
Fix: a short name, with the description in a comment:
    # pull-down: λ stepped from 3e-3 to 0 over the first 750 iterations
    arm pull_down: lambda = pull_down(250 iters)
";

const RECURSIVE: &str = "\
regime::recursive — a definition uses itself, so it has no finite value.

Example:
    schedule s = s then constant(0)
Fix: refer to another schedule.
";

const UNUSED: &str = "\
regime::unused (warning) — a definition in a file with experiments is never
used by any experiment or other definition, or a `vary` axis is never read.
Files without experiments (libraries) are not checked for this.

Example:
    schedule old = constant(1)     # nothing refers to `old`
Fix: remove it, or use it.
";

const SCHEDULE_TRUNCATED: &str = "\
regime::schedule_truncated (warning) — the experiment fixes the budget with
`iters` or `epochs`, and an arm's schedule is longer: training stops before
the schedule reaches its later values.

Example:
    iters: 1000
    arm a: lambda = steps([3, 2, 1, 0], each: 1000 iters)   # only λ = 3 is used
Fix: drop `iters` (each arm then trains for its schedule's length, and grids
match the longest arm), or shorten the schedule.
";

const RULE_NEVER_FIRES: &str = "\
regime::rule_never_fires (warning) — a rule's condition is false for every
possible metric value (accuracies and sparsity lie in [0, 1], losses, λ,
lr, iter, epoch and weight_norm are ≥ 0).

Example:
    when val_acc > 1.5: stop
Fix: compare with a reachable value, e.g. `when val_acc > 0.95: stop`.
";

const RULE_SHADOWED: &str = "\
regime::rule_shadowed (warning) — at each check the FIRST rule whose
condition holds applies and the others are skipped. If an earlier rule holds
whenever this one does, this one never runs.

Example:
    when train_acc - val_acc > 0.05: lambda *= 1.5
    when train_acc - val_acc > 0.10: lambda *= 3     # never reached
Fix: put the narrower rule first.
";

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

const SLURM_BAD_VALUE: &str = "\
regime::slurm_bad_value — a value given to `regime run --on slurm` cannot go
into the job script safely.

regime writes the results directory, the binary's path, `--partition` and
`--time` into slurm/job.sh, quoted. A control character (a newline, a tab,
an escape) cannot be quoted there: on an #SBATCH line a newline would end the
directive and start a shell command. A backslash in the results directory
is refused too, because Slurm reads it in `--output` as \"do not expand
%A/%a\". Nothing is written or submitted.

Example:
    regime run fig1.reg --on slurm --partition $'gpu\\ntouch /tmp/x'
Fix: give the value without the control character:
    regime run fig1.reg --on slurm --partition gpu
";

const NOT_ENOUGH_MEMORY: &str = "\
regime::not_enough_memory — the trials `regime run` would run side by side
do not fit in the memory this process may use.

Before anything is written or trained, regime adds up the estimated memory
of the `--jobs` largest trials of the plan (parameters, gradients, optimizer
state and one batch of activations, as `regime plan` shows), the data sets
(once) and 16 MiB per job, and compares it with the smallest of:
MemAvailable in /proc/meminfo, the cgroup's memory limit minus its usage,
and the address-space limit (`ulimit -v`) minus what is already mapped.
`regime check` only limits one trial (4 GiB, regime::too_large); this is
the check that knows `--jobs`.

Example:
    ulimit -v 1000000; regime run big.reg --jobs 2
    # 2 jobs need about 1.05 GiB ... but 912 MiB is available
Fix: the `--jobs` the message suggests, or more memory:
    regime run big.reg --jobs 1
";

const OUT_OF_MEMORY: &str = "\
regime::out_of_memory — a trial could not get the memory for its network
and buffers.

When a trial starts, it reserves its estimated memory and then its
activation and gradient buffers fallibly, so a limit the up-front check did
not foresee (other processes, a cgroup filling up) ends the trial with this
diagnostic instead of aborting the whole process. Finished trials are kept.

Fix: run fewer trials at once (`--jobs`), free memory or raise the limit,
or make the network or the batch smaller; then `regime run FILE --resume DIR`.
";
