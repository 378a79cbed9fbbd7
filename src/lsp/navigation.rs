//! Go to definition and find references, across the document's imports and
//! the standard library (opened from its copy on disk).

use super::analysis::Analysis;
use super::index::Target;
use crate::source::FileId;
use crate::syntax::ast::Span;
use lsp_types::{Location, Position, Range};

/// Where the name at `pos` is defined: the definition's name, or the
/// start of the file an import loads.
pub fn definition(a: &Analysis, pos: Position) -> Option<Location> {
    let occ = a.index.at(FileId(0), a.offset(pos))?;
    match occ.target {
        Target::Def(d) => a.location(a.index.defs[d].name_span),
        Target::Import(Some(file)) => Some(Location::new(a.file_uri(file)?, Range::default())),
        Target::Builtin(..) | Target::BuiltinParam(..) | Target::Key | Target::Import(None) => None,
    }
}

/// Every use of the definition named at `pos`, its definition first when
/// asked for.
pub fn references(a: &Analysis, pos: Position, with_declaration: bool) -> Vec<Location> {
    let Some(occ) = a.index.at(FileId(0), a.offset(pos)) else {
        return vec![];
    };
    let Target::Def(d) = occ.target else {
        return vec![];
    };
    let mut spans: Vec<Span> = vec![];
    if with_declaration {
        spans.push(a.index.defs[d].name_span);
    }
    spans.extend(a.index.references(d).filter(|o| !o.is_def).map(|o| o.span));
    spans.into_iter().filter_map(|s| a.location(s)).collect()
}
