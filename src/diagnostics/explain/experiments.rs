//! Explanations of the mistakes in experiments as a whole: shapes, classes,
//! keys, budgets, sizes, names, data that varies, recursion, and the warnings
//! about schedules, rules, targets and checks.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
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
        "bad_target" => BAD_TARGET,
        "policy_never_acts" => POLICY_NEVER_ACTS,
        "checks_exceed_budget" => CHECKS_EXCEED_BUDGET,
        "bad_data_file" => BAD_DATA_FILE,
        _ => return None,
    })
}

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
regime::too_large — the estimated cost does not fit where the plan will
run. The limits are per target, chosen with `--on` (`regime check`, `plan`
and `run` all take it), and the message says whose limit it is:

    --on local (this machine, the default): 20 million parameters and 4 GiB
        per trial, 5·10^15 FLOPs per experiment (about a day on two cores)
    --on slurm (a cluster): 500 million parameters and 64 GiB per trial,
        5·10^18 FLOPs per experiment (about a day on 2,000 cores)

and at most 20,000 trials per experiment for both. The message shows the
estimate.

Fix: fewer or smaller cells, fewer seeds, a smaller network, or `--scale`;
or, for a plan meant for a cluster, check and run it with `--on slurm`.
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
