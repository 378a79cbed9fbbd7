//! The job script: every option on its line, quoting that keeps any path
//! one word, and refusal of what cannot be written safely.

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
        s.contains("#SBATCH --output=\"/shared/My Runs/it's \\\"q\\\" #1/slurm/logs/%A_%a.out\"\n"),
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
