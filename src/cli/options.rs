//! Options several commands share, defined once so that their names and
//! help read the same everywhere: the compile options of `plan` and `run`
//! (`--set`, `--seeds`, `--scale`; `check` takes `--set`), and `--quiet` /
//! `--verbose` of the commands that print progress.

/// `--set KEY=VALUE`, repeatable.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Set an experiment key as if the file said so, e.g. `--set seeds=5`,
    /// `--set 'network=mlp(64)'`, `--set 'checks=every 50 iters'`; in a file
    /// with several experiments, `--set EXPERIMENT.KEY=VALUE`. The value is
    /// .reg syntax, checked like the file. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The options that change the compiled plan, as `plan` and `run` take them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Compile {
    #[command(flatten)]
    pub overrides: Overrides,
    /// Override every experiment's `seeds` (wins over `--set seeds=...`).
    #[arg(long, value_name = "N")]
    pub seeds: Option<u32>,
    /// Multiply every duration written in iterations (`iters`, schedule
    /// lengths, `checks`, policy `every`) and every `subset` by F, e.g. 0.1
    /// for a quick look; durations in epochs stay as written. Default 1.
    #[arg(long, value_name = "F")]
    pub scale: Option<f64>,
}

/// How much progress a command prints. Each command words the help of
/// both for itself (`#[command(mut_arg(...))]` on its arguments).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Verbosity {
    /// Print no progress: only results, warnings and errors.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail.
    #[arg(long, short)]
    pub verbose: bool,
}

/// `Verbosity` as one of three levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Quiet,
    Normal,
    Verbose,
}

impl Verbosity {
    pub fn level(self) -> Level {
        match (self.quiet, self.verbose) {
            (true, _) => Level::Quiet,
            (false, true) => Level::Verbose,
            (false, false) => Level::Normal,
        }
    }
}
