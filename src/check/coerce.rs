//! Coercions: a value checked to be the kind a place needs (a number, a
//! count, a duration, a schedule, a list of λ values), with the diagnostic
//! for anything else.

use super::eval::{dur_text, num_text, Ctx, Env, Val};
use crate::diagnostics::Diagnostic;
use crate::plan::{Duration, Schedule};
use crate::syntax::ast::{Expr, Span};

impl Ctx<'_> {
    pub fn to_num(&mut self, span: Span, v: Val, expected: &str) -> Option<f64> {
        match v {
            Val::Num { v, .. } => Some(v),
            Val::Unknown => None,
            Val::Dur(d) => {
                self.report(
                    span,
                    Diagnostic::WrongUnit {
                        message: format!(
                            "expected a plain number, found the duration {}",
                            dur_text(d)
                        ),
                        label: "has a unit".into(),
                        span: span.into(),
                        help: Some("this takes a plain number; drop the unit".into()),
                    },
                );
                None
            }
            other => {
                self.wrong_type(span, expected, &other);
                None
            }
        }
    }

    pub fn num(&mut self, e: &Expr, env: &Env) -> Option<f64> {
        let v = self.eval(e, env);
        self.to_num(e.span, v, "a number")
    }

    /// A whole number ≥ `min` (and at most 10⁹).
    pub fn count(&mut self, e: &Expr, env: &Env, what: &str, min: u64) -> Option<u64> {
        self.count_in(e, env, what, min, 1_000_000_000)
    }

    /// A whole number in `[min, max]`; the upper bounds keep every later
    /// product of sizes far from overflow.
    pub fn count_in(&mut self, e: &Expr, env: &Env, what: &str, min: u64, max: u64) -> Option<u64> {
        let v = self.eval(e, env);
        let n = self.to_num(e.span, v, "a whole number")?;
        if n.fract() != 0.0 || n < min as f64 || n > max as f64 || !n.is_finite() {
            let allowed = if n > max as f64 && n.fract() == 0.0 {
                format!("at most {max}")
            } else {
                format!("a whole number ≥ {min}")
            };
            self.out_of_range(e.span, what, &allowed, n);
            return None;
        }
        Some(n as u64)
    }

    pub fn to_dur(&mut self, span: Span, v: Val) -> Option<Duration> {
        match v {
            Val::Dur(d) => {
                let positive = match d {
                    Duration::Iters(n) => n > 0,
                    Duration::Epochs(e) => e > 0.0,
                };
                if !positive {
                    self.report(
                        span,
                        Diagnostic::OutOfRange {
                            what: "a duration".into(),
                            allowed: "greater than 0".into(),
                            value: dur_text(d),
                            span: span.into(),
                            help: None,
                        },
                    );
                    return None;
                }
                Some(d)
            }
            Val::Unknown => None,
            Val::Num { v, .. } => {
                self.report(
                    span,
                    Diagnostic::WrongUnit {
                        message: format!("expected a duration, found the number {}", num_text(v)),
                        label: "no unit".into(),
                        span: span.into(),
                        help: Some(format!(
                            "add a unit: `{} iters` or `{} epochs`",
                            num_text(v.round().max(1.0)),
                            num_text(v)
                        )),
                    },
                );
                None
            }
            other => {
                self.wrong_type(span, "a duration", &other);
                None
            }
        }
    }

    pub fn dur(&mut self, e: &Expr, env: &Env) -> Option<Duration> {
        let v = self.eval(e, env);
        self.to_dur(e.span, v)
    }

    pub fn to_schedule(&mut self, span: Span, v: Val) -> Option<Schedule> {
        match v {
            Val::Sched(s) => Some(s),
            Val::Num { v, .. } => {
                self.check_lambda(span, v);
                Some(Schedule::Constant { value: v })
            }
            Val::Unknown => None,
            other => {
                self.wrong_type(span, "a schedule", &other);
                None
            }
        }
    }

    /// λ must be ≥ 0 (and finite).
    pub fn check_lambda(&mut self, span: Span, v: f64) -> bool {
        if !(v >= 0.0) || !v.is_finite() {
            self.report(
                span,
                Diagnostic::OutOfRange {
                    what: "λ".into(),
                    allowed: "≥ 0".into(),
                    value: num_text(v),
                    span: span.into(),
                    help: Some("a negative penalty would reward large weights".into()),
                },
            );
            return false;
        }
        true
    }

    /// A non-empty list of λ values.
    pub fn lambda_list(&mut self, e: &Expr, env: &Env, what: &str) -> Option<Vec<f64>> {
        match self.eval(e, env) {
            Val::List(items) => {
                if items.is_empty() {
                    self.report(
                        e.span,
                        Diagnostic::EmptyList {
                            what: what.to_string(),
                            span: e.span.into(),
                        },
                    );
                    return None;
                }
                let mut out = vec![];
                let mut ok = true;
                for (v, span) in items {
                    match self.to_num(span, v, "a number") {
                        Some(x) => {
                            ok &= self.check_lambda(span, x);
                            out.push(x);
                        }
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(out)
            }
            Val::Unknown => None,
            other => {
                self.wrong_type(e.span, "a list of numbers", &other);
                None
            }
        }
    }
}
