//! `regime run --on slurm`: the Slurm options of `run` and the submission
//! (the results directory is written here, the trials run as array tasks
//! of `regime run-trial`; see `crate::run::slurm`).

use crate::run::runner;
use crate::run::slurm::{self, SlurmOptions};
use std::path::PathBuf;

/// Options of `--on slurm`, written into `slurm/job.sh`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Slurm (with --on slurm)")]
pub struct SlurmArgs {
    /// Slurm partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm time limit per task, HH:MM:SS.
    #[arg(long)]
    pub time: Option<String>,
    /// CPUs (and BLAS threads) per Slurm task.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Slurm tasks running at once.
    #[arg(long)]
    pub max_parallel: Option<u32>,
    /// The account the tasks are charged to.
    #[arg(long)]
    pub account: Option<String>,
    /// The quality of service the tasks ask for.
    #[arg(long)]
    pub qos: Option<String>,
    /// Memory per task, as sbatch takes it: `4G`, `500M`.
    #[arg(long)]
    pub mem: Option<String>,
    /// Any other sbatch option, passed through as an `#SBATCH` line:
    /// `--sbatch-arg=--constraint=avx2`. Repeatable.
    #[arg(long, value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_arg: Vec<String>,
    /// Write and print the Slurm script without submitting it.
    #[arg(long)]
    pub dry_run: bool,
}

/// The submission options from the command line, with this binary as the
/// one the array tasks run.
fn slurm_options(a: &SlurmArgs) -> SlurmOptions {
    SlurmOptions {
        partition: a.partition.clone(),
        time: a.time.clone(),
        cpus_per_task: a.cpus_per_task,
        max_parallel: a.max_parallel,
        account: a.account.clone(),
        qos: a.qos.clone(),
        mem: a.mem.clone(),
        sbatch_args: a.sbatch_arg.clone(),
        dry_run: a.dry_run,
        binary: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("regime")),
    }
}

/// `regime run --on slurm`: the results directory, then the job array.
pub fn run_slurm(
    args: &super::run::Args,
    plan: &crate::plan::Plan,
    source: &str,
    scale: f64,
    seeds: Option<u32>,
) -> super::ExitCode {
    use crate::results::{ResultsDir, RunMeta};
    let a = &args.slurm;
    let opts = slurm_options(a);
    // Every value that reaches job.sh is checked before anything is written.
    let (option, dir) = match (&args.resume, &args.out) {
        (Some(d), _) => ("--resume", d.clone()),
        (None, Some(d)) => ("--out", d.clone()),
        (None, None) => ("the default results directory", runner::default_dir(plan)),
    };
    let checked = std::path::absolute(&dir)
        .map_err(|e| e.to_string())
        .and_then(|abs| {
            slurm::check_results_path(option, &abs)
                .and_then(|()| slurm::check_options(&opts))
                .map_err(|e| super::render_error(&e))
        });
    if let Err(message) = checked {
        eprintln!("{message}");
        return 1;
    }
    let results = match &args.resume {
        Some(resume) => ResultsDir::open_for_resume(resume.clone(), plan),
        None => ResultsDir::create(
            dir,
            source,
            plan,
            &RunMeta::new(scale, seeds, plan.overrides.clone()),
        ),
    };
    let mut results = match results {
        Ok(r) => r,
        Err(e) => {
            super::run::report(&e);
            return 1;
        }
    };
    // The array tasks lock the directory shared; this process lets go
    // before submitting them.
    results.release_lock();
    let stored = match results.plan() {
        Ok(p) => p,
        Err(e) => {
            super::run::report(&e);
            return 1;
        }
    };
    let abs = std::fs::canonicalize(&results.root).unwrap_or(results.root.clone());
    if slurm::looks_node_local(&abs) {
        eprintln!(
            "warning: {} looks local to this machine; the nodes must read the plan and write results there (use a shared filesystem)",
            abs.display()
        );
    }
    match slurm::submit(&results, &stored, &opts) {
        Ok(sub) => {
            if a.dry_run {
                println!(
                    "{}",
                    std::fs::read_to_string(&sub.script).unwrap_or_default()
                );
                eprintln!(
                    "dry run: {} trials in {} tasks; script written to {} (not submitted)",
                    sub.trials,
                    sub.tasks,
                    sub.script.display()
                );
            } else if let Some(id) = sub.job_id {
                println!("{id}");
                eprintln!(
                    "submitted job {id}: {} trials in {} array tasks\n  follow it:  regime status {}\n  summarise:  regime report {}",
                    sub.trials,
                    sub.tasks,
                    abs.display(),
                    abs.display()
                );
            } else {
                eprintln!("nothing to submit: every trial has a result");
            }
            0
        }
        Err(e) => {
            super::run::report(&e);
            1
        }
    }
}
