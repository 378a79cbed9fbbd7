//! The `regime` command line: one file per subcommand. To add one, add a
//! variant to `Command` with its args struct and a match arm in `run`.

pub mod check;
pub mod explain;
pub mod fmt;
pub mod plan;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "regime",
    version,
    about = "Experiments on how regularization should change during training"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check .reg files and report every problem at once.
    Check(check::Args),
    /// Format .reg files in the canonical layout (comments kept).
    Fmt(fmt::Args),
    /// Print the compiled plan: every trial, fully resolved.
    Plan(plan::Args),
    /// Explain a diagnostic code, e.g. `regime explain unknown_metric`.
    Explain(explain::Args),
}

/// Exit code of a command: 0 ok, 1 problems found, 2 usage or I/O errors.
pub type ExitCode = i32;

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Fmt(a) => fmt::run(&a),
        Command::Plan(a) => plan::run(&a),
        Command::Explain(a) => explain::run(&a),
    }
}

/// Colour only for a terminal that wants it.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Width of rendered diagnostics.
pub const WIDTH: usize = 100;

/// The file can be read; otherwise prints why (the caller exits with 2).
pub fn readable(path: &std::path::Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => true,
        Ok(_) => {
            eprintln!("error: {} is not a file", path.display());
            false
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            false
        }
    }
}
