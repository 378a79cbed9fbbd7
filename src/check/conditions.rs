//! The expressions of a policy, checked and resolved: conditions (booleans)
//! and values (numbers) over the metrics a policy may read, the functions
//! and history functions, and the metric names themselves.

use super::eval::{Ctx, Env, Val};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{closest, Diagnostic, Reported};
use crate::plan::{self, BinaryOp, Func, HistoryFunc, Metric};
use crate::syntax::ast::{self, Expr, ExprKind};

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Ty {
    Num,
    Bool,
}

/// A condition: must be boolean.
pub(super) fn condition(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<plan::Expr, Reported> {
    let (x, ty) = metric_expr(ctx, e, env)?;
    if ty != Ty::Bool {
        return Err(ctx.report(
            e.span,
            Diagnostic::WrongType {
                expected: "a condition".into(),
                found: "a number".into(),
                span: e.span.into(),
                help: Some("compare it with something: `train_acc - val_acc > 0.05`".into()),
            },
        ));
    }
    Ok(x)
}

pub(super) fn numeric(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<plan::Expr, Reported> {
    let (x, ty) = metric_expr(ctx, e, env)?;
    if ty != Ty::Num {
        return Err(ctx.report(
            e.span,
            Diagnostic::WrongType {
                expected: "a number".into(),
                found: "a condition".into(),
                span: e.span.into(),
                help: None,
            },
        ));
    }
    Ok(x)
}

pub(super) type Typed = (plan::Expr, Ty);

pub(super) fn metric_expr(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<Typed, Reported> {
    use plan::Expr as P;
    match &e.kind {
        ExprKind::Number { value, text, .. } => {
            Ok((P::Num(ctx.finite(e.span, *value, text)?), Ty::Num))
        }
        ExprKind::Bool(b) => Ok((P::Bool(*b), Ty::Bool)),
        ExprKind::Paren(inner) => metric_expr(ctx, inner, env),
        ExprKind::Ident(name) => ident(ctx, e, name, env),
        ExprKind::Unary { op, expr } => {
            let (x, ty) = metric_expr(ctx, expr, env)?;
            let (op, want) = match op {
                ast::UnaryOp::Neg => (plan::UnaryOp::Neg, Ty::Num),
                ast::UnaryOp::Not => (plan::UnaryOp::Not, Ty::Bool),
            };
            expect(ctx, expr, ty, want)?;
            Ok((
                P::Unary {
                    op,
                    expr: Box::new(x),
                },
                want,
            ))
        }
        ExprKind::Binary { op, lhs, rhs } => binary(ctx, e, *op, lhs, rhs, env),
        ExprKind::Call { name, args } => {
            if let Some(func) = builtins::Func::from_name(&name.name) {
                func_call(ctx, func, name, args, env)
            } else if let Some(func) = builtins::History::from_name(&name.name) {
                history_call(ctx, func, name, args, env)
            } else {
                let mut known: Vec<&str> = builtins::Func::names();
                known.extend(builtins::History::names());
                match builtins::History::alias_of(&name.name) {
                    Some(_) => Err(ctx.unknown_builtin::<builtins::History>(&name.name, name.span)),
                    None => Err(ctx.unknown("function", &name.name, name.span, &known)),
                }
            }
        }
        ExprKind::Duration { .. } | ExprKind::Str(_) | ExprKind::List(_) => {
            let v = ctx.eval(e, &Env::new());
            Err(ctx.wrong_type(e.span, "a number or a condition", &v))
        }
    }
}

/// A name in a rule: a parameter's value, or a metric.
pub(super) fn ident(ctx: &mut Ctx, e: &Expr, name: &str, env: &Env) -> Result<Typed, Reported> {
    use plan::Expr as P;
    if let Some(v) = super::eval::lookup(env, name) {
        return match v {
            Val::Num { v, .. } => Ok((P::Num(*v), Ty::Num)),
            Val::Bool(b) => Ok((P::Bool(*b), Ty::Bool)),
            // A parameter without a value (library check): any number.
            Val::Unknown(_) => Ok((P::Num(f64::NAN), Ty::Num)),
            other => {
                let other = other.clone();
                Err(ctx.wrong_type(e.span, "a number", &other))
            }
        };
    }
    Ok((P::Metric(metric(ctx, name, e.span, env)?), Ty::Num))
}

/// `lhs op rhs` in a rule; arithmetic on two numbers is folded.
pub(super) fn binary(
    ctx: &mut Ctx,
    e: &Expr,
    op: ast::BinOp,
    lhs: &Expr,
    rhs: &Expr,
    env: &Env,
) -> Result<Typed, Reported> {
    use ast::BinOp as B;
    use plan::Expr as P;
    let (bop, operand, result) = match op {
        B::Add => (BinaryOp::Add, Ty::Num, Ty::Num),
        B::Sub => (BinaryOp::Sub, Ty::Num, Ty::Num),
        B::Mul => (BinaryOp::Mul, Ty::Num, Ty::Num),
        B::Div => (BinaryOp::Div, Ty::Num, Ty::Num),
        B::Lt => (BinaryOp::Lt, Ty::Num, Ty::Bool),
        B::Le => (BinaryOp::Le, Ty::Num, Ty::Bool),
        B::Gt => (BinaryOp::Gt, Ty::Num, Ty::Bool),
        B::Ge => (BinaryOp::Ge, Ty::Num, Ty::Bool),
        B::Eq => (BinaryOp::Eq, Ty::Num, Ty::Bool),
        B::Ne => (BinaryOp::Ne, Ty::Num, Ty::Bool),
        B::And => (BinaryOp::And, Ty::Bool, Ty::Bool),
        B::Or => (BinaryOp::Or, Ty::Bool, Ty::Bool),
        B::Then | B::With | B::From | B::Per => {
            return Err(ctx.report(
                e.span,
                Diagnostic::WrongType {
                    expected: "a number or a condition".into(),
                    found: format!("a `{}` expression", op.text()),
                    span: e.span.into(),
                    help: Some(format!(
                        "`{}` combines schedules and policies in an experiment, not inside a rule",
                        op.text()
                    )),
                },
            ));
        }
    };
    // Both sides are checked, even when one is wrong.
    let mut side = |e: &Expr| {
        let (x, ty) = metric_expr(ctx, e, env)?;
        expect(ctx, e, ty, operand).map(|()| x)
    };
    let (l, r) = (side(lhs), side(rhs));
    let (l, r) = (l?, r?);
    // Fold arithmetic on numbers (`tol / 5` with tol = 0.05 → 0.01)
    // so plans are simpler and the rule analysis sees thresholds.
    if let (P::Num(a), P::Num(b)) = (&l, &r) {
        let folded = match bop {
            BinaryOp::Add => Some(a + b),
            BinaryOp::Sub => Some(a - b),
            BinaryOp::Mul => Some(a * b),
            BinaryOp::Div if *b != 0.0 => Some(a / b),
            _ => None,
        };
        if let Some(v) = folded {
            return Ok((P::Num(v), Ty::Num));
        }
    }
    Ok((
        P::Binary {
            op: bop,
            lhs: Box::new(l),
            rhs: Box::new(r),
        },
        result,
    ))
}

pub(super) fn func(b: builtins::Func) -> Func {
    use builtins::Func as B;
    match b {
        B::Abs => Func::Abs,
        B::Min => Func::Min,
        B::Max => Func::Max,
        B::Log => Func::Log,
        B::Exp => Func::Exp,
    }
}

pub(super) fn history_func(b: builtins::History) -> HistoryFunc {
    use builtins::History as B;
    match b {
        B::Prev => HistoryFunc::Prev,
        B::Delta => HistoryFunc::Delta,
        B::Mean => HistoryFunc::Mean,
        B::Best => HistoryFunc::Best,
        B::SinceBest => HistoryFunc::SinceBest,
    }
}

/// `abs(x)`, `min(a, b)`, ...: numbers in, a number out.
pub(super) fn func_call(
    ctx: &mut Ctx,
    which: builtins::Func,
    name: &ast::Ident,
    args: &[ast::Arg],
    env: &Env,
) -> Result<Typed, Reported> {
    let func = func(which);
    let entry = which.entry();
    let arity = entry.params.len();
    let bound = ctx.bind(name, args, &entry.param_names(), &entry.required());
    // Every argument is checked, even after a bad one.
    let args: Vec<Result<plan::Expr, Reported>> = (0..arity)
        .map(|i| bound.required(i).and_then(|e| numeric(ctx, e, env)))
        .collect();
    let args = args.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok((plan::Expr::Call { func, args }, Ty::Num))
}

/// `prev(val_acc)`, `mean(val_loss, last: 3)`, ...: one metric's history.
pub(super) fn history_call(
    ctx: &mut Ctx,
    which: builtins::History,
    name: &ast::Ident,
    args: &[ast::Arg],
    env: &Env,
) -> Result<Typed, Reported> {
    let n = name.name.as_str();
    let func = history_func(which);
    let entry = which.entry();
    let bound = ctx.bind(name, args, &entry.param_names(), &entry.required());
    let m = bound.required(0).and_then(|arg| match arg {
        Expr {
            kind: ExprKind::Ident(m),
            span,
        } => metric(ctx, m, *span, env),
        other => Err(ctx.report(
            other.span,
            Diagnostic::WrongType {
                expected: "a metric name".into(),
                found: "an expression".into(),
                span: other.span.into(),
                help: Some(format!("history functions read one metric: `{n}(val_acc)`")),
            },
        )),
    });
    let last = if func == HistoryFunc::Mean {
        Some(ctx.count(bound.required(1)?, env, "`last`", 1)? as u32)
    } else {
        None
    };
    Ok((
        plan::Expr::History {
            func,
            metric: m?,
            last,
        },
        Ty::Num,
    ))
}

pub(super) fn expect(ctx: &mut Ctx, e: &Expr, got: Ty, want: Ty) -> Result<(), Reported> {
    if got == want {
        return Ok(());
    }
    let name = |t: Ty| {
        if t == Ty::Num {
            "a number"
        } else {
            "a condition"
        }
    };
    Err(ctx.report(
        e.span,
        Diagnostic::WrongType {
            expected: name(want).into(),
            found: name(got).into(),
            span: e.span.into(),
            help: None,
        },
    ))
}

pub(super) fn metric(
    ctx: &mut Ctx,
    name: &str,
    span: ast::Span,
    env: &Env,
) -> Result<Metric, Reported> {
    match Metric::from_name(name) {
        Some(m) if m.readable_in_policy() => Ok(m),
        Some(_) => Err(ctx.report(
            span,
            Diagnostic::SealedMetric {
                name: name.to_string(),
                span: span.into(),
            },
        )),
        None => {
            let mut known: Vec<&str> = Metric::ALL
                .iter()
                .filter(|m| m.readable_in_policy())
                .map(|m| m.name())
                .collect();
            known.extend(env.iter().map(|(n, _)| n.as_str()));
            let help = closest(name, known.iter().copied())
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| {
                    Some("policies read train_acc, val_acc, train_loss, val_loss, data_loss, reg_loss, lambda, lr, iter, epoch, weight_norm, sparsity".into())
                });
            Err(ctx.report(
                span,
                Diagnostic::UnknownMetric {
                    name: name.to_string(),
                    span: span.into(),
                    help,
                },
            ))
        }
    }
}
