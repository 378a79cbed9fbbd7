//! Which OpenBLAS kernel regime runs, chosen safely and visibly.
//!
//! OpenBLAS picks its kernel when the library loads, from the CPU or from
//! `OPENBLAS_CORETYPE`. Some builds pick wrong kernels on some processors
//! (wrong results or crashes), which is why machines pin a conservative one
//! in the environment. regime trusts neither detection nor pin: before a
//! command that computes, every candidate kernel the CPU supports runs the
//! correctness self-test (`engine::selftest`: every BLAS routine regime
//! calls, against an f64 reference) in a child process, so an illegal
//! instruction or a crash costs only that child, and is timed. The fastest
//! kernel that passed is used; the result is cached per CPU model, flags and
//! library build, and the choice and its reason appear in the run header,
//! every trial record and `regime doctor`.
//!
//! A pin is honoured: `--blas-kernel NAME` (or `REGIME_BLAS_KERNEL=NAME`)
//! uses that kernel if it passes the self-test and refuses it otherwise;
//! `--blas-kernel env` keeps the environment's `OPENBLAS_CORETYPE` and
//! `OPENBLAS_L2_SIZE` exactly as they are, untested.

use crate::engine::selftest::SelfTest;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::Command;

/// The environment variable that carries the choice into the re-executed
/// process (and marks it as prepared).
pub const READY_VAR: &str = crate::engine::gemm::CHOICE_VAR;
/// A user's pin, as an environment variable (what `--blas-kernel` sets).
pub const PIN_VAR: &str = "REGIME_BLAS_KERNEL";
/// Bump when the self-test changes, so cached verdicts are redone.
const SELF_TEST_VERSION: u32 = 2;

/// One candidate kernel, as tested in a child process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The name asked for (`OPENBLAS_CORETYPE`).
    pub kernel: String,
    /// What OpenBLAS actually dispatched to (it falls back silently when a
    /// kernel does not fit the CPU); empty when the child died.
    pub dispatched: String,
    pub test: Option<SelfTest>,
    /// Single-thread GFLOP/s at 200×500×784.
    pub gflops: f64,
    /// Why it cannot be used, if it cannot.
    pub problem: Option<String>,
}

impl Candidate {
    pub fn usable(&self) -> bool {
        self.problem.is_none()
    }
}

/// The verdict for this machine, as cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    pub key: String,
    pub cpu: String,
    pub library: String,
    pub candidates: Vec<Candidate>,
}

impl Selection {
    /// The fastest usable candidate.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.usable())
            .max_by(|a, b| a.gflops.total_cmp(&b.gflops))
    }

    pub fn get(&self, kernel: &str) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.kernel.eq_ignore_ascii_case(kernel))
    }
}

/// `model name` and the SIMD flags of this CPU.
pub fn cpu_description() -> (String, Vec<String>) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let flags: Vec<String> = field("flags")
        .split_whitespace()
        .filter(|f| f.starts_with("avx") || *f == "fma" || f.starts_with("sse4"))
        .map(str::to_string)
        .collect();
    (field("model name"), flags)
}

/// The kernels worth testing on this CPU (OpenBLAS 0.3.x names).
pub fn candidates(flags: &[String]) -> Vec<String> {
    let has = |f: &str| flags.iter().any(|x| x == f);
    let mut out = Vec::new();
    if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        .iter()
        .all(|f| has(f))
    {
        out.push("SkylakeX");
    }
    if has("avx2") && has("fma") {
        out.extend(["Haswell", "Zen"]);
    }
    if has("avx") {
        out.push("Sandybridge");
    }
    if out.is_empty() {
        out.push("Prescott");
    }
    out.into_iter().map(str::to_string).collect()
}

/// Where regime keeps files worth keeping between runs (kernel verdicts,
/// the standard library for editors).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("REGIME_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("regime"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/regime"))
}

