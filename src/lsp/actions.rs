//! Code actions: a quick fix for every suggestion a diagnostic in the
//! requested range carries as an edit (did-you-mean names, reversed clamp
//! bounds; `Diagnostic::edits`).

use super::analysis::Analysis;
use super::diagnostics::diagnostics;
use crate::source::FileId;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};
use std::collections::HashMap;

// `WorkspaceEdit` maps by `Uri`, whose lazily parsed parts are in cells;
// its hash and equality read only the text, so it is a sound key.
#[allow(clippy::mutable_key_type)]
pub fn actions(a: &Analysis, range: Range) -> Vec<CodeActionOrCommand> {
    let overlaps = |r: &Range| r.start <= range.end && range.start <= r.end;
    let mut out = vec![];
    for (lsp, located) in diagnostics(a) {
        if located.file != FileId(0) || !overlaps(&lsp.range) {
            continue;
        }
        for e in located.diagnostic.edits(&a.text) {
            let edit = TextEdit::new(a.range(FileId(0), e.start, e.end), e.replacement);
            let changes = HashMap::from([(a.uri.clone(), vec![edit])]);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: e.message,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp.clone()]),
                edit: Some(WorkspaceEdit::new(changes)),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
    }
    out
}
