//! `regime fmt [--check] FILE...`: rewrite files in the canonical layout,
//! or with `--check` print what would change as a unified diff. The exit
//! code tells "not formatted" from "cannot be formatted" (see `EXIT_CODES`).

use std::path::{Path, PathBuf};

/// Exit codes of `regime fmt`, under `regime fmt --help` and in
/// docs/language.md.
const EXIT_CODES: &str = "\
Exit codes:
  0  every file is formatted (or was rewritten)
  1  --check: a file is not formatted (its diff is printed on stdout)
  2  a file cannot be read (missing, binary, not UTF-8)
  3  a file has syntax errors, so it cannot be formatted (diagnostics on stderr)
With several files the largest code applies.";

#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// Print what would change (a unified diff) instead of rewriting, and
    /// exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
    /// The .reg files to format (in place, or checked with --check).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Formatted = 0,
    NotFormatted = 1,
    Unreadable = 2,
    SyntaxErrors = 3,
}

pub fn run(args: &Args) -> super::ExitCode {
    let worst = args
        .files
        .iter()
        .map(|f| one(f, args.check))
        .max()
        .unwrap_or(Outcome::Formatted);
    worst as super::ExitCode
}

fn one(f: &Path, check: bool) -> Outcome {
    let name = f.to_string_lossy();
    let text = match crate::syntax::decode::read(f) {
        Ok(t) => t,
        Err(unreadable) => {
            let report = unreadable.report(&name);
            eprint!("{}", report.render(super::use_color(), super::WIDTH));
            return Outcome::Unreadable;
        }
    };
    let formatted = match crate::fmt::format_source(&name, &text) {
        Ok(s) => s,
        Err(report) => {
            eprint!("{}", report.render(super::use_color(), super::WIDTH));
            eprintln!("{name}: not formatted: syntax errors");
            return Outcome::SyntaxErrors;
        }
    };
    if formatted == text {
        return Outcome::Formatted;
    }
    if check {
        print!("{}", diff(&name, &text, &formatted));
        eprintln!("{name} is not formatted");
        return Outcome::NotFormatted;
    }
    match write(f, &formatted) {
        Ok(()) => Outcome::Formatted,
        Err(e) => {
            eprintln!("error: cannot write {name}: {e}");
            Outcome::Unreadable
        }
    }
}

/// What `fmt` would change, as a unified diff (`a/FILE` → `b/FILE`).
pub fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Replace the file's text atomically, through a symlink to its target,
/// keeping its permissions.
fn write(f: &Path, text: &str) -> Result<(), String> {
    let target = f.canonicalize().map_err(|e| e.to_string())?;
    let permissions = std::fs::metadata(&target).map(|m| m.permissions()).ok();
    crate::results::write_atomic(&target, text.as_bytes()).map_err(|e| e.to_string())?;
    if let Some(p) = permissions {
        std::fs::set_permissions(&target, p).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_diff_is_unified() {
        let d = super::diff("x.reg", "a\nb\n", "a\nc\n");
        assert!(
            d.starts_with("--- a/x.reg\n+++ b/x.reg\n@@ -1,2 +1,2 @@\n"),
            "{d}"
        );
        assert!(d.contains("-b\n+c\n"), "{d}");
    }
}
