//! Syntax errors the grammar alone words badly, recognised from the tokens
//! around the error: a reserved word used as a name, a duration's unit on
//! the line after its number, a misspelled keyword, a `{` never closed.
//! The tokens come from `lex.rs` (comments dropped), so these checks never
//! depend on how far pest happened to get.

use crate::diagnostics::{closest, Diagnostic};

use super::lex::{Kind, Token as Tok, UNITS};
pub use super::lex::{ITEM_KEYWORDS, KEYWORDS as RESERVED};

/// The tokens of `text`, without comments.
fn lex(text: &str) -> Vec<Tok> {
    let mut toks = super::lex::tokens(text);
    toks.retain(|t| t.kind != Kind::Comment);
    toks
}

/// The tokens, and the index of the first one that ends after `pos`.
fn around(text: &str, pos: usize) -> (Vec<Tok>, usize) {
    let toks = lex(text);
    let at = toks.iter().position(|t| t.end > pos).unwrap_or(toks.len());
    (toks, at)
}

fn word<'t>(text: &'t str, t: &Tok) -> &'t str {
    &text[t.start..t.end]
}

/// A reserved word where a name is expected (`schedule every = ...`,
/// `arm in: ...`, a parameter `(every = 1)`): the word's span and text, and
/// what it would have named.
pub fn reserved_name(text: &str, pos: usize) -> Option<(usize, usize, String, &'static str)> {
    let (toks, at) = around(text, pos);
    for j in [at, at.wrapping_sub(1)] {
        let (Some(t), Some(prev)) = (toks.get(j), j.checked_sub(1).and_then(|p| toks.get(p)))
        else {
            continue;
        };
        let w = word(text, t);
        if t.kind != Kind::Word || !RESERVED.contains(&w) {
            continue;
        }
        let before = word(text, prev);
        let after = toks.get(j + 1).map(|n| word(text, n)).unwrap_or("");
        let named = match before {
            "data" => Some("data"),
            "network" => Some("network"),
            "schedule" => Some("schedule"),
            "policy" => Some("policy"),
            "experiment" => Some("experiment"),
            "arm" => Some("arm"),
            "vary" => Some("vary"),
            "(" | "," if ["=", ",", ")"].contains(&after) => Some("parameter"),
            _ => None,
        };
        if let Some(named) = named {
            return Some((t.start, t.end, w.to_string(), named));
        }
    }
    None
}

/// A number whose unit is on a later line (`every 100` ⏎ `iters`): the
/// number's span and the unit.
pub fn split_unit(text: &str, pos: usize) -> Option<(usize, usize, String)> {
    let (toks, at) = around(text, pos);
    for j in [at, at.wrapping_sub(1)] {
        let (Some(unit), Some(num)) = (toks.get(j), j.checked_sub(1).and_then(|p| toks.get(p)))
        else {
            continue;
        };
        // `batch: 200` ⏎ `iters 1000` is a key without its `:`, not a unit.
        let key_like = toks
            .get(j + 1)
            .is_some_and(|n| n.kind == Kind::Number || word(text, n) == ":");
        if unit.kind == Kind::Word
            && UNITS.contains(&word(text, unit))
            && num.kind == Kind::Number
            && text[num.end..unit.start].contains('\n')
            && !key_like
        {
            return Some((num.start, num.end, word(text, unit).to_string()));
        }
    }
    None
}

/// `text` with the number at `pos` joined to its unit on a later line
/// (the gap blanked to spaces, so every offset stays where it was).
pub fn join_split_unit(text: &str, pos: usize) -> Option<String> {
    let toks = lex(text);
    let j = toks
        .iter()
        .position(|t| t.start == pos && t.kind == Kind::Number)?;
    let (num, unit) = (toks[j], *toks.get(j + 1)?);
    if !(UNITS.contains(&word(text, &unit)) && text[num.end..unit.start].contains('\n')) {
        return None;
    }
    let mut out = text.to_string();
    let gap: String = text[num.end..unit.start]
        .chars()
        .flat_map(|c| std::iter::repeat_n(' ', c.len_utf8()))
        .collect();
    out.replace_range(num.end..unit.start, &gap);
    Some(out)
}

