//! Policies: `every`, rules and clamps checked and resolved into
//! `plan::Policy`, with parameters substituted (their conditions and values
//! in `conditions`). Also the rule warnings: a
//! condition that is false for every reachable metric value never fires, and
//! a rule implied by an earlier one is shadowed (the first match applies).

use super::conditions::{condition, numeric};
use super::eval::{num_text, Ctx, Env};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{self, Action, AssignOp, Duration, Policy};
use crate::syntax::ast::{self, Expr, PolicyDef, PolicyStmt};

pub fn build(ctx: &mut Ctx, def: &PolicyDef, env: &Env) -> Result<Policy, Reported> {
    let mut every = None;
    let mut rules: Vec<(plan::Rule, ast::Span)> = vec![];
    let mut clamp_lambda = None;
    let mut clamp_lr = None;
    let mut failed = None;
    for stmt in &def.stmts {
        match stmt {
            PolicyStmt::Every { value, .. } => match ctx.dur(value, env) {
                Ok(d) => every = Some(d),
                Err(reported) => failed = Some(reported),
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
                        Ok(x) => acts.push(x),
                        Err(reported) => failed = Some(reported),
                    }
                }
                match c {
                    Ok(when) => {
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
                    Err(reported) => failed = Some(reported),
                }
            }
            PolicyStmt::Clamp {
                target,
                lo,
                hi,
                span,
            } => match clamp(ctx, lo, hi, *span, env) {
                Ok(range) => match target.name.as_str() {
                    "lambda" => {
                        // Reported, and the clamp kept, so later checks still run.
                        let _ = ctx.check_lambda(lo.span, range.0);
                        clamp_lambda = Some(range);
                    }
                    "lr" => {
                        if !(range.0 > 0.0) {
                            ctx.out_of_range(
                                lo.span,
                                "the learning rate",
                                "greater than 0",
                                range.0,
                            );
                        }
                        clamp_lr = Some(range);
                    }
                    other => {
                        failed = Some(ctx.unknown(
                            "clamp target",
                            other,
                            target.span,
                            &["lambda", "lr"],
                        ));
                    }
                },
                Err(reported) => failed = Some(reported),
            },
        }
    }
    super::rules::warn_rules(ctx, &rules);
    if let Some(reported) = failed {
        return Err(reported);
    }
    Ok(Policy {
        name: display_name(def, env),
        every: every.unwrap_or(Duration::Epochs(1.0)),
        rules: rules.into_iter().map(|(r, _)| r).collect(),
        clamp_lambda,
        clamp_lr,
    })
}

/// `clamp x in [lo, hi]`: both bounds numbers, lo ≤ hi.
fn clamp(
    ctx: &mut Ctx,
    lo: &Expr,
    hi: &Expr,
    span: ast::Span,
    env: &Env,
) -> Result<(f64, f64), Reported> {
    let a = ctx.num(lo, env);
    let b = ctx.num(hi, env);
    let (a, b) = (a?, b?);
    if a > b {
        return Err(ctx.report(
            span,
            Diagnostic::BadClamp {
                lo: num_text(a),
                hi: num_text(b),
                span: lo.span.to(hi.span).into(),
            },
        ));
    }
    Ok((a, b))
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

fn action(ctx: &mut Ctx, a: &ast::Action, env: &Env) -> Result<Action, Reported> {
    match a {
        ast::Action::Stop { .. } => Ok(Action::Stop),
        ast::Action::Set {
            target, op, value, ..
        } => {
            let t = match target.name.as_str() {
                "lambda" => Ok(plan::Target::Lambda),
                "lr" => Ok(plan::Target::Lr),
                other => Err(ctx.unknown("action target", other, target.span, &["lambda", "lr"])),
            };
            let v = numeric(ctx, value, env);
            let op = match op {
                ast::AssignOp::Set => AssignOp::Set,
                ast::AssignOp::Mul => AssignOp::Mul,
                ast::AssignOp::Div => AssignOp::Div,
                ast::AssignOp::Add => AssignOp::Add,
                ast::AssignOp::Sub => AssignOp::Sub,
            };
            Ok(Action::Set {
                target: t?,
                op,
                value: v?,
            })
        }
    }
}
