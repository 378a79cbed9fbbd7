//! A lexer for `.reg` text that never fails, for what must work while a file
//! does not parse: the syntax-error hints (`hints.rs`), and the language
//! server's semantic tokens and completion. Words, numbers, strings,
//! comments and punctuation (operator pairs as one token), as the grammar
//! (`grammar/regime.pest`) spells them; the reserved words live here once.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Comment,
    Str,
    Number,
    Word,
    /// An operator or other punctuation (`*=`, `<=`, `{`, `:`).
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Words that start a top-level item.
pub const ITEM_KEYWORDS: [&str; 6] = [
    "import",
    "data",
    "network",
    "schedule",
    "policy",
    "experiment",
];

/// Reserved words inside items (the grammar's `keyword`): not names of
/// definitions, parameters, arms or axes.
pub const KEYWORDS: [&str; 16] = [
    "every", "when", "clamp", "vary", "arm", "then", "with", "from", "per", "and", "or", "not",
    "true", "false", "stop", "in",
];

/// Units of a duration (after a number on the same line).
pub const UNITS: [&str; 4] = ["iters", "iter", "epochs", "epoch"];

/// Every token of `text`, comments included, whitespace skipped.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = line_end(bytes, i);
                Kind::Comment
            }
            b'"' => {
                i = string_end(bytes, i + 1);
                Kind::Str
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Kind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                let two = text.get(i..i + 2).unwrap_or("");
                let pair = ["<=", ">=", "==", "!=", "*=", "/=", "+=", "-="].contains(&two);
                // One whole character, whatever its width.
                i += if pair {
                    2
                } else {
                    text[i..].chars().next().map_or(1, char::len_utf8)
                };
                Kind::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

fn line_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

/// After the closing quote, or at the end of the line for an unclosed string.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        match bytes[i] {
            b'\\' if bytes.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_token_and_unclosed_strings() {
        let text = "when x <= 1e-3: lambda *= 1.5 # λ note\nimport \"std/po";
        let kinds: Vec<(Kind, &str)> = tokens(text)
            .iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Word, "when"),
                (Kind::Word, "x"),
                (Kind::Punct, "<="),
                (Kind::Number, "1e-3"),
                (Kind::Punct, ":"),
                (Kind::Word, "lambda"),
                (Kind::Punct, "*="),
                (Kind::Number, "1.5"),
                (Kind::Comment, "# λ note"),
                (Kind::Word, "import"),
                (Kind::Str, "\"std/po"),
            ]
        );
    }
}
