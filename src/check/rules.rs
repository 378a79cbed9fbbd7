//! Policy rule warnings. Metric values have known ranges (accuracies and
//! sparsity in [0, 1], the rest ≥ 0); interval arithmetic over a condition
//! shows when it can never hold, and simple implication (same condition,
//! stricter threshold on the same quantity, `true` first) when an earlier
//! rule always matches first.

use super::eval::{num_text, Ctx};
use crate::diagnostics::Diagnostic;
use crate::plan::{self, BinaryOp, Func, HistoryFunc, Metric};
use crate::syntax::ast;

/// Interval of values an expression can take.
#[derive(Clone, Copy)]
struct Range {
    lo: f64,
    hi: f64,
}

const ANY: Range = Range {
    lo: f64::NEG_INFINITY,
    hi: f64::INFINITY,
};

fn metric_range(m: Metric) -> Range {
    match m {
        Metric::TrainAcc | Metric::ValAcc | Metric::TestAcc | Metric::Sparsity => {
            Range { lo: 0.0, hi: 1.0 }
        }
        _ => Range {
            lo: 0.0,
            hi: f64::INFINITY,
        },
    }
}

fn range(e: &plan::Expr) -> Range {
    use plan::Expr as P;
    let r = match e {
        P::Num(v) if v.is_nan() => ANY,
        P::Num(v) => Range { lo: *v, hi: *v },
        P::Metric(m) => metric_range(*m),
        P::History { func, metric, .. } => match func {
            HistoryFunc::Delta => {
                let r = metric_range(*metric);
                Range {
                    lo: r.lo - r.hi,
                    hi: r.hi - r.lo,
                }
            }
            HistoryFunc::SinceBest => Range {
                lo: 0.0,
                hi: f64::INFINITY,
            },
            _ => metric_range(*metric),
        },
        P::Unary {
            op: plan::UnaryOp::Neg,
            expr,
        } => {
            let r = range(expr);
            Range {
                lo: -r.hi,
                hi: -r.lo,
            }
        }
        P::Binary { op, lhs, rhs } => {
            let (a, b) = (range(lhs), range(rhs));
            match op {
                BinaryOp::Add => Range {
                    lo: a.lo + b.lo,
                    hi: a.hi + b.hi,
                },
                BinaryOp::Sub => Range {
                    lo: a.lo - b.hi,
                    hi: a.hi - b.lo,
                },
                _ => ANY,
            }
        }
        P::Call {
            func: Func::Abs,
            args,
        } => match args.first().map(range) {
            Some(r) => Range {
                lo: if r.lo >= 0.0 {
                    r.lo
                } else if r.hi <= 0.0 {
                    -r.hi
                } else {
                    0.0
                },
                hi: r.lo.abs().max(r.hi.abs()),
            },
            None => ANY,
        },
        _ => ANY,
    };
    if r.lo.is_nan() || r.hi.is_nan() {
        ANY
    } else {
        r
    }
}

