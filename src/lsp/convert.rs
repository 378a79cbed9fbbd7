//! Conversions between regime's places and LSP's: byte offsets ↔ positions
//! in UTF-16 code units (the one encoding every client supports), paths ↔
//! `file://` URIs, and the standard library written to disk once, so that
//! "go to definition" can open `std/policies` like any file.

use crate::source::LineIndex;
use lsp_types::{Position, Range, Uri};
use percent_encoding::{percent_decode_str, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The LSP position of a byte offset of `text`.
pub fn position(index: &LineIndex, text: &str, offset: usize) -> Position {
    let p = index.position(text, offset);
    Position::new(p.line as u32, p.utf16_column as u32)
}

/// The LSP range of `start..end` (bytes of `text`).
pub fn range(index: &LineIndex, text: &str, start: usize, end: usize) -> Range {
    Range::new(position(index, text, start), position(index, text, end))
}

/// The byte offset of an LSP position in `text`.
pub fn offset(index: &LineIndex, text: &str, p: Position) -> usize {
    index.offset_of_utf16(text, p.line as usize, p.character as usize)
}

/// Bytes kept as they are in a path of a URI (RFC 3986 unreserved, and `/`).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The local path a `file://` URI names; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    if !uri.scheme()?.as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let bytes: Vec<u8> = percent_decode_str(uri.path().as_str()).collect();
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::absolute(path).ok()?;
    let encoded = percent_encode(path.as_os_str().as_bytes(), PATH);
    format!("file://{encoded}").parse().ok()
}

/// Where the standard library's files are on disk (written on first use).
pub fn stdlib_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let files = crate::check::imports::STDLIB
            .iter()
            .map(|(name, text)| (stdlib_file_name(name), text.to_string()))
            .collect::<Vec<_>>();
        write_once("stdlib", &files)
    })
    .as_deref()
}

/// Where `regime explain CODE` is on disk, one Markdown file per code, for
/// the link of a diagnostic's code (written on first use).
pub fn explanations_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let files = crate::diagnostics::ALL_CODES
            .iter()
            .filter_map(|c| {
                Some((
                    format!("{c}.md"),
                    crate::diagnostics::explain(c)?.to_string(),
                ))
            })
            .collect::<Vec<_>>();
        write_once("explain", &files)
    })
    .as_deref()
}

/// Write `files` (name, text) into a directory of the cache named by their
/// content, so two versions of regime never share one, unless they are
/// there already. The temporary directory stands in for a missing cache.
fn write_once(prefix: &str, files: &[(String, String)]) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let hash: String = h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let base = crate::cli::blas::cache_dir().unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("{prefix}-{hash}"));
    for (name, text) in files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        std::fs::create_dir_all(&dir).ok()?;
        crate::results::write_atomic(&path, text.as_bytes()).ok()?;
    }
    Some(dir)
}

/// `std/policies` → `policies.reg`.
fn stdlib_file_name(name: &str) -> String {
    format!("{}.reg", name.trim_start_matches("std/"))
}

/// The file on disk of a standard library module (`std/policies`).
pub fn stdlib_path(name: &str) -> Option<PathBuf> {
    Some(stdlib_dir()?.join(stdlib_file_name(name)))
}

/// The link of a diagnostic code: its explanation's file.
pub fn explanation_uri(code: &str) -> Option<Uri> {
    path_to_uri(&explanations_dir()?.join(format!("{code}.md")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_survive_a_round_trip_through_uris() {
        let p = Path::new("/tmp/a dir/λ#1.reg");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%CE%BB%231.reg");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&other), None);
    }

    #[test]
    fn lsp_positions_are_utf16() {
        let text = "a𝔼b\nc";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(position(&index, text, b), Position::new(0, 3));
        assert_eq!(offset(&index, text, Position::new(0, 3)), b);
        assert_eq!(offset(&index, text, Position::new(1, 0)), b + 2);
    }
}
