//! Tiny runs for the interop tests: synthetic data, a two-value duration
//! axis, a schedule arm against a grid baseline; well under a second each.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The experiment; `{seeds}`, `{values}` and `{extra}` vary it.
const TINY: &str = r#"
data toy = synthetic(train: 600, test: 200, dim: 20, classes: 3, seed: 1, val: 100)

network mlp(hidden = 16) {
  dense(hidden)
  relu
  dense(3)
}

schedule pull_down(each = 10 iters) = steps([0.01, 0.0], each: each)

experiment tiny {
  data: toy
  vary each in [{values}]
  network: mlp(16)
  optimizer: sgd(lr: {lr}, momentum: 0.9)
  batch: 50
  checks: every 10 iters
  arm pull_down: lambda = pull_down(each)
  arm best_fixed: lambda = grid([0.01, 0.0])
  seeds: {seeds}
{extra}}
"#;

/// How a tiny run differs from the default (3 seeds, each in 10 and 20
/// iterations, lr 0.05).
pub struct Tiny<'a> {
    pub seeds: u32,
    pub values: &'a str,
    pub lr: &'a str,
    pub extra: &'a str,
    pub name: &'a str,
}

impl Default for Tiny<'_> {
    fn default() -> Self {
        Tiny {
            seeds: 3,
            values: "10 iters, 20 iters",
            lr: "0.05",
            extra: "",
            name: "tiny",
        }
    }
}

pub fn regime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regime"))
}

/// Runs `cmd`; panics with its stderr unless it succeeds.
pub fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("start regime");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Tiny<'_> {
    /// Runs the experiment with `regime run` into `tmp/<out>`; the results
    /// directory.
    pub fn run(&self, tmp: &Path, out: &str) -> PathBuf {
        let src = TINY
            .replace("{seeds}", &self.seeds.to_string())
            .replace("{values}", self.values)
            .replace("{lr}", self.lr)
            .replace("{extra}", self.extra)
            .replace("experiment tiny", &format!("experiment {}", self.name));
        let file = tmp.join(format!("{out}.reg"));
        std::fs::write(&file, src).unwrap();
        let dir = tmp.join(out);
        ok(regime()
            .arg("run")
            .arg(&file)
            .args(["--jobs", "2", "-q", "--out"])
            .arg(&dir));
        dir
    }
}

/// A rendered diagnostic on one line: miette wraps long messages and marks
/// the continuation lines with `│`.
pub fn flat(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).replace('│', " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
