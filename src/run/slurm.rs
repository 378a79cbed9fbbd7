//! Running a plan's trials as a Slurm job array.
//!
//! regime does not schedule anything itself on a cluster: it writes the
//! results directory (source, hash, plan) where the nodes can read it, writes
//! `slurm/job.sh` (an sbatch array, one task per line of a batch file, each
//! line naming the trials that task runs), submits it with `sbatch`, and later
//! reads the state back from result files and `squeue`/`scontrol`. Accounting
//! (`sacct`) is not needed: a task that ended without writing its trial's
//! record counts as failed.

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

/// A word for the shell body of `job.sh`: single quotes, with each `'`
/// written as `'\''`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A value for an `#SBATCH` line: double quotes, with `"` and `\` escaped by
/// a backslash (sbatch's directive parser honours both; an unescaped `#`
/// inside the quotes is not a comment).
pub fn sbatch_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `value` with control characters shown as escapes (`\n`, `\u{1b}`).
fn shown(value: &str) -> String {
    value.escape_debug().to_string()
}

/// Refuses a value that would break out of its line of `job.sh`: any
/// control character (a newline would start a new shell command).
pub fn check_value(option: &str, value: &str) -> Result<(), SlurmError> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let what = match c {
            '\n' => "a newline".to_string(),
            '\r' => "a carriage return".to_string(),
            '\t' => "a tab".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        return Err(SlurmError::BadValue {
            option: option.to_string(),
            what,
            shown: shown(value),
            fix: format!("give {option} without control characters (newlines, tabs, escapes)"),
        });
    }
    Ok(())
}

/// The results directory goes into `#SBATCH --output`, where Slurm gives a
/// backslash its own meaning (it turns off `%A`/`%a`), so it is refused too.
pub fn check_results_path(option: &str, dir: &Path) -> Result<(), SlurmError> {
    let text = dir.to_string_lossy();
    check_value(option, &text)?;
    if text.contains('\\') {
        return Err(SlurmError::BadValue {
            option: option.to_string(),
            what: "a backslash".into(),
            shown: shown(&text),
            fix: format!(
                "Slurm reads a backslash in `--output` as \"no %A/%a here\"; give {option} a path without one"
            ),
        });
    }
    if dir.to_str().is_none() {
        return Err(SlurmError::BadValue {
            option: option.to_string(),
            what: "bytes that are not UTF-8".into(),
            shown: shown(&text),
            fix: format!("give {option} a path that is valid UTF-8"),
        });
    }
    Ok(())
}

/// Every value the user gave that reaches `job.sh`, checked before anything
/// is written.
pub fn check_options(opts: &SlurmOptions) -> Result<(), SlurmError> {
    if let Some(p) = &opts.partition {
        check_value("--partition", p)?;
    }
    if let Some(t) = &opts.time {
        check_value("--time", t)?;
    }
    check_value("the regime binary path", &opts.binary.to_string_lossy())?;
    Ok(())
}

/// In `#SBATCH --output`, `%` starts a replacement symbol; a literal one is `%%`.
fn output_pattern(dir: &Path) -> String {
    format!(
        "{}/slurm/logs/%A_%a.out",
        dir.display().to_string().replace('%', "%%")
    )
}

/// What to check when sbatch refuses a job, from its message: only the
/// options it complains about are blamed.
fn refused_help(message: &str, script: &str) -> String {
    let m = message.to_lowercase();
    let mut blame = vec![];
    if m.contains("partition") {
        blame.push("`--partition` (the partitions are listed by `sinfo -s`)");
    }
    if m.contains("time limit") || m.contains("time_limit") || m.contains("--time") {
        blame.push("`--time` (HH:MM:SS, within the partition's limit)");
    }
    if m.contains("cpu") || m.contains("node configuration") {
        blame.push("`--cpus-per-task` (at most the CPUs of one node, see `sinfo -o %c`)");
    }
    if m.contains("array") {
        blame.push("`--max-parallel` and the number of array tasks (see `scontrol show config | grep MaxArraySize`)");
    }
    if blame.is_empty() {
        format!("sbatch's message above says what it refused; the script it was given is {script}")
    } else {
        format!("check {}; the script is {script}", blame.join(" and "))
    }
}

