//! One value on its own, as written after `key:` in an experiment: the
//! value of a command-line override (`--set seeds=5`). Parsed by the same
//! grammar rule as a key's value, with the same nesting and length limits
//! and the same syntax errors, pointing into the override's own text.

use super::ast::Expr;
use super::{errors, lower, too_deep, too_long_error, RegParser, Rule};
use crate::diagnostics::{Diagnostic, Located};
use crate::source::FileId;
use pest::Parser as _;

/// `text[offset..]` parsed as a value (`every` allowed first, as in
/// `checks: every 50 iters`); spans are offsets into `text` in `file`.
/// Returns whether `every` was written, and the value.
pub fn parse_value(file: FileId, text: &str, offset: usize) -> Result<(bool, Expr), Located> {
    let piece = text.get(offset..).unwrap_or("");
    if let Some(mut d) = too_deep(piece) {
        if let Diagnostic::Syntax { span, .. } = &mut d {
            *span = (span.offset() + offset, span.len()).into();
        }
        return Err(Located::new(file, d));
    }
    pest::set_error_detail(true);
    let pair = RegParser::parse(Rule::override_value, piece)
        .map_err(|e| {
            Located::new(
                file,
                in_a_value(errors::to_diagnostic(&e, piece, offset), text.len()),
            )
        })?
        .next();
    let (every, value, too_long) = match pair {
        Some(p) => lower::override_value(file, offset, p),
        None => (false, None, vec![]),
    };
    if let Some(&(span, over)) = too_long.first() {
        return Err(too_long_error(file, span, over));
    }
    match value {
        Some(v) => Ok((every, v)),
        // invariant: the rule accepted the text, so it holds an `expr`.
        None => Err(Located::new(
            file,
            Diagnostic::Syntax {
                expected: "a value".into(),
                found: "nothing".into(),
                span: (offset, piece.len()).into(),
                label: "expected a value".into(),
                help: None,
            },
        )),
    }
}

/// A value ends where the override ends, not at the end of a file; an
/// error there points at the last character (an empty label at the very end
/// of a one-line source would not show).
fn in_a_value(mut d: Diagnostic, len: usize) -> Diagnostic {
    if let Diagnostic::Syntax {
        expected,
        found,
        label,
        span,
        ..
    } = &mut d
    {
        for text in [expected, found, label] {
            *text = text.replace("end of file", "the end of the value");
        }
        if span.offset() >= len && len > 0 {
            *span = (len - 1, 1).into();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::ExprKind;

    #[test]
    fn a_value_is_parsed_with_spans_into_the_whole_text() {
        let (every, v) = parse_value(FileId(3), "checks=every 50 iters", 7).unwrap();
        assert!(every);
        assert!(matches!(v.kind, ExprKind::Duration { .. }), "{v:?}");
        assert_eq!((v.span.file, v.span.start, v.span.end), (FileId(3), 13, 21));
        let (every, v) = parse_value(FileId(0), "network=mlp(32)", 8).unwrap();
        assert!(!every);
        assert_eq!((v.span.start, v.span.end), (8, 15));
    }

    #[test]
    fn a_syntax_error_points_into_the_override() {
        let e = parse_value(FileId(1), "iters=100 iters)", 6).unwrap_err();
        assert_eq!(e.diagnostic.code_name(), "syntax");
        assert_eq!(e.diagnostic.offset(), 15);
        let e = parse_value(FileId(1), "batch=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1", 6).unwrap_err();
        assert!(
            e.diagnostic.to_string().contains("nested"),
            "{}",
            e.diagnostic
        );
    }
}
