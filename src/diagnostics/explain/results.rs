//! Explanations of the errors of results directories (reading, writing,
//! resuming, locking, plans and data that changed) and of the commands that
//! read them: compare and export.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
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
        "compare_incomparable" => COMPARE_INCOMPARABLE,
        "export_target" => EXPORT_TARGET,
        "export_unreachable" => EXPORT_UNREACHABLE,
        "export_refused" => EXPORT_REFUSED,
        _ => return None,
    })
}

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
