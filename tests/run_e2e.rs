//! End to end: `.reg` source → plan → trials on the engine → results,
//! summary and plots, on the bundled Fashion-MNIST sample at tiny sizes.

use regime::compile::{compile, Options};
use regime::plan::Plan;
use regime::results::{ResultsDir, Status, TrialRecord};
use regime::run::runner::{run, RunOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn sample_dir() -> String {
    format!(
        "{}/src/data/fashion-mnist-sample",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A data definition and a small network shared by the experiments below.
fn prelude() -> String {
    format!(
        r#"
data sample = fashion_mnist(path: "{}", val: 200, subset: 400, normalize: mean_image)

network mlp(hidden = 16) {{
  dense(hidden)
  relu
  dense(10)
}}
"#,
        sample_dir()
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn plan_of(file: &Path) -> Plan {
    match compile(
        file,
        &Options {
            seeds: None,
            scale: 1.0,
            ..Options::default()
        },
    ) {
        Ok(c) => c.plan,
        Err(r) => panic!("{}", r.render(false, 80)),
    }
}

fn run_into(file: &Path, out: &Path, jobs: usize) -> ResultsDir {
    let plan = plan_of(file);
    let source = std::fs::read_to_string(file).unwrap();
    let opts = RunOptions {
        jobs,
        out: Some(out.to_path_buf()),
        resume: None,
        progress: false,
        verbose: false,
        scale: 1.0,
        seeds: None,
        threads: None,
    };
    let report = run(&plan, &source, &opts).unwrap_or_else(|e| panic!("{e}"));
    regime::report::figures::write_report(&report.results).unwrap_or_else(|e| panic!("{e}"));
    ResultsDir::open(report.dir).unwrap()
}

fn records(dir: &ResultsDir) -> Vec<TrialRecord> {
    dir.inventory(&dir.plan().unwrap()).done
}

#[test]
fn schedule_arm_against_grid_at_equal_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
schedule pull_down(each = 20 iters) = steps([0.01, 0.005, 0.0], each: each)

experiment budget {
  data: sample
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  checks: every 10 iters
  arm pull_down: lambda = pull_down(20 iters)
  arm best_fixed: lambda = grid([0.01, 0.0])
  seeds: 2
}
"#;
    let file = write(tmp.path(), "budget.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 2);
    let recs = records(&dir);
    assert_eq!(recs.len(), 2 * (1 + 2));
    for r in &recs {
        // Every arm, grid points included, trains 3 × 20 iterations.
        assert_eq!((r.iters, r.budget), (60, 60), "{}", r.key.id);
        assert_eq!(r.status, Status::Ok);
        let f = r.finals.unwrap();
        assert!(f.test_acc > 0.3, "{} learned nothing: {f:?}", r.key.id);
    }
    let pd = recs.iter().find(|r| r.key.arm == "pull_down").unwrap();
    assert_eq!(
        pd.lambda_path,
        [(0, 0.01), (20, 0.005), (40, 0.0), (60, 0.0)]
    );
    let curve = dir.read_curve(&pd.key.id).unwrap();
    let iters: Vec<u64> = curve.iter().map(|c| c.iter).collect();
    assert_eq!(iters, [0, 10, 20, 30, 40, 50, 60]);
    let summary = std::fs::read_to_string(dir.root.join("summary.md")).unwrap();
    assert!(summary.contains("best_fixed (baseline)"), "{summary}");
    for f in [
        "val-acc-c000.svg",
        "val-acc-c000.png",
        "lambda-c000.svg",
        "lambda-c000.png",
    ] {
        assert!(dir.root.join("plots").join(f).exists(), "missing plot {f}");
    }
}

#[test]
fn policy_trajectory_follows_its_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
policy gap(tol = 0.02) {
  every 10 iters
  when train_acc - val_acc > tol: lambda *= 1.5
  when train_acc - val_acc < tol / 2: lambda /= 2
  clamp lambda in [1e-4, 0.05]
}

experiment adaptive {
  data: sample
  network: mlp(32)
  optimizer: sgd(lr: 0.1, momentum: 0.9)
  batch: 50
  iters: 120
  checks: every 10 iters
  arm gap: lambda = gap(tol: 0.02) from 0.01
}
"#;
    let file = write(tmp.path(), "adaptive.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 1);
    let rec = &records(&dir)[0];
    let curve = dir.read_curve(&rec.key.id).unwrap();
    // Replay the rules by hand on the measured metrics.
    let mut lambda: f64 = 0.01;
    let mut fired = vec![];
    for row in curve.iter().filter(|r| r.iter > 0 && r.iter % 10 == 0) {
        let g = row.train_acc - row.val_acc;
        if g > 0.02 {
            lambda *= 1.5;
            fired.push(row.iter);
        } else if g < 0.01 {
            lambda /= 2.0;
            fired.push(row.iter);
        }
        lambda = lambda.clamp(1e-4, 0.05);
        assert!(
            (row.lambda - lambda).abs() <= 1e-12 * lambda,
            "iteration {}: gap {g:.4}, expected λ {lambda}, got {}",
            row.iter,
            row.lambda
        );
    }
    let got: Vec<u64> = rec.fired.iter().map(|(t, _)| *t).collect();
    assert_eq!(got, fired);
    assert!(
        !fired.is_empty(),
        "the rules never fired: the test would prove nothing"
    );
}

#[test]
fn two_vary_axes_give_a_gain_heatmap() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
schedule pull_down(each = 10 iters) = steps([0.01, 0.0], each: each)

experiment fig1 {
  data: sample
  vary hidden in [8, 16]
  vary each in [10 iters, 20 iters]
  network: mlp(hidden)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  arm pull_down: lambda = pull_down(each)
  arm best_fixed: lambda = grid([0.01, 0.0])
  seeds: 2
}
"#;
    let file = write(tmp.path(), "fig1.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 2);
    assert_eq!(records(&dir).len(), 4 * 2 * 3);
    for f in [
        "gain-pull_down.svg",
        "gain-pull_down.png",
        "gain-vs-hidden.svg",
    ] {
        assert!(dir.root.join("plots").join(f).exists(), "missing plot {f}");
    }
    let svg = std::fs::read_to_string(dir.root.join("plots/gain-pull_down.svg")).unwrap();
    assert!(svg.contains("hidden") && svg.contains("each"));
    let csv = std::fs::read_to_string(dir.root.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 * 2, "{csv}");
}

#[test]
fn results_do_not_depend_on_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment jobs {
  data: sample
  network: mlp(24)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 40
  arm fixed: lambda = grid([0.001, 0.0])
  arm decay: lambda = linear(from: 0.01, to: 0, over: 40 iters)
  seeds: 2
}
"#;
    let file = write(tmp.path(), "jobs.reg", &src);
    let one = run_into(&file, &tmp.path().join("one"), 1);
    let two = run_into(&file, &tmp.path().join("two"), 2);
    let finals = |d: &ResultsDir| {
        records(d)
            .into_iter()
            .map(|r| {
                (
                    r.key.id,
                    r.finals.map(|f| (f.train_loss, f.val_acc, f.test_loss)),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(finals(&one), finals(&two));
    let csv = |d: &ResultsDir| std::fs::read_to_string(d.root.join("summary.csv")).unwrap();
    assert_eq!(csv(&one), csv(&two));
}

#[test]
fn a_diverging_trial_is_recorded_and_the_others_finish() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment boom {
  data: sample
  network: mlp(16)
  optimizer: sgd(lr: 0.05)
  batch: 50
  iters: 30
  arm fixed: lambda = grid([1e9, 0.001])
}
"#;
    let file = write(tmp.path(), "boom.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 2);
    let recs = records(&dir);
    let big = recs
        .iter()
        .find(|r| r.key.grid.unwrap().value == 1e9)
        .unwrap();
    let Status::Diverged { message } = &big.status else {
        panic!("λ = 1e9 did not diverge: {:?}", big.status)
    };
    assert!(message.contains("diverged"), "{message}");
    assert!(big.finals.is_none());
    let ok = recs
        .iter()
        .find(|r| r.key.grid.unwrap().value == 0.001)
        .unwrap();
    assert_eq!((ok.status.clone(), ok.iters), (Status::Ok, 30));
    let md = std::fs::read_to_string(dir.root.join("summary.md")).unwrap();
    assert!(md.contains("1 diverged"), "{md}");
    assert!(
        md.contains("| 0.001 |"),
        "the surviving constant is picked: {md}"
    );
}

fn regime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regime"))
}

#[test]
fn an_interrupted_run_resumes_to_the_same_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment resume {
  data: sample
  vary hidden in [32, 64]
  network: mlp(hidden)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 300
  checks: every 50 iters
  arm fixed: lambda = grid([0.001, 0.0])
  arm decay: lambda = linear(from: 0.002, to: 0, over: 300 iters)
  seeds: 2
}
"#;
    let file = write(tmp.path(), "resume.reg", &src);
    let total = 2 * 2 * 3;
    let dir = tmp.path().join("interrupted");
    let child = regime()
        .arg("run")
        .arg(&file)
        .args(["--jobs", "1", "-q", "--out"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let trials = dir.join("trials");
    let count = || {
        std::fs::read_dir(&trials)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    };
    let start = std::time::Instant::now();
    while count() < 2 && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Ctrl-C: running trials are abandoned, finished ones kept.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kept = count();
    assert!(
        kept < total,
        "the run finished before it could be interrupted"
    );
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");

    let status = regime()
        .arg("run")
        .arg(&file)
        .args(["--jobs", "2", "-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(count(), total);

    let fresh = run_into(&file, &tmp.path().join("fresh"), 2);
    let a = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let b = std::fs::read_to_string(fresh.root.join("summary.csv")).unwrap();
    assert_eq!(a, b);

    // A changed source cannot resume that directory.
    let changed = write(
        tmp.path(),
        "resume.reg",
        &src.replace("iters: 300", "iters: 200"),
    );
    let refused = regime()
        .arg("run")
        .arg(&changed)
        .arg("--resume")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("regime::resume_mismatch"), "{err}");
}

#[test]
fn report_rebuilds_tables_from_a_results_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment rep {
  data: sample
  network: mlp(8)
  optimizer: sgd(lr: 0.05)
  batch: 50
  iters: 20
  arm fixed: lambda = grid([0.001, 0.0])
  arm zero: lambda = 0
}
"#;
    let file = write(tmp.path(), "rep.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 2);
    let before = std::fs::read_to_string(dir.root.join("summary.md")).unwrap();
    std::fs::remove_file(dir.root.join("summary.md")).unwrap();
    std::fs::remove_dir_all(dir.root.join("plots")).unwrap();
    let out = regime().arg("report").arg(&dir.root).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.root.join("summary.md")).unwrap(),
        before
    );
    assert!(dir.root.join("plots/val-acc-c000.png").exists());
    let bad = regime().arg("report").arg(tmp.path()).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("regime::not_a_results_dir"));
}

#[test]
fn slurm_without_sbatch_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment s {
  data: sample
  network: mlp(8)
  optimizer: sgd(lr: 0.05)
  batch: 50
  iters: 10
  arm fixed: lambda = 0
}
"#;
    let file = write(tmp.path(), "s.reg", &src);
    let out = regime()
        .arg("run")
        .arg(&file)
        .args(["--on", "slurm", "--out"])
        .arg(tmp.path().join("r"))
        .env("PATH", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("regime::slurm_missing"), "{err}");
    assert!(err.contains("`sbatch` was not found"), "{err}");
}

#[test]
fn bench_times_regime_without_references() {
    let out = regime()
        .args(["bench", "--repeats", "1", "--iters", "2", "--warmup", "0"])
        .args([
            "--threads",
            "1",
            "--hidden",
            "8",
            "--inputs",
            "16",
            "--no-cnn",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("| mlp D16 H8 | 1 |"), "{stdout}");
    assert!(stdout.contains("numpy at best ex/s"), "{stdout}");
    assert!(stdout.contains("- CPU: "), "{stdout}");
    assert_eq!(stdout.matches("| mlp D16 H8 |").count(), 1, "{stdout}");
}

/// With the benchmark's python (`scripts/bench-env`) present, numpy runs
/// twice and every row names the kernels; skipped without it. Tiny sizes,
/// nothing timed.
#[test]
fn bench_runs_numpy_as_is_and_at_its_best_when_python_is_there() {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-bench/bin/python");
    if !python.exists() {
        eprintln!("skipped: no {}", python.display());
        return;
    }
    let out = regime()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["bench", "--repeats", "1", "--iters", "2", "--warmup", "0"])
        .args([
            "--threads",
            "1",
            "--hidden",
            "8",
            "--inputs",
            "16",
            "--no-cnn",
        ])
        .arg("--python")
        .arg(&python)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("| mlp D16 H8 | 1 |"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // regime, numpy as is, numpy at best measured; torch not asked for.
    assert!(cells[3..6].iter().all(|c| *c != "–"), "{row}");
    assert_eq!(cells[6], "–", "{row}");
    assert!(
        stdout.contains("numpy at best (both variables unset"),
        "{stdout}"
    );
    assert!(stdout.contains("numpy as is: numpy "), "{stdout}");
}

#[test]
fn a_closed_pipe_ends_plan_quietly() {
    use std::io::Read;
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/language_tour.reg");
    let mut child = regime()
        .args(["plan", file])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up like `head` does.
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

/// `splits: 2` runs every (arm, seed) on two data splits: different
/// validation sets (so different validation accuracy for the same seed),
/// ids with `-p1-`/`-p2-`, splits as the units of the summary, and a pilot
/// that `regime plan --pilot` reads.
#[test]
fn splits_draw_independent_data_and_are_the_units() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment sp {
  data: sample
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 40
  checks: every 10 iters
  arm fixed: lambda = grid([0.001, 0.0])
  arm decay: lambda = linear(from: 0.01, to: 0, over: 40 iters)
  seeds: 2
  splits: 2
}
"#;
    let file = write(tmp.path(), "sp.reg", &src);
    let dir = run_into(&file, &tmp.path().join("out"), 2);
    let recs = records(&dir);
    assert_eq!(recs.len(), 2 * 2 * 3);
    let val = |id: &str| {
        recs.iter()
            .find(|r| r.key.id == id)
            .and_then(|r| r.finals)
            .map(|f| f.val_acc)
            .unwrap()
    };
    // Same seed index, different split: a different validation set.
    assert_ne!(val("sp-c000-decay-p1-s1"), val("sp-c000-decay-p2-s1"));
    let csv = std::fs::read_to_string(dir.root.join("summary.csv")).unwrap();
    let decay = csv.lines().find(|l| l.contains(",decay,")).unwrap();
    assert!(decay.contains(",4,2,2,split,2,1,"), "{csv}");
    let md = std::fs::read_to_string(dir.root.join("summary.md")).unwrap();
    assert!(
        md.contains("unit of analysis: the data split (2 splits"),
        "{md}"
    );

    let (code, _, err) = {
        let out = regime()
            .args(["plan", file.to_str().unwrap(), "--pilot"])
            .arg(&dir.root)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("sp [] decay: pilot sd"), "{err}");
    assert!(err.contains("over 2 splits → MDE"), "{err}");
}

/// `run-trial` with an index the plan does not have, and `report` on a
/// directory whose plan.yaml is damaged, are diagnostics with their codes.
#[test]
fn a_missing_trial_index_and_a_damaged_plan_are_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let src = prelude()
        + r#"
experiment s {
  data: sample
  network: mlp(8)
  optimizer: sgd(lr: 0.05)
  batch: 50
  iters: 10
  arm fixed: lambda = 0
}
"#;
    let file = write(tmp.path(), "s.reg", &src);
    let dir = run_into(&file, &tmp.path().join("r"), 1);
    let out = regime()
        .arg("run-trial")
        .arg(&dir.root)
        .args(["--index", "999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("regime::no_such_trial"), "{err}");
    assert!(err.contains("there is no trial 999"), "{err}");

    std::fs::write(dir.root.join("plan.yaml"), "experiments: [not a plan\n").unwrap();
    let out = regime().arg("report").arg(&dir.root).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("regime::results_read"), "{err}");
}
