//! pest errors → `regime::syntax` diagnostics in words: what was expected
//! ("a value", "`}`") and the token actually found, never a rule name.

use super::{hints, Rule};
use crate::diagnostics::Diagnostic;
use pest::error::{Error, ErrorVariant, InputLocation};

pub fn to_diagnostic(e: &Error<Rule>, text: &str, offset: usize) -> Diagnostic {
    let mut pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if let Some(d) = unterminated_string(text, pos, offset) {
        return d;
    }
    let mut wanted: Vec<String> = vec![];
    let push = |w: String, wanted: &mut Vec<String>| {
        let quoted = w.starts_with('`') && w.ends_with('`');
        // A token already named inside a phrase (`=` in "`=`, `*=` ...").
        if quoted && wanted.iter().any(|x| x.contains(w.as_str())) {
            return;
        }
        if !wanted.contains(&w) {
            wanted.push(w);
        }
    };
    let attempts = e.parse_attempts();
    let further = attempts.as_ref().map_or(pos, |a| a.max_position.max(pos));
    if let Some(d) = [pos, further]
        .into_iter()
        .find_map(|p| special(text, p, offset))
    {
        return d;
    }
    // pest places the error at the last *rule* it tried; a literal (`:`,
    // `=`) that failed further on is the better place to point at.
    let literal_further = attempts.as_ref().is_some_and(|a| a.max_position > pos);
    if literal_further {
        if let Some(a) = &attempts {
            pos = a.max_position;
        }
    } else if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(w) = rule_words(*r) {
                push(w.to_string(), &mut wanted);
            }
        }
    }
    if let Some(a) = &attempts {
        if a.max_position == pos {
            for t in a.expected_tokens() {
                if let Some(w) = token_words(&t.to_string()) {
                    push(w, &mut wanted);
                }
            }
        }
    }
    if wanted.is_empty()
        && text
            .get(..pos)
            .is_some_and(|b| b.trim().is_empty() || at_top_level(b))
    {
        wanted.push(rule_words(Rule::kw_import).unwrap_or_default().to_string());
    }
    // After a complete value an operator or a unit is always possible;
    // mentioning them only helps when nothing else could come.
    if wanted.len() > 1 {
        wanted.retain(|w| w != OPERATOR && w != UNIT);
    }
    // Brackets and quotes that start a value are already "a value".
    if wanted.iter().any(|w| w == VALUE) {
        wanted.retain(|w| !matches!(w.as_str(), "`\"`" | "`(`" | "`[`"));
    }
    let (found, len) = found_at(text, pos);
    let expected = if wanted.is_empty() {
        "something else".to_string()
    } else {
        join_or(&wanted)
    };
    let help = help_for(text, pos, &wanted, &found);
    Diagnostic::Syntax {
        label: format!(
            "expected {}",
            wanted
                .first()
                .map(String::as_str)
                .unwrap_or("something else")
        ),
        expected,
        found,
        span: (pos + offset, len).into(),
        help,
    }
}

/// The help line of a syntax error: what a value looks like, where a unit
/// goes, a misspelled keyword, or how experiment keys are written.
fn help_for(text: &str, pos: usize, wanted: &[String], found: &str) -> Option<String> {
    if wanted.iter().any(|w| w == VALUE) {
        Some("a value is a number (`0.5`), a duration (`1000 iters`), a string, a list `[...]`, a name or a call `f(...)`".to_string())
    } else if wanted.iter().any(|w| w == UNIT)
        || ["`iters`", "`iter`", "`epochs`", "`epoch`"].contains(&found)
    {
        Some(
            "a duration's unit follows its number on the same line: `1000 iters`, `2 epochs`"
                .to_string(),
        )
    } else if let Some(k) = keyword_typo(text, pos, wanted) {
        Some(format!("did you mean `{k}`?"))
    } else if wanted.iter().any(|w| w == EXP_STMT) && found.starts_with('`') {
        Some("experiment keys are written `key: value`, e.g. `data: fmnist`".to_string())
    } else {
        None
    }
}

/// A reserved word used as a name, or a unit on the line after its number:
/// one error at the real mistake instead of whatever pest met next.
fn special(text: &str, pos: usize, offset: usize) -> Option<Diagnostic> {
    if let Some((start, end, word, named)) = hints::reserved_name(text, pos) {
        return Some(hints::reserved_diagnostic(
            start + offset,
            end + offset,
            &word,
            named,
        ));
    }
    let (start, end, unit) = hints::split_unit(text, pos)?;
    let number = &text[start..end];
    Some(Diagnostic::Syntax {
        expected: format!("`{unit}` on the same line as `{number}`"),
        found: "a line break".into(),
        span: (start + offset, end - start).into(),
        label: format!("its unit `{unit}` is on a later line"),
        help: Some(format!(
            "a duration's unit follows its number on the same line: write `{number} {unit}`"
        )),
    })
}

