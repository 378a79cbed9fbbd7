//! Runs a plan: loads each data set once, runs the trials that have no
//! complete record yet in parallel (rayon; each trial's GEMMs get an equal
//! share of the cores, which does not change its numbers), shows progress,
//! and writes every record as soon as its trial ends. The command layer then
//! builds the report.

use super::data::{check_against_records, load_data, Datasets};
use super::trial::{run_trial, Outcome, Progress};
use crate::data::DataError;
use crate::engine::{with_gemm_threads, EngineError};
use crate::plan::{Plan, Trial};
use crate::results::{Blas, ResultsDir, ResultsError, RunMeta, Status, TrialRecord};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::Diagnostic;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Results(#[from] ResultsError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Data(#[from] DataError),
    #[error("trial {trial}: {source}")]
    #[diagnostic(code(regime::trial_failed), help("{help}"))]
    Trial {
        trial: String,
        source: EngineError,
        help: String,
    },
    #[error("interrupted: {done} of {total} trials are saved in {dir}")]
    #[diagnostic(
        code(regime::interrupted),
        help("finished trials are kept; continue with `regime run {file} --resume {dir}`")
    )]
    Interrupted {
        done: usize,
        total: usize,
        dir: String,
        file: String,
    },
    #[error("{dir} has {count} trials; there is no trial {index}")]
    #[diagnostic(
        code(regime::no_such_trial),
        help("trial indices count from 0 in plan order (see plan.yaml)")
    )]
    NoSuchTrial {
        dir: String,
        index: usize,
        count: usize,
    },
    #[error("cannot start {count} {what} threads: {message}")]
    #[diagnostic(code(regime::threads), help("{help}"))]
    Threads {
        count: usize,
        /// `worker` (one per job) or `GEMM` (a trial's matrix products).
        what: &'static str,
        message: String,
        /// Which option asks for fewer.
        help: String,
    },
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Trials side by side; 1 gives a single trial every BLAS thread.
    pub jobs: usize,
    /// Where results go; the default is `runs/<name>-<timestamp>`.
    pub out: Option<PathBuf>,
    /// Continue the run in this directory.
    pub resume: Option<PathBuf>,
    /// Print progress (an indicatif display on a terminal, plain lines otherwise).
    pub progress: bool,
    /// With `progress`: a line for every finished trial (otherwise, without
    /// a terminal, at most one every two seconds).
    pub verbose: bool,
    /// The `--scale` the plan was compiled with, recorded in every trial.
    pub scale: f64,
    /// The `--seeds` override the plan was compiled with.
    pub seeds: Option<u32>,
    /// Threads for each trial's GEMMs (default: cores / jobs); the records
    /// do not depend on it.
    pub threads: Option<usize>,
}

/// What a finished run produced; the report is built from `results`.
#[derive(Debug)]
pub struct RunReport {
    pub dir: PathBuf,
    pub ran: usize,
    pub skipped: usize,
    pub diverged: usize,
    pub results: ResultsDir,
}

pub(super) static CANCEL: AtomicBool = AtomicBool::new(false);

/// Ctrl-C, SIGTERM and SIGHUP stop the run between steps (see
/// `interrupt`); installed once per process.
pub(super) fn install_ctrlc() {
    super::interrupt::install(&CANCEL);
}

/// The default results directory: `runs/<name>-<YYYYmmdd-HHMMSS>`.
pub fn default_dir(plan: &Plan) -> PathBuf {
    let name = match plan.experiments.as_slice() {
        [one] => one.name.clone(),
        _ => std::path::Path::new(&plan.source)
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned()),
    };
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("runs").join(format!("{name}-{stamp}"))
}

/// The run's directory: a fresh one, or the one resumed (checked against
/// the plan compiled now).
fn open_results(plan: &Plan, source_text: &str, opts: &RunOptions) -> Result<ResultsDir, RunError> {
    Ok(match &opts.resume {
        Some(dir) => ResultsDir::open_for_resume(dir.clone(), plan)?,
        None => {
            let dir = opts.out.clone().unwrap_or_else(|| default_dir(plan));
            ResultsDir::create(
                dir,
                source_text,
                plan,
                &RunMeta::new(opts.scale, opts.seeds, plan.overrides.clone()),
            )?
        }
    })
}