/// The sbatch script for one submission.
pub fn job_script(
    dir: &Path,
    batch_file: &Path,
    tasks: usize,
    opts: &SlurmOptions,
    name: &str,
) -> Result<String, SlurmError> {
    check_results_path("the results directory", dir)?;
    check_value("the batch file path", &batch_file.to_string_lossy())?;
    check_value("the experiment name", name)?;
    check_options(opts)?;
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "#SBATCH --job-name={}\n",
        sbatch_quote(&format!("regime-{name}"))
    );
    let limit = opts
        .max_parallel
        .map(|k| format!("%{k}"))
        .unwrap_or_default();
    s += &format!("#SBATCH --array=0-{}{limit}\n", tasks.saturating_sub(1));
    s += &format!("#SBATCH --output={}\n", sbatch_quote(&output_pattern(dir)));
    s += &format!("#SBATCH --cpus-per-task={}\n", opts.cpus_per_task.max(1));
    if let Some(p) = &opts.partition {
        s += &format!("#SBATCH --partition={}\n", sbatch_quote(p));
    }
    if let Some(t) = &opts.time {
        s += &format!("#SBATCH --time={}\n", sbatch_quote(t));
    }
    s += "# One array task runs the trials listed on its line of the batch file.\n";
    s += "set -u\n";
    s += &format!(
        "line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n",
        sh_quote(&batch_file.display().to_string())
    );
    s += "status=0\n";
    s += "for index in $line; do\n";
    s += &format!(
        "  {} run-trial {} --index \"$index\" || status=1\n",
        sh_quote(&opts.binary.display().to_string()),
        sh_quote(&dir.display().to_string())
    );
    s += "done\n";
    s += "exit $status\n";
    Ok(s)
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
            help: refused_help(&message, &script),
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
    /// A local run (no `slurm/` directory) has no record of it yet.
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

