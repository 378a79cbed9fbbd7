//! Arguments: a call's arguments matched to the callee's parameters, with
//! unknown, duplicate, surplus and missing arguments reported.

use super::eval::Ctx;
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
use crate::syntax::ast::{Arg, Expr, Ident, Span};

/// A call's arguments matched to the callee's parameter names: `b[i]` is
/// the argument for parameter `i`, if given; `b.required(i)` is the proof
/// that a missing required one was reported.
pub struct Bound<'e> {
    names: Vec<String>,
    slots: Vec<Option<&'e Expr>>,
    missing: Vec<Option<Reported>>,
}

impl<'e> Bound<'e> {
    /// The argument of a required parameter, or the missing-argument error.
    pub fn required(&self, i: usize) -> Result<&'e Expr, Reported> {
        match (self.slots[i], self.missing[i]) {
            (Some(e), _) => Ok(e),
            (None, Some(reported)) => Err(reported),
            (None, None) => unreachable!("parameter {i} is not required"),
        }
    }

    /// The argument for the parameter called `name`, if it is one and was given.
    pub fn arg(&self, name: &str) -> Option<&'e Expr> {
        let i = self.names.iter().position(|n| n == name)?;
        self.slots[i]
    }

    /// The argument for the required parameter `name`, or the error.
    pub fn required_arg(&self, name: &str) -> Result<&'e Expr, Reported> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => self.required(i),
            None => unreachable!("`{name}` is not a parameter"),
        }
    }
}

impl<'e> std::ops::Index<usize> for Bound<'e> {
    type Output = Option<&'e Expr>;
    fn index(&self, i: usize) -> &Self::Output {
        &self.slots[i]
    }
}

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
        let missing = self.missing_arguments(callee, names, required, &slots);
        Bound {
            names: names.iter().map(|n| n.to_string()).collect(),
            slots,
            missing,
        }
    }

    /// Report every required argument without a value; the proof for
    /// each empty required slot.
    fn missing_arguments(
        &mut self,
        callee: &Ident,
        names: &[&str],
        required: &[&str],
        slots: &[Option<&Expr>],
    ) -> Vec<Option<Reported>> {
        let mut missing = vec![None; names.len()];
        for r in required {
            if let Some(i) = names.iter().position(|n| n == r) {
                if slots[i].is_none() {
                    missing[i] = Some(self.report(
                        callee.span,
                        Diagnostic::MissingArgument {
                            name: r.to_string(),
                            callee: callee.name.clone(),
                            span: callee.span.into(),
                            help: Some(format!("add `{r}: ...` to the call")),
                        },
                    ));
                }
            }
        }
        // A name listed twice (`schedule s(a, a)`) leaves a second empty
        // slot: reported too, so no parameter is ever silently unbound.
        for i in 0..names.len() {
            if slots[i].is_none() && missing[i].is_none() && required.contains(&names[i]) {
                missing[i] = Some(self.report(
                    callee.span,
                    Diagnostic::MissingArgument {
                        name: names[i].to_string(),
                        callee: callee.name.clone(),
                        span: callee.span.into(),
                        help: Some(format!("add `{}: ...` to the call", names[i])),
                    },
                ));
            }
        }
        missing
    }
}
