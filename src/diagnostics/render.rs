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
    /// Further uses of the definition where the same mistake showed: one
    /// diagnostic per mistake, with a label at each use (see `once.rs`).
    pub uses: Vec<CallSite>,
    /// Further places (offset, length) in the same file that one bad value
    /// reaches, e.g. a parameter used by two layers.
    pub also: Vec<(usize, usize)>,
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
            uses: vec![],
            also: vec![],
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

    /// Sort by file and position, one diagnostic per mistake (a mistake
    /// found again, e.g. once per cell of an experiment, adds its use to the
    /// first finding: see `once.rs`).
    pub fn normalize(&mut self) {
        let mut kept: Vec<Located> = Vec::with_capacity(self.diagnostics.len());
        for d in std::mem::take(&mut self.diagnostics) {
            if !super::once::fold(&mut kept, &d) {
                kept.push(d);
            }
        }
        kept.sort_by_key(|d| (d.file, d.diagnostic.offset(), d.diagnostic.code_name()));
        self.diagnostics = kept;
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
            let (labels, notes) = self.extra_labels(d);
            let with = WithSource {
                diag: &d.diagnostic,
                labels,
                notes,
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

    /// Labels beyond the diagnostic's own: every call site (a label when it
    /// is in the same file, else a note) and every further place the same
    /// mistake reaches.
    fn extra_labels(&self, d: &Located) -> (Vec<miette::LabeledSpan>, Vec<String>) {
        let mut labels = vec![];
        let mut notes = vec![];
        for c in d.context.iter().chain(&d.uses) {
            if c.file == d.file {
                labels.push(miette::LabeledSpan::new(
                    Some(c.call.clone()),
                    c.offset,
                    c.len,
                ));
            } else {
                let (line, col) = self.sources.line_col(c.file, c.offset);
                notes.push(format!(
                    "note: {} at {}:{line}:{col}",
                    c.call,
                    self.sources.name(c.file)
                ));
            }
        }
        for &(offset, len) in &d.also {
            labels.push(miette::LabeledSpan::new(
                Some("the same value here".into()),
                offset,
                len,
            ));
        }
        (labels, notes)
    }
}

/// A diagnostic borrowed together with its source text, for miette.
struct WithSource<'a> {
    diag: &'a Diagnostic,
    labels: Vec<miette::LabeledSpan>,
    notes: Vec<String>,
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
        let note = (!self.notes.is_empty()).then(|| self.notes.join("\n"));
        match (self.diag.help().map(|h| h.to_string()), note) {
            (Some(h), Some(n)) => Some(Box::new(format!("{h}\n{n}"))),
            (Some(h), None) => Some(Box::new(h)),
            (None, Some(n)) => Some(Box::new(n)),
            (None, None) => None,
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let own = self.diag.labels().into_iter().flatten();
        Some(Box::new(own.chain(self.labels.iter().cloned())))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
}
