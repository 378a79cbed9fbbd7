//! `syntax`: text → syntax tree (`ast`), with syntax errors in words.
//!
//! The file is parsed whole; if that fails, it is cut at every line that
//! starts a top-level definition and each piece is parsed on its own, so one
//! mistake does not hide the ones after it.

pub mod ast;
pub mod decode;
mod errors;
mod expr;
mod hints;
pub mod lex;
mod lower;
mod spanless;
mod value;
pub use spanless::spanless_eq;
pub use value::parse_value;

use crate::diagnostics::{Diagnostic, Located};
use crate::source::FileId;
use ast::Module;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/regime.pest"]
pub struct RegParser;

/// Deepest bracket nesting accepted; deeper input is rejected before pest
/// sees it so that neither pest nor the tree walkers can exhaust the stack.
const MAX_NESTING: usize = 32;

/// Parse one file. Items that parse are kept even when others fail.
pub fn parse(file: FileId, text: &str) -> (Module, Vec<Located>) {
    if let Some(d) = too_deep(text) {
        return (Module::default(), vec![Located::new(file, d)]);
    }
    match parse_piece(file, text, 0) {
        Ok(items) => (
            Module {
                items,
                broken: vec![],
            },
            vec![],
        ),
        Err(first) => {
            let mut items = vec![];
            let mut diags = vec![];
            let mut broken = vec![];
            for (start, end) in pieces(text) {
                let piece = text.get(start..end).unwrap_or("");
                match parse_piece(file, piece, start) {
                    Ok(mut got) => items.append(&mut got),
                    Err(d) => {
                        let d = unclosed(text, start, end, d);
                        diags.extend(more_errors(
                            file,
                            piece,
                            start,
                            text[..start].matches('\n').count(),
                            d,
                        ));
                        broken.extend(defined_name(piece));
                    }
                }
            }
            if diags.is_empty() {
                // The pieces parse on their own but not together: report
                // the whole-file error rather than nothing.
                diags.push(first);
            }
            (Module { items, broken }, diags)
        }
    }
}

fn parse_piece(file: FileId, text: &str, offset: usize) -> Result<Vec<ast::Item>, Located> {
    pest::set_error_detail(true);
    match RegParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let (items, too_long) = match pairs.next() {
                Some(file_pair) => lower::items(file, offset, file_pair),
                None => (vec![], vec![]),
            };
            match too_long.first() {
                None => Ok(items),
                Some(&(span, over)) => Err(too_long_error(file, span, over)),
            }
        }
        Err(e) => Err(Located::new(file, errors::to_diagnostic(&e, text, offset))),
    }
}

/// An expression over one of the limits of `lower` (operands or prefixes).
fn too_long_error(file: FileId, span: ast::Span, over: lower::TooLong) -> Located {
    let max = lower::MAX_TERMS;
    let (expected, found) = match over {
        lower::TooLong::Operands(n) => (
            format!("at most {max} operands in one expression"),
            format!("{n}"),
        ),
        lower::TooLong::Prefixes(n) => (
            format!("at most {max} prefix operators (`-`, `not`) in one expression"),
            format!("{n}"),
        ),
    };
    Located::new(
        file,
        Diagnostic::Syntax {
            expected,
            found,
            span: span.into(),
            label: "expression too long".into(),
            help: Some("split it with parentheses or named definitions".into()),
        },
    )
}

/// Byte ranges that each start with a line beginning a top-level definition.
fn pieces(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > 0 && starts_item(line) {
            starts.push(pos);
        }
        pos += line.len();
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, starts.get(i + 1).copied().unwrap_or(text.len())))
        .collect()
}

/// Most syntax errors reported per definition.
const MAX_ERRORS_PER_ITEM: usize = 8;

