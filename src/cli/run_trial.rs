//! `regime run-trial DIR --index N`: run one trial of a results directory
//! (what a Slurm array task does) and write its record.

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A results directory made by `regime run --on slurm`.
    pub dir: PathBuf,
    /// Trial index in plan order, from 0.
    #[arg(long)]
    pub index: usize,
}

pub fn run(args: &Args) -> super::ExitCode {
    match crate::run::task::run_one(&args.dir, args.index) {
        Ok(rec) => {
            eprintln!(
                "{}: {} after {} iterations",
                rec.key.id,
                rec.status.label(),
                rec.iters
            );
            0
        }
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            1
        }
    }
}
