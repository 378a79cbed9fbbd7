//! Feedback policies: expressions over live metrics and their history, rules,
//! actions and clamps.
//!
//! Semantics (documented in docs/language.md):
//! - a policy is consulted at every check of its cadence, after the metrics of
//!   that check are measured;
//! - rules are tried in order and only the FIRST whose condition holds applies
//!   (all of its actions, left to right);
//! - `clamp` bounds λ (and lr) after every check, whether a rule fired or not;
//! - history functions see every earlier check plus the current one. At the
//!   first check there is no past: `prev(x)` is `x`, `delta(x)` is 0,
//!   `mean(x, last: k)` averages what there is, `since_best(x)` is 0.

use crate::plan::{Action, AssignOp, BinaryOp, Expr, Func, HistoryFunc, Metric, Policy, UnaryOp};

/// The metrics measured at one check, indexed by `Metric as usize`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot([f64; Metric::ALL.len()]);

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot([f64::NAN; Metric::ALL.len()])
    }
}

impl Snapshot {
    pub fn get(&self, m: Metric) -> f64 {
        self.0[m as usize]
    }
    pub fn set(&mut self, m: Metric, v: f64) {
        self.0[m as usize] = v;
    }
}

/// Every check seen so far, the current one last.
#[derive(Debug, Default, Clone)]
pub struct History {
    checks: Vec<Snapshot>,
}

impl History {
    pub fn push(&mut self, s: Snapshot) {
        self.checks.push(s);
    }
    pub fn len(&self) -> usize {
        self.checks.len()
    }
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }
    pub fn current(&self) -> Option<&Snapshot> {
        self.checks.last()
    }

    fn series(&self, m: Metric) -> impl DoubleEndedIterator<Item = f64> + '_ {
        self.checks.iter().map(move |s| s.get(m))
    }

    fn history(&self, f: HistoryFunc, m: Metric, last: Option<u32>) -> f64 {
        let n = self.checks.len();
        let cur = self.current().map_or(f64::NAN, |s| s.get(m));
        let prev = if n >= 2 {
            self.checks[n - 2].get(m)
        } else {
            cur
        };
        match f {
            HistoryFunc::Prev => prev,
            HistoryFunc::Delta => cur - prev,
            HistoryFunc::Mean => {
                let k = last.map_or(n, |k| (k as usize).max(1)).min(n);
                if k == 0 {
                    return f64::NAN;
                }
                self.series(m).rev().take(k).sum::<f64>() / k as f64
            }
            HistoryFunc::Best => self.best(m).map_or(f64::NAN, |(_, v)| v),
            HistoryFunc::SinceBest => self.best(m).map_or(0.0, |(i, _)| (n - 1 - i) as f64),
        }
    }

    /// Index and value of the best check so far; the earliest wins ties, so
    /// `since_best` counts checks without improvement.
    fn best(&self, m: Metric) -> Option<(usize, f64)> {
        let better = |a: f64, b: f64| {
            if m.higher_is_better() {
                a > b
            } else {
                a < b
            }
        };
        let mut best: Option<(usize, f64)> = None;
        for (i, v) in self.series(m).enumerate() {
            if v.is_nan() {
                continue;
            }
            match best {
                Some((_, b)) if !better(v, b) => {}
                _ => best = Some((i, v)),
            }
        }
        best
    }
}

fn truth(v: f64) -> bool {
    v != 0.0 && !v.is_nan()
}

fn from_bool(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Value of an expression at the current check.
pub fn eval(e: &Expr, h: &History) -> f64 {
    match e {
        Expr::Num(v) => *v,
        Expr::Bool(b) => from_bool(*b),
        Expr::Metric(m) => h.current().map_or(f64::NAN, |s| s.get(*m)),
        Expr::Unary { op, expr } => {
            let v = eval(expr, h);
            match op {
                UnaryOp::Neg => -v,
                UnaryOp::Not => from_bool(!truth(v)),
            }
        }
        Expr::Binary { op, lhs, rhs } => {
            let a = eval(lhs, h);
            // `and`/`or` short-circuit like a reader expects.
            match op {
                BinaryOp::And => return from_bool(truth(a) && truth(eval(rhs, h))),
                BinaryOp::Or => return from_bool(truth(a) || truth(eval(rhs, h))),
                _ => {}
            }
            let b = eval(rhs, h);
            match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                BinaryOp::Lt => from_bool(a < b),
                BinaryOp::Le => from_bool(a <= b),
                BinaryOp::Gt => from_bool(a > b),
                BinaryOp::Ge => from_bool(a >= b),
                BinaryOp::Eq => from_bool(a == b),
                BinaryOp::Ne => from_bool(a != b),
                BinaryOp::And => from_bool(truth(a) && truth(b)),
                BinaryOp::Or => from_bool(truth(a) || truth(b)),
            }
        }
        Expr::Call { func, args } => {
            let v: Vec<f64> = args.iter().map(|a| eval(a, h)).collect();
            let first = v.first().copied().unwrap_or(f64::NAN);
            match func {
                Func::Abs => first.abs(),
                Func::Log => first.ln(),
                Func::Exp => first.exp(),
                Func::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                Func::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        }
        Expr::History { func, metric, last } => h.history(*func, *metric, *last),
    }
}

/// What a check decided.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// Index of the rule that fired, if any.
    pub fired: Option<usize>,
    /// New λ and lr, when an action changed them (before clamps).
    pub lambda: Option<f64>,
    pub lr: Option<f64>,
    /// The rule text that stopped the trial.
    pub stop: Option<String>,
}