/// Runs every trial of `plan` that has no complete record yet. `plan` is
/// compiled now from the source; on resume it must equal the stored one.
pub fn run(plan: &Plan, source_text: &str, opts: &RunOptions) -> Result<RunReport, RunError> {
    let results = open_results(plan, source_text, opts)?;
    let say = |m: String| {
        if opts.progress {
            eprintln!("{m}");
        }
    };
    let blas = Blas::current(1);
    say(format!(
        "BLAS: {} — kernel {}",
        blas.library, blas.selection
    ));
    let datasets = load_data(plan, &say)?;
    let inventory = results.inventory(plan);
    check_against_records(&results, plan, &inventory.done, &datasets, &say)?;
    for (id, why) in &inventory.damaged {
        say(format!("re-running {id}: {why}"));
    }
    let done_ids: std::collections::HashSet<&str> =
        inventory.done.iter().map(|r| r.key.id.as_str()).collect();
    let all: Vec<&Trial> = plan.experiments.iter().flat_map(|e| &e.trials).collect();
    let pending: Vec<&Trial> = all
        .iter()
        .copied()
        .filter(|t| !done_ids.contains(t.key.id.as_str()))
        .collect();
    let skipped = all.len() - pending.len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Each trial's GEMMs get an equal share of the cores; results do not
    // depend on it (engine::gemm cuts products by shape alone).
    let threads = opts.threads.unwrap_or(cores / opts.jobs.max(1)).max(1);
    // A worker per trial at most: `--jobs 18446744073709551615` started
    // 65,535 idle workers (rayon's most) and exhausted memory.
    let jobs = opts.jobs.clamp(1, pending.len().max(1));
    say(format!(
        "running {} trials ({} already done) with {} job(s) × {} thread(s) into {}",
        pending.len(),
        skipped,
        jobs,
        threads,
        results.root.display()
    ));
    super::interrupt::reset(&CANCEL, &plan.source, &results.root);
    install_ctrlc();
    let counts = run_pending(&pending, &datasets, &results, opts, jobs, threads)?;
    if CANCEL.load(Ordering::SeqCst) {
        return Err(RunError::Interrupted {
            done: skipped + counts.ran,
            total: all.len(),
            dir: results.root.display().to_string(),
            file: plan.source.clone(),
        });
    }
    Ok(RunReport {
        dir: results.root.clone(),
        ran: counts.ran,
        skipped,
        diverged: counts.diverged,
        results,
    })
}

/// How many trials a pass ran, and how many of them diverged.
struct Counts {
    ran: usize,
    diverged: usize,
}

/// The progress display: one bar for the sweep, drawn only on a terminal
/// that asked for progress (spinners per trial are added under it).
fn progress_bars(shown: bool, trials: usize) -> (MultiProgress, ProgressBar) {
    let multi = MultiProgress::with_draw_target(if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let overall = multi.add(ProgressBar::new(trials as u64));
    overall.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} trials  {elapsed} elapsed, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    (multi, overall)
}

