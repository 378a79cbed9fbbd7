//! Running a plan's trials as a Slurm job array.
//!
//! regime does not schedule anything itself on a cluster: it writes the
//! results directory (source, hash, plan) where the nodes can read it, writes
//! `slurm/job.sh` (an sbatch array, one task per line of a batch file, each
//! line naming the trials that task runs), submits it with `sbatch`, and later
//! reads the state back from result files and `squeue`/`scontrol`. Accounting
//! (`sacct`) is not needed: a task that ended without writing its trial's
//! record counts as failed.

mod script;

pub use script::{
    check_options, check_results_path, check_value, job_script, sbatch_quote, sh_quote,
};

use crate::plan::Plan;
use crate::results::{write_atomic, ResultsDir, ResultsError};
use miette::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum SlurmError {
    #[error("`{program}` was not found")]
    #[diagnostic(
        code(regime::slurm_missing),
        help("run this on a Slurm login node (where `sbatch`, `squeue` and `scontrol` are on PATH), or run locally without `--on slurm`")
    )]
    NotFound { program: String },
    #[error("sbatch refused the job: {message}")]
    #[diagnostic(code(regime::slurm_refused))]
    Refused {
        message: String,
        script: String,
        #[help]
        help: String,
    },
    #[error("{option} contains {what}, which cannot go into a Slurm job script: {shown}")]
    #[diagnostic(code(regime::slurm_bad_value), help("{fix}"))]
    BadValue {
        option: String,
        what: String,
        /// The value with its control characters escaped.
        shown: String,
        fix: String,
    },
    #[error("{option} {shown}: {why}")]
    #[diagnostic(code(regime::slurm_bad_value), help("{fix}"))]
    BadOption {
        option: String,
        shown: String,
        why: String,
        fix: String,
    },
    #[error("`{program}` failed: {message}")]
    #[diagnostic(code(regime::slurm_failed))]
    Failed { program: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Results(#[from] ResultsError),
}

/// How to submit.
#[derive(Debug, Clone, Default)]
pub struct SlurmOptions {
    pub partition: Option<String>,
    /// `HH:MM:SS` per task.
    pub time: Option<String>,
    pub cpus_per_task: u32,
    /// Tasks running at once (`%K` of `--array`).
    pub max_parallel: Option<u32>,
    pub account: Option<String>,
    pub qos: Option<String>,
    /// Memory per task, as sbatch's `--mem` takes it (`4G`).
    pub mem: Option<String>,
    /// Further sbatch options, one `--name[=value]` each.
    pub sbatch_args: Vec<String>,
    pub dry_run: bool,
    /// The regime binary the nodes run (must be readable from every node).
    pub binary: PathBuf,
}

/// What a submission did.
#[derive(Debug, Clone)]
pub struct Submission {
    pub script: PathBuf,
    pub job_id: Option<String>,
    pub tasks: usize,
    pub trials: usize,
}

/// The array limit of the cluster (`MaxArraySize`), or Slurm's default.
fn max_array_size() -> usize {
    Command::new("scontrol")
        .args(["show", "config"])
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.trim_start().starts_with("MaxArraySize"))
                .and_then(|l| l.split('=').nth(1))
                .and_then(|v| v.trim().parse::<usize>().ok())
        })
        .unwrap_or(1001)
}

/// Splits trial indices into at most `limit` tasks of consecutive trials.
pub fn batches(indices: &[usize], limit: usize) -> Vec<Vec<usize>> {
    if indices.is_empty() {
        return vec![];
    }
    let per = indices.len().div_ceil(limit.max(1));
    indices.chunks(per).map(|c| c.to_vec()).collect()
}

/// Paths that are local to a node and so cannot be seen by the others.
pub fn looks_node_local(dir: &Path) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm", "/run"]
        .iter()
        .any(|p| dir.starts_with(p))
}

