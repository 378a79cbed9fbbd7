//! The optimizer of a cell (SGD or Adam, its learning rate and decay) and
//! its penalty (kind, parameters, and what it applies to), checked into
//! plan values.

use super::eval::{Ctx, Env, Val};
use super::settings::DEFAULT_LP_EPS;
use crate::builtins::{self, Builtin};
use crate::diagnostics::{did_you_mean, Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::{self, Expr, Ident};

pub(super) fn call_parts(e: &Expr) -> Option<(&Ident, &[ast::Arg])> {
    match &e.kind {
        ast::ExprKind::Call { name, args } => Some((name, args.as_slice())),
        _ => None,
    }
}

pub(super) fn optimizer(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<OptimizerSpec, Reported> {
    let Some((name, args)) = call_parts(e) else {
        let v = ctx.eval(e, env);
        return Err(if let Val::Word(w) = &v {
            ctx.unknown_builtin::<builtins::Optimizer>(w, e.span)
        } else {
            ctx.wrong_type(e.span, "an optimizer such as `sgd(lr: 1e-3)`", &v)
        });
    };
    let unit_interval = |ctx: &mut Ctx, x: &Expr, what: &str| -> Result<f64, Reported> {
        let v = ctx.num(x, env)?;
        if !(0.0..1.0).contains(&v) {
            return Err(ctx.out_of_range(x.span, what, "in [0, 1)", v));
        }
        Ok(v)
    };
    let Some(which) = builtins::Optimizer::from_name(&name.name) else {
        return Err(ctx.unknown_builtin::<builtins::Optimizer>(&name.name, name.span));
    };
    let entry = which.entry();
    let b = ctx.bind(name, args, &entry.param_names(), &entry.required());
    match which {
        builtins::Optimizer::Sgd => {
            let lr = b.required(0).and_then(|x| lr(ctx, x, env));
            let momentum = match b[1] {
                Some(x) => unit_interval(ctx, x, "the momentum"),
                None => Ok(0.0),
            };
            let nesterov = match b[2] {
                Some(x) => match ctx.eval(x, env) {
                    Val::Bool(v) => Ok(v),
                    other => Err(ctx.wrong_type(x.span, "`true` or `false`", &other)),
                },
                None => Ok(false),
            };
            let decay = decay(ctx, b[3], env)?;
            Ok(OptimizerSpec::Sgd {
                lr: lr?,
                momentum: momentum?,
                nesterov: nesterov?,
                decay,
            })
        }
        builtins::Optimizer::Adam => {
            let lr = match b[0] {
                Some(x) => lr(ctx, x, env),
                None => Ok(1e-3),
            };
            let beta1 = match b[1] {
                Some(x) => unit_interval(ctx, x, "beta1"),
                None => Ok(0.9),
            };
            let beta2 = match b[2] {
                Some(x) => unit_interval(ctx, x, "beta2"),
                None => Ok(0.999),
            };
            let decay = decay(ctx, b[3], env)?;
            Ok(OptimizerSpec::Adam {
                lr: lr?,
                beta1: beta1?,
                beta2: beta2?,
                decay,
            })
        }
    }
}

pub(super) fn lr(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<f64, Reported> {
    let v = ctx.num(e, env)?;
    if !(v > 0.0) || !v.is_finite() {
        return Err(ctx.out_of_range(e.span, "the learning rate", "greater than 0", v));
    }
    Ok(v)
}

/// `decay: 0.95 per epoch`; `Ok(None)` when absent.
pub(super) fn decay(ctx: &mut Ctx, e: Option<&Expr>, env: &Env) -> Result<Option<Decay>, Reported> {
    let Some(e) = e else { return Ok(None) };
    match ctx.eval(e, env) {
        Val::Decay(d) => Ok(Some(d)),
        Val::Unknown(reported) => Err(reported),
        other => Err(ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "a decay like `0.95 per epoch`".into(),
                    found: other.describe(),
                    span: e.span.into(),
                    help: Some("write the factor and how often it applies: `0.95 per epoch`, `0.5 per 1000 iters`".into()),
                },
        )),
    }
}

pub(super) fn penalty(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<PenaltySpec, Reported> {
    use builtins::Penalty;
    let (name, args): (Ident, &[ast::Arg]) = match &e.kind {
        ast::ExprKind::Call { name, args } => (name.clone(), args),
        ast::ExprKind::Ident(_) => (
            Ident {
                name: super::eval::name_of(e, env).unwrap_or_default(),
                span: e.span,
            },
            &[],
        ),
        _ => {
            let v = ctx.eval(e, env);
            return Err(ctx.wrong_type(e.span, "a penalty such as `l2`", &v));
        }
    };
    let Some(which) = Penalty::from_name(&name.name) else {
        let other = name.name.as_str();
        return Err(ctx.report(
            name.span,
            Diagnostic::UnknownPenalty {
                name: other.to_string(),
                span: name.span.into(),
                help: Penalty::alias_help(other)
                    .or_else(|| did_you_mean(other, Penalty::names()))
                    .or_else(|| Some(format!("penalties: {}", Penalty::usages()))),
            },
        ));
    };
    let entry = which.entry();
    let b = ctx.bind(&name, args, &entry.param_names(), &entry.required());
    let get = |n: &str| b.arg(n);
    // Every argument is checked, even after a bad one.
    let on_all = match get("on") {
        Some(x) => match ctx.eval(x, env) {
            Val::Word(w) if w == "all" => Ok(true),
            Val::Word(w) if w == "weights" => Ok(false),
            other => Err(ctx.wrong_type(x.span, "`all` or `weights`", &other)),
        },
        None => Ok(false),
    };
    let positive = |ctx: &mut Ctx, x: &Expr, what: &str, zero_ok: bool| -> Result<f64, Reported> {
        let v = ctx.num(x, env)?;
        if !(v > 0.0 || zero_ok && v == 0.0) {
            let allowed = if zero_ok { "≥ 0" } else { "greater than 0" };
            return Err(ctx.out_of_range(x.span, what, allowed, v));
        }
        Ok(v)
    };
    let kind = match which {
        Penalty::None => Ok(PenaltyKind::None),
        Penalty::L2 => Ok(PenaltyKind::L2),
        Penalty::L1 => match get("proximal") {
            Some(x) => match ctx.eval(x, env) {
                Val::Bool(proximal) => Ok(PenaltyKind::L1 { proximal }),
                other => Err(ctx.wrong_type(x.span, "`true` or `false`", &other)),
            },
            None => Ok(PenaltyKind::L1 { proximal: false }),
        },
        Penalty::Lp => {
            let p = b.required_arg("p").and_then(|pe| {
                let p = ctx.num(pe, env)?;
                if !(p > 0.0 && p <= 2.0) {
                    return Err(ctx.out_of_range(pe.span, "p", "in (0, 2]", p));
                }
                Ok(p)
            });
            let eps = get("eps").map(|x| positive(ctx, x, "eps", false));
            (|| {
                Ok(PenaltyKind::Lp {
                    p: p?,
                    eps: eps.transpose()?.unwrap_or(DEFAULT_LP_EPS),
                })
            })()
        }
        Penalty::Elastic => {
            let l1 = b
                .required_arg("l1")
                .and_then(|x| positive(ctx, x, "the l1 weight", true));
            let l2 = b
                .required_arg("l2")
                .and_then(|x| positive(ctx, x, "the l2 weight", true));
            (|| Ok(PenaltyKind::Elastic { l1: l1?, l2: l2? }))()
        }
    };
    let (kind, on_all) = (kind?, on_all?);
    Ok(PenaltySpec { kind, on_all })
}
