//! The `regime` binary: exit codes, JSON diagnostics, fmt --check, plan, explain.

use std::process::Command;

fn regime(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regime"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn check_exit_codes() {
    let (code, _, err) = regime(&["check", "experiments/quickstart.reg"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = regime(&["check", "tests/ui/unknown_metric.reg"]);
    assert_eq!(code, 1);
    assert!(err.contains("regime::unknown_metric"), "{err}");
    // Warnings do not fail.
    let (code, _, _) = regime(&["check", "tests/ui/unused.reg"]);
    assert_eq!(code, 0);
}

#[test]
fn check_json() {
    let (code, out, _) = regime(&["check", "--format", "json", "tests/ui/unknown_metric.reg"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v[0];
    assert_eq!(first["code"], "regime::unknown_metric");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 3);
    assert_eq!(first["labels"][0]["column"], 8);
    assert_eq!(first["help"], "did you mean `train_acc`?");
    // `train_ac` ends before column 16 on the same line.
    assert_eq!(
        (&first["end_line"], &first["end_column"]),
        (&3.into(), &16.into())
    );
    let label = &first["labels"][0];
    assert_eq!(
        (&label["end_line"], &label["end_column"]),
        (&3.into(), &16.into())
    );
    assert_eq!(
        label["utf16"]["range"],
        serde_json::json!({"start": {"line": 2, "character": 7}, "end": {"line": 2, "character": 15}})
    );
    // The suggestion is an edit of the misspelled name.
    let fix = &first["suggestions"][0];
    assert_eq!(fix["replacement"], "train_acc");
    assert_eq!(
        (&fix["start"], &fix["end"]),
        (&label["start"], &label["end"])
    );
}

/// Columns count Unicode scalar values in both formats; UTF-16 positions
/// count `𝔼` (outside the BMP) twice.
#[test]
fn check_columns_count_characters_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.reg");
    let text = "network n { dense(10) }\n\nexperiment e {\n  data: fashion_mnist(path: \"λ𝔼\", vall: 1000)\n  network: n\n  optimizer: sgd(lr: 0.1)\n  iters: 10\n  arm a: lambda = 0\n}\n";
    std::fs::write(&p, text).unwrap();
    let ps = p.to_str().unwrap();
    let (code, out, _) = regime(&["check", "--format", "json", ps]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "regime::unknown_argument")
        .expect("unknown_argument reported");
    // `  data: fashion_mnist(path: "λ𝔼", ` is 34 characters before `vall`.
    assert_eq!((&d["line"], &d["column"]), (&4.into(), &35.into()));
    assert_eq!(d["end_column"], 39);
    assert_eq!(d["utf16"]["range"]["start"]["character"], 35);
    let before_line: usize = text.lines().take(3).map(|l| l.len() + 1).sum();
    assert_eq!(d["utf16"]["start"], before_line + 35);
    let (_, _, err) = regime(&["check", ps]);
    assert!(err.contains(&format!("[{ps}:4:35]")), "{err}");
}

/// Every edit a diagnostic of the UI cases suggests removes that diagnostic.
#[test]
fn suggested_edits_fix_what_they_suggest() {
    let mut applied = 0;
    for entry in std::fs::read_dir("tests/ui").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "reg") {
            continue;
        }
        // The binary and invalid-UTF-8 cases have no text to edit.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let report = regime::compile::check_path(&path);
        for d in &report.diagnostics {
            if d.file.0 != 0 {
                continue;
            }
            for e in d.diagnostic.edits(&text) {
                let fixed = format!("{}{}{}", &text[..e.start], e.replacement, &text[e.end..]);
                let again =
                    regime::compile::check_source(&path.to_string_lossy(), &fixed, path.parent());
                let still = again.diagnostics.iter().any(|x| {
                    x.diagnostic.code_name() == d.diagnostic.code_name()
                        && x.diagnostic.offset() == e.start
                });
                assert!(
                    !still,
                    "{}: {} still reported after `{}`",
                    path.display(),
                    d.diagnostic,
                    e.replacement
                );
                applied += 1;
            }
        }
    }
    assert!(applied >= 8, "only {applied} edits found in tests/ui");
}

