//! Runtime diagnostics that need the operating system to misbehave: a data
//! file that exists but cannot be read, an `sbatch` that cannot start,
//! threads that cannot be started and a trial whose memory cannot be had
//! (both under an address-space limit, `ulimit -v`, which binds root too).
//! Each test makes the failure real and checks the code and its location.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn regime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regime"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `DIR/e.reg`: the experiment on 200 synthetic training examples.
fn small_synthetic(dir: &Path) -> PathBuf {
    let file = dir.join("e.reg");
    let source = experiment("synthetic(dim: 8, classes: 10, train: 200, val: 50, test: 50)");
    std::fs::write(&file, source).unwrap();
    file
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

/// `regime` under an address-space limit of `kib` KiB (`ulimit -v`), with
/// `args`.
fn under_ulimit_v(kib: u64, args: &[&std::ffi::OsStr]) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!(r#"ulimit -v {kib} && exec "$0" "$@""#))
        .arg(env!("CARGO_BIN_EXE_regime"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// More matrix-product threads (`--threads`) than the address space has
/// room for stacks: `regime::threads` before any thread starts, naming the
/// run's threads (each job's worker and its GEMM pool) and the options to
/// lower, after the memory check and before anything is recorded.
#[test]
fn gemm_threads_the_system_refuses_are_regime_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_synthetic(tmp.path());
    let out_dir = tmp.path().join("out");
    // 2,000 stacks of 2 MiB do not fit in 1 GB.
    let out = under_ulimit_v(
        1_000_000,
        &[
            "run".as_ref(),
            file.as_os_str(),
            "--jobs".as_ref(),
            "1".as_ref(),
            "--threads".as_ref(),
            "2000".as_ref(),
            "-q".as_ref(),
            "--out".as_ref(),
            out_dir.as_os_str(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::threads"), "{err}");
    assert!(
        err.contains("cannot start 2001 worker and GEMM threads"),
        "{err}"
    );
    assert!(err.contains("try a smaller --threads"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read_dir(out_dir.join("trials")).unwrap().count(),
        0
    );
}

/// More threads than the kernel's cap on a process's memory mappings
/// (`vm.max_map_count`) allows, with address space to spare: the signal
/// stack of some thread could not be mapped, which aborted that thread and
/// left the run waiting for it forever. Now `regime::threads`, naming the
/// cap, before any thread starts.
#[test]
fn threads_past_the_kernels_mapping_cap_are_regime_threads() {
    let Ok(cap) = std::fs::read_to_string("/proc/sys/vm/max_map_count") else {
        return; // not Linux: no such cap to pass
    };
    let threads = cap.trim().parse::<usize>().unwrap() / 4 + 100;
    if threads > (1 << 46) / (3 << 20) {
        // A cap so high that the stacks would not fit in an address space
        // first: that refusal is `gemm_threads_the_system_refuses_...`.
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = small_synthetic(tmp.path());
    let out_dir = tmp.path().join("out");
    let out = regime()
        .arg("run")
        .arg(&file)
        .args([
            "--jobs",
            "1",
            "--threads",
            &threads.to_string(),
            "-q",
            "--out",
        ])
        .arg(&out_dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("regime::threads") && err.contains("vm.max_map_count"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read_dir(out_dir.join("trials")).unwrap().count(),
        0
    );
}

/// A Slurm array task on a node that cannot give the trial its memory (an
/// address-space limit below the trial's estimate; `run-trial` has no
/// `--jobs` to check beforehand): the trial fails with
/// `regime::trial_failed`, its cause out of memory, not an abort; nothing
/// is recorded and no live curve is left behind.
#[test]
fn an_array_task_that_cannot_have_its_memory_is_trial_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("big.reg");
    std::fs::write(
        &file,
        r#"
data toy = synthetic(train: 2500, test: 200, dim: 3000, classes: 10, seed: 1)
network wide { dense(6000) relu dense(10) }
experiment big {
  data: toy
  network: wide
  optimizer: sgd(lr: 0.01, momentum: 0.9)
  batch: 2000
  iters: 2
  arm a: lambda = 0.001
}
"#,
    )
    .unwrap();
    let dir = tmp.path().join("s");
    let made = regime()
        .arg("run")
        .arg(&file)
        .args(["--on", "slurm", "--dry-run", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    // The trial needs about 505 MiB; the task may map 390 MiB.
    let out = under_ulimit_v(
        400_000,
        &[
            "run-trial".as_ref(),
            dir.as_os_str(),
            "--index".as_ref(),
            "0".as_ref(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::trial_failed"), "{err}");
    assert!(err.contains("trial big-c000-a-s1: out of memory"), "{err}");
    for abort in ["memory allocation", "panicked"] {
        assert!(!err.contains(abort), "{err}");
    }
    assert_eq!(std::fs::read_dir(dir.join("trials")).unwrap().count(), 0);
    assert!(!dir.join("curves/big-c000-a-s1.partial.csv").exists());
}

/// A Slurm array task whose plan.yaml was edited to a batch larger than the
/// training set (which `check` refuses): `regime::trial_failed` naming the
/// batch, before any buffer is sized by it; nothing is recorded.
#[test]
fn an_edited_batch_larger_than_the_training_set_is_trial_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_synthetic(tmp.path());
    let dir = tmp.path().join("s");
    let made = regime()
        .arg("run")
        .arg(&file)
        .args(["--on", "slurm", "--dry-run", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let yaml = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
    let edited = yaml.replacen("batch: 50\n", "batch: 1000000\n", 1);
    assert_ne!(yaml, edited);
    std::fs::write(dir.join("plan.yaml"), edited).unwrap();
    let out = regime()
        .arg("run-trial")
        .arg(&dir)
        .args(["--index", "0"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::trial_failed"), "{err}");
    assert!(
        err.contains("batch of 1000000 is larger than the 150 training examples"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.join("trials")).unwrap().count(), 0);
}

/// A truncated gzip file keeps four bytes of its stream where the trailer
/// was, read as its decompressed size. That word sized the buffer up front
/// (2 GB here), which under an address-space limit aborted the process
/// ("memory allocation failed") instead of reporting the truncation.
#[test]
fn a_truncated_gzip_file_under_ulimit_v_is_data_gzip_not_an_abort() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("fmnist");
    std::fs::create_dir(&data).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/data/fashion-mnist-sample");
    for f in [
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        std::fs::copy(sample.join(f), data.join(f)).unwrap();
    }
    let images = std::fs::read(sample.join("train-images-idx3-ubyte.gz")).unwrap();
    let mut cut = images[..2_000_000].to_vec();
    cut.extend([0xff; 4]);
    std::fs::write(data.join("train-images-idx3-ubyte.gz"), cut).unwrap();
    let file = tmp.path().join("e.reg");
    let source = experiment(&format!(
        "fashion_mnist(path: \"{}\", val: 100, subset: 200)",
        data.display()
    ));
    std::fs::write(&file, source).unwrap();
    let out_dir = tmp.path().join("out");
    let out = under_ulimit_v(
        1_800_000,
        &[
            "run".as_ref(),
            file.as_os_str(),
            "--jobs".as_ref(),
            "1".as_ref(),
            "-q".as_ref(),
            "--out".as_ref(),
            out_dir.as_os_str(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::data_gzip"), "{err}");
    assert!(err.contains("train-images-idx3-ubyte.gz"), "{err}");
    assert!(!err.contains("memory allocation"), "{err}");
}
