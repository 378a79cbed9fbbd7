//! Arguments: a call's arguments matched to the callee's parameters, with
//! unknown, duplicate, surplus and missing arguments reported.

use super::eval::{Bound, Ctx};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::syntax::ast::{Arg, Expr, Ident, Span};

impl Ctx<'_> {
    /// Match `args` to `names` (positional in order, then by name); reports
    /// unknown, duplicate, surplus and missing (`required`) arguments.
    /// invariant: the result has exactly `names.len()` slots, so callers
    /// index it by parameter position.
    pub fn bind<'e>(
        &mut self,
        callee: &Ident,
        args: &'e [Arg],
        names: &[&str],
        required: &[&str],
    ) -> Bound<'e> {
        let mut slots: Vec<Option<&'e Expr>> = vec![None; names.len()];
        let mut spans: Vec<Option<Span>> = vec![None; names.len()];
        let mut positional = 0;
        for a in args {
            let idx = match &a.name {
                None => {
                    let i = positional;
                    positional += 1;
                    if i >= names.len() {
                        self.report(
                            a.span,
                            Diagnostic::TooManyArguments {
                                callee: callee.name.clone(),
                                max: names.len(),
                                plural: if names.len() == 1 { "" } else { "s" },
                                span: a.span.into(),
                                help: (!names.is_empty()).then(|| {
                                    format!("`{}` takes: {}", callee.name, names.join(", "))
                                }),
                            },
                        );
                        continue;
                    }
                    i
                }
                Some(n) => match names.iter().position(|x| *x == n.name) {
                    Some(i) => i,
                    None => {
                        let help = did_you_mean(&n.name, names.iter().copied()).or_else(|| {
                            Some(if names.is_empty() {
                                format!("`{}` takes no arguments", callee.name)
                            } else {
                                format!("`{}` takes: {}", callee.name, names.join(", "))
                            })
                        });
                        self.report(
                            n.span,
                            Diagnostic::UnknownArgument {
                                name: n.name.clone(),
                                callee: callee.name.clone(),
                                span: n.span.into(),
                                help,
                            },
                        );
                        continue;
                    }
                },
            };
            if let Some(first) = spans[idx] {
                self.report(
                    a.span,
                    Diagnostic::DuplicateArgument {
                        name: names[idx].to_string(),
                        first: first.into(),
                        second: a.span.into(),
                    },
                );
                continue;
            }
            slots[idx] = Some(&a.value);
            spans[idx] = Some(a.span);
        }
        for r in required {
            if let Some(i) = names.iter().position(|n| n == r) {
                if slots[i].is_none() {
                    self.report(
                        callee.span,
                        Diagnostic::MissingArgument {
                            name: r.to_string(),
                            callee: callee.name.clone(),
                            span: callee.span.into(),
                            help: Some(format!("add `{r}: ...` to the call")),
                        },
                    );
                }
            }
        }
        slots
    }
}
