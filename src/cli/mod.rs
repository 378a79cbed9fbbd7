//! The `regime` command line: one file per subcommand. To add one, add a
//! variant to `Command` with its args struct and a match arm in `run`.

#[cfg(feature = "bench")]
pub mod bench;
pub mod blas;
pub mod check;
pub mod compare;
pub mod completions;
pub mod doctor;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod lsp;
pub mod options;
pub mod plan;
pub mod report;
pub mod run;
pub mod run_trial;
pub mod slurm;
pub mod status;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "regime",
    version,
    about = "Experiments on how regularization should change during training",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Pin the OpenBLAS kernel (e.g. `Haswell`, `SkylakeX`; still
    /// self-tested), or `env` to keep OPENBLAS_CORETYPE as the environment
    /// sets it. Default: the fastest kernel that passes the self-test.
    #[arg(long, global = true, env = "REGIME_BLAS_KERNEL")]
    pub blas_kernel: Option<String>,
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
    /// Run every trial of a file (here, or as a Slurm job array) and summarise.
    Run(run::Args),
    /// Rebuild the summary tables and plots of a results directory.
    Report(report::Args),
    /// Compare two results directories: each summary and the difference B − A.
    Compare(compare::Args),
    /// Export finished trials to TensorBoard event files or an MLflow server.
    Export(export::Args),
    /// Run one trial of a results directory (what a Slurm array task does).
    RunTrial(run_trial::Args),
    /// Show which trials of a results directory are done, running, pending or failed.
    Status(status::Args),
    /// Time the trainer against the numpy and PyTorch references.
    #[cfg(feature = "bench")]
    Bench(bench::Args),
    /// Show the BLAS library, the candidate kernels with their self-test
    /// and speed, the kernel in use and why, threads and environment.
    Doctor(doctor::Args),
    /// Serve the language server protocol on stdin and stdout (for editors:
    /// docs/editors.md).
    Lsp,
    /// Print a shell completion script: `regime completions bash > /etc/bash_completion.d/regime`.
    Completions(completions::Args),
    /// Print the man page (roff): `regime man > regime.1`.
    Man,
    /// The BLAS correctness self-test of this process's kernel, as JSON
    /// (what `doctor` and kernel selection run in a child process).
    #[command(hide = true)]
    BlasSelfTest,
}

impl Command {
    /// Commands that compute with BLAS (and so get a self-tested kernel).
    pub fn computes(&self) -> bool {
        match self {
            Command::Run(a) => a.on == run::On::Local,
            Command::RunTrial(_) | Command::Doctor(_) => true,
            #[cfg(feature = "bench")]
            Command::Bench(_) => true,
            Command::Check(_)
            | Command::Fmt(_)
            | Command::Plan(_)
            | Command::Explain(_)
            | Command::Report(_)
            | Command::Compare(_)
            | Command::Export(_)
            | Command::Status(_)
            | Command::Completions(_)
            | Command::Lsp
            | Command::Man
            | Command::BlasSelfTest => false,
        }
    }
}

/// The environment variables and exit codes, under `regime --help`.
const AFTER_HELP: &str = "\
Environment:
  REGIME_DATA           where fashion_mnist(...) without `path` looks first (an error if it lacks the files)
  REGIME_BLAS_KERNEL    pin the OpenBLAS kernel (like --blas-kernel)
  REGIME_CACHE_DIR      where kernel self-test verdicts are cached (default ~/.cache/regime)
  MLFLOW_TRACKING_URI   the tracking server of `regime export --to mlflow` (like --tracking-uri)
  OPENBLAS_CORETYPE     replaced by a self-tested kernel unless --blas-kernel env (see `regime doctor`)
  NO_COLOR              no colour in diagnostics
  SLURM_CPUS_PER_TASK   threads of a Slurm array task (run-trial)

Exit codes:
  0    success
  1    problems found (diagnostics), or a run or report failed
  2    usage error, unreadable file, or a refused --blas-kernel pin
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP): finished trials are kept; resume with --resume";

/// Exit code of a command: 0 ok, 1 problems found, 2 usage or I/O errors.
pub type ExitCode = i32;

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Fmt(a) => fmt::run(&a),
        Command::Plan(a) => plan::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Compare(a) => compare::run(&a),
        Command::Export(a) => export::run(&a),
        Command::RunTrial(a) => run_trial::run(&a),
        Command::Status(a) => status::run(&a),
        Command::Doctor(a) => doctor::run(&a),
        Command::Completions(a) => completions::run(&a),
        Command::Lsp => lsp::run(),
        Command::Man => completions::man(),
        Command::BlasSelfTest => {
            println!("{}", blas::self_test_report());
            0
        }
        #[cfg(feature = "bench")]
        Command::Bench(a) => bench::run(&a),
    }
}

/// Colour only for a terminal that wants it.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Width of rendered diagnostics.
pub const WIDTH: usize = 100;

/// A runtime error (results, data, engine, Slurm) rendered like the checker's.
pub fn render_error(e: &dyn miette::Diagnostic) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if use_color() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    if GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .render_report(&mut out, e)
        .is_err()
    {
        out = e.to_string();
    }
    out
}

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

/// The largest `--scale`: it multiplies counts written up to 1e9, so every
/// scaled count stays far inside u64 (past it, counts saturated and the
/// messages about them showed 18446744073709551615).
pub const MAX_SCALE: f64 = 1e6;

/// Validates the options shared by `plan` and `run` (as given, or as a
/// resumed run recorded them); prints why not (exit 2).
pub fn compile_options(
    file: &std::path::Path,
    seeds: Option<u32>,
    scale: f64,
    overrides: Vec<String>,
    on: options::On,
) -> Result<crate::compile::Options, ExitCode> {
    if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE) {
        eprintln!(
            "error: --scale must be a positive number at most {MAX_SCALE} (it multiplies \
             iteration counts of up to 1e9), found {scale}"
        );
        return Err(2);
    }
    if !readable(file) {
        return Err(2);
    }
    Ok(crate::compile::Options {
        seeds,
        scale,
        overrides,
        target: on.target(),
    })
}

/// Opens a results directory; prints why not (exit 1).
pub fn open_results(dir: &std::path::Path) -> Result<crate::results::ResultsDir, ExitCode> {
    crate::results::ResultsDir::open(dir.to_path_buf()).map_err(|e| {
        eprintln!("{}", render_error(&e));
        1
    })
}
