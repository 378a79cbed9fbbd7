//! `regime compare A B [--csv FILE]`: the summaries of two results
//! directories side by side with the difference B − A of every
//! (experiment, cell, arm) both hold (src/report/compare/).

use crate::report::compare::{self, CompareError, Side};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first results directory (A): the reference.
    pub a: PathBuf,
    /// The second results directory (B): differences are B − A.
    pub b: PathBuf,
    /// Also write the comparison as a tidy CSV to this file.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

fn side(dir: &std::path::Path) -> Result<Side, super::ExitCode> {
    let results = super::open_results(dir)?;
    Side::open(&results, dir.display().to_string()).map_err(|e| {
        eprintln!("{}", super::render_error(&e));
        1
    })
}

pub fn run(args: &Args) -> super::ExitCode {
    let (a, b) = match (side(&args.a), side(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let comparison = match compare::compare(&a, &b) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            return 1;
        }
    };
    print!("{}", compare::table::markdown(&comparison));
    if let Some(path) = &args.csv {
        let written = compare::table::csv(&comparison)
            .map_err(|e| crate::results::ResultsError::write(path, std::io::Error::other(e)))
            .and_then(|bytes| crate::results::write_user_file(path, &bytes));
        if let Err(e) = written {
            eprintln!("{}", super::render_error(&CompareError::from(e)));
            return 1;
        }
        eprintln!("comparison written to {}", path.display());
    }
    0
}
