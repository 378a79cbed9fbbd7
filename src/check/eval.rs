//! Evaluation of values: parameters substituted, schedules and policies
//! built, every type, unit and argument checked on the way. Diagnostics are
//! collected in the context; a failed value evaluates to `Val::Unknown` so
//! checking goes on and reports everything at once. Here: values, the
//! context and its reporting, and `eval` itself; names and calls are
//! evaluated in `calls`, operators in `operators`.

use super::defs::Defs;
use crate::diagnostics::{CallSite, Diagnostic, Emitter, Located, Reported};
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
                // A whole number past i64 (`1e19`) stays a float: too many
                // iterations, not a fraction of one.
                if !int && value.fract() == 0.0 && value.is_finite() {
                    let allowed = format!("at most {}", super::coerce::MAX_COUNT);
                    return Val::Unknown(self.out_of_range(span, "iterations", &allowed, value));
                }
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
}
