//! Evaluation of values: parameters substituted, schedules and policies
//! built, every type, unit and argument checked on the way. Diagnostics are
//! collected in the context; a failed value evaluates to `Val::Unknown` so
//! checking goes on and reports everything at once.

use super::defs::{Def, Defs};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{closest, did_you_mean, CallSite, Diagnostic, Emitter, Located, Reported};
use crate::plan::{Decay, Duration, LambdaSpec, Policy, Schedule};
use crate::syntax::ast::*;

/// A value during checking.
#[derive(Debug, Clone)]
pub enum Val {
    Num {
        v: f64,
        int: bool,
    },
    Dur(Duration),
    Str(String),
    Bool(bool),
    List(Vec<(Val, Span)>),
    /// A bare name that is neither a parameter nor a definition (`l2`, `relu`, `epoch`).
    Word(String),
    Sched(Schedule),
    Policy(Policy),
    Lambda(LambdaSpec),
    Grid(Vec<f64>),
    Decay(Decay),
    /// Already reported (for a parameter without a value in a standalone
    /// check: the missing argument, reported to a pass that is not shown).
    Unknown(Reported),
}

impl Val {
    /// What the value is, in words, for "expected X, found Y".
    pub fn describe(&self) -> String {
        match self {
            Val::Num { v, .. } => format!("the number {}", num_text(*v)),
            Val::Dur(d) => format!("the duration {}", dur_text(*d)),
            Val::Str(s) => format!("the string \"{s}\""),
            Val::Bool(b) => format!("`{b}`"),
            Val::List(_) => "a list".into(),
            Val::Word(w) => format!("`{w}`"),
            Val::Sched(_) => "a schedule".into(),
            Val::Policy(_) => "a policy".into(),
            Val::Lambda(LambdaSpec::Policy { .. }) => "a policy with a start value".into(),
            Val::Lambda(_) => "an adjusted schedule".into(),
            Val::Grid(_) => "a grid".into(),
            Val::Decay(_) => "a decay".into(),
            Val::Unknown(_) => "an unknown value".into(),
        }
    }

    /// Short printable form (policy names, axis values).
    pub fn display(&self) -> String {
        match self {
            Val::Num { v, .. } => num_text(*v),
            Val::Dur(d) => dur_text(*d),
            Val::Str(s) => format!("\"{s}\""),
            Val::Bool(b) => b.to_string(),
            Val::Word(w) => w.clone(),
            Val::List(items) => {
                let inner: Vec<String> = items.iter().map(|(v, _)| v.display()).collect();
                format!("[{}]", inner.join(", "))
            }
            other => other.describe(),
        }
    }
}

pub fn num_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

pub fn dur_text(d: Duration) -> String {
    match d {
        Duration::Iters(n) => format!("{n} iters"),
        Duration::Epochs(1.0) => "1 epoch".into(),
        Duration::Epochs(e) => format!("{} epochs", num_text(e)),
    }
}

/// Names bound to values: parameters of the definition being evaluated, or
/// the `vary` axes of an experiment cell.
pub type Env = Vec<(String, Val)>;

pub fn lookup<'e>(env: &'e Env, name: &str) -> Option<&'e Val> {
    env.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// The name an identifier stands for: a `vary` axis over names
/// (`vary net in [conv3, two_layer]`) substitutes its current value.
pub fn name_of(e: &Expr, env: &Env) -> Option<String> {
    match &e.kind {
        ExprKind::Ident(n) => match lookup(env, n) {
            Some(Val::Word(w)) => Some(w.clone()),
            _ => Some(n.clone()),
        },
        _ => None,
    }
}

/// `name(p: v, ...)` with the bound values, for messages and plans.
pub fn call_text(name: &str, env: &Env) -> String {
    if env.is_empty() {
        return name.to_string();
    }
    let args: Vec<String> = env
        .iter()
        .map(|(n, v)| format!("{n}: {}", v.display()))
        .collect();
    format!("{name}({})", args.join(", "))
}

/// The label at a call site: the values the definition was used with.
pub fn site_text(name: &str, env: &Env) -> String {
    if env.is_empty() {
        "used here".to_string()
    } else {
        format!("with {}", call_text(name, env))
    }
}

