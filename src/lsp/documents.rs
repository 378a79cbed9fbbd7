//! The documents the editor has open: text and version, changed by
//! `didChange` (whole text or ranges in UTF-16 positions). Each version has
//! a cell for its analysis, filled once by whichever thread needs it first
//! (the diagnostics worker or a request) while the others wait for it.

use super::analysis::Analysis;
use super::convert;
use crate::source::LineIndex;
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// One version of a document, cheap to clone and send to another thread.
#[derive(Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub text: Arc<String>,
    analysis: Arc<OnceLock<Arc<Analysis>>>,
}

impl Snapshot {
    fn new(uri: Uri, version: i32, text: String) -> Snapshot {
        Snapshot {
            uri,
            version,
            text: Arc::new(text),
            analysis: Arc::default(),
        }
    }

    /// The analysis of this version: computed here, or by another thread.
    pub fn analysis(&self) -> Arc<Analysis> {
        self.analysis
            .get_or_init(|| Arc::new(Analysis::new(&self.uri, self.text.clone())))
            .clone()
    }
}

#[derive(Default)]
pub struct Documents {
    open: HashMap<Uri, Snapshot>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> Snapshot {
        let s = Snapshot::new(uri.clone(), version, text);
        if let Some(old) = self.open.insert(uri, s.clone()) {
            drop_elsewhere(old);
        }
        s
    }

    /// Apply the changes of one `didChange`, in order; `None` for a
    /// document that is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Option<Snapshot> {
        let old = self.open.get(uri)?;
        let mut text = old.text.as_str().to_string();
        for change in changes {
            apply(&mut text, change);
        }
        Some(self.open(uri.clone(), version, text))
    }

    /// Every open document again, with its analysis to be redone (the files
    /// it imports may have changed on disk).
    pub fn refresh_all(&mut self) -> Vec<Snapshot> {
        for s in self.open.values_mut() {
            let fresh = Snapshot {
                analysis: Arc::default(),
                ..s.clone()
            };
            drop_elsewhere(std::mem::replace(s, fresh));
        }
        self.open.values().cloned().collect()
    }

    pub fn close(&mut self, uri: &Uri) {
        if let Some(old) = self.open.remove(uri) {
            drop_elsewhere(old);
        }
    }

    pub fn get(&self, uri: &Uri) -> Option<Snapshot> {
        self.open.get(uri).cloned()
    }

    /// Whether `version` is still the open version of `uri`.
    pub fn is_current(&self, uri: &Uri, version: i32) -> bool {
        self.open.get(uri).is_some_and(|s| s.version == version)
    }
}

/// Drop a replaced version on another thread when it is large: freeing the
/// trees and plans of a 5 MB file takes the better part of 100 ms, which
/// the main loop must not spend.
fn drop_elsewhere(old: Snapshot) {
    if old.text.len() > 1 << 16 {
        let _ = std::thread::Builder::new()
            .name("regime-lsp-drop".into())
            .spawn(move || drop(old));
    }
}

fn apply(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = convert::offset(&index, text, range.start);
            let end = convert::offset(&index, text, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn ranged_changes_count_utf16_units() {
        let uri: Uri = "file:///tmp/a.reg".parse().unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), 1, "# 𝔼λ\nabc\n".into());
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.into(),
        };
        // Replace `λ` (after `𝔼`, two units) and then `b`.
        let s = docs
            .change(
                &uri,
                2,
                vec![change(0, 4, 0, 5, "x"), change(1, 1, 1, 2, "B")],
            )
            .unwrap();
        assert_eq!(s.text.as_str(), "# 𝔼x\naBc\n");
        assert!(docs.is_current(&uri, 2) && !docs.is_current(&uri, 1));
    }
}
