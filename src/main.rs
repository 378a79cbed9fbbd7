//! The `regime` binary: parse the command line, run the command, exit with
//! its code (see `regime::cli`).

use clap::Parser;

fn main() {
    let cli = regime::cli::Cli::parse();
    std::process::exit(regime::cli::run(cli));
}
