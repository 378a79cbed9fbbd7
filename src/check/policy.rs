//! Policies: `every`, rules and clamps checked and resolved into
//! `plan::Policy`, with parameters substituted. Also the rule warnings: a
//! condition that is false for every reachable metric value never fires, and
//! a rule implied by an earlier one is shadowed (the first match applies).

use super::eval::{num_text, Ctx, Env, Val};
use crate::diagnostics::{closest, Diagnostic};
use crate::plan::{self, Action, AssignOp, BinaryOp, Duration, Func, HistoryFunc, Metric, Policy};
use crate::syntax::ast::{self, Expr, ExprKind, PolicyDef, PolicyStmt};

pub fn build(ctx: &mut Ctx, def: &PolicyDef, env: &Env) -> Option<Policy> {
    let mut every = None;
    let mut rules: Vec<(plan::Rule, ast::Span)> = vec![];
    let mut clamp_lambda = None;
    let mut clamp_lr = None;
    let mut ok = true;
    for stmt in &def.stmts {
        match stmt {
            PolicyStmt::Every { value, .. } => match ctx.dur(value, env) {
                Some(d) => every = Some(d),
                None => ok = false,
            },
            PolicyStmt::When {
                cond,
                actions,
                span,
            } => {
                let c = condition(ctx, cond, env);
                let mut acts = vec![];
                for a in actions {
                    match action(ctx, a, env) {
                        Some(x) => acts.push(x),
                        None => ok = false,
                    }
                }
                match c {
                    Some(when) => {
                        let text = crate::fmt::policy_stmt(stmt);
                        rules.push((
                            plan::Rule {
                                when,
                                actions: acts,
                                text,
                            },
                            *span,
                        ));
                    }
                    None => ok = false,
                }
            }
            PolicyStmt::Clamp {
                target,
                lo,
                hi,
                span,
            } => {
                let a = ctx.num(lo, env);
                let b = ctx.num(hi, env);
                let (Some(a), Some(b)) = (a, b) else {
                    ok = false;
                    continue;
                };
                if a > b {
                    ctx.report(
                        *span,
                        Diagnostic::BadClamp {
                            lo: num_text(a),
                            hi: num_text(b),
                            span: lo.span.to(hi.span).into(),
                        },
                    );
                    ok = false;
                    continue;
                }
                match target.name.as_str() {
                    "lambda" => {
                        ctx.check_lambda(lo.span, a);
                        clamp_lambda = Some((a, b));
                    }
                    "lr" => {
                        if !(a > 0.0) {
                            ctx.out_of_range(lo.span, "the learning rate", "greater than 0", a);
                        }
                        clamp_lr = Some((a, b));
                    }
                    other => {
                        ctx.unknown("clamp target", other, target.span, &["lambda", "lr"]);
                        ok = false;
                    }
                }
            }
        }
    }
    super::rules::warn_rules(ctx, &rules);
    if !ok {
        return None;
    }
    Some(Policy {
        name: display_name(def, env),
        every: every.unwrap_or(Duration::Epochs(1.0)),
        rules: rules.into_iter().map(|(r, _)| r).collect(),
        clamp_lambda,
        clamp_lr,
    })
}

fn display_name(def: &PolicyDef, env: &Env) -> String {
    if env.is_empty() {
        return def.name.name.clone();
    }
    let args: Vec<String> = env
        .iter()
        .map(|(n, v)| format!("{n}: {}", v.display()))
        .collect();
    format!("{}({})", def.name.name, args.join(", "))
}

