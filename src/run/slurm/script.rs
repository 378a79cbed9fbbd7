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
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    #[test]
    fn job_script_names_every_option() {
        let opts = SlurmOptions {
            partition: Some("debug".into()),
            time: Some("00:10:00".into()),
            cpus_per_task: 2,
            max_parallel: Some(3),
            account: Some("proj-42".into()),
            qos: Some("high prio".into()),
            mem: Some("4G".into()),
            sbatch_args: vec![
                "--constraint=avx2&intel".into(),
                "--exclusive".into(),
                "--comment=my \"sweep\"".into(),
            ],
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
            "#SBATCH --account=\"proj-42\"\n",
            "#SBATCH --qos=\"high prio\"\n",
            "#SBATCH --mem=4G\n",
            "#SBATCH --constraint=\"avx2&intel\"\n",
            "#SBATCH --exclusive\n",
            "#SBATCH --comment=\"my \\\"sweep\\\"\"\n",
            "'/opt/regime' run-trial '/shared/r' --index \"$index\"",
        ] {
            assert!(s.contains(want), "missing {want:?} in\n{s}");
        }
        // Every directive comes before the first command: sbatch stops
        // reading `#SBATCH` lines at the first line that is not a comment.
        let first_command = s.lines().position(|l| l == "set -u").unwrap();
        let lines: Vec<&str> = s.lines().collect();
        let last_directive = lines
            .iter()
            .rposition(|l| l.starts_with("#SBATCH"))
            .unwrap();
        assert!(last_directive < first_command, "{s}");
        assert!(super::super::looks_node_local(Path::new("/tmp/x")));
        assert!(!super::super::looks_node_local(Path::new("/home/u/runs")));
    }

    #[test]
    fn a_memory_size_and_pass_through_options_are_checked() {
        for good in ["4G", "500", "16000M", "1t"] {
            let mut o = opts();
            o.mem = Some(good.into());
            assert!(check_options(&o).is_ok(), "{good}");
        }
        for bad in ["4 GB", "G", "-1", "4GG", "1.5G"] {
            let mut o = opts();
            o.mem = Some(bad.into());
            let e = check_options(&o).unwrap_err();
            assert!(
                matches!(&e, SlurmError::BadOption { option, .. } if option == "--mem"),
                "{bad}: {e:?}"
            );
        }
        for (bad, says) in [
            ("--array=0-3", "regime sets `--array` itself"),
            ("-o=x.out", "regime sets `-o` itself"),
            ("--partition=gpu", "use `--partition`"),
            ("--nodes 2", "not one sbatch option"),
            ("constraint=avx2", "not one sbatch option"),
            ("--", "not one sbatch option"),
        ] {
            let e = sbatch_arg(bad).unwrap_err();
            let text = format!("{e} {}", miette::Diagnostic::help(&e).unwrap());
            assert!(text.contains(says), "{bad}: {text}");
            assert_eq!(
                miette::Diagnostic::code(&e).unwrap().to_string(),
                "regime::slurm_bad_value"
            );
        }
        let e = sbatch_arg("--comment=a\n#SBATCH --wrap=id").unwrap_err();
        assert!(matches!(e, SlurmError::BadValue { .. }), "{e:?}");
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
        let h = refused_help(
            "Invalid account or account/partition combination specified",
            "s",
        );
        assert!(h.contains("--account") && !h.contains("--qos"), "{h}");
        let h = refused_help("Invalid qos specification", "s");
        assert!(h.contains("--qos") && !h.contains("--account"), "{h}");
        let h = refused_help("Memory specification can not be satisfied", "s");
        assert!(h.contains("--mem") && !h.contains("--time"), "{h}");
    }
}
