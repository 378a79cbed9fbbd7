//! `regime fmt [--check] FILE...`: rewrite files in the canonical layout, or
//! with `--check` only report which ones differ (exit 1).

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report files that are not formatted instead of rewriting them.
    #[arg(long)]
    pub check: bool,
    /// The .reg files to format (in place, or checked with --check).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> super::ExitCode {
    let mut code = 0;
    for f in &args.files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", f.display());
                code = 2;
                continue;
            }
        };
        let formatted = match crate::fmt::format_source(&f.to_string_lossy(), &text) {
            Ok(s) => s,
            Err(report) => {
                eprint!("{}", report.render(super::use_color(), super::WIDTH));
                code = code.max(1);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if args.check {
            eprintln!("{} is not formatted", f.display());
            code = code.max(1);
        } else if let Err(e) = std::fs::write(f, formatted) {
            eprintln!("error: cannot write {}: {e}", f.display());
            code = 2;
        }
    }
    code
}
