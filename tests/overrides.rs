//! `--set` through a run: the overrides reach the trials, `run.json` and
//! `plan.yaml` record them, `--resume` refuses others (naming both) and
//! uses the recorded ones when none are given, and a Slurm array task
//! (`run-trial`) runs the overridden trial. Also the Slurm options that go
//! into the job script.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn regime() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_regime"));
    c.env("NO_COLOR", "1");
    c
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Standard error with miette's line wrapping undone.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two arms, one seed, on the bundled sample: four trials once `seeds=2`.
fn source(dir: &Path) -> PathBuf {
    let text = format!(
        r#"
data sample = fashion_mnist(path: "{}/src/data/fashion-mnist-sample", val: 200, subset: 400)
network mlp(hidden = 16) {{ dense(hidden) relu dense(10) }}
experiment small {{
  data: sample
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 20
  checks: every 10 iters
  arm fixed: lambda = 0.001
  arm none: lambda = 0
  seeds: 1
}}
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    let p = dir.join("small.reg");
    std::fs::write(&p, text).unwrap();
    p
}

fn record(dir: &Path, id: &str) -> serde_json::Value {
    let path = dir.join("trials").join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn overrides_reach_the_trials_and_resume_requires_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let file = source(tmp.path());
    let dir = tmp.path().join("r");
    let set = [
        "--set",
        "iters=30",
        "--set",
        "network=mlp(8)",
        "--set",
        "seeds=2",
    ];
    ok(regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "2", "--out"])
        .arg(&dir)
        .args(set)
        .output()
        .unwrap());
    let rec = record(&dir, "small-c000-none-s2");
    assert_eq!(rec["iters"], 30, "{rec}");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(
        meta["overrides"],
        serde_json::json!(["iters=30", "network=mlp(8)", "seeds=2"])
    );
    let plan = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
    assert!(
        plan.contains("overrides:") && plan.contains("network=mlp(8)"),
        "{plan}"
    );
    assert!(
        plan.contains("units: 8"),
        "the override's network is in the plan"
    );

    // Another value is refused, naming the run's overrides and these.
    let refused = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .args([
            "--set",
            "iters=40",
            "--set",
            "network=mlp(8)",
            "--set",
            "seeds=2",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(err.contains("regime::plan_mismatch"), "{err}");
    assert!(
        err.contains("started with `--set iters=30`, this command gives `--set iters=40` instead"),
        "{err}"
    );

    // Without --set, a resume uses the run's overrides: a removed trial is
    // run again as it was.
    let before = record(&dir, "small-c000-fixed-s1");
    std::fs::remove_file(dir.join("trials/small-c000-fixed-s1.json")).unwrap();
    let resumed = ok(regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap());
    assert!(
        stderr(&resumed).contains("1 trials run, 3 reused"),
        "{}",
        stderr(&resumed)
    );
    let after = record(&dir, "small-c000-fixed-s1");
    assert_eq!(after["finals"], before["finals"]);
    assert_eq!(after["iters"], 30);
}

#[test]
fn an_array_task_runs_the_overridden_trial_and_the_script_has_the_slurm_options() {
    let tmp = tempfile::tempdir().unwrap();
    let file = source(tmp.path());
    let dir = tmp.path().join("s");
    let out = ok(regime()
        .arg("run")
        .arg(&file)
        .args(["--on", "slurm", "--dry-run", "--out"])
        .arg(&dir)
        .args(["--set", "iters=10", "--account", "proj-7", "--qos", "short"])
        .args([
            "--mem",
            "2G",
            "--sbatch-arg=--constraint=avx2",
            "--sbatch-arg",
            "--exclusive",
        ])
        .output()
        .unwrap());
    let script = String::from_utf8_lossy(&out.stdout);
    for line in [
        "#SBATCH --account=\"proj-7\"",
        "#SBATCH --qos=\"short\"",
        "#SBATCH --mem=2G",
        "#SBATCH --constraint=\"avx2\"",
        "#SBATCH --exclusive",
    ] {
        assert!(
            script.lines().any(|l| l == line),
            "no {line:?} in\n{script}"
        );
    }
    // What an array task does, here: the trial is the overridden one.
    ok(regime()
        .arg("run-trial")
        .arg(&dir)
        .args(["--index", "1"])
        .output()
        .unwrap());
    let rec = record(&dir, "small-c000-none-s1");
    assert_eq!(
        (rec["iters"].as_u64(), rec["budget"].as_u64()),
        (Some(10), Some(10))
    );
    assert!(!dir.join("curves/small-c000-none-s1.partial.csv").exists());

    // A value sbatch would misread is refused before anything is written.
    let bad = regime()
        .arg("run")
        .arg(&file)
        .args(["--on", "slurm", "--dry-run", "--mem", "2 GB", "--out"])
        .arg(tmp.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = stderr(&bad);
    assert!(
        err.contains("regime::slurm_bad_value") && err.contains("--mem"),
        "{err}"
    );
    assert!(!tmp.path().join("bad").exists());
}
