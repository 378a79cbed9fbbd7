//! "Unknown X `name`": the diagnostic for a name that is not defined or
//! not a builtin, with the closest name as a suggestion, or for a builtin
//! another tool's name for it (`glorot` → `xavier`).

use super::eval::Ctx;
use crate::builtins::Builtin;
use crate::diagnostics::{closest, Diagnostic, Reported};
use crate::syntax::ast::Span;

impl Ctx<'_> {
    /// "unknown X `name`" for a kind of builtin: another tool's name for one
    /// (`glorot`) is answered with ours (`xavier`), else as `unknown`.
    pub fn unknown_builtin<B: Builtin>(&mut self, name: &str, span: Span) -> Reported {
        self.unknown_with(B::KIND, name, span, &B::names(), B::alias_help(name))
    }

    /// "unknown X `name`" with suggestions from `candidates`. A short list
    /// of fixed options is spelled out; definitions are not.
    pub fn unknown(&mut self, kind: &str, name: &str, span: Span, candidates: &[&str]) -> Reported {
        self.unknown_with(kind, name, span, candidates, None)
    }

    /// `unknown` with a help line that beats the closest-name guess.
    fn unknown_with(
        &mut self,
        kind: &str,
        name: &str,
        span: Span,
        candidates: &[&str],
        hint: Option<String>,
    ) -> Reported {
        let mut sorted: Vec<&str> = candidates.to_vec();
        sorted.sort();
        sorted.dedup();
        let closed_set = !matches!(kind, "schedule or policy" | "network" | "data set");
        let options = match sorted.as_slice() {
            [] => None,
            [one] => Some(format!("`{one}`")),
            [init @ .., last] => Some(format!(
                "{} or `{last}`",
                init.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        let label = match (&options, closed_set && sorted.len() <= 8) {
            (Some(o), true) => format!("expected {o}"),
            _ => "not defined here or in any import".to_string(),
        };
        let help = hint
            .or_else(|| {
                closest(name, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
            })
            .or_else(|| match (&options, sorted.len() <= 8) {
                (Some(o), true) if !closed_set => Some(format!("defined: {o}")),
                _ => None,
            });
        self.report(
            span,
            Diagnostic::UnknownName {
                kind: kind.to_string(),
                name: name.to_string(),
                span: span.into(),
                label,
                help,
            },
        )
    }
}