/// Submits the trials of `plan` that have no record in `results`.
pub fn submit(
    results: &ResultsDir,
    plan: &Plan,
    opts: &SlurmOptions,
) -> Result<Submission, SlurmError> {
    let all: Vec<&crate::plan::Trial> = plan.experiments.iter().flat_map(|e| &e.trials).collect();
    let missing: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, t)| !results.is_done(t))
        .map(|(i, _)| i)
        .collect();
    let root = std::fs::canonicalize(&results.root).unwrap_or_else(|_| results.root.clone());
    check_results_path("the results directory", &root)?;
    check_options(opts)?;
    let slurm = root.join("slurm");
    let logs = slurm.join("logs");
    std::fs::create_dir_all(&logs).map_err(|source| ResultsError::write(&logs, source))?;
    let limit = if opts.dry_run { 1001 } else { max_array_size() };
    let b = batches(&missing, limit);
    let n = next_submission(&slurm);
    let batch_file = slurm.join(format!("batch-{n}.txt"));
    let lines: String = b
        .iter()
        .map(|t| {
            let v: Vec<String> = t.iter().map(|i| i.to_string()).collect();
            v.join(" ") + "\n"
        })
        .collect();
    write_atomic(&batch_file, lines.as_bytes())?;
    let name = plan
        .experiments
        .first()
        .map_or("run".to_string(), |e| e.name.clone());
    let script = slurm.join("job.sh");
    write_atomic(
        &script,
        job_script(&root, &batch_file, b.len(), opts, &name)?.as_bytes(),
    )?;
    let mut sub = Submission {
        script: script.clone(),
        job_id: None,
        tasks: b.len(),
        trials: missing.len(),
    };
    if opts.dry_run || b.is_empty() {
        return Ok(sub);
    }
    let mut sbatch = Command::new("sbatch");
    // The tasks start from the user's environment (each chooses its own
    // self-tested kernel on its node), not from the one regime runs under.
    crate::engine::gemm::restore_original_env(&mut sbatch);
    let out = sbatch
        .arg("--parsable")
        .arg(&script)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SlurmError::NotFound {
                program: "sbatch".into(),
            },
            _ => SlurmError::Failed {
                program: "sbatch".into(),
                message: e.to_string(),
            },
        })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let script = script.display().to_string();
        return Err(SlurmError::Refused {
            help: script::refused_help(&message, &script),
            message,
            script,
        });
    }
    let id = String::from_utf8_lossy(&out.stdout)
        .trim()
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let mut jobs = std::fs::read_to_string(slurm.join("jobs.txt")).unwrap_or_default();
    jobs += &format!("{id} {}\n", batch_file.display());
    write_atomic(&slurm.join("jobs.txt"), jobs.as_bytes())?;
    sub.job_id = Some(id);
    Ok(sub)
}

fn next_submission(slurm: &Path) -> usize {
    (0..)
        .find(|n| !slurm.join(format!("batch-{n}.txt")).exists())
        .unwrap_or(0)
}

/// State of one trial on the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrialState {
    Done,
    Running,
    Pending,
    /// The task ended without a record; the tail of its log.
    Failed {
        log_tail: String,
    },
    /// Never submitted.
    NotSubmitted,
    /// A record or curve exists but cannot be trusted; why.
    Damaged {
        why: String,
    },
    /// A local run (no `slurm/` directory) that is not running has no
    /// record of it.
    Missing,
}

impl TrialState {
    pub fn label(&self) -> &'static str {
        match self {
            TrialState::Done => "done",
            TrialState::Running => "running",
            TrialState::Pending => "pending",
            TrialState::Failed { .. } => "failed",
            TrialState::NotSubmitted => "not submitted",
            TrialState::Damaged { .. } => "damaged",
            TrialState::Missing => "missing",
        }
    }
}

/// Task states of a job array by task index, from `squeue` (recent tasks,
/// finished ones included) and `scontrol` (as long as the controller keeps them).
fn task_states(job: &str) -> BTreeMap<usize, String> {
    let mut states = BTreeMap::new();
    if let Ok(o) = Command::new("squeue")
        .args(["-h", "-j", job, "-t", "all", "-o", "%K %T"])
        .output()
    {
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            let mut it = line.split_whitespace();
            if let (Some(k), Some(state)) = (it.next(), it.next()) {
                for idx in expand_indices(k) {
                    states.insert(idx, state.to_string());
                }
            }
        }
    }
    states
}

