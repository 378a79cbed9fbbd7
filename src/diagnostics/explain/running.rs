//! Explanations of the errors of running trials: memory, the engine, threads,
//! interruptions, BLAS kernels and Slurm.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "not_enough_memory" => NOT_ENOUGH_MEMORY,
        "out_of_memory" => OUT_OF_MEMORY,
        "diverged" => DIVERGED,
        "engine_config" => ENGINE_CONFIG,
        "interrupted" => INTERRUPTED,
        "no_such_trial" => NO_SUCH_TRIAL,
        "threads" => THREADS,
        "trial_failed" => TRIAL_FAILED,
        "blas_kernel" => BLAS_KERNEL,
        "slurm_bad_value" => SLURM_BAD_VALUE,
        "slurm_missing" => SLURM_MISSING,
        "slurm_refused" => SLURM_REFUSED,
        "slurm_failed" => SLURM_FAILED,
        _ => return None,
    })
}

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
regime::threads — the threads of a run could not be started.

Each `--jobs` worker is a thread with a pool of `--threads` more for its
trials' matrix products (in a Slurm array task, `SLURM_CPUS_PER_TASK`);
the operating system would refuse some: a process or thread limit, no
address space left for their stacks under `ulimit -v`, or more memory
mappings than the kernel allows a process (`vm.max_map_count`; each thread
takes four). Room for every stack, and for every thread's mappings, is
checked before any thread starts, so a limit that is too tight gives this
error rather than an abort half-way through starting the pools. The
message says which threads and which limit.

Example:
    ulimit -v 1000000; regime run e.reg --jobs 1 --threads 2000
    # cannot start 2001 worker and GEMM threads: no room for 2001 thread stacks ...
Fix: a smaller `--jobs` or `--threads` (the help says which), or raise the
limit (`ulimit -u`, `ulimit -v`, `sysctl vm.max_map_count`).
";

const TRIAL_FAILED: &str = "\
regime::trial_failed — a trial stopped with an error (not a divergence).

The message names the trial and the cause (out of memory, a configuration
the engine refuses); finished trials are kept.

Fix: what the help line says, then `regime run FILE --resume DIR`.
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