fn apply(op: AssignOp, old: f64, v: f64) -> f64 {
    match op {
        AssignOp::Set => v,
        AssignOp::Mul => old * v,
        AssignOp::Div => old / v,
        AssignOp::Add => old + v,
        AssignOp::Sub => old - v,
    }
}

/// Tries the rules of `policy` in order against the history (whose last entry
/// holds the current λ and lr) and returns what the first matching one does.
pub fn decide(policy: &Policy, h: &History) -> Decision {
    let Some(cur) = h.current() else {
        return Decision::default();
    };
    let mut d = Decision::default();
    let Some((i, rule)) = policy
        .rules
        .iter()
        .enumerate()
        .find(|(_, r)| truth(eval(&r.when, h)))
    else {
        return d;
    };
    d.fired = Some(i);
    let mut lambda = cur.get(Metric::Lambda);
    let mut lr = cur.get(Metric::Lr);
    for a in &rule.actions {
        match a {
            Action::Stop => d.stop = Some(rule.text.clone()),
            Action::Set { target, op, value } => {
                let v = eval(value, h);
                match target {
                    crate::plan::Target::Lambda => {
                        lambda = apply(*op, lambda, v);
                        d.lambda = Some(lambda);
                    }
                    crate::plan::Target::Lr => {
                        lr = apply(*op, lr, v);
                        d.lr = Some(lr);
                    }
                }
            }
        }
    }
    d
}