/// `3`, `0-4`, `[0-4%2]` or `1,3-5` → the indices named.
pub fn expand_indices(k: &str) -> Vec<usize> {
    let k = k.trim_matches(|c| c == '[' || c == ']');
    let k = k.split('%').next().unwrap_or("");
    let mut out = vec![];
    for part in k.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    out.extend(a..=b);
                }
            }
            None => {
                if let Ok(a) = part.parse() {
                    out.push(a);
                }
            }
        }
    }
    out
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let v: Vec<&str> = text.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// Whether a results directory was ever submitted to Slurm (it has `slurm/`).
pub fn is_slurm_run(results: &ResultsDir) -> bool {
    results.root.join("slurm").is_dir()
}

/// Every trial's state, in plan order. A local run's trials are done,
/// missing, or — while a run holds the directory — running (those with a
/// live curve) and pending; Slurm's queue is only asked about submitted ones.
pub fn status(results: &ResultsDir, plan: &Plan) -> Vec<(String, TrialState)> {
    status_from(results, plan, |t| results.trial_state(t))
}

/// Like [`status`], with what the directory holds for each trial given by
/// `stored` (which may remember trials already verified as done).
pub fn status_from(
    results: &ResultsDir,
    plan: &Plan,
    mut stored: impl FnMut(&crate::plan::Trial) -> crate::results::TrialState,
) -> Vec<(String, TrialState)> {
    if !is_slurm_run(results) {
        let running = crate::results::run_in_progress(&results.root);
        return plan
            .experiments
            .iter()
            .flat_map(|e| &e.trials)
            .map(|t| {
                let state = match stored(t) {
                    crate::results::TrialState::Done(_) => TrialState::Done,
                    crate::results::TrialState::Damaged(why) => TrialState::Damaged { why },
                    crate::results::TrialState::Missing if !running => TrialState::Missing,
                    crate::results::TrialState::Missing => {
                        if results.partial_curve_path(&t.key.id).exists() {
                            TrialState::Running
                        } else {
                            TrialState::Pending
                        }
                    }
                };
                (t.key.id.clone(), state)
            })
            .collect();
    }
    let slurm = results.root.join("slurm");
    // Latest submission of each trial: (job id, task index).
    let mut latest: BTreeMap<usize, (String, usize)> = BTreeMap::new();
    let jobs = std::fs::read_to_string(slurm.join("jobs.txt")).unwrap_or_default();
    for line in jobs.lines() {
        let Some((job, batch)) = line.split_once(' ') else {
            continue;
        };
        let text = std::fs::read_to_string(batch).unwrap_or_default();
        for (task, l) in text.lines().enumerate() {
            for i in l.split_whitespace().filter_map(|x| x.parse::<usize>().ok()) {
                latest.insert(i, (job.to_string(), task));
            }
        }
    }
    let mut states_of: BTreeMap<String, BTreeMap<usize, String>> = BTreeMap::new();
    plan.experiments
        .iter()
        .flat_map(|e| &e.trials)
        .enumerate()
        .map(|(i, t)| {
            match stored(t) {
                crate::results::TrialState::Done(_) => return (t.key.id.clone(), TrialState::Done),
                crate::results::TrialState::Damaged(why) => {
                    return (t.key.id.clone(), TrialState::Damaged { why })
                }
                crate::results::TrialState::Missing => {}
            }
            let Some((job, task)) = latest.get(&i) else {
                return (t.key.id.clone(), TrialState::NotSubmitted);
            };
            let states = states_of
                .entry(job.clone())
                .or_insert_with(|| task_states(job));
            let state = match states.get(task).map(String::as_str) {
                Some("PENDING") | Some("CONFIGURING") => TrialState::Pending,
                Some("RUNNING") | Some("COMPLETING") => TrialState::Running,
                // Ended (any state) or forgotten by the controller: without a
                // record the trial failed.
                _ => TrialState::Failed {
                    log_tail: tail(&slurm.join("logs").join(format!("{job}_{task}.out")), 10),
                },
            };
            (t.key.id.clone(), state)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_the_array_limit() {
        let idx: Vec<usize> = (0..10).collect();
        assert_eq!(batches(&idx, 100).len(), 10);
        let b = batches(&idx, 4);
        assert_eq!(b.len(), 4);
        assert_eq!(b.concat(), idx);
        assert!(batches(&[], 4).is_empty());
    }

    #[test]
    fn array_index_expressions() {
        assert_eq!(expand_indices("3"), [3]);
        assert_eq!(expand_indices("[0-3%2]"), [0, 1, 2, 3]);
        assert_eq!(expand_indices("1,4-5"), [1, 4, 5]);
    }
}
