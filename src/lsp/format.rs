//! Formatting: the document through `regime fmt`'s formatter, as one edit
//! of the whole text (none when it is already formatted; none either when
//! it does not parse, since the diagnostics say why).

use crate::source::LineIndex;
use lsp_types::{Range, TextEdit};

pub fn format(name: &str, text: &str) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format_source(name, text).ok()?;
    if formatted == text {
        return Some(vec![]);
    }
    let index = LineIndex::new(text);
    let end = super::convert::position(&index, text, text.len());
    Some(vec![TextEdit::new(
        Range::new(lsp_types::Position::new(0, 0), end),
        formatted,
    )])
}
