//! Long explanations for `regime explain CODE`: what the diagnostic means,
//! why regime insists, and an example of the mistake and its fix.

/// Codes a `.reg` file can trigger (each has a UI case), without the
/// `regime::` prefix.
pub const SOURCE_CODES: &[&str] = &[
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
    "binary_file",
    "invalid_utf8",
    "import_cycle",
    "missing_argument",
    "duplicate_argument",
    "too_many_arguments",
    "wrong_type",
    "wrong_unit",
    "out_of_range",
    "float_overflow",
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
    "bad_target",
    "policy_never_acts",
    "checks_exceed_budget",
    "bad_data_file",
    "bad_override",
    "unknown_override_key",
    "ambiguous_override",
];

/// Codes raised by commands (run, status, report, run-trial, Slurm, data
/// loading, kernel choice) rather than by a file's text; each is tested
/// where it is raised.
pub const RUNTIME_CODES: &[&str] = &[
    "results_io",
    "results_read",
    "resume_mismatch",
    "not_a_results_dir",
    "results_exist",
    "results_not_ours",
    "results_symlink",
    "results_locked",
    "trial_claimed",
    "plan_mismatch",
    "data_changed",
    "blas_kernel",
    "data_env",
    "slurm_bad_value",
    "not_enough_memory",
    "out_of_memory",
    "data_io",
    "data_gzip",
    "data_bad_magic",
    "data_truncated",
    "data_corrupt",
    "data_count_mismatch",
    "data_shape",
    "data_not_found",
    "data_split",
    "data_missing_name",
    "data_dtype",
    "data_ragged_row",
    "data_value",
    "data_label",
    "data_length_mismatch",
    "diverged",
    "engine_config",
    "interrupted",
    "no_such_trial",
    "threads",
    "trial_failed",
    "slurm_missing",
    "slurm_refused",
    "slurm_failed",
    "compare_incomparable",
    "export_target",
    "export_unreachable",
    "export_refused",
];

/// Every diagnostic code: [`SOURCE_CODES`] then [`RUNTIME_CODES`].
pub static ALL_CODES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| [SOURCE_CODES, RUNTIME_CODES].concat());

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
        "bad_override" => BAD_OVERRIDE,
        "unknown_override_key" => UNKNOWN_OVERRIDE_KEY,
        "ambiguous_override" => AMBIGUOUS_OVERRIDE,
        "unknown_import" => UNKNOWN_IMPORT,
        "missing_file" => MISSING_FILE,
        "import_cycle" => IMPORT_CYCLE,
        "missing_argument" => MISSING_ARGUMENT,
        "duplicate_argument" => DUPLICATE_ARGUMENT,
        "too_many_arguments" => TOO_MANY_ARGUMENTS,
        "wrong_type" => WRONG_TYPE,
        "wrong_unit" => WRONG_UNIT,
        "out_of_range" => OUT_OF_RANGE,
        "float_overflow" => FLOAT_OVERFLOW,
        "binary_file" => BINARY_FILE,
        "invalid_utf8" => INVALID_UTF8,
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
        "results_io" => RESULTS_IO,
        "results_read" => RESULTS_READ,
        "resume_mismatch" => RESUME_MISMATCH,
        "not_a_results_dir" => NOT_A_RESULTS_DIR,
        "results_exist" => RESULTS_EXIST,
        "results_not_ours" => RESULTS_NOT_OURS,
        "results_symlink" => RESULTS_SYMLINK,
        "results_locked" => RESULTS_LOCKED,
        "trial_claimed" => TRIAL_CLAIMED,
        "plan_mismatch" => PLAN_MISMATCH,
        "data_changed" => DATA_CHANGED,
        "blas_kernel" => BLAS_KERNEL,
        "bad_target" => BAD_TARGET,
        "policy_never_acts" => POLICY_NEVER_ACTS,
        "checks_exceed_budget" => CHECKS_EXCEED_BUDGET,
        "data_env" => DATA_ENV,
        "slurm_bad_value" => SLURM_BAD_VALUE,
        "not_enough_memory" => NOT_ENOUGH_MEMORY,
        "out_of_memory" => OUT_OF_MEMORY,
        "data_io" => DATA_IO,
        "data_gzip" => DATA_GZIP,
        "data_bad_magic" => DATA_BAD_MAGIC,
        "data_truncated" => DATA_TRUNCATED,
        "data_corrupt" => DATA_CORRUPT,
        "data_count_mismatch" => DATA_COUNT_MISMATCH,
        "data_shape" => DATA_SHAPE,
        "data_not_found" => DATA_NOT_FOUND,
        "data_split" => DATA_SPLIT,
        "bad_data_file" => BAD_DATA_FILE,
        "data_missing_name" => DATA_MISSING_NAME,
        "data_dtype" => DATA_DTYPE,
        "data_ragged_row" => DATA_RAGGED_ROW,
        "data_value" => DATA_VALUE,
        "data_label" => DATA_LABEL,
        "data_length_mismatch" => DATA_LENGTH_MISMATCH,
        "diverged" => DIVERGED,
        "engine_config" => ENGINE_CONFIG,
        "interrupted" => INTERRUPTED,
        "no_such_trial" => NO_SUCH_TRIAL,
        "threads" => THREADS,
        "trial_failed" => TRIAL_FAILED,
        "slurm_missing" => SLURM_MISSING,
        "slurm_refused" => SLURM_REFUSED,
        "slurm_failed" => SLURM_FAILED,
        "compare_incomparable" => COMPARE_INCOMPARABLE,
        "export_target" => EXPORT_TARGET,
        "export_unreachable" => EXPORT_UNREACHABLE,
        "export_refused" => EXPORT_REFUSED,
        _ => return None,
    })
}