/// Checking context: definitions, options and the diagnostics found so far.
pub struct Ctx<'a> {
    pub defs: &'a Defs<'a>,
    pub diags: Emitter,
    /// `--scale`: multiplies durations written in iterations.
    pub scale: f64,
    /// `--on`: whose limits the plan is held to.
    pub target: super::limits::Target,
    /// Definitions being expanded (recursion guard).
    pub stack: Vec<String>,
    /// Calls of definitions being expanded, outermost first: a problem
    /// inside a definition also points at the call that gave the values.
    pub sites: Vec<(Span, String)>,
    /// The absolute directory of each loaded file, by `FileId` (see
    /// `imports::Program::dirs`).
    pub dirs: Vec<Option<std::path::PathBuf>>,
}

impl<'a> Ctx<'a> {
    pub fn new(defs: &'a Defs<'a>, scale: f64) -> Ctx<'a> {
        Ctx {
            defs,
            diags: Emitter::default(),
            scale,
            target: super::limits::Target::Local,
            stack: vec![],
            sites: vec![],
            dirs: vec![],
        }
    }

    /// Report an error; the proof that it was.
    pub fn report(&mut self, span: Span, diagnostic: Diagnostic) -> Reported {
        // A definition that failed to parse was already reported; calling
        // its uses unknown would only add noise.
        if let Diagnostic::UnknownName { name, .. } = &diagnostic {
            if self.defs.broken.contains(name) {
                if let Some(reported) = self.diags.has_errors() {
                    return reported;
                }
            }
        }
        let located = self.locate(span, diagnostic);
        self.diags.error(located)
    }

    /// Report a warning.
    pub fn warn(&mut self, span: Span, diagnostic: Diagnostic) {
        let located = self.locate(span, diagnostic);
        self.diags.warning(located);
    }

    /// The diagnostic at `span`, with the call site that gave the values
    /// when `span` is inside a definition.
    fn locate(&mut self, span: Span, diagnostic: Diagnostic) -> Located {
        let mut located = Located::new(span.file, diagnostic);
        if let Some((site, call)) = self.sites.first() {
            let inside = site.file == span.file && site.start <= span.start && span.end <= site.end;
            if !inside {
                located.context = Some(CallSite {
                    file: site.file,
                    offset: site.start,
                    len: site.len(),
                    call: call.clone(),
                });
            }
        }
        located
    }

    /// Evaluate `f` as the body of a definition called at `site`.
    pub fn at_site<T>(&mut self, site: Span, call: String, f: impl FnOnce(&mut Self) -> T) -> T {
        self.sites.push((site, call));
        let out = f(self);
        self.sites.pop();
        out
    }

    pub fn wrong_type(&mut self, span: Span, expected: &str, found: &Val) -> Reported {
        if let Val::Unknown(reported) = found {
            return *reported;
        }
        let help = match found {
            Val::Dur(_) if expected.contains("number") => {
                Some("this takes a plain number; drop the unit".to_string())
            }
            Val::Policy(_) => {
                Some("a policy needs a start value: `policy(...) from 1.0`".to_string())
            }
            _ => None,
        };
        self.report(
            span,
            Diagnostic::WrongType {
                expected: expected.to_string(),
                found: found.describe(),
                span: span.into(),
                help,
            },
        )
    }

    pub fn out_of_range(&mut self, span: Span, what: &str, allowed: &str, value: f64) -> Reported {
        self.report(
            span,
            Diagnostic::OutOfRange {
                what: what.to_string(),
                allowed: allowed.to_string(),
                value: num_text(value),
                span: span.into(),
                help: None,
            },
        )
    }

    // ------------------------------------------------------------ evaluation

    pub fn eval(&mut self, e: &Expr, env: &Env) -> Val {
        match &e.kind {
            ExprKind::Number { value, int, text } => match self.finite(e.span, *value, text) {
                Ok(v) => Val::Num { v, int: *int },
                Err(reported) => Val::Unknown(reported),
            },
            ExprKind::Duration {
                value,
                int,
                unit,
                text,
                ..
            } => match self.finite(e.span, *value, text) {
                Ok(v) => self.duration(e.span, v, *int, *unit),
                Err(reported) => Val::Unknown(reported),
            },
            ExprKind::Str(s) => Val::Str(s.clone()),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::List(items) => {
                Val::List(items.iter().map(|i| (self.eval(i, env), i.span)).collect())
            }
            ExprKind::Paren(inner) => self.eval(inner, env),
            ExprKind::Ident(name) => self.ident(name, e.span, env),
            ExprKind::Call { name, args } => self.call(name, args, e.span, env),
            ExprKind::Unary { op, expr } => {
                let v = self.eval(expr, env);
                match (op, v) {
                    (UnaryOp::Neg, Val::Num { v, int }) => Val::Num { v: -v, int },
                    (UnaryOp::Not, Val::Bool(b)) => Val::Bool(!b),
                    (UnaryOp::Neg, other) => {
                        Val::Unknown(self.wrong_type(expr.span, "a number", &other))
                    }
                    (UnaryOp::Not, other) => {
                        Val::Unknown(self.wrong_type(expr.span, "a condition", &other))
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, env),
        }
    }

    fn duration(&mut self, span: Span, value: f64, int: bool, unit: Unit) -> Val {
        match unit {
            Unit::Iters => {
                if !int || value.fract() != 0.0 {
                    return Val::Unknown(self.report(
                        span,
                        Diagnostic::WrongUnit {
                            message: format!(
                                "iterations must be a whole number, found {} iters",
                                num_text(value)
                            ),
                            label: "fractional iterations".into(),
                            span: span.into(),
                            help: Some(format!(
                                "write `{} iters`, or use epochs: `{} epochs`",
                                value.round().max(1.0),
                                num_text(value)
                            )),
                        },
                    ));
                }
                let scaled = if value <= 0.0 {
                    0
                } else {
                    ((value * self.scale).round() as u64).max(1)
                };
                Val::Dur(Duration::Iters(scaled))
            }
            Unit::Epochs => Val::Dur(Duration::Epochs(value)),
        }
    }

    fn ident(&mut self, name: &str, span: Span, env: &Env) -> Val {
        if let Some(v) = lookup(env, name) {
            return v.clone();
        }
        match self.defs.get(name) {
            Some(Def::Schedule(s)) => self.schedule_def(s, &[], span, env),
            Some(Def::Policy(p)) => self.policy_def(p, &[], span, env),
            _ => Val::Word(name.to_string()),
        }
    }

    fn call(&mut self, name: &Ident, args: &[Arg], span: Span, env: &Env) -> Val {
        match self.defs.get(&name.name) {
            Some(Def::Schedule(s)) => return self.schedule_def(s, args, span, env),
            Some(Def::Policy(p)) => return self.policy_def(p, args, span, env),
            _ => {}
        }
        match name.name.as_str() {
            "grid" => {
                let b = self.bind(name, args, &["values"], &["values"]);
                let values = b
                    .required(0)
                    .and_then(|e| self.lambda_list(e, env, "the grid"));
                match values {
                    Ok(vs) => Val::Grid(vs),
                    Err(reported) => Val::Unknown(reported),
                }
            }
            n if builtins::Schedule::from_name(n).is_some() => {
                super::schedule::builtin(self, name, args, env)
            }
            _ => {
                let mut known: Vec<&str> = self.defs.names().collect();
                known.extend(builtins::Schedule::names());
                known.push("grid");
                let help = did_you_mean(&name.name, known.iter().copied())
                    .or_else(|| builtins::Schedule::alias_help(&name.name));
                Val::Unknown(self.report(
                    name.span,
                    Diagnostic::UnknownName {
                        kind: "schedule or policy".into(),
                        name: name.name.clone(),
                        span: name.span.into(),
                        label: "not defined here or in any import".into(),
                        help,
                    },
                ))
            }
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, env: &Env) -> Val {
        let l = self.eval(lhs, env);
        let r = self.eval(rhs, env);
        if let Val::Unknown(reported) = l {
            return Val::Unknown(reported);
        }
        if let Val::Unknown(reported) = r {
            return Val::Unknown(reported);
        }
        let value = match op {
            BinOp::Then => self.then(lhs, rhs, l, r),
            BinOp::With => self.with(lhs, rhs, l, r),
            BinOp::From => self.from(lhs, rhs, l, r),
            BinOp::Per => self.per(lhs, rhs, l, r),
            BinOp::And | BinOp::Or => self.logic(op, lhs, rhs, l, r),
            _ => self.arithmetic(op, lhs, rhs, l, r),
        };
        value.unwrap_or_else(Val::Unknown)
    }

    /// `a then b`: one schedule after another.
    fn then(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let a = self.to_schedule(lhs.span, l);
        let b = self.to_schedule(rhs.span, r);
        if a.as_ref()
            .is_ok_and(|a| super::schedule::length(a, 1).is_none())
        {
            return Err(super::schedule::endless(
                self,
                lhs,
                "the schedule after `then` would never start",
            ));
        }
        Ok(Val::Sched(Schedule::Then {
            first: Box::new(a?),
            second: Box::new(b?),
        }))
    }

    /// `schedule with policy`.
    fn with(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let s = self.to_schedule(lhs.span, l);
        let p = match r {
            Val::Policy(p) => Ok(p),
            other => Err(self.wrong_type(rhs.span, "a policy", &other)),
        };
        Ok(Val::Lambda(LambdaSpec::Adjusted {
            schedule: s?,
            policy: p?,
        }))
    }

    /// `policy from start`.
    fn from(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let p = match l {
            Val::Policy(p) => Ok(p),
            other => Err(self.wrong_type(lhs.span, "a policy", &other)),
        };
        let from = self.to_num(rhs.span, r, "a number");
        if let Ok(f) = from {
            // Reported, and the value kept, so later checks still run.
            let _ = self.check_lambda(rhs.span, f);
        }
        Ok(Val::Lambda(LambdaSpec::Policy {
            policy: p?,
            from: from?,
        }))
    }

    /// `factor per interval`: a decay.
    fn per(&mut self, lhs: &Expr, rhs: &Expr, l: Val, r: Val) -> Result<Val, Reported> {
        let factor = self.to_num(lhs.span, l, "a number");
        let every = match r {
            Val::Dur(d) => Ok(d),
            Val::Word(w) if w == "epoch" || w == "epochs" => Ok(Duration::Epochs(1.0)),
            Val::Word(w) if w == "iter" || w == "iters" => {
                Ok(Duration::Iters(self.scale.round().max(1.0) as u64))
            }
            other => Err(self.wrong_type(rhs.span, "`epoch`, `iter` or a duration", &other)),
        };
        if let Ok(f) = factor {
            if !(f > 0.0) {
                // Reported, and the decay kept, so later checks still run.
                let _ = self.out_of_range(lhs.span, "a decay factor", "greater than 0", f);
            }
        }
        // `per 0 iters` would silently mean every iteration.
        let every = every.and_then(|d| {
            let len = match d {
                Duration::Iters(n) => n as f64,
                Duration::Epochs(e) => e,
            };
            if len > 0.0 {
                Ok(d)
            } else {
                Err(self.out_of_range(rhs.span, "the decay interval", "greater than 0", len))
            }
        });
        Ok(Val::Decay(Decay {
            factor: factor?,
            every: every?,
        }))
    }

    /// `a and b`, `a or b`.
    fn logic(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        l: Val,
        r: Val,
    ) -> Result<Val, Reported> {
        match (l, r) {
            (Val::Bool(a), Val::Bool(b)) => {
                Ok(Val::Bool(if op == BinOp::And { a && b } else { a || b }))
            }
            (Val::Bool(_), other) => Err(self.wrong_type(rhs.span, "a condition", &other)),
            (other, _) => Err(self.wrong_type(lhs.span, "a condition", &other)),
        }
    }

    /// Arithmetic and comparisons of two numbers.
    fn arithmetic(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        l: Val,
        r: Val,
    ) -> Result<Val, Reported> {
        let a = self.to_num(lhs.span, l, "a number");
        let b = self.to_num(rhs.span, r, "a number");
        let (a, b) = (a?, b?);
        let num = |v: f64| Val::Num { v, int: false };
        Ok(match op {
            BinOp::Add => num(a + b),
            BinOp::Sub => num(a - b),
            BinOp::Mul => num(a * b),
            BinOp::Div => {
                if b == 0.0 {
                    return Err(self.out_of_range(rhs.span, "a divisor", "different from 0", b));
                }
                num(a / b)
            }
            BinOp::Lt => Val::Bool(a < b),
            BinOp::Le => Val::Bool(a <= b),
            BinOp::Gt => Val::Bool(a > b),
            BinOp::Ge => Val::Bool(a >= b),
            BinOp::Eq => Val::Bool(a == b),
            _ => Val::Bool(a != b),
        })
    }

    // ------------------------------------------------------------ definitions

    /// Enter definition `name`; an error when it recurses.
    pub fn enter(&mut self, name: &str, span: Span) -> Result<(), Reported> {
        if self.stack.iter().any(|n| n == name) || self.stack.len() > 32 {
            return Err(self.report(
                span,
                Diagnostic::Recursive {
                    name: name.to_string(),
                    span: span.into(),
                },
            ));
        }
        self.stack.push(name.to_string());
        Ok(())
    }

    pub fn leave(&mut self) {
        self.stack.pop();
    }

    /// Bind a user definition's parameters from a call: given arguments are
    /// evaluated in the caller's `env`, defaults in an empty one.
    pub fn bind_params(
        &mut self,
        callee: &Ident,
        params: &Option<Vec<Param>>,
        args: &[Arg],
        env: &Env,
    ) -> Env {
        let params = params.as_deref().unwrap_or(&[]);
        let names: Vec<&str> = params.iter().map(|p| p.name.name.as_str()).collect();
        let required: Vec<&str> = params
            .iter()
            .filter(|p| p.default.is_none())
            .map(|p| p.name.name.as_str())
            .collect();
        let bound = self.bind(callee, args, &names, &required);
        let mut out = Env::new();
        for (i, p) in params.iter().enumerate() {
            let v = match (bound[i], &p.default) {
                (Some(e), _) => match self.eval(e, env) {
                    // Parameters hold numbers, durations and the like; a bare
                    // unknown name is a typo of a `vary` axis or parameter.
                    Val::Word(w) => {
                        let mut known: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
                        known.extend(self.defs.names());
                        let help = closest(&w, known.iter().copied())
                            .map(|c| format!("did you mean `{c}`?"))
                            .or_else(|| {
                                Some(
                                    "pass a number, a duration, or the name of a `vary` axis"
                                        .into(),
                                )
                            });
                        Val::Unknown(self.report(
                            e.span,
                            Diagnostic::UnknownName {
                                kind: "name".into(),
                                name: w.clone(),
                                span: e.span.into(),
                                label: "not a `vary` axis, a parameter or a definition".into(),
                                help,
                            },
                        ))
                    }
                    v => v,
                },
                (None, Some(d)) => self.eval(d, &Env::new()),
                (None, None) => match bound.required(i) {
                    Err(reported) => Val::Unknown(reported),
                    Ok(_) => unreachable!("an empty slot of a required parameter"),
                },
            };
            out.push((p.name.name.clone(), v));
        }
        out
    }

    fn schedule_def(&mut self, s: &ScheduleDef, args: &[Arg], span: Span, env: &Env) -> Val {
        let callee = Ident {
            name: s.name.name.clone(),
            span,
        };
        let inner = self.bind_params(&callee, &s.params, args, env);
        if let Err(reported) = self.enter(&s.name.name, span) {
            return Val::Unknown(reported);
        }
        let call = site_text(&s.name.name, &inner);
        let v = self.at_site(span, call, |ctx| ctx.eval(&s.body, &inner));
        self.leave();
        match v {
            Val::Num { v, .. } => Val::Sched(Schedule::Constant { value: v }),
            Val::Sched(_) | Val::Unknown(_) => v,
            other => Val::Unknown(self.wrong_type(s.body.span, "a schedule", &other)),
        }
    }

    fn policy_def(&mut self, p: &PolicyDef, args: &[Arg], span: Span, env: &Env) -> Val {
        let callee = Ident {
            name: p.name.name.clone(),
            span,
        };
        let inner = self.bind_params(&callee, &p.params, args, env);
        if let Err(reported) = self.enter(&p.name.name, span) {
            return Val::Unknown(reported);
        }
        let call = site_text(&p.name.name, &inner);
        let v = self.at_site(span, call, |ctx| super::policy::build(ctx, p, &inner));
        self.leave();
        match v {
            Ok(p) => Val::Policy(p),
            Err(reported) => Val::Unknown(reported),
        }
    }
}
