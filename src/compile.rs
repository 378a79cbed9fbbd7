//! The driver: one way through the stages, with one options struct.
//!
//! ```text
//! text ──syntax──▶ ast ──check::imports──▶ Program ──check──▶ Vec<ExperimentPlan> + Diagnostics
//!                                                               │
//!                                                  compile ◀────┘  ──▶ plan::Plan (serializable)
//! ```
//!
//! `plan` holds only the serializable types; `check` builds its values and
//! never calls back; this module reads files, runs the stages in order and
//! assembles the `Plan`.

use crate::check::{self, imports};
use crate::diagnostics::Diagnostics;
use crate::plan::Plan;
use std::path::Path;

pub use crate::check::Options;

/// A compiled plan and the warnings found on the way.
#[derive(Debug)]
pub struct Compiled {
    pub plan: Plan,
    pub warnings: Diagnostics,
}

/// Check the file at `path` (reading it and its imports) with the default options.
pub fn check_path(path: &Path) -> Diagnostics {
    check_path_with(path, &Options::default())
}

/// Check the file at `path` with `options` (e.g. `--set` overrides).
pub fn check_path_with(path: &Path, options: &Options) -> Diagnostics {
    match run_path(path, options) {
        Ok((_, checked)) => checked.report,
        Err(report) => report,
    }
}

/// Check source text; `dir` is where relative imports are looked up.
pub fn check_source(name: &str, text: &str, dir: Option<&Path>) -> Diagnostics {
    run_source(name, text, dir, &Options::default()).report
}

/// A loaded program (syntax trees of the file and its imports) with its
/// check, for tools that need both: the language server's hover, outline and
/// navigation read the trees, its diagnostics the report.
pub struct Analyzed {
    pub program: imports::Program,
    pub checked: check::Checked,
}

/// Load and check source text (imports resolved in `dir`), keeping the trees.
pub fn analyze_source(name: &str, text: &str, dir: Option<&Path>, options: &Options) -> Analyzed {
    let program = imports::load(name, text, dir);
    let checked = check::check(&program, options);
    Analyzed { program, checked }
}

/// Read, check and compile the file at `path`. Any error gives the report
/// (with warnings too); warnings alone do not stop compilation.
pub fn compile(path: &Path, options: &Options) -> Result<Compiled, Diagnostics> {
    let (name, checked) = run_path(path, options)?;
    finish(name, checked, options)
}

/// Like `compile`, from text; relative imports are resolved in `dir`.
pub fn compile_source(
    name: &str,
    text: &str,
    dir: Option<&Path>,
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    finish(
        name.to_string(),
        run_source(name, text, dir, options),
        options,
    )
}

/// Syntax and check over the file at `path`; a file that cannot be read is
/// the report alone.
fn run_path(path: &Path, options: &Options) -> Result<(String, check::Checked), Diagnostics> {
    let name = path.to_string_lossy().to_string();
    match crate::syntax::decode::read(path) {
        Ok(text) => {
            let checked = run_source(&name, &text, path.parent(), options);
            Ok((name, checked))
        }
        Err(unreadable) => Err(unreadable.report(&name)),
    }
}

fn run_source(name: &str, text: &str, dir: Option<&Path>, options: &Options) -> check::Checked {
    let program = imports::load(name, text, dir);
    check::check(&program, options)
}

fn finish(
    source: String,
    checked: check::Checked,
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    if checked.report.has_errors() {
        return Err(checked.report);
    }
    Ok(Compiled {
        plan: Plan {
            source,
            source_hash: checked.source_hash,
            overrides: options.overrides.clone(),
            experiments: checked.experiments,
        },
        warnings: checked.report,
    })
}
