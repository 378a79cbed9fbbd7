//! `regime check FILE... [--format human|json] [--set KEY=VALUE]...
//! [--on local|slurm]`: exit 1 on any error, 2 when a file cannot be read (in
//! JSON, an error object without a position). Overrides and the target apply
//! to every file.

use crate::compile::{check_path_with, Options};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// `human` (rendered, to stderr) or `json` (one array per file, to stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub overrides: super::options::Overrides,
    #[command(flatten)]
    pub on: super::options::Where,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(args: &Args) -> super::ExitCode {
    let mut failed = false;
    let mut all = vec![];
    let mut unreadable = false;
    let options = Options {
        overrides: args.overrides.set.clone(),
        target: args.on.on.target(),
        ..Options::default()
    };
    for f in &args.files {
        if !super::readable(f) {
            unreadable = true;
            if args.format == Format::Json {
                let reason = match std::fs::metadata(f) {
                    Ok(_) => "not a file".to_string(),
                    Err(e) => e.to_string(),
                };
                all.push(crate::diagnostics::Diagnostics::unreadable_json(
                    &f.to_string_lossy(),
                    &reason,
                ));
            }
            continue;
        }
        let report = check_path_with(f, &options);
        failed |= report.has_errors();
        match args.format {
            Format::Human => {
                eprint!("{}", report.render(super::use_color(), super::WIDTH));
                let (e, w) = (report.error_count(), report.warning_count());
                if e == 0 && w == 0 {
                    eprintln!("{}: ok", f.display());
                } else {
                    eprintln!(
                        "{}: {e} error{}, {w} warning{}",
                        f.display(),
                        if e == 1 { "" } else { "s" },
                        if w == 1 { "" } else { "s" }
                    );
                }
            }
            Format::Json => {
                if let serde_json::Value::Array(items) = report.to_json() {
                    all.extend(items);
                }
            }
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::Value::Array(all)).unwrap_or_default()
        );
    }
    if unreadable {
        return 2;
    }
    i32::from(failed)
}
