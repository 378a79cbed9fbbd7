//! `regime run FILE [--jobs N] [--out DIR] [--set KEY=VALUE]... [--seeds N]
//! [--scale F] [--resume DIR] [--on slurm ...]`: check, compile and run every
//! trial (locally, or as a Slurm job array, see `super::slurm`), then print
//! the summary.

pub use super::options::On;
use super::options::{Level, Verbosity};
use crate::compile::compile;
use crate::run::runner::{self, RunOptions};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("quiet", |a| a.help("No progress display: only the summary, warnings and errors")),
    mut_arg("verbose", |a| a.help("Also a line for every trial as it finishes, with its accuracy and time"))
)]
pub struct Args {
    /// The .reg file whose experiments to run.
    pub file: PathBuf,
    /// Trials run side by side (default: the number of cores).
    #[arg(long, value_parser = super::options::at_least_one)]
    pub jobs: Option<usize>,
    /// Threads for each trial's matrix products (default: cores / jobs).
    /// Records are bit-identical for every value.
    #[arg(long, value_parser = super::options::at_least_one)]
    pub threads: Option<usize>,
    /// Results directory (default: runs/<experiment>-<timestamp>).
    #[arg(long, conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub compile: super::options::Compile,
    /// Continue an interrupted run: only missing trials are run. `--set`,
    /// `--seeds` and `--scale` default to the run's own, and must equal
    /// them when given.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub verbosity: Verbosity,
    /// Where to run: here, or as a Slurm job array; the plan must fit that
    /// target's limits.
    #[arg(long, value_enum, default_value_t = On::Local)]
    pub on: On,
    #[command(flatten)]
    pub slurm: super::slurm::SlurmArgs,
}

pub(super) fn report(e: &dyn miette::Diagnostic) {
    eprintln!("{}", super::render_error(e));
}

/// `--scale`, `--seeds` and `--set` as given, or on resume as the run was
/// started (each one not given). Overrides given on resume are compared with
/// the run's when the directory is opened (`regime::plan_mismatch`).
fn effective_options(args: &Args) -> (f64, Option<u32>, Vec<String>) {
    let c = &args.compile;
    let stored = args
        .resume
        .as_ref()
        .and_then(|d| crate::results::ResultsDir::open(d.clone()).ok())
        .map(|r| r.meta());
    let scale = c.scale.or(stored.as_ref().map(|m| m.scale)).unwrap_or(1.0);
    let seeds = c.seeds.or(stored.as_ref().and_then(|m| m.seeds));
    let overrides = if c.overrides.set.is_empty() {
        stored.map(|m| m.overrides).unwrap_or_default()
    } else {
        c.overrides.set.clone()
    };
    (scale, seeds, overrides)
}

pub fn run(args: &Args) -> super::ExitCode {
    let (scale, seeds, overrides) = effective_options(args);
    let opts = match super::compile_options(&args.file, seeds, scale, overrides, args.on) {
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
        On::Slurm => super::slurm::run_slurm(args, &compiled.plan, &source, scale, seeds),
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
        progress: args.verbosity.level() > Level::Quiet,
        verbose: args.verbosity.level() == Level::Verbose,
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