/// Every trial's state, in plan order. A local run's trials are done or
/// missing; Slurm's queue is only asked about submitted ones.
pub fn status(results: &ResultsDir, plan: &Plan) -> Vec<(String, TrialState)> {
    if !is_slurm_run(results) {
        return plan
            .experiments
            .iter()
            .flat_map(|e| &e.trials)
            .map(|t| {
                let state = match results.trial_state(t) {
                    crate::results::TrialState::Done(_) => TrialState::Done,
                    crate::results::TrialState::Damaged(why) => TrialState::Damaged { why },
                    crate::results::TrialState::Missing => TrialState::Missing,
                };
                (t.id.clone(), state)
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
            match results.trial_state(t) {
                crate::results::TrialState::Done(_) => return (t.id.clone(), TrialState::Done),
                crate::results::TrialState::Damaged(why) => {
                    return (t.id.clone(), TrialState::Damaged { why })
                }
                crate::results::TrialState::Missing => {}
            }
            let Some((job, task)) = latest.get(&i) else {
                return (t.id.clone(), TrialState::NotSubmitted);
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
            (t.id.clone(), state)
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

    #[test]
    fn job_script_names_every_option() {
        let opts = SlurmOptions {
            partition: Some("debug".into()),
            time: Some("00:10:00".into()),
            cpus_per_task: 2,
            max_parallel: Some(3),
            dry_run: true,
            binary: PathBuf::from("/opt/regime"),
        };
        let s = job_script(
            Path::new("/shared/r"),
            Path::new("/shared/r/slurm/batch-0.txt"),
            6,
            &opts,
            "fig1",
        )
        .unwrap();
        for want in [
            "#SBATCH --array=0-5%3",
            "#SBATCH --partition=\"debug\"",
            "#SBATCH --time=\"00:10:00\"",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --output=\"/shared/r/slurm/logs/%A_%a.out\"",
            "'/opt/regime' run-trial '/shared/r' --index \"$index\"",
        ] {
            assert!(s.contains(want), "missing {want:?} in\n{s}");
        }
        assert!(looks_node_local(Path::new("/tmp/x")));
        assert!(!looks_node_local(Path::new("/home/u/runs")));
    }

    fn opts() -> SlurmOptions {
        SlurmOptions {
            cpus_per_task: 1,
            dry_run: true,
            binary: PathBuf::from("/opt/regime"),
            ..SlurmOptions::default()
        }
    }

    /// What bash would see as the words of `word` (one word, quotes removed).
    fn bash_words(word: &str) -> Vec<String> {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("printf '%s\\0' {word}"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_terminator('\0')
            .map(String::from)
            .collect()
    }

    #[test]
    fn shell_quoting_keeps_any_path_one_word() {
        for path in [
            "/a/My Runs/fig1",
            "/a/it's/fig1",
            "/a/\"q\"/$HOME/`id`/;rm -rf x/*",
            "/a/''/'\\''/x",
        ] {
            assert_eq!(bash_words(&sh_quote(path)), [path], "{path}");
        }
    }

    #[test]
    fn sbatch_quoting_escapes_quotes_and_backslashes() {
        assert_eq!(sbatch_quote("/a/My Runs/x"), "\"/a/My Runs/x\"");
        assert_eq!(sbatch_quote("it's \"q\""), "\"it's \\\"q\\\"\"");
        assert_eq!(sbatch_quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(
            output_pattern(Path::new("/r/50%")),
            "/r/50%%/slurm/logs/%A_%a.out"
        );
    }

    #[test]
    fn job_script_quotes_every_path() {
        let dir = Path::new("/shared/My Runs/it's \"q\" #1");
        let s = job_script(dir, &dir.join("slurm/batch-0.txt"), 2, &opts(), "fig1").unwrap();
        assert!(
            s.contains(
                "#SBATCH --output=\"/shared/My Runs/it's \\\"q\\\" #1/slurm/logs/%A_%a.out\"\n"
            ),
            "{s}"
        );
        assert!(
            s.contains("'/opt/regime' run-trial '/shared/My Runs/it'\\''s \"q\" #1' --index"),
            "{s}"
        );
        // Every line but the body's is a directive or a comment: nothing was split.
        assert_eq!(
            s.lines().filter(|l| l.starts_with("#SBATCH")).count(),
            4,
            "{s}"
        );
    }

    #[test]
    fn control_characters_are_refused_in_every_value() {
        let bad = "debug\ntouch /tmp/injected";
        let mut o = opts();
        o.partition = Some(bad.into());
        let e = job_script(Path::new("/r"), Path::new("/r/b"), 1, &o, "x").unwrap_err();
        assert!(
            matches!(&e, SlurmError::BadValue { option, .. } if option == "--partition"),
            "{e:?}"
        );
        assert!(e.to_string().contains("a newline"), "{e}");
        assert!(e.to_string().contains("debug\\ntouch"), "{e}");

        let mut o = opts();
        o.time = Some("00:10:00\r".into());
        let e = check_options(&o).unwrap_err();
        assert!(
            matches!(&e, SlurmError::BadValue { option, .. } if option == "--time"),
            "{e:?}"
        );

        let mut o = opts();
        o.binary = PathBuf::from("/opt/re\u{1b}gime");
        let e = check_options(&o).unwrap_err();
        assert!(e.to_string().contains("U+001B"), "{e}");

        let e = check_results_path("--out", Path::new("/r/x\n#SBATCH --wrap=id")).unwrap_err();
        assert!(
            matches!(&e, SlurmError::BadValue { option, .. } if option == "--out"),
            "{e:?}"
        );
        let e = job_script(Path::new("/r/a\tb"), Path::new("/r/b"), 1, &opts(), "x").unwrap_err();
        assert!(e.to_string().contains("a tab"), "{e}");
        let e = check_results_path("--out", Path::new("/r/a\\b")).unwrap_err();
        assert!(e.to_string().contains("a backslash"), "{e}");
        assert!(check_results_path("--out", Path::new("/r/My Runs/it's \"q\"")).is_ok());
    }

    #[test]
    fn refused_help_blames_only_what_sbatch_names() {
        let h = refused_help("error: invalid partition specified: nope", "/r/job.sh");
        assert!(h.contains("--partition") && !h.contains("--time"), "{h}");
        let h = refused_help(
            "error: Invalid directive found in batch script: x",
            "/r/job.sh",
        );
        assert!(
            !h.contains("--partition") && !h.contains("--time") && !h.contains("--cpus"),
            "{h}"
        );
        assert!(h.contains("/r/job.sh"), "{h}");
        let h = refused_help(
            "Requested time limit is invalid (missing or exceeds some limit)",
            "s",
        );
        assert!(h.contains("--time") && !h.contains("--partition"), "{h}");
    }
}
