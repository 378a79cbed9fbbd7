//! The `regime` binary: parse the command line, run the command, exit with
//! its code (see `regime::cli`).

use clap::Parser;

/// OpenBLAS starts its own thread pool when the library is loaded, before
/// `main`, sized by `OPENBLAS_NUM_THREADS`. regime never uses those threads
/// (its GEMMs run single-threaded OpenBLAS calls on tiles of its own, see
/// `engine::gemm`), so the process re-executes itself once with
/// `OPENBLAS_NUM_THREADS=1`: no command starts BLAS threads, and none can
/// spin in their shutdown under a tight memory limit. If the re-execution
/// fails, regime goes on in this process (OpenBLAS's threads stay idle).
#[cfg(unix)]
fn without_blas_threads() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OPENBLAS_NUM_THREADS").is_some_and(|v| v == "1") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // exec only returns on failure.
    let _ = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env("OPENBLAS_NUM_THREADS", "1")
        .exec();
}

fn main() {
    #[cfg(unix)]
    without_blas_threads();
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`regime plan x.reg | head`) instead of panicking on
    // a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal, before any
    // thread of ours is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = regime::cli::Cli::parse();
    std::process::exit(regime::cli::run(cli));
}
