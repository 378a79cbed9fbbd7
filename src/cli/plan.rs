//! `regime plan FILE [--format yaml|json] [--set KEY=VALUE]... [--seeds N] [--scale F] [--on local|slurm] [--pilot DIR]`:
//! print the compiled plan; errors are rendered instead (exit 1). With
//! `--pilot DIR` the minimum detectable effects the plan would have, from
//! the SDs measured in the results directory DIR, go to stderr.

use crate::compile::compile;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .reg file to compile.
    pub file: PathBuf,
    /// `yaml` or `json`, to stdout.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,
    #[command(flatten)]
    pub compile: super::options::Compile,
    #[command(flatten)]
    pub on: super::options::Where,
    /// A pilot results directory: print the minimum detectable effect of
    /// every comparison from its SDs.
    #[arg(long)]
    pub pilot: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

pub fn run(args: &Args) -> super::ExitCode {
    let c = &args.compile;
    let opts = match super::compile_options(
        &args.file,
        c.seeds,
        c.scale.unwrap_or(1.0),
        c.overrides.set.clone(),
        args.on.on,
    ) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match compile(&args.file, &opts) {
        Ok(c) => {
            eprint!("{}", c.warnings.render(super::use_color(), super::WIDTH));
            if let Some(dir) = &args.pilot {
                let results = match super::open_results(dir) {
                    Ok(r) => r,
                    Err(code) => return code,
                };
                match crate::report::figures::summaries(&results) {
                    Ok(s) => eprint!("{}", crate::report::pilot::pilot_table(&c.plan, &s)),
                    Err(e) => {
                        eprintln!("{}", super::render_error(&e));
                        return 1;
                    }
                }
            }
            let text = match args.format {
                Format::Yaml => crate::plan::to_yaml(&c.plan),
                Format::Json => crate::plan::to_json(&c.plan),
            };
            match text {
                Ok(t) => {
                    println!("{t}");
                    0
                }
                Err(e) => {
                    eprintln!("error: cannot serialize the plan: {e}");
                    2
                }
            }
        }
        Err(report) => {
            eprint!("{}", report.render(super::use_color(), super::WIDTH));
            1
        }
    }
}
