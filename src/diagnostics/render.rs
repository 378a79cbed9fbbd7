//! Rendering a batch of diagnostics: miette's graphical report for people,
//! JSON for editors. Sorting and de-duplication happen here so every caller
//! reports "all errors at once, by position".

use super::Diagnostic;
use crate::source::{FileId, Sources};
use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
use std::fmt;

/// A diagnostic and the file its spans point into.
#[derive(Debug, Clone)]
pub struct Located {
    pub file: FileId,
    pub diagnostic: Diagnostic,
}

/// Everything one check found, with the sources needed to show it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub sources: Sources,
    pub diagnostics: Vec<Located>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.is_error())
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.diagnostic.is_error())
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Sort by file and position and drop exact repeats (the same problem is
    /// found once per cell of an experiment).
    pub fn normalize(&mut self) {
        self.diagnostics
            .sort_by_key(|d| (d.file, d.diagnostic.offset(), d.diagnostic.code_name()));
        let mut seen = std::collections::HashSet::new();
        self.diagnostics.retain(|d| {
            let key = (d.file, format!("{:?}", d.diagnostic));
            seen.insert(key)
        });
    }

    /// Every diagnostic rendered by miette; `color` off gives stable text.
    pub fn render(&self, color: bool, width: usize) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false);
        let mut out = String::new();
        for d in &self.diagnostics {
            let with = WithSource {
                diag: &d.diagnostic,
                src: NamedSource::new(
                    self.sources.name(d.file),
                    self.sources.text(d.file).to_string(),
                ),
            };
            if handler.render_report(&mut out, &with).is_err() {
                out.push_str(&format!("{}\n", d.diagnostic));
            }
        }
        out
    }

    /// Machine-readable diagnostics for editors: one object per diagnostic.
    pub fn to_json(&self) -> serde_json::Value {
        use miette::Diagnostic as _;
        let items: Vec<serde_json::Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let diag = &d.diagnostic;
                let labels: Vec<serde_json::Value> = diag
                    .labels()
                    .into_iter()
                    .flatten()
                    .map(|l| {
                        let (line, column) = self.sources.line_col(d.file, l.offset());
                        serde_json::json!({
                            "message": l.label(),
                            "start": l.offset(),
                            "end": l.offset() + l.len(),
                            "line": line,
                            "column": column,
                        })
                    })
                    .collect();
                let (line, column) = self.sources.line_col(d.file, diag.offset());
                serde_json::json!({
                    "code": format!("regime::{}", diag.code_name()),
                    "severity": if diag.is_error() { "error" } else { "warning" },
                    "message": diag.to_string(),
                    "file": self.sources.name(d.file),
                    "line": line,
                    "column": column,
                    "labels": labels,
                    "help": diag.help().map(|h| h.to_string()),
                })
            })
            .collect();
        serde_json::Value::Array(items)
    }
}

/// A diagnostic borrowed together with its source text, for miette.
struct WithSource<'a> {
    diag: &'a Diagnostic,
    src: NamedSource<String>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.diag, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.diag.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
}