/// A misspelled keyword where a definition or statement was expected.
fn keyword_typo(text: &str, pos: usize, wanted: &[String]) -> Option<&'static str> {
    let words: &[&'static str] = if wanted.iter().any(|w| w.starts_with("a definition")) {
        &hints::ITEM_KEYWORDS
    } else if wanted.iter().any(|w| w == POLICY_STMT) {
        &["every", "when", "clamp"]
    } else if wanted.iter().any(|w| w == EXP_STMT || w == "`:`") {
        &["vary", "arm"]
    } else {
        return None;
    };
    hints::keyword_typo(text, pos, words)
}

/// Whether `before` ends outside any braces (so a definition is expected).
fn at_top_level(before: &str) -> bool {
    let opens = before.matches('{').count();
    let closes = before.matches('}').count();
    opens <= closes
}

/// A `"` without a closing quote on its line.
fn unterminated_string(text: &str, pos: usize, offset: usize) -> Option<Diagnostic> {
    let rest = text.get(pos..)?;
    if !rest.starts_with('"') {
        return None;
    }
    let line = rest.split('\n').next().unwrap_or("");
    let mut escaped = false;
    for c in line.chars().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return None,
            _ => {}
        }
    }
    Some(Diagnostic::Syntax {
        expected: "a closing `\"`".into(),
        found: "end of line".into(),
        span: (pos + offset, line.len().max(1)).into(),
        label: "this string is not closed".into(),
        help: Some("strings end on the line where they start".into()),
    })
}

const VALUE: &str = "a value";
const OPERATOR: &str = "an operator";
const UNIT: &str = "a unit (`iters` or `epochs`)";
const EXP_STMT: &str = "a statement (`key: value`, `vary ...` or `arm ...`)";
const POLICY_STMT: &str = "a statement (`every ...`, `when ...` or `clamp ...`)";

fn rule_words(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::kw_import
        | Rule::kw_data
        | Rule::kw_network
        | Rule::kw_schedule
        | Rule::kw_policy
        | Rule::kw_experiment
        | Rule::import
        | Rule::data_def
        | Rule::network_def
        | Rule::schedule_def
        | Rule::policy_def
        | Rule::experiment_def => {
            "a definition (`import`, `data`, `network`, `schedule`, `policy` or `experiment`)"
        }
        Rule::ident | Rule::word | Rule::param => "a name",
        Rule::expr
        | Rule::number
        | Rule::duration
        | Rule::boolean
        | Rule::list
        | Rule::call
        | Rule::paren
        | Rule::op_neg
        | Rule::op_not => VALUE,
        Rule::string => "a string",
        Rule::unit => UNIT,
        // The binary operators, as the lowering knows them (one list).
        r if super::lower::is_infix(r) => OPERATOR,
        Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::params => "`(`",
        Rule::layer => "a layer",
        Rule::every_stmt
        | Rule::when_stmt
        | Rule::clamp_stmt
        | Rule::kw_every
        | Rule::kw_when
        | Rule::kw_clamp => POLICY_STMT,
        Rule::action | Rule::kw_stop => "an action (`lambda *= 1.5` or `stop`)",
        Rule::assign_op => "`=`, `*=`, `/=`, `+=` or `-=`",
        Rule::vary_stmt | Rule::arm_stmt | Rule::key_stmt | Rule::kw_vary | Rule::kw_arm => {
            EXP_STMT
        }
        Rule::kw_in => "`in`",
        Rule::arg => "an argument",
        _ => return None,
    })
}

fn token_words(token: &str) -> Option<String> {
    match token {
        "=" | ":" | "," | "(" | ")" | "[" | "]" | "{" | "}" | "\"" => Some(format!("`{token}`")),
        _ => None,
    }
}

/// The token at `pos` in words, and its length for the label.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".into(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".into(), 1);
    }
    if c.is_alphanumeric() || c == '_' || c == '.' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .take(40)
            .collect();
        return (format!("`{word}`"), word.len());
    }
    if c == '"' {
        return ("a string".into(), 1);
    }
    (format!("`{c}`"), c.len_utf8())
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
