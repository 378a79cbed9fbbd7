//! Built-in schedules (`constant`, `steps`, `linear`, `exponential`,
//! `cosine`, `reverse`) and schedule lengths, which fix an arm's budget.

use super::eval::{Ctx, Env, Val};
use crate::plan::{Duration, Schedule};
use crate::syntax::ast::{Arg, Ident};

pub fn builtin(ctx: &mut Ctx, name: &Ident, args: &[Arg], env: &Env) -> Val {
    let sched = match name.name.as_str() {
        "constant" => {
            let b = ctx.bind(name, args, &["value"], &["value"]);
            let value = b[0].and_then(|e| lambda_value(ctx, e, env));
            value.map(|value| Schedule::Constant { value })
        }
        "steps" => {
            let b = ctx.bind(name, args, &["values", "each"], &["values", "each"]);
            let values = b[0].and_then(|e| ctx.lambda_list(e, env, "the list of steps"));
            let each = b[1].and_then(|e| ctx.dur(e, env));
            match (values, each) {
                (Some(values), Some(each)) => Some(Schedule::Steps { values, each }),
                _ => None,
            }
        }
        "linear" | "cosine" => {
            let b = ctx.bind(name, args, &["from", "to", "over"], &["from", "to", "over"]);
            let from = b[0].and_then(|e| lambda_value(ctx, e, env));
            let to = b[1].and_then(|e| lambda_value(ctx, e, env));
            let over = b[2].and_then(|e| ctx.dur(e, env));
            match (from, to, over) {
                (Some(from), Some(to), Some(over)) if name.name == "linear" => {
                    Some(Schedule::Linear { from, to, over })
                }
                (Some(from), Some(to), Some(over)) => Some(Schedule::Cosine { from, to, over }),
                _ => None,
            }
        }
        "exponential" => {
            let b = ctx.bind(
                name,
                args,
                &["from", "rate", "every"],
                &["from", "rate", "every"],
            );
            let from = b[0].and_then(|e| lambda_value(ctx, e, env));
            let rate = b[1].and_then(|e| {
                let r = ctx.num(e, env)?;
                if !(r > 0.0) || !r.is_finite() {
                    ctx.out_of_range(e.span, "the rate", "greater than 0", r);
                    return None;
                }
                Some(r)
            });
            let every = b[2].and_then(|e| ctx.dur(e, env));
            match (from, rate, every) {
                (Some(from), Some(rate), Some(every)) => {
                    Some(Schedule::Exponential { from, rate, every })
                }
                _ => None,
            }
        }
        _ => {
            // reverse
            let b = ctx.bind(name, args, &["schedule"], &["schedule"]);
            b[0].and_then(|e| {
                let v = ctx.eval(e, env);
                let s = ctx.to_schedule(e.span, v)?;
                if length(&s, 1).is_none() {
                    endless(
                        ctx,
                        e,
                        "`reverse` plays a schedule backwards over its length",
                    );
                    return None;
                }
                Some(s)
            })
            .map(|inner| Schedule::Reverse {
                inner: Box::new(inner),
            })
        }
    };
    sched.map(Val::Sched).unwrap_or(Val::Unknown)
}

fn lambda_value(ctx: &mut Ctx, e: &crate::syntax::ast::Expr, env: &Env) -> Option<f64> {
    let v = ctx.num(e, env)?;
    ctx.check_lambda(e.span, v).then_some(v)
}

/// Iterations a schedule lasts; `None` when it has no end (constant, exponential).
pub fn length(s: &Schedule, iters_per_epoch: u64) -> Option<u64> {
    let it = |d: &Duration| d.to_iters(iters_per_epoch);
    match s {
        Schedule::Constant { .. } | Schedule::Exponential { .. } => None,
        Schedule::Steps { values, each } => Some((values.len() as u64).saturating_mul(it(each))),
        Schedule::Linear { over, .. } | Schedule::Cosine { over, .. } => Some(it(over)),
        Schedule::Reverse { inner } => length(inner, iters_per_epoch),
        Schedule::Then { first, second } => {
            Some(length(first, iters_per_epoch)?.saturating_add(length(second, iters_per_epoch)?))
        }
    }
}

/// Report a schedule without an end where one is needed.
pub fn endless(ctx: &mut Ctx, e: &crate::syntax::ast::Expr, why: &str) {
    ctx.report(
        e.span,
        crate::diagnostics::Diagnostic::WrongType {
            expected: "a schedule with an end".into(),
            found: "a schedule that never ends".into(),
            span: e.span.into(),
            help: Some(format!(
                "{why}; constants and exponential schedules never end (use `steps`, `linear` or `cosine`)"
            )),
        },
    );
}
