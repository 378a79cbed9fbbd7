//! Bytes of a source file → its text, or why they are not one: a binary
//! file (a NUL byte) or bytes that are not UTF-8, each with its own code
//! and the byte offset of the first offending byte. A UTF-8 byte order mark
//! is text: it is kept, and the grammar skips it, so offsets stay those of
//! the file.

use crate::diagnostics::{Diagnostic, Diagnostics, Located};
use std::path::Path;

/// Why a file's bytes are not a `.reg` text.
#[derive(Debug)]
pub enum Unreadable {
    Io(std::io::Error),
    /// A NUL byte at `offset`.
    Binary {
        offset: usize,
    },
    /// The first byte that is not UTF-8, and the text up to it (for display).
    InvalidUtf8 {
        offset: usize,
        byte: u8,
        shown: String,
    },
}

/// The text of `bytes`.
pub fn decode(bytes: Vec<u8>) -> Result<String, Unreadable> {
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(Unreadable::Binary { offset });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        Unreadable::InvalidUtf8 {
            offset,
            byte: bytes[offset],
            shown: String::from_utf8_lossy(&bytes).into_owned(),
        }
    })
}

/// The text of the file at `path`.
pub fn read(path: &Path) -> Result<String, Unreadable> {
    std::fs::read(path).map_err(Unreadable::Io).and_then(decode)
}

const BINARY_HELP: &str = "a .reg file is text; check that this is the file you meant";
const UTF8_HELP: &str =
    "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 OLD > NEW`); the text before the byte is fine";

impl Unreadable {
    /// The report for a file named on the command line: the file itself is
    /// shown (up to the bad byte) when it is text at all.
    pub fn report(self, name: &str) -> Diagnostics {
        let mut report = Diagnostics::default();
        let (text, diagnostic) = match self {
            Unreadable::Io(e) => (
                String::new(),
                Diagnostic::MissingFile {
                    path: name.to_string(),
                    reason: e.to_string(),
                    span: (0, 0).into(),
                },
            ),
            Unreadable::Binary { offset } => (
                String::new(),
                Diagnostic::BinaryFile {
                    path: name.to_string(),
                    offset,
                    span: (0, 0).into(),
                    label: "binary data".into(),
                    help: Some(BINARY_HELP.into()),
                },
            ),
            Unreadable::InvalidUtf8 {
                offset,
                byte,
                shown,
            } => {
                let len = shown[offset..].chars().next().map_or(0, char::len_utf8);
                let d = Diagnostic::InvalidUtf8 {
                    path: name.to_string(),
                    offset,
                    byte,
                    span: (offset, len).into(),
                    label: "not UTF-8".into(),
                    help: Some(UTF8_HELP.into()),
                };
                (shown, d)
            }
        };
        let file = report.sources.add(name, text);
        report.diagnostics.push(Located::new(file, diagnostic));
        report
    }

    /// The diagnostic for an imported file, pointing at the import (`span`
    /// in the importing file).
    pub fn at_import(&self, path: &str, span: miette::SourceSpan) -> Diagnostic {
        match self {
            Unreadable::Io(e) => Diagnostic::MissingFile {
                path: path.to_string(),
                reason: match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_string(),
                    _ => e.to_string(),
                },
                span,
            },
            Unreadable::Binary { offset } => Diagnostic::BinaryFile {
                path: path.to_string(),
                offset: *offset,
                span,
                label: "imported here".into(),
                help: Some(BINARY_HELP.into()),
            },
            Unreadable::InvalidUtf8 { offset, byte, .. } => Diagnostic::InvalidUtf8 {
                path: path.to_string(),
                offset: *offset,
                byte: *byte,
                span,
                label: "imported here".into(),
                help: Some(UTF8_HELP.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_binary_and_latin1() {
        assert_eq!(decode(b"network n {}".to_vec()).unwrap(), "network n {}");
        assert!(matches!(
            decode(b"ab\0cd".to_vec()),
            Err(Unreadable::Binary { offset: 2 })
        ));
        match decode(b"# caf\xe9\n".to_vec()) {
            Err(Unreadable::InvalidUtf8 { offset, byte, .. }) => {
                assert_eq!((offset, byte), (5, 0xe9));
            }
            other => panic!("{other:?}"),
        }
        // A byte order mark is text.
        assert!(decode(b"\xef\xbb\xbfdata x = 1".to_vec()).is_ok());
    }
}
