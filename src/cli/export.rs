//! `regime export DIR --to tensorboard [--out PATH]` and
//! `regime export DIR --to mlflow --tracking-uri URI [--experiment NAME]`:
//! the finished trials of a results directory as TensorBoard event files or
//! MLflow runs (src/report/export/).

use crate::report::export::{mlflow, tensorboard, ExportError, Target};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A results directory made by `regime run`.
    pub dir: PathBuf,
    /// Where to: `tensorboard` (event files) or `mlflow` (a tracking server).
    #[arg(long = "to", value_name = "TARGET")]
    pub to: String,
    /// tensorboard: the log directory to write (default: DIR/tensorboard).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// mlflow: the tracking server, e.g. http://127.0.0.1:5000.
    #[arg(long, env = "MLFLOW_TRACKING_URI")]
    pub tracking_uri: Option<String>,
    /// mlflow: the MLflow experiment to log into (default: the results
    /// directory's name); created when missing.
    #[arg(long)]
    pub experiment: Option<String>,
}

/// An option that belongs to the other target.
fn misplaced(option: &str, target: &str) -> ExportError {
    ExportError::Target {
        message: format!("{option} does not apply to --to {target}"),
        help: "--out is for tensorboard; --tracking-uri and --experiment are for mlflow".into(),
    }
}

fn export(args: &Args, results: &crate::results::ResultsDir) -> Result<String, ExportError> {
    match Target::parse(&args.to)? {
        Target::TensorBoard => {
            if args.experiment.is_some() {
                return Err(misplaced("--experiment", "tensorboard"));
            }
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| tensorboard::default_out(results));
            let w = tensorboard::export(results, &out)?;
            Ok(format!(
                "{} runs written to {}; view them with `tensorboard --logdir {}`",
                w.runs,
                w.dir.display(),
                w.dir.display()
            ))
        }
        Target::MlFlow => {
            if args.out.is_some() {
                return Err(misplaced("--out", "mlflow"));
            }
            let Some(uri) = &args.tracking_uri else {
                return Err(ExportError::Target {
                    message: "--to mlflow needs the tracking server's address".into(),
                    help: "pass --tracking-uri http://HOST:PORT (or set MLFLOW_TRACKING_URI)"
                        .into(),
                });
            };
            let name = args.experiment.clone().unwrap_or_else(|| {
                let root = std::fs::canonicalize(&results.root).unwrap_or(results.root.clone());
                root.file_name()
                    .map_or("regime".into(), |n| n.to_string_lossy().into_owned())
            });
            let e = mlflow::export(results, uri, &name)?;
            Ok(format!(
                "{} runs exported to MLflow experiment `{}` (id {}) at {uri}{}",
                e.created,
                e.experiment,
                e.experiment_id,
                if e.skipped > 0 {
                    format!("; {} already there, skipped", e.skipped)
                } else {
                    String::new()
                }
            ))
        }
    }
}

pub fn run(args: &Args) -> super::ExitCode {
    let results = match super::open_results(&args.dir) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match export(args, &results) {
        Ok(msg) => {
            eprintln!("{msg}");
            0
        }
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            1
        }
    }
}