/// A word at `pos` that is a typo of one of `keywords`; for a key
/// statement's missing `:`, the word before it (`vray x in ...`).
pub fn keyword_typo(text: &str, pos: usize, keywords: &[&'static str]) -> Option<&'static str> {
    let (toks, at) = around(text, pos);
    let candidates = [Some(at), at.checked_sub(1)];
    let found = candidates.into_iter().flatten().find_map(|i| {
        let t = toks.get(i)?;
        let w = word(text, t);
        (t.kind == Kind::Word && !keywords.contains(&w))
            .then(|| closest(w, keywords.iter().copied()))
            .flatten()
            .and_then(|c| keywords.iter().copied().find(|k| *k == c))
    });
    found
}

/// The outermost `{` still open at `pos`, when what follows `pos` in the
/// piece is nothing or the start of another definition: the block's `}`
/// is missing, not a statement inside it.
pub fn unclosed_brace(text: &str, pos: usize) -> Option<usize> {
    let (toks, at) = around(text, pos);
    let mut open = vec![];
    for t in &toks[..at] {
        match word(text, t) {
            "{" => open.push(t.start),
            "}" => {
                open.pop();
            }
            _ => {}
        }
    }
    let next_is_item = toks.get(at).is_some_and(|t| {
        ITEM_KEYWORDS.contains(&word(text, t))
            && toks
                .get(at + 1)
                .is_some_and(|n| n.kind == Kind::Word || n.kind == Kind::Str)
    });
    (at == toks.len() || next_is_item)
        .then(|| open.first().copied())
        .flatten()
}

/// The definition a piece of text starts: its keyword and name.
pub fn item_of(text: &str) -> Option<(&'static str, String)> {
    let toks = lex(text);
    let kw = ITEM_KEYWORDS
        .iter()
        .find(|k| toks.first().is_some_and(|t| word(text, t) == **k))?;
    let name = toks
        .get(1)
        .filter(|t| t.kind == Kind::Word)
        .map(|t| word(text, t).to_string())?;
    Some((kw, name))
}

/// "expected a name, found the reserved word `every`", at the word.
pub fn reserved_diagnostic(start: usize, end: usize, w: &str, named: &str) -> Diagnostic {
    let (what, suffix) = match named {
        "parameter" => ("a parameter", "param"),
        "arm" => ("an arm", "arm"),
        "vary" => ("a `vary` axis", "axis"),
        "data" => ("a data set", "data"),
        "network" => ("a network", "net"),
        "experiment" => ("an experiment", "exp"),
        "policy" => ("a policy", "policy"),
        _ => ("a schedule", "schedule"),
    };
    Diagnostic::Syntax {
        expected: "a name".into(),
        found: format!("the reserved word `{w}`"),
        span: (start, end - start).into(),
        label: "reserved word".into(),
        help: Some(format!(
            "`{w}` is part of the language and cannot name {what}; rename it, e.g. `{w}_{suffix}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_where_names_go() {
        let t = "schedule every = constant(1)";
        assert_eq!(
            reserved_name(t, 14),
            Some((9, 14, "every".into(), "schedule"))
        );
        assert_eq!(
            reserved_name("  arm in: lambda = 1", 8).map(|r| r.3),
            Some("arm")
        );
        assert_eq!(
            reserved_name("schedule s(every = 1) = 2", 11).map(|r| r.3),
            Some("parameter")
        );
        assert_eq!(reserved_name("x = linear(from: 1)", 11), None);
    }

    #[test]
    fn a_unit_on_the_next_line() {
        let t = "  checks: every 100\n    iters\n  iters: 1000\n";
        let at = t.find("iters:").unwrap();
        assert_eq!(split_unit(t, at), Some((16, 19, "iters".into())));
        let joined = join_split_unit(t, 16).unwrap();
        assert_eq!(joined.len(), t.len());
        assert!(joined.starts_with("  checks: every 100     iters\n"));
        assert_eq!(split_unit("a: 100 iters\nb: 1", 13), None);
    }

    #[test]
    fn typos_of_keywords() {
        assert_eq!(
            keyword_typo("netwrok n {", 0, &ITEM_KEYWORDS),
            Some("network")
        );
        assert_eq!(
            keyword_typo("improt \"x\"", 0, &ITEM_KEYWORDS),
            Some("import")
        );
        assert_eq!(keyword_typo("banana n {", 0, &ITEM_KEYWORDS), None);
        assert_eq!(
            keyword_typo("  vray x in [1]", 7, &["vary", "arm"]),
            Some("vary")
        );
    }

    #[test]
    fn unclosed_braces() {
        let t = "network n {\n  dense(10)\n  relu\n\n";
        assert_eq!(unclosed_brace(t, t.len()), Some(10));
        let t = "network n {\n  dense(10)\nexperiment e {\n";
        assert_eq!(unclosed_brace(t, t.find("experiment").unwrap()), Some(10));
        let t = "network n {\n  dense(10) ]\n}";
        assert_eq!(unclosed_brace(t, t.find(']').unwrap()), None);
        assert_eq!(item_of(t), Some(("network", "n".into())));
    }

    #[test]
    fn lexing_skips_comments_and_strings() {
        let t = "a # { not a brace\n\"}\" 1.5e-3 x";
        let kinds: Vec<Kind> = lex(t).iter().map(|t| t.kind).collect();
        assert_eq!(kinds, [Kind::Word, Kind::Str, Kind::Number, Kind::Word]);
    }
}
