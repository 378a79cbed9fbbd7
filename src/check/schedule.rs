//! Built-in schedules (`constant`, `steps`, `linear`, `exponential`,
//! `cosine`, `reverse`) and schedule lengths, which fix an arm's budget.

use super::eval::{Ctx, Env, Val};
use crate::builtins::{self, Builtin};
use crate::diagnostics::Reported;
use crate::plan::{Duration, Schedule};
use crate::syntax::ast::{Arg, Ident};

pub fn builtin(ctx: &mut Ctx, name: &Ident, args: &[Arg], env: &Env) -> Val {
    let Some(which) = builtins::Schedule::from_name(&name.name) else {
        return Val::Unknown(ctx.unknown_builtin::<builtins::Schedule>(&name.name, name.span));
    };
    let entry = which.entry();
    let b = ctx.bind(name, args, &entry.param_names(), &entry.required());
    let sched = match which {
        builtins::Schedule::Constant => {
            let value = b.required(0).and_then(|e| lambda_value(ctx, e, env));
            value.map(|value| Schedule::Constant { value })
        }
        builtins::Schedule::Steps => {
            let values = b
                .required(0)
                .and_then(|e| ctx.lambda_list(e, env, "the list of steps"));
            let each = b.required(1).and_then(|e| ctx.dur(e, env));
            values.and_then(|values| {
                Ok(Schedule::Steps {
                    values,
                    each: each?,
                })
            })
        }
        builtins::Schedule::Linear | builtins::Schedule::Cosine => {
            let from = b.required(0).and_then(|e| lambda_value(ctx, e, env));
            let to = b.required(1).and_then(|e| lambda_value(ctx, e, env));
            let over = b.required(2).and_then(|e| ctx.dur(e, env));
            (|| {
                let (from, to, over) = (from?, to?, over?);
                Ok(if which == builtins::Schedule::Linear {
                    Schedule::Linear { from, to, over }
                } else {
                    Schedule::Cosine { from, to, over }
                })
            })()
        }
        builtins::Schedule::Exponential => {
            let from = b.required(0).and_then(|e| lambda_value(ctx, e, env));
            let rate = b.required(1).and_then(|e| {
                let r = ctx.num(e, env)?;
                if !(r > 0.0) || !r.is_finite() {
                    return Err(ctx.out_of_range(e.span, "the rate", "greater than 0", r));
                }
                Ok(r)
            });
            let every = b.required(2).and_then(|e| ctx.dur(e, env));
            (|| {
                Ok(Schedule::Exponential {
                    from: from?,
                    rate: rate?,
                    every: every?,
                })
            })()
        }
        builtins::Schedule::Reverse => b
            .required(0)
            .and_then(|e| {
                let v = ctx.eval(e, env);
                let s = ctx.to_schedule(e.span, v)?;
                if length(&s, 1).is_none() {
                    return Err(endless(
                        ctx,
                        e,
                        "`reverse` plays a schedule backwards over its length",
                    ));
                }
                Ok(s)
            })
            .map(|inner| Schedule::Reverse {
                inner: Box::new(inner),
            }),
    };
    match sched {
        Ok(s) => Val::Sched(s),
        Err(reported) => Val::Unknown(reported),
    }
}

fn lambda_value(ctx: &mut Ctx, e: &crate::syntax::ast::Expr, env: &Env) -> Result<f64, Reported> {
    let v = ctx.num(e, env)?;
    ctx.check_lambda(e.span, v)?;
    Ok(v)
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
pub fn endless(ctx: &mut Ctx, e: &crate::syntax::ast::Expr, why: &str) -> Reported {
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
    )
}