/// Runs `pending` on `jobs` workers, writing each record as it ends.
fn run_pending(
    pending: &[&Trial],
    datasets: &Datasets,
    results: &ResultsDir,
    opts: &RunOptions,
    jobs: usize,
    threads: usize,
) -> Result<Counts, RunError> {
    let tty = std::io::stderr().is_terminal();
    let (multi, overall) = progress_bars(opts.progress && tty, pending.len());
    let done = AtomicUsize::new(0);
    let diverged = AtomicUsize::new(0);
    let last_line = Mutex::new(Instant::now());
    let live_warned = AtomicBool::new(false);
    let first_error: Mutex<Option<RunError>> = Mutex::new(None);
    // Every worker keeps a pool of `threads` GEMM threads (none for one):
    // refuse a run whose threads do not all fit before any starts.
    let gemm = if threads > 1 { threads } else { 0 };
    let total = jobs.saturating_mul(gemm.saturating_add(1));
    crate::engine::room_for_threads(total).map_err(|message| match gemm {
        0 => RunError::Threads {
            count: jobs,
            what: "worker",
            message,
            help: "try a smaller --jobs".into(),
        },
        _ => RunError::Threads {
            count: total,
            what: "worker and GEMM",
            message,
            help: format!("try a smaller --threads or --jobs ({jobs} job(s) × (1 worker + {threads} GEMM threads) now)"),
        },
    })?;
    let run_one = |trial: &Trial| {
        if CANCEL.load(Ordering::Relaxed) || first_error.lock().map_or(true, |e| e.is_some()) {
            return;
        }
        let Some(data) = datasets.get(&(trial.key.experiment.clone(), trial.key.split)) else {
            return;
        };
        let line = multi.add(ProgressBar::new_spinner());
        line.enable_steady_tick(Duration::from_millis(200));
        let label = format!("{} ({})", trial.key.arm, cell_label(trial));
        let mut live = results.live_curve(&trial.key.id);
        let on_progress = |p: Progress| {
            live.append(&p.row);
            line.set_message(format!(
                "{label}: iter {}/{}  λ {:.4}  val_acc {:.3}",
                p.iter, p.budget, p.lambda, p.val_acc
            ));
        };
        let outcome = with_gemm_threads(threads, || {
            let mut on_progress = on_progress;
            run_trial(trial, data, opts.scale, &CANCEL, &mut on_progress)
        });
        line.finish_and_clear();
        multi.remove(&line);
        if let Some(e) = live.error() {
            warn_once(&live_warned, opts, &multi, &e);
        }
        if !matches!(outcome, Ok(Ok(Outcome::Finished(..)))) {
            // Stopped or failed: not a result, and `--resume` starts it over.
            results.remove_partial(&trial.key.id);
        }
        let outcome = match outcome {
            Ok(o) => o,
            Err(message) => {
                store_first(
                    &first_error,
                    RunError::Threads {
                        count: threads,
                        what: "GEMM",
                        message,
                        help: "try a smaller --threads".into(),
                    },
                );
                return;
            }
        };
        match outcome {
            Ok(Outcome::Finished(rec, curve)) => {
                let rec = match results.write_trial(*rec, &curve) {
                    Ok(r) => r,
                    Err(e) => return store_first(&first_error, e.into()),
                };
                if matches!(rec.status, Status::Diverged { .. }) {
                    diverged.fetch_add(1, Ordering::Relaxed);
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                overall.inc(1);
                if opts.progress && (opts.verbose || !tty) {
                    plain_line(&last_line, n, pending.len(), &rec, opts.verbose, &multi);
                }
            }
            Ok(Outcome::Cancelled) => {}
            Err(e) => store_first(
                &first_error,
                RunError::Trial {
                    trial: trial.key.id.clone(),
                    help: e.run_help(),
                    source: e,
                },
            ),
        }
    };
    // Plain threads, not a rayon pool: a rayon worker waiting for its GEMM
    // pool steals other trials meanwhile, so `--jobs 1 --threads 2` had
    // dozens of trials in memory at once, and a finished trial's record
    // waited for every trial stacked on top of it.
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for i in 0..jobs {
            let worker = || {
                while let Some(trial) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run_one(trial);
                }
            };
            let started = std::thread::Builder::new()
                .name(format!("regime-job-{i}"))
                .spawn_scoped(scope, worker);
            if let Err(e) = started {
                store_first(
                    &first_error,
                    RunError::Threads {
                        count: jobs,
                        what: "worker",
                        message: e.to_string(),
                        help: "try a smaller --jobs".into(),
                    },
                );
                break;
            }
        }
    });
    overall.finish_and_clear();
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(Counts {
        ran: done.load(Ordering::Relaxed),
        diverged: diverged.load(Ordering::Relaxed),
    })
}

/// The first live curve that cannot be written is said once; the trials
/// go on (their final curves do not depend on it).
fn warn_once(warned: &AtomicBool, opts: &RunOptions, multi: &MultiProgress, message: &str) {
    if opts.progress && !warned.swap(true, Ordering::Relaxed) {
        let _ = multi.println(format!(
            "warning: {message}; the trial's curve is written when it ends"
        ));
    }
}

fn store_first(slot: &Mutex<Option<RunError>>, e: RunError) {
    if let Ok(mut s) = slot.lock() {
        s.get_or_insert(e);
    }
}

fn cell_label(t: &Trial) -> String {
    let mut parts: Vec<String> = t
        .key
        .vary
        .iter()
        .map(|(k, v)| format!("{k}={}", v.label()))
        .collect();
    if let Some(g) = t.key.grid {
        parts.push(format!("λ={}", g.value));
    }
    parts.push(format!("seed {}", t.key.seed_index));
    parts.join(", ")
}

/// One line per finished trial: every one with `verbose` (above the
/// progress display on a terminal), otherwise (without a terminal) at most
/// one every two seconds unless it is the last.
fn plain_line(
    last: &Mutex<Instant>,
    n: usize,
    total: usize,
    rec: &TrialRecord,
    verbose: bool,
    multi: &MultiProgress,
) {
    let Ok(mut last) = last.lock() else { return };
    if !verbose && n < total && last.elapsed() < Duration::from_secs(2) {
        return;
    }
    *last = Instant::now();
    let acc = rec.finals.map_or("–".to_string(), |f| {
        format!("val_acc {:.3} test_acc {:.3}", f.val_acc, f.test_acc)
    });
    let line = format!(
        "[{n}/{total}] {} {} {} in {:.1}s",
        rec.key.id,
        rec.status.label(),
        acc,
        rec.wall_seconds
    );
    // Printed above the bars when they are drawn, as is otherwise.
    if multi.is_hidden() {
        eprintln!("{line}");
    } else {
        let _ = multi.println(line);
    }
}
