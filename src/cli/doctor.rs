//! `regime doctor`: what regime computes with on this machine — the BLAS
//! library and version, every candidate kernel with its self-test verdict
//! and measured GFLOP/s, the kernel in use and why, threads, and the
//! environment variables that matter.

use super::blas;
use crate::results::Build;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run the self-tests again instead of reading the cached verdict.
    #[arg(long)]
    pub refresh: bool,
}

const VARS: &[&str] = &[
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    blas::PIN_VAR,
    "REGIME_CACHE_DIR",
    "REGIME_DATA",
    "SLURM_CPUS_PER_TASK",
];

pub fn run(args: &Args) -> super::ExitCode {
    let (cpu, flags) = blas::cpu_description();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{}", Build::current().label());
    println!("CPU: {cpu} ({cores} cores available to this process)");
    println!("SIMD flags: {}", flags.join(" "));
    println!("BLAS library: {}", crate::engine::blas_config());
    println!("kernel in use: {}", crate::engine::blas_core());
    println!("convolutions: {}", crate::engine::conv_path());
    println!("  why: {}", blas::current_choice());
    println!(
        "threads: OpenBLAS {} (always 1); a trial's matrix products use `--threads` (default cores / jobs), with bit-identical results",
        crate::engine::blas_threads()
    );
    println!("environment (as regime was started):");
    for v in VARS {
        let shown = if std::env::var_os(format!("REGIME_UNSET_{v}")).is_some() {
            "(unset)".to_string()
        } else {
            std::env::var(format!("REGIME_ORIGINAL_{v}"))
                .or_else(|_| std::env::var(v))
                .unwrap_or_else(|_| "(unset)".into())
        };
        println!("  {v}={shown}");
    }
    let sel = blas::selection(args.refresh);
    println!(
        "candidate kernels (self-test in a child process; cache key {}):",
        sel.key
    );
    println!(
        "  {:<12} {:<12} {:>10} {:>12} {:>14}",
        "kernel", "dispatched", "verdict", "max rel err", "GFLOP/s (1 th)"
    );
    let best = sel.best().map(|c| c.kernel.clone());
    for c in &sel.candidates {
        let verdict = match &c.problem {
            None => "passed".to_string(),
            Some(_) => "REFUSED".to_string(),
        };
        let err = c
            .test
            .as_ref()
            .map_or("–".into(), |t| format!("{:.1e}", t.max_rel_error));
        let mark = if best.as_deref() == Some(c.kernel.as_str()) {
            "  ← fastest"
        } else {
            ""
        };
        println!(
            "  {:<12} {:<12} {:>10} {:>12} {:>14.1}{mark}",
            c.kernel, c.dispatched, verdict, err, c.gflops
        );
        if let Some(p) = &c.problem {
            println!("      {p}");
        }
    }
    0
}
