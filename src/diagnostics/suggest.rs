//! The suggestions a diagnostic carries as edits ("replace these bytes with
//! this text"), for `check --format json` and the editor's quick fixes. Only
//! suggestions whose place is certain become edits: a did-you-mean on the
//! misspelled name itself, and reversed clamp bounds. Advice that needs a
//! person ("add `iters: N`", "remove one of them") stays help text.

use super::Diagnostic;
use miette::SourceSpan;

/// Replace `start..end` (bytes of the file the diagnostic points into) with
/// `replacement`; `message` says what it does, for a menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
    pub message: String,
}

/// The name in a help line written by `super::did_you_mean`.
fn suggested_name(help: &Option<String>) -> Option<&str> {
    help.as_deref()?
        .strip_prefix("did you mean `")?
        .strip_suffix("`?")
}

impl Diagnostic {
    /// The edits this diagnostic suggests; `text` is the file its spans
    /// point into.
    pub fn edits(&self, text: &str) -> Vec<Edit> {
        let rename = |span: &SourceSpan, help: &Option<String>, quoted: bool| {
            let name = suggested_name(help)?;
            let replacement = if quoted {
                format!("\"{name}\"")
            } else {
                name.to_string()
            };
            Some(Edit {
                start: span.offset(),
                end: span.offset() + span.len(),
                message: format!("replace with `{name}`"),
                replacement,
            })
        };
        let edit = match self {
            Diagnostic::UnknownName { span, help, .. }
            | Diagnostic::UnknownMetric { span, help, .. }
            | Diagnostic::UnknownLayer { span, help, .. }
            | Diagnostic::UnknownPenalty { span, help, .. }
            | Diagnostic::UnknownArgument { span, help, .. }
            | Diagnostic::UnknownKey { span, help, .. } => rename(span, help, false),
            // The span of an import path includes its quotes.
            Diagnostic::UnknownImport { span, help, .. } => rename(span, help, true),
            Diagnostic::BadClamp { span, .. } => swap_bounds(span, text),
            _ => None,
        };
        edit.into_iter().collect()
    }
}

/// `hi, lo` (the span of a reversed clamp's bounds) written as `lo, hi`,
/// each bound kept as written.
fn swap_bounds(span: &SourceSpan, text: &str) -> Option<Edit> {
    let (start, end) = (span.offset(), span.offset() + span.len());
    let inner = text.get(start..end)?;
    let mut depth = 0i32;
    let mut in_string = false;
    let mut comma = None;
    for (i, c) in inner.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' if !in_string => depth += 1,
            ')' | ']' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => {
                comma = Some(i);
                break;
            }
            _ => {}
        }
    }
    let comma = comma?;
    let (hi, lo) = (inner[..comma].trim(), inner[comma + 1..].trim());
    Some(Edit {
        start,
        end,
        replacement: format!("{lo}, {hi}"),
        message: format!("swap the bounds: `[{lo}, {hi}]`"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_did_you_mean_replaces_the_name_and_clamps_swap() {
        let d = Diagnostic::UnknownMetric {
            name: "val_ac".into(),
            span: (4, 6).into(),
            help: super::super::did_you_mean("val_ac", ["val_acc"]),
        };
        let e = &d.edits("")[0];
        assert_eq!((e.start, e.end, e.replacement.as_str()), (4, 10, "val_acc"));
        let text = "clamp lambda in [max(1, 2), 0.5]";
        let start = text.find("max").unwrap();
        let d = Diagnostic::BadClamp {
            lo: "2".into(),
            hi: "0.5".into(),
            span: (start, text.len() - 1 - start).into(),
        };
        assert_eq!(d.edits(text)[0].replacement, "0.5, max(1, 2)");
        let d = Diagnostic::UnknownMetric {
            name: "banana".into(),
            span: (0, 6).into(),
            help: Some("metrics: ...".into()),
        };
        assert!(d.edits("").is_empty());
    }
}
