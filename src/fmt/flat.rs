//! Expressions and policy statements on one line, without comments: the
//! text plans record for a rule (`Rule.text`) and a value in a message.

use crate::syntax::ast::*;

/// An expression in canonical form (also used for `Rule.text` in plans).
pub fn expr(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e);
    s
}

fn write_expr(s: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Number { text, .. } => s.push_str(text),
        ExprKind::Duration {
            text, unit_text, ..
        } => {
            s.push_str(text);
            s.push(' ');
            s.push_str(unit_text);
        }
        ExprKind::Str(body) => {
            s.push('"');
            s.push_str(body);
            s.push('"');
        }
        ExprKind::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        ExprKind::Ident(name) => s.push_str(name),
        ExprKind::List(items) => {
            s.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, item);
            }
            s.push(']');
        }
        ExprKind::Call { name, args } => {
            s.push_str(&name.name);
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                if let Some(n) = &a.name {
                    s.push_str(&n.name);
                    s.push_str(": ");
                }
                write_expr(s, &a.value);
            }
            s.push(')');
        }
        ExprKind::Paren(inner) => {
            s.push('(');
            write_expr(s, inner);
            s.push(')');
        }
        ExprKind::Unary { op, expr } => {
            s.push_str(match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "not ",
            });
            write_expr(s, expr);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            write_expr(s, lhs);
            s.push(' ');
            s.push_str(op.text());
            s.push(' ');
            write_expr(s, rhs);
        }
    }
}

/// A policy statement on one line (`when ...: lambda *= 1.5, stop`).
pub fn policy_stmt(s: &PolicyStmt) -> String {
    match s {
        PolicyStmt::Every { value, .. } => format!("every {}", expr(value)),
        PolicyStmt::When { cond, actions, .. } => {
            let acts: Vec<String> = actions.iter().map(action).collect();
            format!("when {}: {}", expr(cond), acts.join(", "))
        }
        PolicyStmt::Clamp { target, lo, hi, .. } => {
            format!("clamp {} in [{}, {}]", target.name, expr(lo), expr(hi))
        }
    }
}

fn action(a: &Action) -> String {
    match a {
        Action::Stop { .. } => "stop".into(),
        Action::Set {
            target, op, value, ..
        } => format!("{} {} {}", target.name, op.text(), expr(value)),
    }
}
