//! Semantic tokens: every token of the document classified by what it
//! stands for (from the name index) or, for keywords, literals and
//! comments, by the lexer, delta-encoded in UTF-16 columns as LSP wants.

use super::analysis::Analysis;
use super::index::{DefKind, Occurrence, Target};
use crate::source::{FileId, LineIndex};
use crate::syntax::lex::{self, Kind};
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};
use std::collections::HashMap;

/// Token types, in the legend's order.
const TYPES: [SemanticTokenType; 13] = [
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::CLASS,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::INTERFACE,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::OPERATOR,
];

const DECLARATION: u32 = 1;
const DEFAULT_LIBRARY: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEFAULT_LIBRARY,
        ],
    }
}

fn ty(t: SemanticTokenType) -> u32 {
    TYPES.iter().position(|x| *x == t).unwrap_or(0) as u32
}

pub fn tokens(a: &Analysis) -> SemanticTokens {
    let text = a.text.as_str();
    let occurrences: HashMap<usize, &Occurrence> = a
        .index
        .occurrences
        .iter()
        .filter(|o| o.span.file == FileId(0))
        .map(|o| (o.span.start, o))
        .collect();
    let index = LineIndex::new(text);
    let lexed = lex::tokens(text);
    let mut data = vec![];
    let (mut line, mut col) = (0u32, 0u32);
    for (i, t) in lexed.iter().enumerate() {
        let word = &text[t.start..t.end];
        let after_number = i > 0 && lexed[i - 1].kind == Kind::Number;
        let class = match t.kind {
            Kind::Comment => Some((ty(SemanticTokenType::COMMENT), 0)),
            Kind::Str => Some((ty(SemanticTokenType::STRING), 0)),
            Kind::Number => Some((ty(SemanticTokenType::NUMBER), 0)),
            // By character: a stray `𝔼` is punctuation too.
            Kind::Punct if word.starts_with(|c| "+-*/<>=!".contains(c)) => {
                Some((ty(SemanticTokenType::OPERATOR), 0))
            }
            Kind::Punct => None,
            Kind::Word => match occurrences.get(&t.start) {
                Some(o) if o.span.end == t.end => Some(of_target(a, o)),
                _ if after_number && lex::UNITS.contains(&word) => {
                    Some((ty(SemanticTokenType::KEYWORD), 0))
                }
                _ if lex::KEYWORDS.contains(&word) || lex::ITEM_KEYWORDS.contains(&word) => {
                    Some((ty(SemanticTokenType::KEYWORD), 0))
                }
                _ => None,
            },
        };
        let Some((token_type, modifiers)) = class else {
            continue;
        };
        let p = index.position(text, t.start);
        let length = word.chars().map(char::len_utf16).sum::<usize>() as u32;
        let (l, c) = (p.line as u32, p.utf16_column as u32);
        data.push(SemanticToken {
            delta_line: l - line,
            delta_start: if l == line { c - col } else { c },
            length,
            token_type,
            token_modifiers_bitset: modifiers,
        });
        (line, col) = (l, c);
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

fn of_target(a: &Analysis, o: &Occurrence) -> (u32, u32) {
    match o.target {
        Target::Def(d) => {
            let modifiers = if o.is_def { DECLARATION } else { 0 };
            (ty(kind_type(a.index.defs[d].kind)), modifiers)
        }
        Target::Builtin(kind, _) => {
            let t = match kind {
                "layer" => SemanticTokenType::CLASS,
                "metric" => SemanticTokenType::PROPERTY,
                "normalization" | "penalty" | "initialisation" | "sampling" => {
                    SemanticTokenType::ENUM_MEMBER
                }
                _ => SemanticTokenType::FUNCTION,
            };
            (ty(t), DEFAULT_LIBRARY)
        }
        Target::BuiltinParam(..) => (ty(SemanticTokenType::PARAMETER), 0),
        Target::Key => (ty(SemanticTokenType::PROPERTY), 0),
        Target::Import(_) => (ty(SemanticTokenType::STRING), 0),
    }
}

/// The type of a definition's name wherever it appears.
fn kind_type(kind: DefKind) -> SemanticTokenType {
    match kind {
        DefKind::Data => SemanticTokenType::VARIABLE,
        DefKind::Network => SemanticTokenType::CLASS,
        DefKind::Schedule => SemanticTokenType::FUNCTION,
        DefKind::Policy => SemanticTokenType::INTERFACE,
        DefKind::Experiment => SemanticTokenType::NAMESPACE,
        DefKind::Param | DefKind::Axis => SemanticTokenType::PARAMETER,
        DefKind::Arm => SemanticTokenType::PROPERTY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A character outside the language (here `𝔼`, four bytes in UTF-8)
    /// lexes as punctuation: its class is read by character, not by cutting
    /// its first byte off, and it gets no token; the word after it does.
    #[test]
    fn a_stray_wide_character_gets_no_token_and_no_panic() {
        let uri: lsp_types::Uri = "file:///tmp/stray.reg".parse().expect("a valid URI");
        let text = "𝔼 experiment + x\n".to_string();
        let tokens = tokens(&Analysis::new(&uri, Arc::new(text)));
        let starts: Vec<(u32, u32)> = tokens
            .data
            .iter()
            .map(|t| (t.delta_start, t.length))
            .collect();
        // `experiment` at UTF-16 column 3, then `+` 11 further on.
        assert_eq!(starts, [(3, 10), (11, 1)]);
    }
}