fn action(ctx: &mut Ctx, a: &ast::Action, env: &Env) -> Option<Action> {
    match a {
        ast::Action::Stop { .. } => Some(Action::Stop),
        ast::Action::Set {
            target, op, value, ..
        } => {
            let t = match target.name.as_str() {
                "lambda" => Some(plan::Target::Lambda),
                "lr" => Some(plan::Target::Lr),
                other => {
                    ctx.unknown("action target", other, target.span, &["lambda", "lr"]);
                    None
                }
            };
            let v = numeric(ctx, value, env);
            let op = match op {
                ast::AssignOp::Set => AssignOp::Set,
                ast::AssignOp::Mul => AssignOp::Mul,
                ast::AssignOp::Div => AssignOp::Div,
                ast::AssignOp::Add => AssignOp::Add,
                ast::AssignOp::Sub => AssignOp::Sub,
            };
            Some(Action::Set {
                target: t?,
                op,
                value: v?,
            })
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Bool,
}

/// A condition: must be boolean.
fn condition(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<plan::Expr> {
    let (x, ty) = metric_expr(ctx, e, env)?;
    if ty != Ty::Bool {
        ctx.report(
            e.span,
            Diagnostic::WrongType {
                expected: "a condition".into(),
                found: "a number".into(),
                span: e.span.into(),
                help: Some("compare it with something: `train_acc - val_acc > 0.05`".into()),
            },
        );
        return None;
    }
    Some(x)
}

fn numeric(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<plan::Expr> {
    let (x, ty) = metric_expr(ctx, e, env)?;
    if ty != Ty::Num {
        ctx.report(
            e.span,
            Diagnostic::WrongType {
                expected: "a number".into(),
                found: "a condition".into(),
                span: e.span.into(),
                help: None,
            },
        );
        return None;
    }
    Some(x)
}

const FUNCS: [&str; 5] = ["abs", "min", "max", "log", "exp"];
const HISTORY: [&str; 5] = ["prev", "delta", "mean", "best", "since_best"];

fn metric_expr(ctx: &mut Ctx, e: &Expr, env: &Env) -> Option<(plan::Expr, Ty)> {
    use plan::Expr as P;
    Some(match &e.kind {
        ExprKind::Number { value, .. } => (P::Num(*value), Ty::Num),
        ExprKind::Bool(b) => (P::Bool(*b), Ty::Bool),
        ExprKind::Paren(inner) => metric_expr(ctx, inner, env)?,
        ExprKind::Ident(name) => {
            if let Some(v) = super::eval::lookup(env, name) {
                return match v {
                    Val::Num { v, .. } => Some((P::Num(*v), Ty::Num)),
                    Val::Bool(b) => Some((P::Bool(*b), Ty::Bool)),
                    // A parameter without a value (library check): any number.
                    Val::Unknown => Some((P::Num(f64::NAN), Ty::Num)),
                    other => {
                        let other = other.clone();
                        ctx.wrong_type(e.span, "a number", &other);
                        None
                    }
                };
            }
            (P::Metric(metric(ctx, name, e.span, env)?), Ty::Num)
        }
        ExprKind::Unary { op, expr } => {
            let (x, ty) = metric_expr(ctx, expr, env)?;
            let (op, want) = match op {
                ast::UnaryOp::Neg => (plan::UnaryOp::Neg, Ty::Num),
                ast::UnaryOp::Not => (plan::UnaryOp::Not, Ty::Bool),
            };
            expect(ctx, expr, ty, want)?;
            (
                P::Unary {
                    op,
                    expr: Box::new(x),
                },
                want,
            )
        }
        ExprKind::Binary { op, lhs, rhs } => {
            use ast::BinOp as B;
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
                    ctx.report(
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
                    );
                    return None;
                }
            };
            let l = metric_expr(ctx, lhs, env);
            let r = metric_expr(ctx, rhs, env);
            let (l, lt) = l?;
            let (r, rt) = r?;
            expect(ctx, lhs, lt, operand)?;
            expect(ctx, rhs, rt, operand)?;
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
                    return Some((P::Num(v), Ty::Num));
                }
            }
            (
                P::Binary {
                    op: bop,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                result,
            )
        }
        ExprKind::Call { name, args } => {
            let n = name.name.as_str();
            if let Some(func) = match n {
                "abs" => Some(Func::Abs),
                "min" => Some(Func::Min),
                "max" => Some(Func::Max),
                "log" => Some(Func::Log),
                "exp" => Some(Func::Exp),
                _ => None,
            } {
                let arity = if matches!(func, Func::Min | Func::Max) {
                    2
                } else {
                    1
                };
                let names: &[&str] = if arity == 2 { &["a", "b"] } else { &["x"] };
                let bound = ctx.bind(name, args, names, names);
                let mut out = vec![];
                for e in bound.into_iter().flatten() {
                    out.push(numeric(ctx, e, env)?);
                }
                if out.len() != arity {
                    return None;
                }
                (P::Call { func, args: out }, Ty::Num)
            } else if let Some(func) = match n {
                "prev" => Some(HistoryFunc::Prev),
                "delta" => Some(HistoryFunc::Delta),
                "mean" => Some(HistoryFunc::Mean),
                "best" => Some(HistoryFunc::Best),
                "since_best" => Some(HistoryFunc::SinceBest),
                _ => None,
            } {
                let names: &[&str] = if func == HistoryFunc::Mean {
                    &["metric", "last"]
                } else {
                    &["metric"]
                };
                let required: &[&str] = names;
                let bound = ctx.bind(name, args, names, required);
                let m = match bound.first().copied().flatten() {
                    Some(Expr {
                        kind: ExprKind::Ident(m),
                        span,
                    }) => metric(ctx, m, *span, env),
                    Some(other) => {
                        ctx.report(
                            other.span,
                            Diagnostic::WrongType {
                                expected: "a metric name".into(),
                                found: "an expression".into(),
                                span: other.span.into(),
                                help: Some(format!(
                                    "history functions read one metric: `{n}(val_acc)`"
                                )),
                            },
                        );
                        None
                    }
                    None => None,
                };
                let last = match bound.get(1).copied().flatten() {
                    Some(e) => Some(ctx.count(e, env, "`last`", 1)? as u32),
                    None => None,
                };
                if func == HistoryFunc::Mean && last.is_none() {
                    return None;
                }
                (
                    P::History {
                        func,
                        metric: m?,
                        last,
                    },
                    Ty::Num,
                )
            } else {
                let mut known: Vec<&str> = FUNCS.to_vec();
                known.extend(HISTORY);
                ctx.unknown("function", n, name.span, &known);
                return None;
            }
        }
        ExprKind::Duration { .. } | ExprKind::Str(_) | ExprKind::List(_) => {
            let v = ctx.eval(e, &Env::new());
            ctx.wrong_type(e.span, "a number or a condition", &v);
            return None;
        }
    })
}

fn expect(ctx: &mut Ctx, e: &Expr, got: Ty, want: Ty) -> Option<()> {
    if got == want {
        return Some(());
    }
    let name = |t: Ty| {
        if t == Ty::Num {
            "a number"
        } else {
            "a condition"
        }
    };
    ctx.report(
        e.span,
        Diagnostic::WrongType {
            expected: name(want).into(),
            found: name(got).into(),
            span: e.span.into(),
            help: None,
        },
    );
    None
}

fn metric(ctx: &mut Ctx, name: &str, span: ast::Span, env: &Env) -> Option<Metric> {
    match Metric::from_name(name) {
        Some(m) if m.readable_in_policy() => Some(m),
        Some(_) => {
            ctx.report(
                span,
                Diagnostic::SealedMetric {
                    name: name.to_string(),
                    span: span.into(),
                },
            );
            None
        }
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
            ctx.report(
                span,
                Diagnostic::UnknownMetric {
                    name: name.to_string(),
                    span: span.into(),
                    help,
                },
            );
            None
        }
    }
}