const SYNTAX: &str = "\
regime::syntax — the file does not follow the grammar.

The parser names what it expected and the token it found instead. Parsing
resumes at the next line and at the next top-level definition, so one slip
does not hide the errors after it. Some slips are named for what they are:
- a reserved word (`every`, `in`, `when`, ...) used as a name;
- a duration's unit on the line after its number (`every 100` ⏎ `iters`):
  the unit must follow its number on the same line;
- a `{` never closed, with the line and column where it was opened;
- a misspelled keyword (`netwrok`, `improt`, `evry`), with a suggestion;
- an expression of more than 32 operands in one level of parentheses.

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

const BAD_OVERRIDE: &str = "\
regime::bad_override — a `--set` option is not `KEY=VALUE`, has no value,
or sets a key another `--set` already sets.

`--set KEY=VALUE` (on `check`, `plan` and `run`) sets an experiment key as
if the file said so; the value is written as in the file. `iters` and
`epochs` are one setting (how long to train), so only one of them can be
set. Each option is its own source in diagnostics, named `--set ...`.

Example:
    regime run fig1.reg --set seeds
    regime run fig1.reg --set iters=2000 --set epochs=5
Fix:
    regime run fig1.reg --set seeds=5
    regime run fig1.reg --set epochs=5
";

const UNKNOWN_OVERRIDE_KEY: &str = "\
regime::unknown_override_key — `--set KEY=VALUE` names a key experiments do
not have, or `--set EXPERIMENT.KEY=VALUE` an experiment the file does not
define.

The keys are those of the experiment statement: data, network, optimizer,
batch, iters, epochs, penalty, seeds, measure, checks, init, sampling,
normalize, splits, target, smooth. The help line suggests the closest.

Example:
    regime plan fig1.reg --set sedes=5
Fix:
    regime plan fig1.reg --set seeds=5
";

const AMBIGUOUS_OVERRIDE: &str = "\
regime::ambiguous_override — `--set KEY=VALUE` in a file with several
experiments: it is not clear whose key to set.

