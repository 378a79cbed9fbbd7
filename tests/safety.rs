//! Runs that must fail loudly or stop cleanly rather than silently change
//! results (issue 9): data paths relative to the file, a `$REGIME_DATA` that
//! holds nothing, SIGTERM, `status` of a local run, memory for `--jobs`.
//! Every test drives the real `regime` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn regime() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_regime"));
    c.env_remove("REGIME_DATA").env("NO_COLOR", "1");
    c
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(out: Output) -> String {
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    stdout
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/data/fashion-mnist-sample")
}

fn copy_sample(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(sample_dir()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// An experiment of two quick trials on Fashion-MNIST given by `data`.
fn experiment(data: &str, iters: u32) -> String {
    format!(
        r#"
data sample = {data}

network mlp(hidden = 8) {{
  dense(hidden)
  relu
  dense(10)
}}

experiment safety {{
  data: sample
  network: mlp(8)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: {iters}
  arm decay: lambda = linear(from: 0.01, to: 0, over: {iters} iters)
  arm fixed: lambda = 0.001
  seeds: 1
}}
"#
    )
}

#[test]
fn relative_data_paths_resolve_against_the_file_not_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("experiments");
    copy_sample(&sub.join("fm"));
    // A decoy where a working-directory-relative lookup would look.
    std::fs::create_dir_all(tmp.path().join("fm")).unwrap();
    let file = sub.join("rel.reg");
    std::fs::write(
        &file,
        experiment(r#"fashion_mnist(path: "fm", val: 200, subset: 400)"#, 20),
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();

    // check and plan from a working directory that has no fm/ at all.
    ok(regime()
        .current_dir(elsewhere.path())
        .arg("check")
        .arg(&file)
        .output()
        .unwrap());
    let plan = ok(regime()
        .current_dir(elsewhere.path())
        .args(["plan", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap());
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let path = plan["experiments"][0]["data"]["source"]["fashion_mnist"]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no data path in {plan:#}"));
    assert_eq!(Path::new(path), sub.join("fm"), "{plan:#}");

    // A run from the directory that holds the decoy reads the file's fm/.
    let out = regime()
        .current_dir(tmp.path())
        .args([
            "run",
            "experiments/rel.reg",
            "-q",
            "--jobs",
            "1",
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    ok(out);
    let record = std::fs::read_dir(tmp.path().join("out/trials"))
        .unwrap()
        .next()
        .expect("a record")
        .unwrap()
        .path();
    assert!(record.exists());

    // The same plan with the path relative to an imported file: relative to
    // that file, not to the importing one.
    let lib = tmp.path().join("lib");
    copy_sample(&lib.join("images"));
    std::fs::write(
        lib.join("data.reg"),
        r#"data sample = fashion_mnist(path: "images", val: 200, subset: 400)"#,
    )
    .unwrap();
    let main = sub.join("imports.reg");
    let src = experiment("fashion_mnist(val: 200)", 20).replace(
        "data sample = fashion_mnist(val: 200)",
        "import \"../lib/data\"",
    );
    std::fs::write(&main, src).unwrap();
    let plan = ok(regime()
        .current_dir(elsewhere.path())
        .args(["plan", "--format", "json"])
        .arg(&main)
        .output()
        .unwrap());
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let path = plan["experiments"][0]["data"]["source"]["fashion_mnist"]["path"]
        .as_str()
        .unwrap();
    assert_eq!(
        Path::new(path),
        sub.join("../lib").join("images"),
        "{plan:#}"
    );
}

#[test]
fn a_regime_data_that_holds_nothing_stops_the_run_naming_variable_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("env.reg");
    std::fs::write(
        &file,
        experiment("fashion_mnist(val: 200, subset: 400)", 20),
    )
    .unwrap();
    let partial = tmp.path().join("partial");
    copy_sample(&partial);
    std::fs::remove_file(partial.join("t10k-images-idx3-ubyte.gz")).unwrap();
    for (env, missing) in [
        (tmp.path().join("nowhere"), "nowhere (no such directory)"),
        (partial.clone(), "t10k-images-idx3-ubyte"),
    ] {
        let out = regime()
            .env("REGIME_DATA", &env)
            .arg("run")
            .arg(&file)
            .args(["-q", "--jobs", "1", "--out"])
            .arg(tmp.path().join("out"))
            .output()
            .unwrap();
        let (_, err) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("regime::data_env"), "{err}");
        assert!(err.contains("$REGIME_DATA"), "{err}");
        assert!(err.contains(missing), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        let records = tmp.path().join("out/trials");
        assert!(
            !records.exists() || std::fs::read_dir(&records).unwrap().next().is_none(),
            "a trial ran on other data"
        );
        let _ = std::fs::remove_dir_all(tmp.path().join("out"));
    }
}

/// Ten trials of a fraction of a second each, on synthetic data.
const TEN_TRIALS: &str = r#"
data toy = synthetic(train: 2000, test: 200, dim: 100, classes: 4, seed: 1)

network mlp(hidden = 256) {
  dense(hidden)
  relu
  dense(4)
}

experiment sig {
  data: toy
  network: mlp(256)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 100
  iters: 600
  checks: every 100 iters
  arm fixed: lambda = grid([0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01])
  seeds: 1
}
"#;

/// Finished records (temporary files start with a dot).
fn records(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("trials"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.ends_with(".json") && !n.starts_with('.')
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn sigterm_stops_like_ctrl_c_keeps_finished_trials_and_resume_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sig.reg");
    std::fs::write(&file, TEN_TRIALS).unwrap();
    let out = tmp.path().join("out");
    let mut child = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "1", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first finished trial, then send what `kill` and Slurm send.
    while records(&out) == 0 {
        if child.try_wait().unwrap().is_some() {
            let o = child.wait_with_output().unwrap();
            panic!("regime ended before any trial finished: {:?}", text(&o));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: sending a signal to our own child process.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0);
    let o = child.wait_with_output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("regime::interrupted"), "{err}");
    let done = records(&out);
    assert!((1..10).contains(&done), "{done} records\n{err}");
    assert!(
        err.contains(&format!("interrupted: {done} of 10 trials are saved")),
        "{err}"
    );
    assert!(err.contains("--resume"), "{err}");

    // status of a local run: done and missing, not "not submitted".
    let status = ok(regime().arg("status").arg(&out).output().unwrap());
    assert!(
        status.contains(&format!("10 trials: {done} done, {} missing", 10 - done)),
        "{status}"
    );
    assert!(!status.contains("not submitted"), "{status}");

    let o = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "2", "--resume"])
        .arg(&out)
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("{} trials run, {done} reused", 10 - done)),
        "{err}"
    );
    assert_eq!(records(&out), 10);
    let status = ok(regime().arg("status").arg(&out).output().unwrap());
    assert!(status.contains("10 trials: 10 done"), "{status}");
}

/// Two trials of about 505 MiB each (estimate), on 31 MiB of data.
const TWO_BIG_TRIALS: &str = r#"
data toy = synthetic(train: 2500, test: 200, dim: 3000, classes: 10, seed: 1)

network wide {
  dense(6000)
  relu
  dense(10)
}

experiment big {
  data: toy
  network: wide
  optimizer: sgd(lr: 0.01, momentum: 0.9)
  batch: 2000
  iters: 2
  arm a: lambda = 0.001
  arm b: lambda = 0.0
}
"#;

#[test]
fn jobs_that_do_not_fit_under_ulimit_v_are_a_diagnostic_before_anything_trains() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("big.reg");
    std::fs::write(&file, TWO_BIG_TRIALS).unwrap();
    let out = tmp.path().join("out");
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -v 1000000 && exec "$0" run "$1" --jobs 2 -q --out "$2""#)
        .arg(env!("CARGO_BIN_EXE_regime"))
        .arg(&file)
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::not_enough_memory"), "{err}");
    assert!(err.contains("2 jobs need about 1.05 GiB"), "{err}");
    assert!(err.contains("505 MiB per trial × 2"), "{err}");
    assert!(err.contains("ulimit -v"), "{err}");
    assert!(err.contains("--jobs 1"), "{err}");
    for abort in ["memory allocation", "panicked", "backtrace"] {
        assert!(!err.contains(abort), "{err}");
    }
    assert!(!out.exists(), "nothing is written before the check");
}

#[test]
fn a_trial_whose_buffers_cannot_be_had_is_an_engine_error_not_an_abort() {
    use regime::engine::testing::{random_dataset, sgd, trial, two_layer};
    use regime::engine::{EngineError, Trainer};
    use regime::plan::{Init, PenaltyKind, Shape};
    let input = Shape {
        channels: 1,
        height: 1,
        width: 20,
    };
    let data = random_dataset(input, 4, 100, 10, 10, 1);
    let mut t = trial(
        two_layer(20, 8, 4, Init::He),
        sgd(1e-2, 0.9),
        PenaltyKind::L2,
        10,
        1,
    );
    assert!(Trainer::new(&t, &data).is_ok());
    t.estimate.memory_bytes = 1 << 62;
    match Trainer::new(&t, &data) {
        Err(e @ EngineError::OutOfMemory { .. }) => {
            assert_eq!(
                miette::Diagnostic::code(&e).unwrap().to_string(),
                "regime::out_of_memory"
            );
            assert!(e.to_string().contains("4611686018427387904 bytes"), "{e}");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("reserved 4 EiB"),
    }
    let e = regime::engine::try_zeros::<f32>(usize::MAX / 8, "a buffer").unwrap_err();
    assert!(e.to_string().contains("a buffer"), "{e}");
}

/// `--jobs` beyond the trials to run starts one worker per trial: two here,
/// for `--jobs 18446744073709551615`. It started 65,535 workers (rayon's
/// most), which exhausted memory; under this address-space limit the
/// system refused them (`regime::threads`).
#[test]
fn more_jobs_than_trials_start_a_worker_per_trial() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("e.reg");
    std::fs::write(
        &file,
        experiment(
            "synthetic(dim: 8, classes: 10, train: 200, val: 50, test: 50)",
            10,
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -v 2000000 && exec "$0" run "$1" --jobs 18446744073709551615 --out "$2""#)
        .arg(env!("CARGO_BIN_EXE_regime"))
        .arg(&file)
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("running 2 trials (0 already done) with 2 job(s)"),
        "{err}"
    );
    assert_eq!(records(&out), 2);
}
