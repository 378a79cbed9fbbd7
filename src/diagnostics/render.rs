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
    /// For a problem inside a definition: the call that supplied the values.
    pub context: Option<CallSite>,
}

/// Where a definition was used, e.g. `two_layer(hidden: 0)` in an experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    pub file: FileId,
    pub offset: usize,
    pub len: usize,
    /// What to say at the call, e.g. `with two_layer(hidden: 0)`.
    pub call: String,
}

impl Located {
    pub fn new(file: FileId, diagnostic: Diagnostic) -> Located {
        Located {
            file,
            diagnostic: diagnostic.with_default_help(),
            context: None,
        }
    }
}

/// Everything one check found, with the sources needed to show it.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub sources: Sources,
    pub diagnostics: Vec<Located>,
}

impl Diagnostics {
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
            let key = (
                d.file,
                format!("{:?}", d.diagnostic),
                format!("{:?}", d.context),
            );
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
                context: d.context.as_ref().map(|c| self.context_note(d.file, c)),
                src: ScalarColumns(NamedSource::new(
                    self.sources.name(d.file),
                    self.sources.text(d.file).to_string(),
                )),
            };
            if handler.render_report(&mut out, &with).is_err() {
                out.push_str(&format!("{}\n", d.diagnostic));
            }
        }
        out
    }

    /// A label on the call site when it is in the same file, else a note.
    fn context_note(&self, file: FileId, c: &CallSite) -> Context {
        if c.file == file {
            Context::Label(miette::LabeledSpan::new(
                Some(c.call.clone()),
                c.offset,
                c.len,
            ))
        } else {
            let (line, col) = self.sources.line_col(c.file, c.offset);
            Context::Note(format!(
                "note: {} at {}:{line}:{col}",
                c.call,
                self.sources.name(c.file)
            ))
        }
    }
}

enum Context {
    Label(miette::LabeledSpan),
    Note(String),
}

/// A diagnostic borrowed together with its source text, for miette.
struct WithSource<'a> {
    diag: &'a Diagnostic,
    context: Option<Context>,
    src: ScalarColumns,
}

/// A file for miette whose columns count Unicode scalar values: miette
/// counts bytes, and the `[file:line:column]` header should say the same
/// column as `--format json` (docs/language.md, "Positions").
struct ScalarColumns(NamedSource<String>);

impl miette::SourceCode for ScalarColumns {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.0.read_span(span, before, after)?;
        let text = self.0.inner().as_str();
        let start = inner.span().offset().min(text.len());
        let before_start = text.get(..start).unwrap_or("");
        let line_start = before_start.rfind('\n').map_or(0, |i| i + 1);
        let column = before_start[line_start..].chars().count();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
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
        let note = match &self.context {
            Some(Context::Note(n)) => Some(n.clone()),
            _ => None,
        };
        match (self.diag.help().map(|h| h.to_string()), note) {
            (Some(h), Some(n)) => Some(Box::new(format!("{h}\n{n}"))),
            (Some(h), None) => Some(Box::new(h)),
            (None, Some(n)) => Some(Box::new(n)),
            (None, None) => None,
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let extra = match &self.context {
            Some(Context::Label(l)) => Some(l.clone()),
            _ => None,
        };
        let own = self.diag.labels().into_iter().flatten();
        Some(Box::new(own.chain(extra)))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
}