#[test]
fn check_json_reports_an_unreadable_file_as_an_error_object() {
    let (code, out, _) = regime(&["check", "--format", "json", "no/such/file.reg"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["code"], "regime::missing_file");
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(v[0]["file"], "no/such/file.reg");
    assert!(v[0]["message"].as_str().unwrap().contains("cannot read"));
}

#[test]
fn fmt_check_and_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.reg");
    std::fs::write(&p, "schedule  s=constant( 1 )   # c\n").unwrap();
    let ps = p.to_str().unwrap();
    // `--check` changes nothing and prints the change as a unified diff.
    let (code, out, err) = regime(&["fmt", "--check", ps]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with(&format!("--- a/{ps}\n+++ b/{ps}\n@@ -1 +1 @@\n")),
        "{out}"
    );
    assert!(
        out.contains("-schedule  s=constant( 1 )   # c\n+schedule s = constant(1)  # c\n"),
        "{out}"
    );
    assert!(err.contains("is not formatted"), "{err}");
    assert_eq!(regime(&["fmt", ps]).0, 0);
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "schedule s = constant(1)  # c\n"
    );
    assert_eq!(regime(&["fmt", "--check", ps]).0, 0);
}

/// "Not formatted" (1), "cannot be read" (2) and "syntax errors" (3) are
/// different exit codes, as `regime fmt --help` says; the largest wins.
#[test]
fn fmt_exit_codes_tell_unformatted_from_broken() {
    let dir = tempfile::tempdir().unwrap();
    let ugly = dir.path().join("ugly.reg");
    let broken = dir.path().join("broken.reg");
    let binary = dir.path().join("binary.reg");
    std::fs::write(&ugly, "schedule  s=constant( 1 )\n").unwrap();
    std::fs::write(&broken, "schedule s = \n").unwrap();
    std::fs::write(&binary, b"\x7fELF\0\0").unwrap();
    let (u, b, x) = (
        ugly.to_str().unwrap(),
        broken.to_str().unwrap(),
        binary.to_str().unwrap(),
    );
    assert_eq!(regime(&["fmt", "--check", u]).0, 1);
    let (code, out, err) = regime(&["fmt", "--check", b]);
    assert_eq!(code, 3);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("regime::syntax") && err.contains("syntax errors"),
        "{err}"
    );
    let (code, _, err) = regime(&["fmt", x]);
    assert_eq!(code, 2);
    assert!(err.contains("regime::binary_file"), "{err}");
    assert_eq!(regime(&["fmt", "--check", u, b]).0, 3);
    assert_eq!(regime(&["fmt", b]).0, 3);
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), "schedule s = \n");
    let (_, help, _) = regime(&["fmt", "--help"]);
    for line in [
        "1  --check: a file is not formatted",
        "3  a file has syntax errors",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

#[test]
fn plan_yaml_and_json() {
    let (code, out, err) = regime(&[
        "plan",
        "experiments/quickstart.reg",
        "--seeds",
        "2",
        "--scale",
        "0.5",
    ]);
    assert_eq!(code, 0, "{err}");
    let plan = regime::plan::from_yaml(&out).unwrap();
    // 8 splits × 2 seeds × (none, pull_down and two grid constants).
    assert_eq!(plan.experiments[0].trials.len(), 64);
    assert_eq!(plan.experiments[0].trials[0].iters, 500);
    let (code, out, _) = regime(&["plan", "experiments/quickstart.reg", "--format", "json"]);
    assert_eq!(code, 0);
    let plan: regime::plan::Plan = serde_json::from_str(&out).unwrap();
    assert_eq!(plan.experiments[0].trials.len(), 32);
    // Seeds above 2^53 are strings, so JavaScript and jq read them exactly.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for (t, json) in plan.experiments[0]
        .trials
        .iter()
        .zip(v["experiments"][0]["trials"].as_array().unwrap())
    {
        if t.key.seed > regime::plan::MAX_SAFE_INTEGER {
            assert_eq!(
                json["seed"],
                serde_json::Value::String(t.key.seed.to_string())
            );
        } else {
            assert_eq!(json["seed"], t.key.seed);
        }
    }
    assert!(plan.experiments[0]
        .trials
        .iter()
        .any(|t| t.key.seed > regime::plan::MAX_SAFE_INTEGER));
    let (code, _, err) = regime(&["plan", "tests/ui/budget_mismatch.reg"]);
    assert_eq!(code, 1);
    assert!(err.contains("regime::budget_mismatch"));
}

#[test]
fn explain_every_code() {
    for code in regime::diagnostics::ALL_CODES.iter() {
        let (c, out, _) = regime(&["explain", code]);
        assert_eq!(c, 0);
        assert!(out.starts_with(&format!("regime::{code}")), "{code}: {out}");
        assert!(out.contains("Example") || out.contains("Fix"), "{code}");
    }
    let (c, _, err) = regime(&["explain", "unknown_metrc"]);
    assert_eq!(c, 2);
    assert!(err.contains("did you mean `unknown_metric`?"));
}

/// `regime explain` also prints a builtin's table entry, for every builtin.
#[test]
fn explain_every_builtin() {
    for (kind, entry) in regime::builtins::all() {
        let (c, out, _) = regime(&["explain", entry.name]);
        assert_eq!(c, 0, "{kind} {}", entry.name);
        assert!(out.contains(entry.usage), "{kind} {}: {out}", entry.name);
        assert!(out.contains(entry.doc), "{kind} {}: {out}", entry.name);
    }
    let (_, out, _) = regime(&["explain", "conv"]);
    assert!(
        out.contains("stride: a whole number (pixels), 1 to 10⁴ (default 1)"),
        "{out}"
    );
}

#[test]
fn unreadable_files_exit_2() {
    let (code, _, err) = regime(&["check", "no/such/file.reg"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"));
    assert_eq!(regime(&["plan", "no/such/file.reg"]).0, 2);
    assert_eq!(regime(&["fmt", "no/such/file.reg"]).0, 2);
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = regime(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        for sub in [
            "check", "run", "report", "doctor", "status", "compare", "export",
        ] {
            assert!(out.contains(sub), "{shell} completion misses {sub}");
        }
        assert!(
            out.contains("resume") && out.contains("blas-kernel"),
            "{shell}"
        );
    }
    let (code, out, _) = regime(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH regime"),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(out.contains("doctor"));
}

/// Every positional argument says what it is; the options `plan` and `run`
/// share read the same in both; every command that prints progress takes
/// `--quiet` and `--verbose`, each worded for the command.
#[test]
fn the_command_line_is_described_consistently() {
    use clap::CommandFactory;
    let cli = regime::cli::Cli::command();
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for a in cmd.get_positionals() {
            if a.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                out.push(format!("{path} <{}>", a.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut undocumented = vec![];
    walk(&cli, "regime", &mut undocumented);
    assert!(undocumented.is_empty(), "no help: {undocumented:?}");
    let help = |cmd: &str, arg: &str| {
        let sub = cli.find_subcommand(cmd).unwrap();
        sub.get_arguments()
            .find(|a| a.get_long() == Some(arg))
            .unwrap_or_else(|| panic!("`{cmd}` has no --{arg}"))
            .get_help()
            .map(|h| h.to_string())
            .unwrap_or_default()
    };
    for arg in ["scale", "seeds", "set"] {
        assert_eq!(help("plan", arg), help("run", arg), "--{arg}");
        assert!(!help("plan", arg).is_empty(), "--{arg}");
    }
    assert_eq!(help("check", "set"), help("run", "set"));
    for cmd in ["run", "report", "status", "bench"] {
        let (q, v) = (help(cmd, "quiet"), help(cmd, "verbose"));
        assert!(!q.is_empty() && !v.is_empty(), "{cmd}: {q:?} {v:?}");
        assert_ne!(v, "Print more detail.", "{cmd} --verbose says what it adds");
    }
    for arg in ["account", "qos", "mem", "sbatch-arg"] {
        assert!(!help("run", arg).is_empty(), "--{arg}");
    }
    // `-q` and `-v` cannot be given together.
    let (code, _, err) = regime(&["status", "x", "-q", "-v"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn seeds_outside_the_keys_bounds_are_a_usage_error() {
    // `--seeds 0` used to become 1 silently, and `--seeds` past the key's
    // maximum planned millions of trials.
    for n in ["0", "1001"] {
        let (code, _, err) = regime(&["plan", "experiments/quickstart.reg", "--seeds", n]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("invalid value '{n}' for '--seeds <N>'")),
            "{err}"
        );
        assert!(err.contains("1..=1000"), "{err}");
    }
    let (code, out, err) = regime(&["plan", "experiments/quickstart.reg", "--seeds", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("seeds: 3"), "{out}");
}

#[test]
fn a_scale_outside_its_bounds_is_a_usage_error() {
    // Past 1e6 scaled counts used to saturate u64, and messages showed
    // 18446744073709551615 iterations.
    for f in ["0", "-1", "nan", "inf", "1e308", "1000001"] {
        let arg = format!("--scale={f}");
        let (code, _, err) = regime(&["plan", "experiments/quickstart.reg", &arg]);
        assert_eq!(code, 2, "{f}: {err}");
        assert!(
            err.contains("--scale must be a positive number at most 1000000"),
            "{err}"
        );
        assert!(!err.contains("18446744073709551615"), "{err}");
    }
    // Accepted; the quickstart's subset then outgrows the data, and the
    // message says what the written value became.
    let (code, _, err) = regime(&["plan", "experiments/quickstart.reg", "--scale", "1e6"]);
    assert!(!err.contains("--scale must be"), "{err}");
    assert!(err.contains("(1000 × --scale"), "{err}");
    assert!(!err.contains("18446744073709551615"), "{err}");
    assert_ne!(code, 2, "{err}");
}

#[test]
fn overrides_are_checked_and_recorded_in_the_plan() {
    let (code, _, err) = regime(&["check", "experiments/quickstart.reg", "--set", "sedes=5"]);
    assert_eq!(code, 1);
    assert!(err.contains("regime::unknown_override_key"), "{err}");
    assert!(
        err.contains("[--set sedes=5:1:1]"),
        "the override is the source: {err}"
    );
    assert!(err.contains("did you mean `seeds`?"), "{err}");
    let (code, out, _) = regime(&[
        "check",
        "--format",
        "json",
        "experiments/quickstart.reg",
        "--set",
        "seeds=0.5",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["code"], "regime::out_of_range");
    assert_eq!(v[0]["file"], "--set seeds=0.5", "{v}");
    assert_eq!(v[0]["labels"][0]["column"], 7, "{v}");
    let (code, _, err) = regime(&["plan", "experiments/language_tour.reg", "--set", "seeds=1"]);
    assert_eq!(code, 1);
    assert!(err.contains("regime::ambiguous_override"), "{err}");
    let (code, out, err) = regime(&[
        "plan",
        "experiments/quickstart.reg",
        "--set",
        "seeds=2",
        "--set",
        "batch = 100",
    ]);
    assert_eq!(code, 0, "{err}");
    let plan = regime::plan::from_yaml(&out).unwrap();
    assert_eq!(plan.overrides, ["seeds=2", "batch = 100"]);
    // The quickstart: 8 splits × 4 trials per seed.
    assert_eq!(plan.experiments[0].seeds, 2);
    assert_eq!(plan.experiments[0].trials.len(), 64);
    assert!(plan.experiments[0].trials.iter().all(|t| t.batch == 100));
    // `--seeds` wins over `--set seeds=`.
    let (_, out, _) = regime(&[
        "plan",
        "experiments/quickstart.reg",
        "--set",
        "seeds=1",
        "--seeds",
        "3",
    ]);
    assert_eq!(
        regime::plan::from_yaml(&out).unwrap().experiments[0].seeds,
        3
    );
    // Without overrides the plan has no `overrides:` at all.
    let (_, out, _) = regime(&["plan", "experiments/quickstart.reg"]);
    assert!(!out.contains("overrides"), "{out}");
}

#[test]
fn check_json_carries_every_use_and_place_of_a_mistake_met_again() {
    // A bad argument reaching two layers: the second layer is in `also`.
    let (code, out, _) = regime(&[
        "check",
        "--format",
        "json",
        "tests/ui/once_bad_argument.reg",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{out}");
    let also = v[0]["also"].as_array().unwrap();
    assert_eq!(also.len(), 1, "{out}");
    assert_eq!(also[0]["line"], 6);
    assert_eq!(also[0]["message"], "the same value here");
    assert_eq!(v[0]["uses"].as_array().unwrap().len(), 0);
    // A mistake in a network used by two experiments and three arms: one
    // diagnostic, whose `uses` are the two experiments' `network:` lines.
    let (code, out, _) = regime(&[
        "check",
        "--format",
        "json",
        "tests/ui/once_in_definition.reg",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{out}");
    let lines: Vec<_> = errors[0]["uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["line"].clone())
        .collect();
    assert_eq!(lines, [11, 20], "{out}");
}

/// Limits are per target (`--on`, as `run --on` spells it): an experiment
/// over this machine's compute is refused here by `check`, `plan` and `run`,
/// naming the limit's target and the way to change it, and passes all three
/// with `--on slurm`; a network too large even for a cluster is refused
/// there, as the cluster's limit.
#[test]
fn limits_follow_the_target_of_check_plan_and_run() {
    let big = "tests/ui/too_large_compute.reg";
    for cmd in ["check", "plan"] {
        let (code, _, err) = regime(&[cmd, big]);
        assert_eq!(code, 1, "{cmd}: {err}");
        // The help is wrapped: compare its words.
        let words = err.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("regime::too_large"), "{cmd}: {err}");
        assert!(
            words.contains("(`--on local`, the default)"),
            "{cmd}: {err}"
        );
        assert!(
            words.contains("check and run with `--on slurm`"),
            "{cmd}: {err}"
        );
        let (code, _, err) = regime(&[cmd, big, "--on", "slurm"]);
        assert_eq!(code, 0, "{cmd} --on slurm: {err}");
    }
    let (_, local_json, _) = regime(&[
        "plan",
        "--format",
        "json",
        "tests/ui/too_large.reg",
        "--on",
        "slurm",
    ]);
    assert!(local_json.contains("\"trials\""), "{local_json}");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let out = out.to_str().unwrap();
    let (code, _, err) = regime(&["run", big, "-q", "--out", out]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("regime::too_large"), "{err}");
    assert!(!std::path::Path::new(out).exists());
    let (code, script, err) = regime(&["run", big, "--on", "slurm", "--dry-run", "--out", out]);
    assert_eq!(code, 0, "{err}");
    assert!(script.contains("#SBATCH"), "{script}");

    let huge = "tests/ui/too_large_on_slurm.reg";
    let (code, _, err) = regime(&["check", huge, "--on", "slurm"]);
    assert_eq!(code, 1, "{err}");
    let words = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("too large to run on a Slurm cluster"),
        "{err}"
    );
    assert!(words.contains("(`--on slurm`)"), "{err}");
    let (code, _, err) = regime(&["check", huge, "--on", "cluster"]);
    assert_eq!(code, 2, "an unknown target is a usage error: {err}");
}
