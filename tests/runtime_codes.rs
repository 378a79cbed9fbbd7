//! Runtime diagnostics that need the operating system to misbehave: a data
//! file that exists but cannot be read, and an `sbatch` that cannot start.
//! Each test makes the failure real and checks the code and its location.

use std::path::Path;
use std::process::{Command, Output};

fn regime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regime"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn experiment(data: &str) -> String {
    format!(
        r#"
data d = {data}
network mlp {{ dense(8) relu dense(10) }}
experiment e {{
  data: d
  network: mlp
  optimizer: sgd(lr: 0.05)
  batch: 50
  iters: 20
  checks: every 10 iters
  arm a: lambda = 0.001
  seeds: 1
}}
"#
    )
}

/// Fashion-MNIST files where the training images are a link to
/// `/proc/self/mem`: a regular file to `stat`, but reading its first page
/// fails with EIO — for root too, which permissions would not stop.
fn unreadable_fashion_mnist(dir: &Path) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/data/fashion-mnist-sample");
    for f in [
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        std::fs::copy(sample.join(f), dir.join(f)).unwrap();
    }
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("train-images-idx3-ubyte")).unwrap();
}

#[test]
fn a_data_file_that_cannot_be_read_is_data_io_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("fmnist");
    std::fs::create_dir(&data).unwrap();
    unreadable_fashion_mnist(&data);
    let file = tmp.path().join("e.reg");
    let source = experiment(&format!(
        "fashion_mnist(path: \"{}\", val: 100, subset: 200)",
        data.display()
    ));
    std::fs::write(&file, source).unwrap();
    let out = regime()
        .arg("run")
        .arg(&file)
        .arg("-q")
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::data_io"), "{err}");
    assert!(err.contains("train-images-idx3-ubyte"), "{err}");
}

#[test]
fn an_sbatch_that_cannot_start_is_slurm_failed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // An `sbatch` on PATH without execute permission: found, but exec fails
    // with EACCES (for root too), unlike a missing one (slurm_missing).
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("sbatch"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(bin.join("sbatch"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let file = tmp.path().join("e.reg");
    std::fs::write(
        &file,
        experiment("synthetic(dim: 20, classes: 10, train: 400, val: 100, test: 100)"),
    )
    .unwrap();
    let out = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--on", "slurm", "--out"])
        .arg(tmp.path().join("out"))
        .env("PATH", &bin)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::slurm_failed"), "{err}");
    assert!(err.contains("sbatch"), "{err}");
}
