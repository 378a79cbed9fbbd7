//! `slurm/job.sh`: the sbatch script of a submission, and the checks that
//! keep every value the user gave on its own line of it. Paths are quoted
//! for the shell body (single quotes) and for `#SBATCH` lines (double
//! quotes); values that cannot be written safely are refused, naming the
//! option (`regime::slurm_bad_value`).

use super::{SlurmError, SlurmOptions};
use std::path::Path;

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
    if let Some(a) = &opts.account {
        check_value("--account", a)?;
    }
    if let Some(q) = &opts.qos {
        check_value("--qos", q)?;
    }
    if let Some(m) = &opts.mem {
        check_mem(m)?;
    }
    for arg in &opts.sbatch_args {
        sbatch_arg(arg)?;
    }
    check_value("the regime binary path", &opts.binary.to_string_lossy())?;
    Ok(())
}

/// `--mem` as Slurm reads it: a whole number, optionally with a unit
/// (`K`, `M`, `G`, `T`; megabytes without one).
fn check_mem(mem: &str) -> Result<(), SlurmError> {
    check_value("--mem", mem)?;
    let digits = mem.trim_end_matches(|c: char| "KMGTkmgt".contains(c));
    let unit = mem.len() - digits.len();
    if digits.is_empty() || unit > 1 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(SlurmError::BadOption {
            option: "--mem".into(),
            shown: shown(mem),
            why: "not a memory size".into(),
            fix:
                "a whole number with an optional unit, as sbatch takes it: `--mem 4G`, `--mem 500M`"
                    .into(),
        });
    }
    Ok(())
}

/// Options regime writes itself: passing them through would break the
/// array (`--array`, `--output`) or contradict an option of its own.
const MANAGED: &[(&str, &str)] = &[
    ("array", "regime makes one array task per batch of trials"),
    ("a", "regime makes one array task per batch of trials"),
    (
        "output",
        "`regime status` reads the task logs where regime puts them",
    ),
    (
        "o",
        "`regime status` reads the task logs where regime puts them",
    ),
    (
        "error",
        "`regime status` reads the task logs where regime puts them",
    ),
    (
        "e",
        "`regime status` reads the task logs where regime puts them",
    ),
    ("job-name", "regime names the job after the experiment"),
    ("J", "regime names the job after the experiment"),
    ("partition", "use `--partition`"),
    ("p", "use `--partition`"),
    ("time", "use `--time`"),
    ("t", "use `--time`"),
    ("cpus-per-task", "use `--cpus-per-task`"),
    ("c", "use `--cpus-per-task`"),
    ("account", "use `--account`"),
    ("A", "use `--account`"),
    ("qos", "use `--qos`"),
    ("q", "use `--qos`"),
    ("mem", "use `--mem`"),
    ("wrap", "regime writes the script itself"),
];

/// One `--sbatch-arg` as its `#SBATCH` line: `--name` or `--name=value`
/// (the value quoted like regime's own); refused when it is not one option,
/// or one regime sets itself.
pub fn sbatch_arg(arg: &str) -> Result<String, SlurmError> {
    check_value("--sbatch-arg", arg)?;
    let bad = |why: String, fix: &str| SlurmError::BadOption {
        option: "--sbatch-arg".into(),
        shown: shown(arg),
        why,
        fix: fix.into(),
    };
    let (name, value) = match arg.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (arg, None),
    };
    let bare = name.strip_prefix("--").or_else(|| name.strip_prefix('-'));
    let Some(bare) = bare.filter(|b| {
        !b.is_empty()
            && b.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) else {
        return Err(bad(
            "not one sbatch option".into(),
            "give one option per --sbatch-arg, with its value after `=`: `--sbatch-arg=--constraint=avx2`",
        ));
    };
    if let Some((_, why)) = MANAGED.iter().find(|(m, _)| *m == bare) {
        return Err(bad(
            format!("regime sets `{name}` itself"),
            &format!("{why}; leave `{name}` out of --sbatch-arg"),
        ));
    }
    Ok(match value {
        Some(v) => format!("#SBATCH {name}={}\n", sbatch_quote(v)),
        None => format!("#SBATCH {name}\n"),
    })
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
pub(super) fn refused_help(message: &str, script: &str) -> String {
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
    if m.contains("account") {
        blame.push("`--account` (yours are listed by `sacctmgr show assoc user=$USER`)");
    }
    if m.contains("qos") {
        blame.push("`--qos` (see `sacctmgr show qos`)");
    }
    if m.contains("memory") || m.contains("--mem") {
        blame.push("`--mem` (at most a node's memory, see `sinfo -o %m`)");
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
    if let Some(a) = &opts.account {
        s += &format!("#SBATCH --account={}\n", sbatch_quote(a));
    }
    if let Some(q) = &opts.qos {
        s += &format!("#SBATCH --qos={}\n", sbatch_quote(q));
    }
    if let Some(m) = &opts.mem {
        s += &format!("#SBATCH --mem={m}\n");
    }
    for arg in &opts.sbatch_args {
        s += &sbatch_arg(arg)?;
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

#[cfg(test)]
mod tests;