pub fn clamp(v: f64, bounds: Option<(f64, f64)>) -> f64 {
    match bounds {
        Some((lo, hi)) => v.max(lo).min(hi),
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Duration, Rule, Target};

    fn m(x: Metric) -> Box<Expr> {
        Box::new(Expr::Metric(x))
    }
    fn num(v: f64) -> Box<Expr> {
        Box::new(Expr::Num(v))
    }
    fn bin(op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr>) -> Expr {
        Expr::Binary { op, lhs, rhs }
    }
    fn snap(train: f64, val: f64, lambda: f64) -> Snapshot {
        let mut s = Snapshot::default();
        s.set(Metric::TrainAcc, train);
        s.set(Metric::ValAcc, val);
        s.set(Metric::Lambda, lambda);
        s.set(Metric::Lr, 0.1);
        s
    }
    fn gap() -> Box<Expr> {
        Box::new(bin(BinaryOp::Sub, m(Metric::TrainAcc), m(Metric::ValAcc)))
    }
    fn rule(when: Expr, op: AssignOp, v: f64, text: &str) -> Rule {
        Rule {
            when,
            actions: vec![Action::Set {
                target: Target::Lambda,
                op,
                value: Expr::Num(v),
            }],
            text: text.into(),
        }
    }
    fn gap_policy() -> Policy {
        Policy {
            name: "gap".into(),
            every: Duration::Iters(10),
            rules: vec![
                rule(
                    bin(BinaryOp::Gt, gap(), num(0.05)),
                    AssignOp::Mul,
                    1.5,
                    "up",
                ),
                rule(
                    bin(BinaryOp::Gt, gap(), num(0.01)),
                    AssignOp::Set,
                    99.0,
                    "shadowed when gap > 0.05",
                ),
                rule(
                    bin(BinaryOp::Lt, gap(), num(0.01)),
                    AssignOp::Div,
                    2.0,
                    "down",
                ),
            ],
            clamp_lambda: Some((1e-3, 10.0)),
            clamp_lr: None,
        }
    }

    #[test]
    fn first_matching_rule_applies_and_only_it() {
        let p = gap_policy();
        let mut h = History::default();
        h.push(snap(0.9, 0.8, 2.0));
        let d = decide(&p, &h);
        assert_eq!(d.fired, Some(0));
        assert_eq!(d.lambda, Some(3.0));
        h.push(snap(0.83, 0.81, 2.0));
        assert_eq!(decide(&p, &h).fired, Some(1));
        h.push(snap(0.805, 0.80, 2.0));
        let d = decide(&p, &h);
        assert_eq!((d.fired, d.lambda), (Some(2), Some(1.0)));
    }

    #[test]
    fn no_rule_fires_when_no_condition_holds() {
        let mut p = gap_policy();
        p.rules.truncate(1);
        let mut h = History::default();
        h.push(snap(0.8, 0.8, 1.0));
        assert_eq!(decide(&p, &h), Decision::default());
    }

    #[test]
    fn clamp_bounds_both_sides() {
        assert_eq!(clamp(20.0, Some((1e-3, 10.0))), 10.0);
        assert_eq!(clamp(1e-9, Some((1e-3, 10.0))), 1e-3);
        assert_eq!(clamp(5.0, None), 5.0);
    }

    #[test]
    fn history_on_the_first_check_has_no_past() {
        let mut h = History::default();
        h.push(snap(0.5, 0.4, 1.0));
        let hist = |f, last| h.history(f, Metric::ValAcc, last);
        assert_eq!(hist(HistoryFunc::Prev, None), 0.4);
        assert_eq!(hist(HistoryFunc::Delta, None), 0.0);
        assert_eq!(hist(HistoryFunc::Mean, Some(5)), 0.4);
        assert_eq!(hist(HistoryFunc::Best, None), 0.4);
        assert_eq!(hist(HistoryFunc::SinceBest, None), 0.0);
    }

    #[test]
    fn history_over_several_checks() {
        let mut h = History::default();
        for v in [0.5, 0.7, 0.6, 0.65] {
            h.push(snap(0.9, v, 1.0));
        }
        let hist = |f, m, last| h.history(f, m, last);
        assert_eq!(hist(HistoryFunc::Prev, Metric::ValAcc, None), 0.6);
        assert!((hist(HistoryFunc::Delta, Metric::ValAcc, None) - 0.05).abs() < 1e-12);
        assert!((hist(HistoryFunc::Mean, Metric::ValAcc, Some(2)) - 0.625).abs() < 1e-12);
        assert_eq!(hist(HistoryFunc::Best, Metric::ValAcc, None), 0.7);
        assert_eq!(hist(HistoryFunc::SinceBest, Metric::ValAcc, None), 2.0);
        // Losses: lower is better.
        let mut h = History::default();
        for v in [1.0, 0.5, 0.5, 0.7] {
            let mut s = Snapshot::default();
            s.set(Metric::ValLoss, v);
            h.push(s);
        }
        assert_eq!(h.history(HistoryFunc::Best, Metric::ValLoss, None), 0.5);
        assert_eq!(
            h.history(HistoryFunc::SinceBest, Metric::ValLoss, None),
            2.0
        );
    }

    #[test]
    fn stop_action_reports_the_rule() {
        let p = Policy {
            name: "plateau".into(),
            every: Duration::Iters(1),
            rules: vec![Rule {
                when: Expr::Binary {
                    op: BinaryOp::Ge,
                    lhs: Box::new(Expr::History {
                        func: HistoryFunc::SinceBest,
                        metric: Metric::ValLoss,
                        last: None,
                    }),
                    rhs: num(2.0),
                },
                actions: vec![Action::Stop],
                text: "when since_best(val_loss) >= 2: stop".into(),
            }],
            clamp_lambda: None,
            clamp_lr: None,
        };
        let mut h = History::default();
        for (i, v) in [1.0, 0.9, 0.95, 0.97].into_iter().enumerate() {
            let mut s = Snapshot::default();
            s.set(Metric::ValLoss, v);
            h.push(s);
            let d = decide(&p, &h);
            assert_eq!(d.stop.is_some(), i == 3, "check {i}");
        }
    }

    #[test]
    fn logic_and_calls() {
        let mut h = History::default();
        h.push(snap(0.9, 0.8, 1.0));
        let e = Expr::Binary {
            op: BinaryOp::And,
            lhs: Box::new(Expr::Unary {
                op: UnaryOp::Not,
                expr: Box::new(Expr::Bool(false)),
            }),
            rhs: Box::new(Expr::Binary {
                op: BinaryOp::Lt,
                lhs: Box::new(Expr::Call {
                    func: Func::Abs,
                    args: vec![Expr::Unary {
                        op: UnaryOp::Neg,
                        expr: gap(),
                    }],
                }),
                rhs: num(0.2),
            }),
        };
        assert_eq!(eval(&e, &h), 1.0);
        let mx = Expr::Call {
            func: Func::Max,
            args: vec![Expr::Num(1.0), Expr::Num(3.0), Expr::Num(2.0)],
        };
        assert_eq!(eval(&mx, &h), 3.0);
    }
}
