//! Helpers shared by the end-to-end tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every record of a results directory without its wall time and thread
/// count (which say how a trial ran, not what it computed) and its seal
/// (which covers the wall time), with its curve
/// byte for byte, by trial id: what must be bit-identical across runs.
#[allow(dead_code)] // not every test crate that shares this module compares runs
pub fn records_and_curves(dir: &Path) -> BTreeMap<String, (serde_json::Value, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("trials")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".json") else {
            continue;
        };
        let mut rec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
        rec["wall_seconds"] = 0.into();
        rec["provenance"]["blas"]["threads"] = 0.into();
        rec.as_object_mut().unwrap().remove("record_sha256");
        let curve = std::fs::read(dir.join("curves").join(format!("{id}.csv"))).unwrap();
        out.insert(id.to_string(), (rec, curve));
    }
    out
}

/// A CSV file as its header and its rows by column name.
#[allow(dead_code)] // not every test crate that shares this module reads CSV
pub fn csv_table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (head, rows)
}

/// Runs a command that must succeed, and returns its output (both streams
/// are shown when it does not).
#[allow(dead_code)] // not every test crate that shares this module runs commands
pub fn output(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The synthetic data `toy` (3 classes, 600 training images) and the
/// two-layer `mlp(hidden)` the small end-to-end experiments run on.
#[allow(dead_code)] // not every test crate that shares this module runs experiments
pub const TOY: &str = r#"
data toy = synthetic(train: 600, test: 1000, dim: 20, classes: 3, seed: 1, val: 100)

network mlp(hidden = 16) {
  dense(hidden)
  relu
  dense(3)
}
"#;

/// [`run_source`] of `experiment` after the definitions of [`TOY`].
#[allow(dead_code)] // not every test crate that shares this module runs experiments
pub fn run_toy(tmp: &Path, name: &str, experiment: &str) -> PathBuf {
    run_source(tmp, name, &format!("{TOY}\n{experiment}"))
}

/// Writes `source` to `tmp/<name>.reg` and runs it (`--jobs 2`) into
/// `tmp/<name>`, which it returns.
#[allow(dead_code)] // not every test crate that shares this module runs experiments
pub fn run_source(tmp: &Path, name: &str, source: &str) -> PathBuf {
    let file = tmp.join(format!("{name}.reg"));
    std::fs::write(&file, source).unwrap();
    let dir = tmp.join(name);
    output(
        Command::new(env!("CARGO_BIN_EXE_regime"))
            .arg("run")
            .arg(&file)
            .args(["--jobs", "2", "-q", "--out"])
            .arg(&dir),
    );
    dir
}

/// `tmp/runs/`, holding each results directory under a reproduction run's
/// name (a symlink), for [`generated_block`].
#[allow(dead_code)] // not every test crate that shares this module renders the reproduction
pub fn reproduction_runs(tmp: &Path, runs: &[(&str, &Path)]) -> PathBuf {
    let dir = tmp.join("runs");
    std::fs::create_dir(&dir).unwrap();
    for (name, results) in runs {
        std::os::unix::fs::symlink(results, dir.join(name)).unwrap();
    }
    dir
}

/// docs/REPRODUCTION.md rendered from `runs` (by generate.py, into a copy
/// under `tmp`), with its block of `run`.
#[allow(dead_code)] // not every test crate that shares this module renders the reproduction
pub fn generated_block(tmp: &Path, runs: &Path, run: &str) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = tmp.join("REPRODUCTION.md");
    std::fs::copy(repo.join("docs/REPRODUCTION.md"), &doc).unwrap();
    output(
        Command::new("python3")
            .arg(repo.join("docs/reproduction/generate.py"))
            .arg("--runs")
            .arg(runs)
            .arg("--doc")
            .arg(&doc),
    );
    let text = std::fs::read_to_string(&doc).unwrap();
    let (open, close) = (
        format!("<!-- gen:run:{run} -->"),
        format!("<!-- /gen:run:{run} -->"),
    );
    let start = text.find(&open).expect("the run's block") + open.len();
    text[start..start + text[start..].find(&close).unwrap()].to_string()
}