Name the experiment: `--set EXPERIMENT.KEY=VALUE`, once per experiment to
change. (`--seeds N` still sets every experiment's seeds.)

Example:
    regime run paper.reg --set seeds=10
Fix:
    regime run paper.reg --set fig1.seeds=10 --set fig2.seeds=10
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

const FLOAT_OVERFLOW: &str = "\
regime::float_overflow — a number literal is beyond the largest 64-bit float
(about 1.8e308), so it would silently become infinity. Usually a typo in the
exponent.

Example:
    arm big: lambda = 1e400
Fix:
    arm big: lambda = 1e-4
";

const BINARY_FILE: &str = "\
regime::binary_file — the file holds a NUL byte, so it is not a text file:
most likely a compiled program, an archive or an image was given where a
.reg file was meant. The message gives the byte offset of the first NUL.

Example:
    regime check experiments/quickstart.reg.gz
Fix:
    regime check experiments/quickstart.reg
";

const INVALID_UTF8: &str = "\
regime::invalid_utf8 — .reg files are UTF-8 text, and this one holds a byte
sequence that is not UTF-8 (often a file saved as Latin-1 or Windows-1252).
The message gives the byte offset of the first bad byte; the text before it
is shown. A UTF-8 byte order mark at the start is accepted and skipped.

Example:
    # λ written as the Latin-1 byte 0xE9 in a comment: café
Fix:
    re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 old.reg > new.reg`)
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

const RESULTS_IO: &str = "\
regime::results_io — regime could not write a file of a results directory
(the message names the file and the system's reason).

Every file is written through a temporary beside it, synced and renamed, so
a failed write leaves the previous version (or nothing) and never a
half-written file; finished trials are always kept.

Example:
    cannot write runs/fig1/curves/fig1-c003-pull_down-s1.csv: No space left on device
Fix: free space (or fix permissions), then `regime run FILE --resume DIR`
runs what is missing.
";

const RESULTS_READ: &str = "\
regime::results_read — a file of a results directory could not be read or
parsed (plan.yaml, a curve).

Example:
    cannot read runs/fig1/plan.yaml: invalid type ...
Fix: `regime status DIR` names damaged trials; `regime run FILE --resume DIR`
re-runs them. An edited plan.yaml cannot be repaired: start a fresh run.
";

const RESUME_MISMATCH: &str = "\
regime::resume_mismatch — `--resume DIR` with a source file (or imports)
whose hash differs from the one the run was started with.

Records of one directory must come from one source, or the summary would
compare trials of different experiments.

Example:
    regime run fig1.reg --resume runs/fig1     # after editing fig1.reg
Fix: resume with the unchanged file, or start a fresh run without --resume.
";

const NOT_A_RESULTS_DIR: &str = "\
regime::not_a_results_dir — the directory given to `report`, `status`,
`run-trial` or `--resume` has no plan.yaml or source.sha256.

Example:
    regime report runs/
Fix: pass the directory one run created, e.g. runs/quickstart-20261129-221500.
";

const RESULTS_EXIST: &str = "\
regime::results_exist — `regime run FILE --out DIR` into a directory that
already holds a run.

regime never mixes two runs in one directory, and never reuses records
without checking them: continuing a run is said explicitly.

Example:
    regime run fig1.reg --out runs/fig1     # runs/fig1 exists
Fix: `regime run fig1.reg --resume runs/fig1` (same file and options), or
another --out.
";

const RESULTS_NOT_OURS: &str = "\
regime::results_not_ours — `--out DIR` names a directory that exists, is
not empty and was not made by regime.

Example:
    regime run fig1.reg --out ~/thesis
Fix: pass a new (or empty) directory.
";

const RESULTS_SYMLINK: &str = "\
regime::results_symlink — `--out` or `--resume` names a symbolic link, or a
directory inside the results (e.g. plots/) is one.

regime never writes through a symlink, so a planted link cannot make it
overwrite a file elsewhere.

Example:
    ln -s /etc runs/fig1/plots && regime report runs/fig1
Fix: pass the real path, or remove the link.
";

const RESULTS_LOCKED: &str = "\
regime::results_locked — another regime process is running trials into
this directory (the message names it as host:pid).

A local run holds an exclusive lock on DIR/.lock for its whole life, and
Slurm array tasks a shared one, so no trial ever runs twice into one
directory. The lock goes when the process ends, however it ends.

Example:
    regime run fig1.reg --resume runs/fig1     # while another resume runs
Fix: wait for the other process, or stop it and resume again.
";

const TRIAL_CLAIMED: &str = "\
regime::trial_claimed — a Slurm array task found its trial claimed by a
process that is still running (claims/<trial-id> names it).

Example:
    trial fig1-c000-a-s1 is being run by node3:41234
Fix: nothing, if that task is running; if it is gone, `regime run FILE
--resume DIR` (which holds the directory alone) clears stale claims.
";

const PLAN_MISMATCH: &str = "\
regime::plan_mismatch — on `--resume`, the plan compiled now from the
source (with the run's --seeds, --scale and --set, or those given) differs
from plan.yaml; the message names the first trial and field that differ,
or the `--set` overrides that differ from those the run was started with.

The plan is never trusted as stored: an edited plan.yaml would train one
thing while the records claim another. Overrides must be the same ones
even where they would compile to the same plan.

Example:
    trial fig1-c000-fixed-s1-g0: field `lambda.constant` is 5.0 in plan.yaml, 0.001 in the source
    the run was started with `--set iters=30`, this command gives `--set iters=40` instead
Fix: resume with the same file and options (leave --set, --seeds and
--scale out to use the run's own); to run something else, start a fresh
run.
";

const DATA_CHANGED: &str = "\
regime::data_changed — on `--resume`, the data files (by SHA-256) or the
split differ from those the finished records were made on.

Example:
    trial fig1-c000-a-s1 read /data/fm/train-images-idx3-ubyte.gz (sha256 ...), now ...
Fix: restore the data the records name (`trials/*.json`, provenance.data),
or start a fresh run.
";

const BLAS_KERNEL: &str = "\
regime::blas_kernel — the OpenBLAS kernel pinned with --blas-kernel (or
REGIME_BLAS_KERNEL) failed its self-test on this machine, or OpenBLAS ran
another kernel instead (an unknown name, or one the CPU cannot run).

regime only computes with kernels that passed its correctness self-test on
this CPU, run in a child process (`regime doctor` shows every verdict).

Example:
    regime run fig1.reg --blas-kernel SkylakeX     # on a CPU without AVX-512
Fix: pin a kernel `regime doctor` lists as passed, drop the pin to let regime
choose, or `--blas-kernel env` to keep OPENBLAS_CORETYPE as the environment
sets it (untested).
";

const BAD_TARGET: &str = "\
regime::bad_target — the time-to-accuracy target is not `METRIC >= NUMBER`.

`target:` fixes, before the run, the level whose first crossing the report
times (iterations to accuracy). It compares one metric of the validation or
training curve with a number: `>=` for accuracies, `<=` for losses. An
accuracy target lies in [0, 1]. Without `target:` the report uses the
baseline's smoothed final validation accuracy (see docs/running.md).

Example:
    target: 0.85
    target: val_acc > best(val_acc)

Fix:
    target: val_acc >= 0.85
    target: val_loss <= 0.4
";

const POLICY_NEVER_ACTS: &str = "\
regime::policy_never_acts (warning) — a policy checks no more often than the arm trains.

A policy's rules run at its checks (`every ...`). When the interval is as
long as the budget or longer, the first check falls at or after the end of
training, so no rule ever runs, λ stays at its start value, and any gain the
arm reports is the gain of that constant — not of the policy.

Example (200-iteration budget):
    policy p { every 200 iters  when val_acc < 0.5: lambda *= 2 }
    iters: 200

Fix:
    policy p { every 20 iters  when val_acc < 0.5: lambda *= 2 }
";

const CHECKS_EXCEED_BUDGET: &str = "\
regime::checks_exceed_budget (warning) — metrics are checked less often than trials last.

`checks:` sets how often validation metrics are measured and written to the
curve. With an interval longer than the budget the curve has no point before
the end: nothing to plot and no time to accuracy.

Example:
    checks: every 1000 iters
    iters: 100

Fix:
    checks: every 10 iters
    iters: 100
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

regime writes the results directory, the binary's path, `--partition`,
`--time`, `--account`, `--qos`, `--mem` and every `--sbatch-arg` into
slurm/job.sh, quoted. A control character (a newline, a tab, an escape)
cannot be quoted there: on an #SBATCH line a newline would end the
directive and start a shell command. A backslash in the results directory
is refused too, because Slurm reads it in `--output` as \"do not expand
%A/%a\". `--mem` must be a size sbatch reads (`4G`, `500M`); a
`--sbatch-arg` must be one option (`--name` or `--name=value`) that regime
does not write itself (`--array`, `--output`, ...) and that has no option
of its own (`--partition`, `--mem`, ...). Nothing is written or submitted.

Example:
    regime run fig1.reg --on slurm --partition $'gpu\\ntouch /tmp/x'
Fix: give the value without the control character:
    regime run fig1.reg --on slurm --partition gpu
Example:
    regime run fig1.reg --on slurm --sbatch-arg '--nodes 2'
Fix: one option, its value after `=`:
    regime run fig1.reg --on slurm --sbatch-arg=--nodes=2
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
regime::data_shape — the images of a data set's files do not agree in shape.

For example test images of another size than the training images: one
network cannot take both, so the files cannot be from the same data set.

Fix: use the matching test and training files.
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

const BAD_DATA_FILE: &str = "\
regime::bad_data_file — an `npz` or `csv` file does not fit its definition.

`regime check` reads your own data files (npz: array headers and labels;
csv: the whole file) so that sizes, classes and the input shape are known
before a run. Whatever would make the run fail is reported here, at the
argument that names the file: a dtype regime does not read (features must
be float32, float64 or uint8; labels integers), a CSV row with too few or
too many fields, a feature that is not a number, a label that is not a
whole number from 0 to 255, features and labels of different lengths, or
a `shape: [C, H, W]` whose product is not the features per example.

Fix: convert the file (`x.astype(np.float32)`, `y.astype(np.int64)`), or
correct the definition (e.g. `shape: [1, 28, 28]` for 784 features).
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
regime::data_value — a CSV feature field is not a number.

Every column except the label is a feature, read as a number. The message
gives the line, the column and the value.

Fix: encode categorical columns as numbers, or drop them from the file.
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

const DIVERGED: &str = "\
regime::diverged — a trial's loss became NaN, infinite or exploded.

The trial stops at that iteration and its record says so (it is a result,
not a crash: a schedule that drives λ too high diverges). The message
gives the iteration, λ, the learning rate and the loss.

Fix: a smaller learning rate or λ, if the divergence is not the point.
";

const ENGINE_CONFIG: &str = "\
regime::engine_config — the trainer cannot be built from a trial.

The checker rules these mistakes out for compiled plans; this catches a
hand-edited or foreign plan: batch 0, an empty training set, a network
whose input or output does not match the data.

Fix: recompile the plan with `regime plan`/`regime run` from the .reg file.
";

const INTERRUPTED: &str = "\
regime::interrupted — the run was stopped (Ctrl-C or SIGTERM) before every trial finished.

Finished trials are saved; the message says how many, and where.

Fix: continue with `regime run FILE --resume DIR`.
";

const NO_SUCH_TRIAL: &str = "\
regime::no_such_trial — `regime run-trial DIR INDEX` names a trial index the plan does not have.

Indices count from 0 in plan order (see plan.yaml); Slurm array tasks use
them.

Fix: an index below the number of trials the message gives.
";

const THREADS: &str = "\
regime::threads — the worker threads of a run could not be started.

Each `--jobs` worker is a thread; the operating system refused one
(a process or thread limit).

Fix: a smaller `--jobs`, or raise the limit (`ulimit -u`).
";

const TRIAL_FAILED: &str = "\
regime::trial_failed — a trial stopped with an error (not a divergence).

The message names the trial and the cause (out of memory, a configuration
the engine refuses); finished trials are kept.

Fix: what the help line says, then `regime run FILE --resume DIR`.
";

const SLURM_MISSING: &str = "\
regime::slurm_missing — `--on slurm` needs `sbatch` (and `squeue`, `scontrol`), which is not on PATH.

Slurm runs are submitted from a login node; the commands are looked up
before anything is written.

Fix: run on a Slurm login node, or locally without `--on slurm`.
";

const SLURM_REFUSED: &str = "\
regime::slurm_refused — sbatch refused the job.

The message gives sbatch's own words and the job script it was given;
common causes are an unknown partition or account, or a time limit above
the partition's.

Fix: the `--partition`, `--account` or `--time` the cluster accepts.
";

const SLURM_FAILED: &str = "\
regime::slurm_failed — a Slurm command (`sbatch`, `squeue`, `scontrol`)
could not be run, or answered something regime cannot read.

The message names the command and the reason.

Fix: check the Slurm commands by hand on this node; then run again.
";

const COMPARE_INCOMPARABLE: &str = "\
regime::compare_incomparable — `regime compare A B` found nothing the two
runs share.

compare matches experiments by name, cells by their axis values and arms by
name, and compares each experiment's measure. Two runs are comparable when at
least one (experiment, cell, arm) is in both with the same measure; what only
one run has is listed under \"Left out\". Other differences (iterations,
networks, seeds, the regime version) are what a comparison is for, and are
listed under \"Plans\".

Example:
    regime compare runs/quickstart-... runs/fig1-...
    they share no experiment (A has quickstart; B has fig1)
Fix: compare two runs of the same (or an edited) .reg file.
";

const EXPORT_TARGET: &str = "\
regime::export_target — `regime export` cannot use the target or its options:
an unknown `--to`, `--to mlflow` without a tracking server (`--tracking-uri`
or MLFLOW_TRACKING_URI), a tracking URI that is not http(s), or an option of
the other target (`--out` is for tensorboard; `--tracking-uri` and
`--experiment` for mlflow).

Example:
    regime export runs/quick --to tensorbord
Fix:
    regime export runs/quick --to tensorboard
    regime export runs/quick --to mlflow --tracking-uri http://127.0.0.1:5000
";

const EXPORT_UNREACHABLE: &str = "\
regime::export_unreachable — no MLflow tracking server answered at the
`--tracking-uri`: the connection was refused, the host is unknown, or it
timed out.

Runs exported before the failure stay on the server; exporting again skips
them and replaces a run left half-made.

Fix: start the server (`mlflow server --backend-store-uri sqlite:///mlflow.db
--port 5000`), or pass the address it listens on.
";

const EXPORT_REFUSED: &str = "\
regime::export_refused — the MLflow tracking server answered a request with
an error (its error code and message are shown), or answered something that
is not MLflow's JSON (the URI names another web server).

Example:
    the MLflow server at http://127.0.0.1:5000 refused runs/create: HTTP 403 PERMISSION_DENIED: ...
Fix: what the server's message says (permissions, a deleted experiment of
that name: pass another --experiment); then export again, which skips the
runs already complete.
";
