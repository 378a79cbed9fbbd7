//! The `regime` binary: parse the command line, prepare OpenBLAS, run the
//! command, exit with its code (see `regime::cli`).

use clap::Parser;

/// OpenBLAS reads its kernel (`OPENBLAS_CORETYPE`) and starts its thread pool
/// (`OPENBLAS_NUM_THREADS`) when the library loads, before `main`. So `main`
/// decides both and re-executes this binary once with them set:
/// - `OPENBLAS_NUM_THREADS=1` always: regime never uses OpenBLAS's threads
///   (its GEMMs run single-threaded calls on tiles of its own, see
///   `engine::gemm`), so no command starts them, and none can spin in their
///   shutdown under a tight memory limit;
/// - for commands that compute, the self-tested kernel (`cli::blas`).
///
/// If the re-execution itself fails, regime goes on in this process.
/// `cli` is `None` when the command line does not parse (or asks for
/// `--help`/`--version`): the re-executed process prints that, so that even
/// then this process, whose OpenBLAS started threads, never exits itself.
#[cfg(unix)]
fn prepare_blas(cli: Option<&regime::cli::Cli>) {
    use regime::cli::blas;
    use std::os::unix::process::CommandExt;
    if blas::prepared() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg0(arg0).args(args);
    for v in blas::MANAGED_VARS {
        match std::env::var(v) {
            Ok(x) => cmd.env(format!("REGIME_ORIGINAL_{v}"), x),
            Err(_) => cmd.env(format!("REGIME_UNSET_{v}"), "1"),
        };
    }
    cmd.env("OPENBLAS_NUM_THREADS", "1");
    let reason = if let Some(cli) = cli.filter(|c| c.command.computes()) {
        match blas::choose(cli.blas_kernel.as_deref()) {
            Ok(choice) => {
                if let Some(kernel) = &choice.coretype {
                    cmd.env("OPENBLAS_CORETYPE", kernel);
                    cmd.env_remove("OPENBLAS_L2_SIZE");
                }
                choice.reason
            }
            Err(e) => {
                eprintln!("{}", regime::cli::render_error(&e));
                std::process::exit(2);
            }
        }
    } else {
        "no BLAS computation in this command".to_string()
    };
    cmd.env(blas::READY_VAR, blas::ready_value(&reason));
    // exec only returns on failure.
    let _ = cmd.exec();
}

fn main() {
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`regime plan x.reg | head`) instead of panicking on
    // a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal, before any
    // thread of ours is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(unix)]
    prepare_blas(regime::cli::Cli::try_parse().ok().as_ref());
    let cli = regime::cli::Cli::parse();
    std::process::exit(regime::cli::run(cli));
}
