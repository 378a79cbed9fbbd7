//! `syntax`: text → syntax tree (`ast`), with syntax errors in words.
//!
//! The file is parsed whole; if that fails, it is cut at every line that
//! starts a top-level definition and each piece is parsed on its own, so one
//! mistake does not hide the ones after it.

pub mod ast;
mod errors;
mod lower;

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
                        diags.push(d);
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
                Some(span) => Err(Located::new(
                    file,
                    Diagnostic::Syntax {
                        expected: format!(
                            "at most {} operands in one expression",
                            lower::MAX_TERMS
                        ),
                        found: "a longer one".into(),
                        span: (*span).into(),
                        label: "expression too long".into(),
                        help: Some("split it with parentheses or named definitions".into()),
                    },
                )),
            }
        }
        Err(e) => Err(Located::new(file, errors::to_diagnostic(&e, text, offset))),
    }
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
    const KEYWORDS: [&str; 6] = [
        "import",
        "data",
        "network",
        "schedule",
        "policy",
        "experiment",
    ];
    KEYWORDS.iter().any(|k| {
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
