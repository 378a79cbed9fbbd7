//! Coercions: a value checked to be the kind a place needs (a number, a
//! count, a duration, a schedule, a list of λ values), with the diagnostic
//! for anything else.

use super::eval::{dur_text, num_text, Ctx, Env, Val};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{Duration, Schedule};
use crate::syntax::ast::{Expr, Span};

/// The largest count a source may write (iterations, sizes, subsets): far
/// beyond what can run, and far from overflow in any product of them.
pub const MAX_COUNT: u64 = 1_000_000_000;

impl Ctx<'_> {
    /// A literal's value, or the error when it overflows an f64 (`1e400`
    /// would otherwise reach the checks as infinity, with messages about
    /// the value instead of the literal).
    pub fn finite(&mut self, span: Span, value: f64, text: &str) -> Result<f64, Reported> {
        if value.is_finite() {
            return Ok(value);
        }
        Err(self.report(
            span,
            Diagnostic::FloatOverflow {
                text: text.to_string(),
                span: span.into(),
                help: Some(format!(
                    "the largest 64-bit float is about 1.8e308; check the exponent of `{text}`"
                )),
            },
        ))
    }

    pub fn to_num(&mut self, span: Span, v: Val, expected: &str) -> Result<f64, Reported> {
        match v {
            Val::Num { v, .. } => Ok(v),
            Val::Unknown(reported) => Err(reported),
            Val::Dur(d) => Err(self.report(
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
            )),
            other => Err(self.wrong_type(span, expected, &other)),
        }
    }

    pub fn num(&mut self, e: &Expr, env: &Env) -> Result<f64, Reported> {
        let v = self.eval(e, env);
        self.to_num(e.span, v, "a number")
    }

    /// A whole number ≥ `min` (and at most [`MAX_COUNT`]).
    pub fn count(&mut self, e: &Expr, env: &Env, what: &str, min: u64) -> Result<u64, Reported> {
        self.count_in(e, env, what, min, MAX_COUNT)
    }

    /// A whole number in `[min, max]`; the upper bounds keep every later
    /// product of sizes far from overflow.
    pub fn count_in(
        &mut self,
        e: &Expr,
        env: &Env,
        what: &str,
        min: u64,
        max: u64,
    ) -> Result<u64, Reported> {
        let v = self.eval(e, env);
        let n = self.to_num(e.span, v, "a whole number")?;
        if n.fract() != 0.0 || n < min as f64 || n > max as f64 || !n.is_finite() {
            let allowed = if n > max as f64 && n.fract() == 0.0 {
                format!("at most {max}")
            } else {
                format!("a whole number ≥ {min}")
            };
            return Err(self.out_of_range(e.span, what, &allowed, n));
        }
        Ok(n as u64)
    }

    pub fn to_dur(&mut self, span: Span, v: Val) -> Result<Duration, Reported> {
        match v {
            Val::Dur(d) => {
                let positive = match d {
                    Duration::Iters(n) => n > 0,
                    Duration::Epochs(e) => e > 0.0,
                };
                if !positive {
                    return Err(self.report(
                        span,
                        Diagnostic::OutOfRange {
                            what: "a duration".into(),
                            allowed: "greater than 0".into(),
                            value: dur_text(d),
                            span: span.into(),
                            help: None,
                        },
                    ));
                }
                Ok(d)
            }
            Val::Unknown(reported) => Err(reported),
            Val::Num { v, .. } => Err(self.report(
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
            )),
            other => Err(self.wrong_type(span, "a duration", &other)),
        }
    }

    pub fn dur(&mut self, e: &Expr, env: &Env) -> Result<Duration, Reported> {
        let v = self.eval(e, env);
        self.to_dur(e.span, v)
    }

    pub fn to_schedule(&mut self, span: Span, v: Val) -> Result<Schedule, Reported> {
        match v {
            Val::Sched(s) => Ok(s),
            Val::Num { v, .. } => {
                // Reported, and the schedule kept, so later checks still run.
                let _ = self.check_lambda(span, v);
                Ok(Schedule::Constant { value: v })
            }
            Val::Unknown(reported) => Err(reported),
            other => Err(self.wrong_type(span, "a schedule", &other)),
        }
    }

    /// λ must be ≥ 0 (and finite).
    pub fn check_lambda(&mut self, span: Span, v: f64) -> Result<(), Reported> {
        if !(v >= 0.0) || !v.is_finite() {
            return Err(self.report(
                span,
                Diagnostic::OutOfRange {
                    what: "λ".into(),
                    allowed: "≥ 0".into(),
                    value: num_text(v),
                    span: span.into(),
                    help: Some("a negative penalty would reward large weights".into()),
                },
            ));
        }
        Ok(())
    }

    /// A non-empty list of λ values.
    pub fn lambda_list(&mut self, e: &Expr, env: &Env, what: &str) -> Result<Vec<f64>, Reported> {
        match self.eval(e, env) {
            Val::List(items) => {
                if items.is_empty() {
                    return Err(self.report(
                        e.span,
                        Diagnostic::EmptyList {
                            what: what.to_string(),
                            span: e.span.into(),
                        },
                    ));
                }
                let mut out = vec![];
                let mut failed = None;
                for (v, span) in items {
                    match self.to_num(span, v, "a number") {
                        Ok(x) => {
                            if let Err(reported) = self.check_lambda(span, x) {
                                failed = Some(reported);
                            }
                            out.push(x);
                        }
                        Err(reported) => failed = Some(reported),
                    }
                }
                match failed {
                    Some(reported) => Err(reported),
                    None => Ok(out),
                }
            }
            Val::Unknown(reported) => Err(reported),
            other => Err(self.wrong_type(e.span, "a list of numbers", &other)),
        }
    }
}
