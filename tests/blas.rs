//! Kernel choice through the binary: `regime doctor` shows every candidate
//! with its self-test verdict and speed; runs use the fastest kernel that
//! passed (recorded with the reason), a pin is honoured, a pin that fails is
//! refused, and `--blas-kernel env` keeps the environment's kernel.

use std::path::Path;
use std::process::{Command, Output};

fn regime(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_regime"));
    c.env("REGIME_CACHE_DIR", cache);
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn experiment(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("k.reg");
    std::fs::write(
        &p,
        r#"
data syn = synthetic(train: 400, test: 100, dim: 20, classes: 3, seed: 1, val: 100)
network mlp { dense(16) relu dense(3) }
experiment k {
  data: syn
  network: mlp
  optimizer: sgd(lr: 0.1)
  batch: 50
  iters: 20
  arm a: lambda = 0.001
}
"#,
    )
    .unwrap();
    p
}

/// The kernel and its selection reason from the run's only record.
fn recorded(out: &Path) -> (String, String) {
    let f = std::fs::read_dir(out.join("trials"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap();
    let blas = &rec["provenance"]["blas"];
    (
        blas["kernel"].as_str().unwrap().to_string(),
        blas["selection"].as_str().unwrap().to_string(),
    )
}

#[test]
fn doctor_runs_and_pins_agree_on_the_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let o = regime(&cache).arg("doctor").output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("BLAS library: OpenBLAS"), "{out}");
    assert!(out.contains("OPENBLAS_CORETYPE="), "{out}");
    let fastest = out
        .lines()
        .find(|l| l.ends_with("← fastest"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no fastest kernel in:\n{out}"))
        .to_string();
    assert!(
        out.lines().filter(|l| l.contains(" passed ")).count() >= 1,
        "{out}"
    );
    // The verdict is cached per machine.
    assert_eq!(
        std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("blas-"))
            .count(),
        1
    );

    let file = experiment(tmp.path());
    let run = |out: &Path, pin: Option<&str>| {
        let mut c = regime(&cache);
        c.arg("run").arg(&file).args(["-q", "--out"]).arg(out);
        if let Some(p) = pin {
            c.args(["--blas-kernel", p]);
        }
        c.output().unwrap()
    };
    let o = run(&tmp.path().join("default"), None);
    assert!(o.status.success(), "{}", text(&o).1);
    let (kernel, why) = recorded(&tmp.path().join("default"));
    assert_eq!(kernel, fastest);
    assert!(why.contains("passed the self-test"), "{why}");
    // The record names the convolution path doctor reports for this CPU.
    let conv = out
        .lines()
        .find_map(|l| l.strip_prefix("convolutions: "))
        .unwrap_or_else(|| panic!("no convolution path in:\n{out}"));
    let rec = std::fs::read_dir(tmp.path().join("default/trials"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    let rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rec.path()).unwrap()).unwrap();
    assert_eq!(rec["provenance"]["blas"]["conv"], conv, "{rec}");

    let o = run(&tmp.path().join("pinned"), Some("Sandybridge"));
    assert!(o.status.success(), "{}", text(&o).1);
    let (kernel, why) = recorded(&tmp.path().join("pinned"));
    assert_eq!(kernel, "Sandybridge");
    assert!(why.contains("pinned"), "{why}");

    let o = run(&tmp.path().join("env"), Some("env"));
    assert!(o.status.success(), "{}", text(&o).1);
    let (kernel, why) = recorded(&tmp.path().join("env"));
    if let Ok(env) = std::env::var("OPENBLAS_CORETYPE") {
        assert!(kernel.eq_ignore_ascii_case(&env), "{kernel} vs {env}");
    }
    assert!(why.contains("not self-tested"), "{why}");

    let o = run(&tmp.path().join("bogus"), Some("NoSuchKernel"));
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("regime::blas_kernel") && err.contains("NoSuchKernel"),
        "{err}"
    );
    assert!(!tmp.path().join("bogus").exists());
}

#[test]
fn the_self_test_passes_on_every_kernel_the_cpu_supports() {
    // The hidden command run under each kernel doctor would try.
    let out = Command::new(env!("CARGO_BIN_EXE_regime"))
        .arg("blas-self-test")
        .env("OPENBLAS_CORETYPE", "Haswell")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["test"]["passed"], true, "{report}");
    assert!(report["test"]["products"].as_u64().unwrap() >= 100);
    assert!(report["gflops"].as_f64().unwrap() > 0.0);
}
