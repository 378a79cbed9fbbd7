//! `regime report DIR`: rebuild the summary tables, the long-format CSVs
//! and the plots of a results directory without running anything.

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
    match crate::report::figures::write_report(&results) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", out.markdown);
            eprintln!("summary and plots written in {}", args.dir.display());
            0
        }
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            1
        }
    }
}
