//! Sweeps on a real Slurm cluster: a job array with one task forced to fail,
//! `status` reporting it, a resubmission of what is missing, and a summary
//! equal to the same experiment run locally.
//!
//! The test starts a real single-node cluster (munge, slurmctld, slurmd from
//! Debian's packages) with `scripts/slurm-local-cluster.sh`, and stops it
//! again. Where the cluster cannot be started (not root, no apt), it says so
//! and passes without running.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-local-cluster.sh")
}

/// Stops the cluster when the test ends, however it ends. Tests that use
/// the cluster hold `SERIAL` so one test's `down` never stops another's jobs.
struct Cluster(#[allow(dead_code)] std::sync::MutexGuard<'static, ()>);

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Cluster {
    fn up() -> Option<Cluster> {
        let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let root = Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&root.stdout).trim() != "0" {
            eprintln!("SKIPPED: the local Slurm cluster needs root");
            return None;
        }
        let out = Command::new("bash").arg(script()).arg("up").output().ok()?;
        if !out.status.success() {
            eprintln!(
                "SKIPPED: the local Slurm cluster did not start:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Some(Cluster(guard))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script()).arg("down").output();
    }
}

fn regime(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regime"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(job: &str) {
    let start = Instant::now();
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-j", job])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&q.stdout).trim().is_empty() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "job {job} still queued after 300 s:\n{}",
            String::from_utf8_lossy(&q.stdout)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn a_job_array_with_a_failed_task_is_resumed_to_the_local_summary() {
    let Some(_cluster) = Cluster::up() else {
        return;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slurm-e2e");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let src = format!(
        r#"
data sample = fashion_mnist(path: "{}/src/data/fashion-mnist-sample", val: 200, subset: 400)

network mlp(hidden = 16) {{
  dense(hidden)
  relu
  dense(10)
}}

experiment sweep {{
  data: sample
  vary hidden in [8, 16]
  network: mlp(hidden)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 40
  arm decay: lambda = linear(from: 0.01, to: 0, over: 40 iters)
  arm fixed: lambda = grid([0.001, 0.0])
  seeds: 1
}}
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    let file = work.join("sweep.reg");
    std::fs::write(&file, src).unwrap();
    let file = file.to_str().unwrap();
    let dir = work.join("run");
    let dir_s = dir.to_str().unwrap();

    // Write the directory and the script without submitting.
    let script = ok(regime(&[
        "run",
        file,
        "--on",
        "slurm",
        "--out",
        dir_s,
        "--dry-run",
    ]));
    assert!(script.contains("#SBATCH --array=0-5"), "{script}");
    assert!(!dir.join("slurm/jobs.txt").exists());

    // Force one task to fail for real: its curve cannot be written.
    let failing = "sweep-c001-fixed-s1-g0";
    let blocker = dir.join("curves").join(format!("{failing}.csv"));
    std::fs::create_dir_all(blocker.join("in-the-way")).unwrap();

    let job = ok(regime(&["run", file, "--on", "slurm", "--resume", dir_s]));
    let job = job.trim().to_string();
    assert!(job.parse::<u64>().is_ok(), "job id: {job:?}");
    wait_for(&job);

    let status = ok(regime(&["status", dir_s]));
    assert!(status.contains("6 trials: 5 done, 1 failed"), "{status}");
    let failed_line = status.lines().find(|l| l.ends_with("\tfailed")).unwrap();
    assert!(failed_line.starts_with(failing), "{status}");
    assert!(
        status.contains("regime::results_io"),
        "the log tail names the error:\n{status}"
    );

    // Clear the obstacle and resubmit only what is missing.
    std::fs::remove_dir_all(&blocker).unwrap();
    let out = regime(&[
        "run",
        file,
        "--on",
        "slurm",
        "--resume",
        dir_s,
        "--cpus-per-task",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let job2 = ok(out).trim().to_string();
    assert!(stderr.contains("1 trials in 1 array tasks"), "{stderr}");
    wait_for(&job2);
    let status = ok(regime(&["status", dir_s]));
    assert!(status.contains("6 trials: 6 done"), "{status}");

    ok(regime(&["report", dir_s]));

    // A submission Slurm refuses is reported with Slurm's own words.
    let refused = regime(&[
        "run",
        file,
        "--on",
        "slurm",
        "--partition",
        "no_such_partition",
        "--out",
        work.join("refused").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::slurm_refused"), "{err}");
    assert!(err.to_lowercase().contains("partition"), "{err}");
    let local = work.join("local");
    ok(regime(&[
        "run",
        file,
        "--jobs",
        "2",
        "-q",
        "--out",
        local.to_str().unwrap(),
    ]));
    let a = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let b = std::fs::read_to_string(local.join("summary.csv")).unwrap();
    assert_eq!(a, b, "the cluster's summary differs from the local one");
    // Every record and curve is the same bits as the local run's (wall time
    // and thread count aside), whatever --cpus-per-task the tasks had.
    let (cluster, here) = (
        common::records_and_curves(&dir),
        common::records_and_curves(&local),
    );
    assert_eq!(cluster.len(), 6);
    assert!(
        cluster == here,
        "cluster records differ from the local run's"
    );
}

/// A tiny experiment on the bundled sample: 2 trials.
fn tiny_source() -> String {
    format!(
        r#"
data sample = fashion_mnist(path: "{}/src/data/fashion-mnist-sample", val: 200, subset: 400)

network mlp(hidden = 8) {{
  dense(hidden)
  relu
  dense(10)
}}

experiment quoting {{
  data: sample
  network: mlp(8)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 20
  arm decay: lambda = linear(from: 0.01, to: 0, over: 20 iters)
  arm fixed: lambda = 0.001
  seeds: 1
}}
"#,
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn a_results_path_with_spaces_and_quotes_runs_on_the_cluster() {
    let Some(_cluster) = Cluster::up() else {
        return;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slurm-quoting");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let file = work.join("quoting.reg");
    std::fs::write(&file, tiny_source()).unwrap();
    let file = file.to_str().unwrap();
    // Spaces, both quotes, a `#` (a comment in an unquoted directive), a `%`
    // (a replacement symbol in --output) and shell syntax.
    let dir = work
        .join("My Runs")
        .join("it's \"q\" #1 50% $(touch pwned)");
    let dir_s = dir.to_str().unwrap();

    // A pass-through sbatch option with a value as awkward as the path, and
    // an override: the array tasks run the plan with it.
    let comment = "it's \"q\" #1 50%";
    let job = ok(regime(&[
        "run",
        file,
        "--on",
        "slurm",
        "--out",
        dir_s,
        &format!("--sbatch-arg=--comment={comment}"),
        "--set",
        "iters=30",
    ]));
    let job = job.trim().to_string();
    assert!(job.parse::<u64>().is_ok(), "job id: {job:?}");
    let shown = Command::new("scontrol")
        .args(["show", "job", &job])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains(&format!("Comment={comment}")), "{shown}");
    wait_for(&job);
    let status = ok(regime(&["status", dir_s]));
    assert!(status.contains("2 trials: 2 done"), "{status}");
    for task in 0..2 {
        let log = dir.join("slurm/logs").join(format!("{job}_{task}.out"));
        let text = std::fs::read_to_string(&log)
            .unwrap_or_else(|e| panic!("no log {}: {e}", log.display()));
        assert!(text.contains("ok after 30 iterations"), "{text}");
    }
    assert!(
        !work.join("My Runs/pwned").exists() && !Path::new("pwned").exists(),
        "a command in the path ran"
    );
    ok(regime(&["report", dir_s]));
}

#[test]
fn values_that_would_break_the_job_script_are_refused_before_anything_is_written() {
    let Some(_cluster) = Cluster::up() else {
        return;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slurm-refusals");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let file = work.join("quoting.reg");
    std::fs::write(&file, tiny_source()).unwrap();
    let file = file.to_str().unwrap();
    let injected = work.join("injected");
    let cmd = format!("\ntouch {}\n", injected.display());
    let out_dir = work.join("out");
    let out_s = out_dir.to_str().unwrap();
    for (option, args) in [
        (
            "--partition",
            vec!["--out", out_s, "--partition", &*format!("debug{cmd}")],
        ),
        (
            "--time",
            vec!["--out", out_s, "--time", &*format!("00:10:00{cmd}")],
        ),
        ("--out", vec!["--out", &*format!("{out_s}{cmd}x")]),
    ] {
        let mut all = vec!["run", file, "--on", "slurm"];
        all.extend(args.iter().copied());
        let out = regime(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{option}: {err}");
        assert!(err.contains("regime::slurm_bad_value"), "{option}: {err}");
        assert!(err.contains(option), "{option}: {err}");
        assert!(err.contains("a newline"), "{option}: {err}");
        assert!(!err.contains("panicked"), "{option}: {err}");
    }
    assert!(
        !out_dir.exists(),
        "a refused submission wrote {}",
        out_dir.display()
    );
    assert!(!injected.exists(), "the injected command ran");

    // Refused by sbatch for the time limit: the help blames that, not the
    // partition or the CPU count.
    let out = regime(&[
        "run",
        file,
        "--on",
        "slurm",
        "--time",
        "abc",
        "--out",
        work.join("time").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::slurm_refused"), "{err}");
    assert!(err.contains("--time"), "{err}");
    assert!(
        !err.contains("--partition") && !err.contains("--cpus-per-task"),
        "{err}"
    );
}
