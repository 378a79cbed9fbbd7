//! The operators of the language evaluated: `then`, `with`, `from`, `per`,
//! `and`/`or`, arithmetic and comparisons, each checking the types and units
//! of its operands.

use super::eval::{Ctx, Env, Val};
use crate::diagnostics::Reported;
use crate::plan::{Decay, Duration, LambdaSpec, Schedule};
use crate::syntax::ast::*;

impl Ctx<'_> {
    pub(super) fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, env: &Env) -> Val {
        let l = self.eval(lhs, env);
        let r = self.eval(rhs, env);
        if let Val::Unknown(reported) = l {
            return Val::Unknown(reported);
        }
        if let Val::Unknown(reported) = r {
            return Val::Unknown(reported);
        }
        let value = match op {
            BinOp::Then => self.then(lhs, rhs, l, r),
            BinOp::With => self.with(lhs, rhs, l, r),
            BinOp::From => self.from(lhs, rhs, l, r),
            BinOp::Per => self.per(lhs, rhs, l, r),
            BinOp::And | BinOp::Or => self.logic(op, lhs, rhs, l, r),
            _ => self.arithmetic(op, lhs, rhs, l, r),
        };
        value.unwrap_or_else(Val::Unknown)
    }

    /// `a then b`: one schedule after another.
    pub(super) fn then(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let a = self.to_schedule(lhs.span, l);
        let b = self.to_schedule(rhs.span, r);
        if a.as_ref()
            .is_ok_and(|a| super::schedule::length(a, 1).is_none())
        {
            return Err(super::schedule::endless(
                self,
                lhs,
                "the schedule after `then` would never start",
            ));
        }
        Ok(Val::Sched(Schedule::Then {
            first: Box::new(a?),
            second: Box::new(b?),
        }))
    }

    /// `schedule with policy`.
    pub(super) fn with(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let s = self.to_schedule(lhs.span, l);
        let p = match r {
            Val::Policy(p) => Ok(p),
            other => Err(self.wrong_type(rhs.span, "a policy", &other)),
        };
        Ok(Val::Lambda(LambdaSpec::Adjusted {
            schedule: s?,
            policy: p?,
        }))
    }

    /// `policy from start`.
    pub(super) fn from(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let p = match l {
            Val::Policy(p) => Ok(p),
            other => Err(self.wrong_type(lhs.span, "a policy", &other)),
        };
        let from = self.to_num(rhs.span, r, "a number");
        if let Ok(f) = from {
            // Reported, and the value kept, so later checks still run.
            let _ = self.check_lambda(rhs.span, f);
        }
        Ok(Val::Lambda(LambdaSpec::Policy {
            policy: p?,
            from: from?,
        }))
    }

    /// `factor per interval`: a decay.
    pub(super) fn per(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let factor = self.to_num(lhs.span, l, "a number");
        let every = match r {
            Val::Dur(d) => Ok(d),
            Val::Word(w) if w == "epoch" || w == "epochs" => Ok(Duration::Epochs(1.0)),
            Val::Word(w) if w == "iter" || w == "iters" => {
                Ok(Duration::Iters(self.scale.round().max(1.0) as u64))
            }
            other => Err(self.wrong_type(rhs.span, "`epoch`, `iter` or a duration", &other)),
        };
        if let Ok(f) = factor {
            if !(f > 0.0) {
                // Reported, and the decay kept, so later checks still run.
                let _ = self.out_of_range(lhs.span, "a decay factor", "greater than 0", f);
            }
        }
        // `per 0 iters` would silently mean every iteration.
        let every = every.and_then(|d| {
            let len = match d {
                Duration::Iters(n) => n as f64,
                Duration::Epochs(e) => e,
            };
            if len > 0.0 {
                Ok(d)
            } else {
                Err(self.out_of_range(rhs.span, "the decay interval", "greater than 0", len))
            }
        });
        Ok(Val::Decay(Decay {
            factor: factor?,
            every: every?,
        }))
    }

    /// `a and b`, `a or b`.
    pub(super) fn logic(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        l: Val,
        r: Val,
    ) -> Result<Val, Reported> {
        match (l, r) {
            (Val::Bool(a), Val::Bool(b)) => {
                Ok(Val::Bool(if op == BinOp::And { a && b } else { a || b }))
            }
            (Val::Bool(_), other) => Err(self.wrong_type(rhs.span, "a condition", &other)),
            (other, _) => Err(self.wrong_type(lhs.span, "a condition", &other)),
        }
    }

    /// Arithmetic and comparisons of two numbers.
    pub(super) fn arithmetic(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        l: Val,
        r: Val,
    ) -> Result<Val, Reported> {
        let a = self.to_num(lhs.span, l, "a number");
        let b = self.to_num(rhs.span, r, "a number");
        let (a, b) = (a?, b?);
        let num = |v: f64| Val::Num { v, int: false };
        Ok(match op {
            BinOp::Add => num(a + b),
            BinOp::Sub => num(a - b),
            BinOp::Mul => num(a * b),
            BinOp::Div => {
                if b == 0.0 {
                    return Err(self.out_of_range(rhs.span, "a divisor", "different from 0", b));
                }
                num(a / b)
            }
            BinOp::Lt => Val::Bool(a < b),
            BinOp::Le => Val::Bool(a <= b),
            BinOp::Gt => Val::Bool(a > b),
            BinOp::Ge => Val::Bool(a >= b),
            BinOp::Eq => Val::Bool(a == b),
            _ => Val::Bool(a != b),
        })
    }
}
