//! `regime report DIR`: rebuild the summary tables, the long-format CSVs
//! and the plots of a results directory without running anything.

use super::options::{Level, Verbosity};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("quiet", |a| a.help("The summary only (and warnings), no closing line")),
    mut_arg("verbose", |a| a.help("Also every file written"))
)]
pub struct Args {
    /// A results directory made by `regime run`.
    pub dir: PathBuf,
    #[command(flatten)]
    pub verbosity: Verbosity,
}

pub fn run(args: &Args) -> super::ExitCode {
    let results = match super::open_results(&args.dir) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let started = SystemTime::now();
    match crate::report::figures::write_report(&results) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", out.markdown);
            let level = args.verbosity.level();
            if level == Level::Verbose {
                for f in written_since(&args.dir, started) {
                    eprintln!("wrote {}", f.display());
                }
            }
            if level > Level::Quiet {
                eprintln!("summary and plots written in {}", args.dir.display());
            }
            0
        }
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            1
        }
    }
}

/// Files of `dir` and `dir/plots` modified since `since`, sorted: what the
/// report wrote (whatever outputs it has).
fn written_since(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [dir.to_path_buf(), dir.join("plots")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter(|e| {
            e.metadata()
                .is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t >= since))
        })
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".lock"))
        .collect();
    files.sort();
    files
}
