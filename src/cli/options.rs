//! Options several commands share, defined once so that their names and
//! help read the same everywhere: the compile options of `plan` and `run`
//! (`--set`, `--seeds`, `--scale`; `check` takes `--set`), where a plan runs
//! (`--on`, of `check`, `plan` and `run`), and `--quiet` / `--verbose` of
//! the commands that print progress.

use crate::check::limits::Target;

/// `--on local|slurm`: where the plan runs. `run` runs it there; `check`,
/// `plan` and `run` hold it to that target's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum On {
    /// This machine.
    #[default]
    Local,
    /// A Slurm cluster, as a job array.
    Slurm,
}

impl On {
    /// The target whose limits the plan must fit.
    pub fn target(self) -> Target {
        match self {
            On::Local => Target::Local,
            On::Slurm => Target::Slurm,
        }
    }
}

/// `--on` for `check` and `plan`: the limits of where the plan will run.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Where {
    /// Check against the limits of where the plan will run: this machine
    /// (the default) or a Slurm cluster, as `regime run --on` runs it.
    #[arg(long, value_enum, default_value_t = On::Local)]
    pub on: On,
}

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
    /// Override every experiment's `seeds` (wins over `--set seeds=...`),
    /// within the same bounds as the key: 1 to 1,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=crate::check::settings::MAX_SEEDS as i64))]
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

/// A count of 1 or more (`--jobs`, `--threads`, `bench --repeats`): `--jobs
/// 0` used to mean 1 without saying so, and `bench --hidden 0` panicked.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Most units of a layer `bench` builds: 16,384 × 16,384 weights are 1 GiB
/// of f32 per matrix; `--hidden 100000000` aborted allocating 80 GB.
pub const MAX_BENCH_LAYER: usize = 16_384;

/// A layer size for `bench`: 1 to [`MAX_BENCH_LAYER`].
pub fn bench_layer(text: &str) -> Result<usize, String> {
    match at_least_one(text)? {
        n if n > MAX_BENCH_LAYER => Err(format!("must be at most {MAX_BENCH_LAYER}")),
        n => Ok(n),
    }
}

/// Seconds that can be waited for: finite and above 0.
pub fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        Ok(_) => Err("must be a number of seconds above 0".into()),
        Err(e) => Err(e.to_string()),
    }
}
