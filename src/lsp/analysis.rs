//! One version of one document, analysed: the file and its imports loaded
//! and checked (`compile::analyze_source`, the same pass as `regime check`),
//! the name index, and the line indexes that turn its spans into LSP
//! ranges. Built once per version (`documents::Snapshot::analysis`) and
//! shared by every request on that version.

use super::convert;
use super::index::Index;
use crate::check::imports::Program;
use crate::compile::{analyze_source, Analyzed, Options};
use crate::source::{FileId, LineIndex};
use crate::syntax::ast::Span;
use lsp_types::{Location, Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Analysis {
    pub uri: Uri,
    pub text: Arc<String>,
    pub analyzed: Analyzed,
    pub index: Index,
    /// By `FileId`.
    lines: Vec<LineIndex>,
}

impl Analysis {
    pub fn new(uri: &Uri, text: Arc<String>) -> Analysis {
        let path = convert::uri_to_path(uri);
        let name = path.as_ref().map_or_else(
            || uri.as_str().to_string(),
            |p| p.to_string_lossy().to_string(),
        );
        let dir = path.as_deref().and_then(Path::parent);
        let analyzed = analyze_source(&name, &text, dir, &Options::default());
        let index = Index::build(&analyzed.program);
        let lines = analyzed
            .program
            .sources
            .iter()
            .map(|(_, f)| LineIndex::new(&f.text))
            .collect();
        Analysis {
            uri: uri.clone(),
            text,
            analyzed,
            index,
            lines,
        }
    }

    pub fn program(&self) -> &Program {
        &self.analyzed.program
    }

    /// The text of a loaded file.
    pub fn file_text(&self, file: FileId) -> &str {
        self.program().sources.text(file)
    }

    /// The LSP range of bytes `start..end` of a loaded file.
    pub fn range(&self, file: FileId, start: usize, end: usize) -> Range {
        match self.lines.get(file.0 as usize) {
            Some(ix) => convert::range(ix, self.file_text(file), start, end),
            None => Range::default(),
        }
    }

    pub fn span_range(&self, span: Span) -> Range {
        self.range(span.file, span.start, span.end)
    }

    /// The byte offset of a position in the document itself.
    pub fn offset(&self, p: Position) -> usize {
        convert::offset(&self.lines[0], &self.text, p)
    }

    /// The URI of a loaded file: the document, a local import, or the
    /// standard library's copy on disk.
    pub fn file_uri(&self, file: FileId) -> Option<Uri> {
        if file == FileId(0) {
            return Some(self.uri.clone());
        }
        convert::path_to_uri(&self.file_path(file)?)
    }

    fn file_path(&self, file: FileId) -> Option<PathBuf> {
        let name = self.program().sources.name(file);
        let on_disk = self.program().dirs.get(file.0 as usize)?.is_some();
        if on_disk {
            Some(PathBuf::from(name))
        } else {
            convert::stdlib_path(name)
        }
    }

    pub fn location(&self, span: Span) -> Option<Location> {
        Some(Location::new(
            self.file_uri(span.file)?,
            self.span_range(span),
        ))
    }
}

/// The loaded file an `import` of module `module` names, if it was loaded.
pub fn resolve_import(program: &Program, module: usize, path: &str) -> Option<FileId> {
    let file = program.modules.get(module)?.file;
    let sources = program.sources.iter();
    if let Some(rest) = path.strip_prefix("std/") {
        let wanted = format!("std/{}", rest.trim_end_matches(".reg"));
        return sources
            .filter(|(id, f)| f.name == wanted && dir_of(program, *id).is_none())
            .map(|(id, _)| id)
            .next();
    }
    let mut full = dir_of(program, file)?.join(path);
    if full.extension().is_none() {
        full.set_extension("reg");
    }
    let full = full.canonicalize().ok()?;
    sources
        .filter(|(id, _)| dir_of(program, *id).is_some())
        .find(|(_, f)| Path::new(&f.name).canonicalize().ok().as_ref() == Some(&full))
        .map(|(id, _)| id)
}

fn dir_of(program: &Program, file: FileId) -> Option<&Path> {
    program.dirs.get(file.0 as usize)?.as_deref()
}