/// Why a condition can never hold, if it provably cannot.
fn never(e: &plan::Expr) -> Option<String> {
    use plan::Expr as P;
    match e {
        P::Bool(false) => Some("the condition is `false`".into()),
        P::Binary { op, lhs, rhs } => match op {
            BinaryOp::And => never(lhs)
                .or_else(|| never(rhs))
                .or_else(|| contradiction(e)),
            BinaryOp::Or => never(lhs).and_then(|a| never(rhs).map(|b| format!("{a}, and {b}"))),
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Eq => {
                let (a, b) = (range(lhs), range(rhs));
                let impossible = match op {
                    BinaryOp::Gt => a.hi <= b.lo,
                    BinaryOp::Ge => a.hi < b.lo,
                    BinaryOp::Lt => a.lo >= b.hi,
                    BinaryOp::Le => a.lo > b.hi,
                    _ => a.hi < b.lo || a.lo > b.hi,
                };
                impossible.then(|| {
                    format!(
                        "the left side lies in [{}, {}] and the right side in [{}, {}]",
                        bound(a.lo),
                        bound(a.hi),
                        bound(b.lo),
                        bound(b.hi)
                    )
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// The conditions of a conjunction bound one value from both sides with no
/// room between (`val_acc > 0.5 and val_acc < 0.3`).
fn contradiction(e: &plan::Expr) -> Option<String> {
    fn conjuncts<'a>(e: &'a plan::Expr, out: &mut Vec<&'a plan::Expr>) {
        match e {
            plan::Expr::Binary {
                op: BinaryOp::And,
                lhs,
                rhs,
            } => {
                conjuncts(lhs, out);
                conjuncts(rhs, out);
            }
            other => out.push(other),
        }
    }
    let mut parts = vec![];
    conjuncts(e, &mut parts);
    let bounds: Vec<_> = parts.iter().filter_map(|p| threshold(p)).collect();
    for &(x, up, lo, s1) in &bounds {
        for &(y, down, hi, s2) in &bounds {
            if !up || down || x != y {
                continue;
            }
            if lo > hi || (lo == hi && (s1 || s2)) {
                let (gt, lt) = (if s1 { ">" } else { ">=" }, if s2 { "<" } else { "<=" });
                return Some(format!(
                    "its conditions contradict: no value is both {gt} {} and {lt} {}",
                    num_text(lo),
                    num_text(hi)
                ));
            }
        }
    }
    None
}

fn bound(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        }
    } else {
        num_text(v)
    }
}

/// `x > c` / `x >= c` / `x < c` / `x <= c` as (x, lower?, c, strict).
fn threshold(e: &plan::Expr) -> Option<(&plan::Expr, bool, f64, bool)> {
    let plan::Expr::Binary { op, lhs, rhs } = e else {
        return None;
    };
    let plan::Expr::Num(c) = **rhs else {
        return None;
    };
    if c.is_nan() {
        return None;
    }
    match op {
        BinaryOp::Gt => Some((lhs, true, c, true)),
        BinaryOp::Ge => Some((lhs, true, c, false)),
        BinaryOp::Lt => Some((lhs, false, c, true)),
        BinaryOp::Le => Some((lhs, false, c, false)),
        _ => None,
    }
}

/// Whether a condition holds for every reachable metric value.
fn always(e: &plan::Expr) -> bool {
    use plan::Expr as P;
    match e {
        P::Bool(true) => true,
        P::Binary { op, lhs, rhs } => match op {
            BinaryOp::And => always(lhs) && always(rhs),
            BinaryOp::Or => always(lhs) || always(rhs),
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => {
                let (a, b) = (range(lhs), range(rhs));
                match op {
                    BinaryOp::Gt => a.lo > b.hi,
                    BinaryOp::Ge => a.lo >= b.hi,
                    BinaryOp::Lt => a.hi < b.lo,
                    _ => a.hi <= b.lo,
                }
            }
            _ => false,
        },
        _ => false,
    }
}

/// Whenever `later` holds, `earlier` holds too.
fn implies(later: &plan::Expr, earlier: &plan::Expr) -> bool {
    if later == earlier || always(earlier) {
        return true;
    }
    if let plan::Expr::Binary {
        op: BinaryOp::And,
        lhs,
        rhs,
    } = later
    {
        if implies(lhs, earlier) || implies(rhs, earlier) {
            return true;
        }
    }
    match (threshold(later), threshold(earlier)) {
        (Some((x1, up1, c1, s1)), Some((x2, up2, c2, s2))) if x1 == x2 && up1 == up2 => {
            if up1 {
                c1 > c2 || (c1 == c2 && (s1 || !s2))
            } else {
                c1 < c2 || (c1 == c2 && (s1 || !s2))
            }
        }
        _ => false,
    }
}

pub fn warn_rules(ctx: &mut Ctx, rules: &[(plan::Rule, ast::Span)]) {
    for (i, (rule, span)) in rules.iter().enumerate() {
        if let Some(reason) = never(&rule.when) {
            ctx.warn(
                *span,
                Diagnostic::RuleNeverFires {
                    reason: reason.clone(),
                    span: (*span).into(),
                    help: Some(if reason.starts_with("its conditions contradict") {
                        "fix the thresholds (did you mean `or`?), or delete the rule".into()
                    } else {
                        "accuracies and sparsity lie in [0, 1]; losses, λ, lr, iter, epoch and weight_norm are ≥ 0".into()
                    }),
                },
            );
            continue;
        }
        if let Some((_, earlier)) = rules[..i]
            .iter()
            .find(|(r, _)| never(&r.when).is_none() && implies(&rule.when, &r.when))
        {
            ctx.warn(
                *span,
                Diagnostic::RuleShadowed {
                    span: (*span).into(),
                    earlier: (*earlier).into(),
                },
            );
        }
    }
}