/// Runs the self-test of `kernel` in a child process of this binary.
fn test_in_child(kernel: &str) -> Candidate {
    let mut c = Candidate {
        kernel: kernel.to_string(),
        dispatched: String::new(),
        test: None,
        gflops: 0.0,
        problem: None,
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            c.problem = Some(format!("cannot find the regime binary: {e}"));
            return c;
        }
    };
    let out = Command::new(exe)
        .arg("blas-self-test")
        .env("OPENBLAS_CORETYPE", kernel)
        .env_remove("OPENBLAS_L2_SIZE")
        .env("OPENBLAS_NUM_THREADS", "1")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            c.problem = Some(format!("cannot start the self-test: {e}"));
            return c;
        }
    };
    if !out.status.success() {
        c.problem = Some(match out.status.code() {
            Some(code) => format!("the self-test exited with {code}"),
            None => {
                "the self-test crashed (killed by a signal, e.g. an illegal instruction)".into()
            }
        });
        return c;
    }
    #[derive(Deserialize)]
    struct Report {
        dispatched: String,
        test: SelfTest,
        gflops: f64,
    }
    match serde_json::from_slice::<Report>(&out.stdout) {
        Ok(r) => {
            c.dispatched = r.dispatched;
            c.gflops = r.gflops;
            if !r.test.passed {
                c.problem = Some(format!(
                    "wrong results: {}",
                    r.test.failure.clone().unwrap_or_default()
                ));
            } else if !c.dispatched.eq_ignore_ascii_case(kernel) {
                c.problem = Some(format!("OpenBLAS ran {} instead", c.dispatched));
            }
            c.test = Some(r.test);
        }
        Err(e) => c.problem = Some(format!("unreadable self-test report: {e}")),
    }
    c
}

/// The body of the hidden `blas-self-test` command: the report as JSON.
pub fn self_test_report() -> String {
    let test = crate::engine::selftest::run();
    let gflops = if test.passed {
        crate::engine::selftest::gflops(200, 500, 784, 0.3)
    } else {
        0.0
    };
    serde_json::json!({
        "dispatched": crate::engine::blas_core(),
        "test": test,
        "gflops": gflops,
    })
    .to_string()
}

/// The selection for this machine: from the cache, or by testing every
/// candidate (once per machine; concurrent processes wait for the first).
pub fn selection(refresh: bool) -> Selection {
    let (cpu, flags) = cpu_description();
    // The build, without the kernel it happens to run now.
    let library = crate::engine::blas_config()
        .replace(&crate::engine::blas_core(), "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let key = crate::results::sha256_hex(
        format!("{SELF_TEST_VERSION}|{cpu}|{}|{library}", flags.join(" ")).as_bytes(),
    )[..16]
        .to_string();
    let dir = cache_dir();
    let file = dir.as_ref().map(|d| d.join(format!("blas-{key}.json")));
    let _lock = dir.as_ref().and_then(|d| lock_cache(d));
    if !refresh {
        if let Some(cached) = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<Selection>(&b).ok())
        {
            return cached;
        }
    }
    let mut kernels = candidates(&flags);
    if let Ok(env) = std::env::var("OPENBLAS_CORETYPE") {
        if !kernels.iter().any(|k| k.eq_ignore_ascii_case(&env)) {
            kernels.push(env);
        }
    }
    let sel = Selection {
        key,
        cpu,
        library,
        candidates: kernels.iter().map(|k| test_in_child(k)).collect(),
    };
    if let (Some(f), Ok(json)) = (file, serde_json::to_vec_pretty(&sel)) {
        // A cache that cannot be written only means testing again next time.
        let _ = crate::results::write_atomic(&f, &json);
    }
    sel
}

/// Serialises the first selection on a machine (a blocking lock on the
/// cache directory); `None` when there is no cache directory to lock.
fn lock_cache(dir: &std::path::Path) -> Option<std::fs::File> {
    use std::os::unix::io::AsRawFd;
    std::fs::create_dir_all(dir).ok()?;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("blas.lock"))
        .ok()?;
    // SAFETY: flock on a file we own; released when it is dropped.
    (unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } == 0).then_some(f)
}

