//! Runs a plan: loads each data set once, runs the trials that have no record
//! yet in parallel (rayon, one BLAS thread each), shows progress, writes every
//! record as soon as its trial ends, and builds the report.

use super::results::{ResultsDir, ResultsError, RunMeta, Status, TrialRecord};
use super::trial::{run_trial, Outcome, Progress};
use crate::data::{self, DataError, Dataset};
use crate::engine::{self, EngineError};
use crate::plan::{DataSpec, Plan, Trial};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::Diagnostic;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
    #[error("cannot start {jobs} worker threads: {message}")]
    #[diagnostic(code(regime::threads), help("try a smaller --jobs"))]
    Threads { jobs: usize, message: String },
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
    /// The `--scale` the plan was compiled with, recorded in every trial.
    pub scale: f64,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunReport {
    pub dir: PathBuf,
    pub ran: usize,
    pub skipped: usize,
    pub diverged: usize,
    pub summary_md: String,
}

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Ctrl-C, SIGTERM and SIGHUP stop the run between steps (see
/// `interrupt`); installed once per process.
fn install_ctrlc() {
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

/// The seed of the train/validation split: fixed per data definition, so
/// every trial of a run (and a resumed run) sees the same split.
fn split_seed(spec: &DataSpec) -> u64 {
    spec.name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// The data of every experiment, by experiment name; each distinct data
/// definition is read once per process (`data::load_shared` caches it).
fn load_data(
    plan: &Plan,
    say: &dyn Fn(String),
) -> Result<HashMap<String, Arc<Dataset>>, DataError> {
    let mut out = HashMap::new();
    for exp in &plan.experiments {
        let t = Instant::now();
        let d = data::load_shared(&exp.data, split_seed(&exp.data))?;
        say(format!(
            "data `{}`: {} ({} train / {} val / {} test, ready in {:.1}s)",
            exp.data.name,
            d.origin,
            d.train.n,
            d.val.n,
            d.test.n,
            t.elapsed().as_secs_f64()
        ));
        out.insert(exp.name.clone(), d);
    }
    Ok(out)
}

/// Runs every trial of `plan` that has no record yet.
pub fn run(plan: &Plan, source_text: &str, opts: &RunOptions) -> Result<RunReport, RunError> {
    let results = match &opts.resume {
        Some(dir) => {
            let r = ResultsDir::open(dir.clone())?;
            r.check_hash(&plan.source_hash)?;
            r
        }
        None => {
            let dir = opts.out.clone().unwrap_or_else(|| default_dir(plan));
            ResultsDir::create(dir, source_text, plan, &RunMeta { scale: opts.scale })?
        }
    };
    // On resume the stored plan is the truth: it is what the finished trials ran.
    let plan = if opts.resume.is_some() {
        results.plan()?
    } else {
        plan.clone()
    };
    let tty = std::io::stderr().is_terminal();
    let say = |m: String| {
        if opts.progress {
            eprintln!("{m}");
        }
    };
    let datasets = load_data(&plan, &say)?;
    let all: Vec<&Trial> = plan.experiments.iter().flat_map(|e| &e.trials).collect();
    let pending: Vec<&Trial> = all
        .iter()
        .copied()
        .filter(|t| !results.has_trial(&t.id))
        .collect();
    let skipped = all.len() - pending.len();
    say(format!(
        "running {} trials ({} already done) with {} job(s) into {}",
        pending.len(),
        skipped,
        opts.jobs,
        results.root.display()
    ));

    let jobs = opts.jobs.max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Trials side by side each get one BLAS thread; a lone trial gets them all.
    engine::set_blas_threads(if jobs == 1 { cores } else { 1 });
    super::interrupt::reset(&CANCEL, &plan.source, &results.root);
    install_ctrlc();

    let multi = MultiProgress::with_draw_target(if opts.progress && tty {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let overall = multi.add(ProgressBar::new(pending.len() as u64));
    overall.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} trials  {elapsed} elapsed, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let done = AtomicUsize::new(0);
    let diverged = AtomicUsize::new(0);
    let last_line = Mutex::new(Instant::now());
    let first_error: Mutex<Option<RunError>> = Mutex::new(None);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| RunError::Threads {
            jobs,
            message: e.to_string(),
        })?;
    pool.install(|| {
        pending.par_iter().for_each(|trial| {
            if CANCEL.load(Ordering::Relaxed) || first_error.lock().map_or(true, |e| e.is_some()) {
                return;
            }
            let Some(data) = datasets.get(&trial.experiment) else {
                return;
            };
            let line = multi.add(ProgressBar::new_spinner());
            line.enable_steady_tick(Duration::from_millis(200));
            let label = format!("{} ({})", trial.arm, cell_label(trial));
            let mut on_progress = |p: Progress| {
                line.set_message(format!(
                    "{label}: iter {}/{}  λ {:.4}  val_acc {:.3}",
                    p.iter, p.budget, p.lambda, p.val_acc
                ));
            };
            let outcome = run_trial(trial, data, opts.scale, &CANCEL, &mut on_progress);
            line.finish_and_clear();
            multi.remove(&line);
            match outcome {
                Ok(Outcome::Finished(rec, curve)) => {
                    if let Err(e) = results.write_trial(&rec, &curve) {
                        store_first(&first_error, e.into());
                        return;
                    }
                    if matches!(rec.status, Status::Diverged { .. }) {
                        diverged.fetch_add(1, Ordering::Relaxed);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    overall.inc(1);
                    if opts.progress && !tty {
                        plain_line(&last_line, n, pending.len(), &rec);
                    }
                }
                Ok(Outcome::Cancelled) => {}
                Err(e) => store_first(
                    &first_error,
                    RunError::Trial {
                        trial: trial.id.clone(),
                        help: e.run_help(),
                        source: e,
                    },
                ),
            }
        })
    });
    overall.finish_and_clear();
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    let ran = done.load(Ordering::Relaxed);
    if CANCEL.load(Ordering::SeqCst) {
        return Err(RunError::Interrupted {
            done: skipped + ran,
            total: all.len(),
            dir: results.root.display().to_string(),
            file: plan.source.clone(),
        });
    }
    let reporting = super::interrupt::Reporting::start(&results.root);
    let summary_md = crate::report::figures::write_report(&results)?;
    drop(reporting);
    Ok(RunReport {
        dir: results.root.clone(),
        ran,
        skipped,
        diverged: diverged.load(Ordering::Relaxed),
        summary_md,
    })
}

fn store_first(slot: &Mutex<Option<RunError>>, e: RunError) {
    if let Ok(mut s) = slot.lock() {
        s.get_or_insert(e);
    }
}

fn cell_label(t: &Trial) -> String {
    let mut parts: Vec<String> = t
        .vary
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::report::tables::axis_value(v)))
        .collect();
    if let Some(g) = t.grid {
        parts.push(format!("λ={}", g.value));
    }
    parts.push(format!("seed {}", t.seed_index));
    parts.join(", ")
}

/// Without a terminal: one line per finished trial, at most one every two
/// seconds unless it is the last.
fn plain_line(last: &Mutex<Instant>, n: usize, total: usize, rec: &TrialRecord) {
    let Ok(mut last) = last.lock() else { return };
    if n < total && last.elapsed() < Duration::from_secs(2) {
        return;
    }
    *last = Instant::now();
    let acc = rec.finals.map_or("–".to_string(), |f| {
        format!("val_acc {:.3} test_acc {:.3}", f.val_acc, f.test_acc)
    });
    eprintln!(
        "[{n}/{total}] {} {} {} in {:.1}s",
        rec.id,
        rec.status.label(),
        acc,
        rec.wall_seconds
    );
}

/// Runs the trial at `index` (plan order) of a results directory and writes
/// its record: what one Slurm array task does. BLAS gets the cores Slurm gave
/// the task (`SLURM_CPUS_PER_TASK`), or every core outside Slurm.
pub fn run_one(dir: &std::path::Path, index: usize) -> Result<TrialRecord, RunError> {
    let results = ResultsDir::open(dir.to_path_buf())?;
    let plan = results.plan()?;
    let all: Vec<(&crate::plan::ExperimentPlan, &Trial)> = plan
        .experiments
        .iter()
        .flat_map(|e| e.trials.iter().map(move |t| (e, t)))
        .collect();
    let Some(&(exp, trial)) = all.get(index) else {
        return Err(RunError::NoSuchTrial {
            dir: dir.display().to_string(),
            index,
            count: all.len(),
        });
    };
    let threads = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    engine::set_blas_threads(threads);
    let data = data::load_shared(&exp.data, split_seed(&exp.data))?;
    install_ctrlc();
    let outcome =
        run_trial(trial, &data, results.meta().scale, &CANCEL, &mut |_| {}).map_err(|source| {
            RunError::Trial {
                trial: trial.id.clone(),
                help: source.run_help(),
                source,
            }
        })?;
    match outcome {
        Outcome::Finished(rec, curve) => {
            results.write_trial(&rec, &curve)?;
            Ok(*rec)
        }
        Outcome::Cancelled => Err(RunError::Interrupted {
            done: 0,
            total: 1,
            dir: dir.display().to_string(),
            file: plan.source.clone(),
        }),
    }
}
