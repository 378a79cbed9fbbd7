//! `regime run FILE [--jobs N] [--out DIR] [--seeds N] [--scale F] [--resume DIR]
//! [--on slurm ...]`: check, compile and run every trial (locally, or as a
//! Slurm job array), then print the summary.

use crate::compile::compile;
use crate::run::runner::{self, RunOptions};
use crate::run::slurm::{self, SlurmOptions};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .reg file whose experiments to run.
    pub file: PathBuf,
    /// Trials run side by side (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Threads for each trial's matrix products (default: cores / jobs).
    /// Records are bit-identical for every value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Results directory (default: runs/<experiment>-<timestamp>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override every experiment's `seeds`.
    #[arg(long)]
    pub seeds: Option<u32>,
    /// Shrink iteration budgets and subsets by this factor for a quick look
    /// (default 1; on --resume, the run's own).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Continue an interrupted run: only missing trials are run.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Where to run: here, or as a Slurm job array.
    #[arg(long, value_enum, default_value_t = On::Local)]
    pub on: On,
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
    /// Write and print the Slurm script without submitting it.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum On {
    Local,
    Slurm,
}

fn report(e: &dyn miette::Diagnostic) {
    eprintln!("{}", super::render_error(e));
}

/// `--scale` and `--seeds` as given, or on resume as the run was started.
fn effective_options(args: &Args) -> (f64, Option<u32>) {
    let stored = args
        .resume
        .as_ref()
        .and_then(|d| crate::results::ResultsDir::open(d.clone()).ok())
        .map(|r| r.meta());
    let scale = args
        .scale
        .or(stored.as_ref().map(|m| m.scale))
        .unwrap_or(1.0);
    let seeds = args.seeds.or(stored.and_then(|m| m.seeds));
    (scale, seeds)
}

pub fn run(args: &Args) -> super::ExitCode {
    let (scale, seeds) = effective_options(args);
    let opts = match super::compile_options(&args.file, seeds, scale) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let compiled = match compile(&args.file, &opts) {
        Ok(c) => c,
        Err(report) => {
            eprint!("{}", report.render(super::use_color(), super::WIDTH));
            return 1;
        }
    };
    eprint!(
        "{}",
        compiled.warnings.render(super::use_color(), super::WIDTH)
    );
    let source = std::fs::read_to_string(&args.file).unwrap_or_default();
    match args.on {
        On::Local => run_local(args, &compiled.plan, &source, scale, seeds),
        On::Slurm => run_slurm(args, &compiled.plan, &source, scale, seeds),
    }
}

fn run_local(
    args: &Args,
    plan: &crate::plan::Plan,
    source: &str,
    scale: f64,
    seeds: Option<u32>,
) -> super::ExitCode {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.unwrap_or(cores);
    // The trials that will run side by side must fit in memory together;
    // checked before the results directory is written or anything trains.
    if let Err(e) = crate::run::memory::check(plan, jobs) {
        report(&e);
        return 1;
    }
    let opts = RunOptions {
        jobs,
        out: args.out.clone(),
        resume: args.resume.clone(),
        progress: !args.quiet,
        scale,
        seeds,
        threads: args.threads,
    };
    match runner::run(plan, source, &opts) {
        Ok(r) => {
            // A signal while the summary is written says how to rebuild it.
            let reporting = crate::run::interrupt::Reporting::start(&r.dir);
            let written = crate::report::figures::write_report(&r.results);
            drop(reporting);
            let summary = match written {
                Ok(out) => {
                    for w in &out.warnings {
                        eprintln!("warning: {w}");
                    }
                    out.markdown
                }
                Err(e) => {
                    report(&e);
                    eprintln!(
                        "the trials are saved; rebuild the summary with `regime report {}`",
                        r.dir.display()
                    );
                    return 1;
                }
            };
            println!("{summary}");
            eprintln!(
                "{} trials run, {} reused, {} diverged; results, summary and plots in {}",
                r.ran,
                r.skipped,
                r.diverged,
                r.dir.display()
            );
            0
        }
        Err(e) => {
            report(&e);
            if matches!(e, runner::RunError::Interrupted { .. }) {
                crate::run::interrupt::EXIT_INTERRUPTED
            } else {
                1
            }
        }
    }
}

fn run_slurm(
    args: &Args,
    plan: &crate::plan::Plan,
    source: &str,
    scale: f64,
    seeds: Option<u32>,
) -> super::ExitCode {
    use crate::results::{ResultsDir, RunMeta};
    let binary = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("regime"));
    let opts = SlurmOptions {
        partition: args.partition.clone(),
        time: args.time.clone(),
        cpus_per_task: args.cpus_per_task,
        max_parallel: args.max_parallel,
        dry_run: args.dry_run,
        binary,
    };
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
        None => ResultsDir::create(dir, source, plan, &RunMeta::new(scale, seeds)),
    };
    let mut results = match results {
        Ok(r) => r,
        Err(e) => {
            report(&e);
            return 1;
        }
    };
    // The array tasks lock the directory shared; this process lets go
    // before submitting them.
    results.release_lock();
    let stored = match results.plan() {
        Ok(p) => p,
        Err(e) => {
            report(&e);
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
            if args.dry_run {
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
            report(&e);
            1
        }
    }
}
