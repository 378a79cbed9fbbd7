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
}

#[test]
fn fmt_check_and_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.reg");
    std::fs::write(&p, "schedule  s=constant( 1 )   # c\n").unwrap();
    let ps = p.to_str().unwrap();
    assert_eq!(regime(&["fmt", "--check", ps]).0, 1);
    assert_eq!(regime(&["fmt", ps]).0, 0);
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "schedule s = constant(1)  # c\n"
    );
    assert_eq!(regime(&["fmt", "--check", ps]).0, 0);
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
        for sub in ["check", "run", "report", "doctor", "status"] {
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
