//! Everything `regime check` reports, as LSP diagnostics of the document:
//! the primary label gives the range, the other labels and the call that
//! supplied the values become related information, and the code links to
//! its explanation. A problem inside an imported file is shown at the
//! `import` that brought it in (and, in full, when that file is open).

use super::analysis::{resolve_import, Analysis};
use super::convert;
use crate::diagnostics::Located;
use crate::source::FileId;
use crate::syntax::ast::{Item, Span};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString,
};
use std::collections::HashMap;

/// The diagnostics of the document, with the located diagnostic each came
/// from (code actions read its edits).
pub fn diagnostics(a: &Analysis) -> Vec<(Diagnostic, &Located)> {
    let via = import_sites(a);
    a.analyzed
        .checked
        .report
        .diagnostics
        .iter()
        .filter_map(|d| Some((convert_one(a, d, &via)?, d)))
        .collect()
}

/// The primary span of a diagnostic: its first label.
pub fn primary(d: &Located) -> (usize, usize) {
    use miette::Diagnostic as _;
    d.diagnostic
        .labels()
        .and_then(|mut l| l.next())
        .map_or((0, 0), |l| (l.offset(), l.offset() + l.len()))
}

fn convert_one(a: &Analysis, d: &Located, via: &HashMap<FileId, Span>) -> Option<Diagnostic> {
    use miette::Diagnostic as _;
    let diag = &d.diagnostic;
    let (start, end) = primary(d);
    let mut related = vec![];
    let mut message = diag.to_string();
    let range = if d.file == FileId(0) {
        a.range(d.file, start, end)
    } else {
        // Shown at the import; the place itself is related information.
        let site = via.get(&d.file)?;
        message = format!("in `{}`: {message}", a.program().sources.name(d.file));
        if let Some(uri) = a.file_uri(d.file) {
            related.push(info(uri, a.range(d.file, start, end), "here"));
        }
        a.span_range(*site)
    };
    // The first label is the range itself; the others are related places.
    for l in diag.labels().into_iter().flatten().skip(1) {
        let label = l.label().unwrap_or("here");
        if let Some(uri) = a.file_uri(d.file) {
            let r = a.range(d.file, l.offset(), l.offset() + l.len());
            related.push(info(uri, r, label));
        }
    }
    if let Some(c) = &d.context {
        if let Some(uri) = a.file_uri(c.file) {
            let r = a.range(c.file, c.offset, c.offset + c.len);
            related.push(info(uri, r, &c.call));
        }
    }
    if let Some(help) = diag.help() {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let code = diag.code_name();
    Some(Diagnostic {
        range,
        severity: Some(if diag.is_error() {
            DiagnosticSeverity::ERROR
        } else {
            DiagnosticSeverity::WARNING
        }),
        code: Some(NumberOrString::String(format!("regime::{code}"))),
        code_description: convert::explanation_uri(&code).map(|href| CodeDescription { href }),
        source: Some("regime".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (code == "unused").then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    })
}

fn info(
    uri: lsp_types::Uri,
    range: lsp_types::Range,
    message: &str,
) -> DiagnosticRelatedInformation {
    DiagnosticRelatedInformation {
        location: Location::new(uri, range),
        message: message.to_string(),
    }
}

/// For every imported file, the `import` of the document that loaded it
/// (directly or through other imports).
fn import_sites(a: &Analysis) -> HashMap<FileId, Span> {
    let program = a.program();
    let module_of = |f: FileId| program.modules.iter().position(|m| m.file == f);
    let imports = |module: usize| -> Vec<(String, Span)> {
        program.modules[module]
            .module
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Import(imp) => Some((imp.path.clone(), imp.path_span)),
                _ => None,
            })
            .collect()
    };
    let mut site = HashMap::new();
    for (path, span) in imports(0) {
        let mut todo: Vec<FileId> = resolve_import(program, 0, &path).into_iter().collect();
        while let Some(f) = todo.pop() {
            if f == FileId(0) || site.contains_key(&f) {
                continue;
            }
            site.insert(f, span);
            if let Some(m) = module_of(f) {
                for (p, _) in imports(m) {
                    todo.extend(resolve_import(program, m, &p));
                }
            }
        }
    }
    site
}