/// After a syntax error in a definition, blank out the offending line and
/// parse again to find the next one, as long as the line holds no brace (a
/// missing brace changes the structure, and what follows would be noise).
/// Only the errors are kept; the definition itself counts as broken.
/// `lines_before` is the number of lines of the file before the piece.
fn more_errors(
    file: FileId,
    piece: &str,
    offset: usize,
    lines_before: usize,
    first: Located,
) -> Vec<Located> {
    let mut errors = vec![];
    let mut text = piece.to_string();
    let mut current = first;
    loop {
        let pos = current
            .diagnostic
            .offset()
            .saturating_sub(offset)
            .min(text.len());
        let unclosed = unclosed_bracket(&text[..pos]);
        if let (Some(open), Diagnostic::Syntax { help, .. }) = (unclosed, &mut current.diagnostic) {
            let open_line = text[..open].matches('\n').count();
            if help.is_none() && open_line < text[..pos].matches('\n').count() {
                let line = lines_before + open_line + 1;
                *help = Some(format!(
                    "the `{}` opened on line {line} is never closed",
                    text[open..].chars().next().unwrap_or('(')
                ));
            }
        }
        let stop = matches!(current.diagnostic, Diagnostic::Unclosed { .. });
        errors.push(current);
        // Inside an unclosed bracket, later lines would only echo it.
        if errors.len() >= MAX_ERRORS_PER_ITEM || unclosed.is_some() || stop {
            break;
        }
        // A unit on the line after its number: join them and go on.
        if let Some(joined) = hints::join_split_unit(&text, pos) {
            text = joined;
            match parse_piece(file, &text, offset) {
                Ok(_) => break,
                Err(next) => {
                    current = next;
                    continue;
                }
            }
        }
        let line_start = text[..pos].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        let line = &text[line_start..line_end];
        if line_start == 0 || line.contains(['{', '}']) {
            break;
        }
        // Same byte length, so offsets after the line stay valid.
        let blank: String = line
            .chars()
            .flat_map(|c| std::iter::repeat_n(if c == '\t' { '\t' } else { ' ' }, c.len_utf8()))
            .collect();
        text.replace_range(line_start..line_end, &blank);
        match parse_piece(file, &text, offset) {
            Ok(_) => break,
            Err(next) => {
                let next_pos = next.diagnostic.offset().saturating_sub(offset);
                if next_pos <= line_end {
                    break;
                }
                current = next;
            }
        }
    }
    errors
}

/// A piece that ends (or meets the next definition) inside its own `{`:
/// the block was never closed. Say so at the `{`, with its line and
/// column, instead of "expected `}`, found end of file" at whatever comes
/// next. `start..end` is the piece in `text`.
fn unclosed(text: &str, start: usize, end: usize, first: Located) -> Located {
    let piece = &text[start..end];
    let pos = first.diagnostic.offset().saturating_sub(start);
    let (Some(open), Some((kind, name))) = (
        hints::unclosed_brace(piece, pos.min(piece.len())),
        hints::item_of(piece),
    ) else {
        return first;
    };
    let open = start + open;
    let before = &text[..open];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let next = text[end..].split_whitespace().next().unwrap_or("");
    let (end_span, end_label) = if end < text.len() {
        (
            (end, next.len()).into(),
            format!("`{next}` starts here, still inside {kind} `{name}`"),
        )
    } else {
        ((text.len(), 0).into(), "the file ends here".to_string())
    };
    let what = if kind == "network" {
        "layer"
    } else {
        "statement"
    };
    let name_again = name.clone();
    Located::new(
        first.file,
        Diagnostic::Unclosed {
            kind: kind.to_string(),
            name,
            line,
            column,
            open: (open, 1).into(),
            end: end_span,
            end_label,
            help: Some(format!(
                "add the `}}` that ends {kind} `{name_again}` after its last {what}"
            )),
        },
    )
}

/// Position of the innermost `(` or `[` left open in `text`, outside
/// strings and comments.
fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut stack = vec![];
    let mut in_string = false;
    let mut in_comment = false;
    for (i, c) in text.char_indices() {
        match c {
            '\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => in_comment = true,
            '(' | '[' => stack.push(i),
            ')' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

/// The name a piece defines (`schedule foo(...) = ...` → `foo`), if any.
fn defined_name(piece: &str) -> Option<String> {
    let line = piece
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let mut words = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let keyword = words.find(|w| !w.is_empty())?;
    if keyword == "import" {
        return None;
    }
    words.find(|w| !w.is_empty()).map(str::to_string)
}

/// `network x`, `data y`, `import "..."` at column 0 (not `data: fmnist`).
fn starts_item(line: &str) -> bool {
    const KEYWORDS: [&str; 6] = lex::ITEM_KEYWORDS;
    // A misspelled keyword (`netwrok n {`) starts a definition too, so the
    // definitions after it are still parsed on their own.
    let first: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let typo = crate::diagnostics::closest(&first, KEYWORDS);
    KEYWORDS.iter().chain(typo.as_ref()).any(|k| {
        let k: &str = if *k == typo.unwrap_or("") { &first } else { k };
        line.strip_prefix(k).is_some_and(|rest| {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            rest.len() > trimmed.len()
                && trimmed
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '"')
        })
    })
}

fn too_deep(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Diagnostic::Syntax {
                        expected: format!("at most {MAX_NESTING} nested brackets"),
                        found: "deeper nesting".into(),
                        span: (i, 1).into(),
                        label: "nested too deeply".into(),
                        help: Some("split the expression into named definitions".into()),
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
