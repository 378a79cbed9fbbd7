//! The Python tools the interop tests read regime's outputs with: a virtual
//! environment under the target directory (`target/py-interop`), made on
//! first use from tests/interop/requirements.txt and reused while that file
//! is unchanged. A test fails, never skips, when it cannot be made.

// Shared by tests/interop.rs and tests/export.rs; each uses a part.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn venv_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`: the venv goes beside it.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("py-interop")
}

fn requirements() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/requirements.txt")
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes (or reuses) the venv; another test binary may be making it at the
/// same time, so this holds a lock file beside it.
fn make() -> PathBuf {
    let venv = venv_dir();
    let python = venv.join("bin/python");
    let wanted = std::fs::read_to_string(requirements()).expect("tests/interop/requirements.txt");
    let marker = venv.join("regime-requirements.txt");
    std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(venv.with_extension("lock")).unwrap();
    lock.lock().expect("lock the venv");
    let current = std::fs::read_to_string(&marker).ok();
    if current.as_deref() == Some(wanted.as_str()) && python.exists() {
        return python;
    }
    run(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "python3 -m venv (on Debian: apt-get install python3-venv; `make deps` does)",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(requirements()),
        "pip install -r tests/interop/requirements.txt",
    );
    std::fs::write(&marker, &wanted).unwrap();
    python
}

/// The venv's python, made on first use.
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(make).clone()
}

/// The venv's bin directory (for `mlflow`).
pub fn bin(name: &str) -> PathBuf {
    python().with_file_name(name)
}

/// Runs a Python script with arguments in `cwd`; its standard output.
pub fn script(code: &str, args: &[&std::ffi::OsStr], cwd: &Path) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .current_dir(cwd)
        .env("MPLBACKEND", "Agg")
        .output()
        .expect("start python");
    assert!(
        out.status.success(),
        "python failed:\n{code}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