/// A pinned kernel that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the pinned BLAS kernel {kernel} cannot be used on this machine: {problem}")]
#[diagnostic(
    code(regime::blas_kernel),
    help("pin a kernel that passes (`regime doctor` lists them), or drop --blas-kernel / REGIME_BLAS_KERNEL to let regime choose; `--blas-kernel env` keeps the environment's OPENBLAS_CORETYPE untested")
)]
pub struct PinFailed {
    pub kernel: String,
    pub problem: String,
}

/// How the re-executed process is to run OpenBLAS.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// `OPENBLAS_CORETYPE` to set (and `OPENBLAS_L2_SIZE` to drop), or
    /// `None` to keep the environment as it is.
    pub coretype: Option<String>,
    /// One line for the run header, the records and `doctor`.
    pub reason: String,
}

/// Decides the kernel: a pin if given (self-tested unless `env`), else the
/// fastest kernel that passed.
pub fn choose(pin: Option<&str>) -> Result<Choice, PinFailed> {
    let env = std::env::var("OPENBLAS_CORETYPE").ok();
    if pin.is_some_and(|p| p.eq_ignore_ascii_case("env")) {
        return Ok(Choice {
            coretype: None,
            reason: format!(
                "{} from the environment, kept as pinned (--blas-kernel env), not self-tested",
                env.as_deref().unwrap_or("OpenBLAS's own detection")
            ),
        });
    }
    let sel = selection(false);
    if let Some(pin) = pin {
        let c = sel.get(pin).cloned().unwrap_or_else(|| test_in_child(pin));
        return match &c.problem {
            None => Ok(Choice {
                coretype: Some(c.kernel.clone()),
                reason: format!(
                    "{} pinned by --blas-kernel; self-test passed ({:.0} GFLOP/s)",
                    c.kernel, c.gflops
                ),
            }),
            Some(problem) => Err(PinFailed {
                kernel: pin.to_string(),
                problem: problem.clone(),
            }),
        };
    }
    let Some(best) = sel.best() else {
        return Ok(Choice {
            coretype: None,
            reason: "no candidate kernel passed the self-test; OpenBLAS's own choice as the environment sets it".into(),
        });
    };
    let others: Vec<String> = sel
        .candidates
        .iter()
        .filter(|c| c.kernel != best.kernel)
        .map(|c| match &c.problem {
            None => format!("{} {:.0}", c.kernel, c.gflops),
            Some(_) => format!("{} failed", c.kernel),
        })
        .collect();
    let mut reason = format!(
        "{}: fastest kernel that passed the self-test ({:.0} GFLOP/s; {})",
        best.kernel,
        best.gflops,
        others.join(", ")
    );
    if let Some(e) = env.filter(|e| !e.eq_ignore_ascii_case(&best.kernel)) {
        reason.push_str(&format!(
            "; the environment's OPENBLAS_CORETYPE={e} is replaced by this self-tested kernel"
        ));
    }
    Ok(Choice {
        coretype: Some(best.kernel.clone()),
        reason,
    })
}

pub use crate::engine::gemm::MANAGED_VARS;

/// The value of `READY_VAR` for this process: its pid (kept across `exec`,
/// different in any child, which must choose for itself) and the reason.
pub fn ready_value(reason: &str) -> String {
    format!("{}:{reason}", std::process::id())
}

/// True when `main` already prepared this very process.
pub fn prepared() -> bool {
    std::env::var(READY_VAR)
        .ok()
        .and_then(|v| v.split_once(':').map(|(pid, _)| pid.to_string()))
        .is_some_and(|pid| pid == std::process::id().to_string())
}

/// The choice this process runs under (set by `main` before re-executing).
pub fn current_choice() -> String {
    crate::engine::blas_choice()
}

pub use crate::engine::gemm::restore_original_env;
