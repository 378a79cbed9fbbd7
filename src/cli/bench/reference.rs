//! The numpy and PyTorch reference trainers of `benches/reference/`, each run
//! in a fresh python process. regime runs with `OPENBLAS_NUM_THREADS=1` (see
//! `main.rs`); a child must not inherit that, or numpy's OpenBLAS would be
//! capped at one thread: the references set their threads themselves
//! (threadpoolctl, `torch.set_num_threads`). "numpy at best" also drops
//! `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE`, in its own command only, so its
//! OpenBLAS picks the kernel it would pick for this CPU; the kernel it used is
//! read back through threadpoolctl and shown in the tables.

use super::machine;
use super::table::{Framework, Sample};
use miette::{miette, IntoDiagnostic};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// GFLOP/s by GEMM shape (m, k, n).
pub type Peaks = Vec<((u64, u64, u64), f64)>;

/// A python with numpy + threadpoolctl (and maybe torch) and the scripts.
#[derive(Debug, Clone)]
pub struct Python {
    pub exe: PathBuf,
    pub dir: PathBuf,
    /// Stub CUDA libraries for the CUDA torch wheel (see the reference README).
    pub stubs: Option<PathBuf>,
}

/// A finished reference run: its JSON line, wall time and others' load.
pub struct Finished {
    pub json: serde_json::Value,
    pub wall: f64,
    pub others: Option<f64>,
}

impl Python {
    /// `exe` and the scripts in `dir`; the torch stubs are `TORCH_CUDA_STUBS`
    /// when set, else `torch-cuda-stubs` next to the venv's `bin/` (where
    /// `scripts/bench-env --torch` builds them).
    pub fn new(exe: &Path, dir: &Path) -> Python {
        let stubs = match std::env::var_os("TORCH_CUDA_STUBS") {
            Some(s) => Some(PathBuf::from(s)),
            None => exe
                .parent()
                .and_then(Path::parent)
                .map(|venv| venv.join("torch-cuda-stubs"))
                .filter(|d| d.is_dir()),
        };
        Python {
            exe: exe.to_path_buf(),
            dir: dir.to_path_buf(),
            stubs,
        }
    }

    /// The command for `script`, with the environment `fw` runs under.
    pub fn command(&self, fw: Framework, script: &str) -> Command {
        let mut c = Command::new(&self.exe);
        // The environment regime was started with, not the one it runs
        // under (its own kernel choice, one OpenBLAS thread).
        crate::engine::gemm::restore_original_env(&mut c);
        c.arg(self.dir.join(script))
            .env_remove("OPENBLAS_NUM_THREADS");
        if fw == Framework::NumpyBest {
            c.env_remove("OPENBLAS_CORETYPE")
                .env_remove("OPENBLAS_L2_SIZE");
        }
        if let Some(s) = &self.stubs {
            c.env("TORCH_CUDA_STUBS", s);
        }
        c
    }

    /// Whether the torch reference runs one tiny iteration.
    pub fn torch_works(&self) -> bool {
        self.command(Framework::Torch, "ref_torch.py")
            .args(["--model", "mlp", "--input-dim", "8", "--hidden", "8"])
            .args(["--iters", "1", "--warmup", "0"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// numpy's 1-thread sgemm GFLOP/s at its best (variables unset) at the
    /// shapes of `sgemm_peak.py` whose name contains `only` (none for a shape
    /// it does not know), keyed by (m, k, n), and the kernel it ran.
    pub fn numpy_best_sgemm(&self, only: &str) -> miette::Result<(Peaks, String)> {
        let out = self
            .command(Framework::NumpyBest, "sgemm_peak.py")
            .args(["--threads", "1", "--repeats", "3", "--min-time", "0.3"])
            .args(["--only", only])
            .output()
            .into_diagnostic()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut peaks = Vec::new();
        let mut kernel = String::new();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if v["bench"] == "sgemm" {
                let dim = |k: &str| v[k].as_u64().unwrap_or(0);
                let gf = v["gflops_best"].as_f64().unwrap_or(f64::NAN);
                peaks.push(((dim("m"), dim("k"), dim("n")), gf));
            } else if v["bench"] == "sgemm_info" {
                kernel = numpy_kernel(&v["backend_info"]["threadpool_info"]);
            }
        }
        if kernel.is_empty() {
            return Err(miette!(
                "sgemm_peak.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
        Ok((peaks, kernel))
    }
}

/// Runs `cmd`, times the whole process and reads its last JSON line.
pub fn finish(mut cmd: Command, what: &str) -> miette::Result<Finished> {
    let before = machine::snap();
    let start = Instant::now();
    let out = cmd.output().into_diagnostic()?;
    let wall = start.elapsed().as_secs_f64();
    let others = machine::others_cores(&before, &machine::snap());
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(miette!(
            "{what} reference failed: {}",
            err.lines().last().unwrap_or("")
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| miette!("{what} reference printed no JSON"))?;
    let json = serde_json::from_str(line).into_diagnostic()?;
    Ok(Finished { json, wall, others })
}

/// The sample of a microbench run: the reference's own timed loop.
pub fn timed_sample(fw: Framework, f: &Finished) -> miette::Result<Sample> {
    let eps = f.json["examples_per_sec"]
        .as_f64()
        .ok_or_else(|| miette!("{} reference JSON has no examples_per_sec", fw.label()))?;
    Ok(Sample {
        eps,
        seconds: f.json["seconds"].as_f64().unwrap_or(f64::NAN),
        kernel: kernel(fw, &f.json),
        library: library(fw, &f.json),
        others: f.others,
    })
}

/// The kernel a reference reports: numpy's OpenBLAS core (threadpoolctl
/// `architecture`); torch's MKL/oneDNN and the CPU capability its kernels
/// were dispatched for.
pub fn kernel(fw: Framework, json: &serde_json::Value) -> String {
    match fw {
        Framework::Torch => {
            let mut libs = Vec::new();
            if json["mkl"] == true {
                libs.push("MKL");
            }
            if json["mkldnn"] == true {
                libs.push("oneDNN");
            }
            format!(
                "{} {}",
                libs.join("+"),
                json["cpu_capability"].as_str().unwrap_or("?")
            )
        }
        _ => openblas(&json["blas"]).map_or("?".into(), |l| text(&l["architecture"])),
    }
}

/// The library behind a reference, e.g. `numpy 2.4.6 (openblas 0.3.31)`.
pub fn library(fw: Framework, json: &serde_json::Value) -> String {
    match fw {
        Framework::Torch => format!("torch {}", text(&json["torch"])),
        _ => format!(
            "numpy {} ({})",
            text(&json["numpy"]),
            openblas(&json["blas"]).map_or("no threadpoolctl".into(), |l| format!(
                "{} {}",
                text(&l["internal_api"]),
                text(&l["version"])
            ))
        ),
    }
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or("?").to_string()
}

/// threadpoolctl's entry for OpenBLAS (or the first BLAS it found).
fn openblas(blas: &serde_json::Value) -> Option<serde_json::Value> {
    let libs = blas.as_array()?;
    libs.iter()
        .find(|l| l["internal_api"] == "openblas")
        .or(libs.first())
        .cloned()
}

fn numpy_kernel(blas: &serde_json::Value) -> String {
    openblas(blas).map_or("? (no threadpoolctl)".into(), |l| {
        format!(
            "{} {} {}",
            text(&l["internal_api"]),
            text(&l["version"]),
            text(&l["architecture"])
        )
    })
}
