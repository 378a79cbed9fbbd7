//! `regime status DIR`: per trial done / running / pending / failed, from the
//! result files and Slurm's queue; for a local run (no `slurm/`), done or
//! missing.

use crate::run::slurm::{self, TrialState};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A results directory made by `regime run`.
    pub dir: PathBuf,
}

pub fn run(args: &Args) -> super::ExitCode {
    let results = match super::open_results(&args.dir) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let plan = match results.plan() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            return 1;
        }
    };
    let states = slurm::status(&results, &plan);
    let mut counts = std::collections::BTreeMap::new();
    for (id, state) in &states {
        *counts.entry(state.label()).or_insert(0usize) += 1;
        println!("{id}\t{}", state.label());
        match state {
            TrialState::Failed { log_tail } => {
                for line in log_tail.lines() {
                    println!("    | {line}");
                }
            }
            TrialState::Damaged { why } => println!("    | {why}"),
            _ => {}
        }
    }
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!("{} trials: {}", states.len(), parts.join(", "));
    let missing = counts.get("missing").copied().unwrap_or(0);
    if missing > 0 {
        eprintln!(
            "a local run with {missing} trials still to run; continue it with `regime run {} --resume {}`",
            plan.source,
            args.dir.display()
        );
    }
    0
}
