//! Expressions lowered from pest pairs: operators resolved by precedence
//! (the Pratt parser), primaries (literals, names, calls, lists, durations)
//! and call arguments. Too long an operator chain is recorded, not built.

use super::ast::*;
use super::lower::{is_infix, Lower, TooLong, MAX_TERMS};
use super::Rule;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_then, Assoc::Left)
            | Op::infix(Rule::op_with, Assoc::Left)
            | Op::infix(Rule::op_from, Assoc::Left)
            | Op::infix(Rule::op_per, Assoc::Left))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

impl Lower {
    /// An `expr` pair: operators resolved by the Pratt parser.
    pub(super) fn expr(&self, p: Pair<Rule>) -> Expr {
        let whole = self.span(&p);
        if p.as_rule() != Rule::expr {
            return self.primary(p);
        }
        // Operands and prefix operators at this level, each held to the
        // limit the message states.
        let (mut operands, mut prefixes) = (0, 0);
        for q in p.clone().into_inner() {
            match q.as_rule() {
                Rule::op_neg | Rule::op_not => prefixes += 1,
                r if is_infix(r) => {}
                _ => operands += 1,
            }
        }
        let over = if operands > MAX_TERMS {
            Some(TooLong::Operands(operands))
        } else if prefixes > MAX_TERMS {
            Some(TooLong::Prefixes(prefixes))
        } else {
            None
        };
        if let Some(over) = over {
            self.too_long.borrow_mut().push((whole, over));
            return Expr {
                kind: ExprKind::Number {
                    value: 0.0,
                    text: "0".into(),
                    int: true,
                },
                span: whole,
            };
        }
        PRATT
            .map_primary(|q| self.primary(q))
            .map_prefix(|op, e| {
                let span = self.span(&op).to(e.span);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        expr: Box::new(e),
                    },
                    span,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.to(rhs.span);
                let op = match op.as_rule() {
                    Rule::op_then => BinOp::Then,
                    Rule::op_with => BinOp::With,
                    Rule::op_from => BinOp::From,
                    Rule::op_per => BinOp::Per,
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                Expr {
                    kind: ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                }
            })
            .parse(p.into_inner())
            .with_span(whole)
    }

    pub(super) fn primary(&self, p: Pair<Rule>) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::number => {
                let text = p.as_str().to_string();
                ExprKind::Number {
                    value: text.parse().unwrap_or(f64::NAN),
                    int: is_int(&text),
                    text,
                }
            }
            Rule::duration => {
                let mut it = p.into_inner();
                let text = it
                    .next()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                let unit_text = it
                    .next()
                    .map(|u| u.as_str().to_string())
                    .unwrap_or_default();
                ExprKind::Duration {
                    value: text.parse().unwrap_or(f64::NAN),
                    int: is_int(&text),
                    text,
                    unit: if unit_text.starts_with("iter") {
                        Unit::Iters
                    } else {
                        Unit::Epochs
                    },
                    unit_text,
                }
            }
            Rule::string => ExprKind::Str(string_body(p)),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::ident | Rule::word => ExprKind::Ident(p.as_str().to_string()),
            Rule::list => ExprKind::List(p.into_inner().map(|e| self.expr(e)).collect()),
            Rule::paren => match p.into_inner().next() {
                Some(e) => ExprKind::Paren(Box::new(self.expr(e))),
                None => ExprKind::List(vec![]),
            },
            Rule::call => {
                let mut it = p.into_inner();
                let name = match it.next() {
                    Some(n) => self.ident(n),
                    None => Ident {
                        name: String::new(),
                        span,
                    },
                };
                let args = it.map(|a| self.arg(a)).collect();
                ExprKind::Call { name, args }
            }
            Rule::expr => return self.expr(p),
            _ => ExprKind::List(vec![]),
        };
        Expr { kind, span }
    }

    pub(super) fn arg(&self, p: Pair<Rule>) -> Arg {
        let span = self.span(&p);
        let mut name = None;
        let mut value = Expr {
            kind: ExprKind::List(vec![]),
            span,
        };
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::word => name = Some(self.ident(q)),
                _ => value = self.expr(q),
            }
        }
        Arg { name, value, span }
    }
}

trait WithSpan {
    fn with_span(self, span: Span) -> Self;
}

impl WithSpan for Expr {
    /// The Pratt parser builds spans from operands; the outer `expr` pair is
    /// the authority (it matters only for a lone primary, where they agree).
    fn with_span(mut self, span: Span) -> Self {
        if matches!(self.kind, ExprKind::Binary { .. } | ExprKind::Unary { .. }) {
            self.span = span;
        }
        self
    }
}

pub(super) fn string_body(p: Pair<Rule>) -> String {
    p.into_inner()
        .next()
        .map(|b| b.as_str().to_string())
        .unwrap_or_default()
}

fn is_int(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}
