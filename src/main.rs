//! The `regime` binary: parse the command line, run the command, exit with
//! its code (see `regime::cli`).

use clap::Parser;

fn main() {
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`regime plan x.reg | head`) instead of panicking on
    // a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = regime::cli::Cli::parse();
    std::process::exit(regime::cli::run(cli));
}
