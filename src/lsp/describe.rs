//! What a definition means, worked out by the checker, for hover: a
//! network's shapes on the data its experiments give it, a schedule's λ over
//! the iterations, a policy's rules with the parameters substituted, a data
//! set's sizes, an experiment's trials. Markdown.

use super::analysis::Analysis;
use super::index::{Def, DefKind};
use crate::check::defs::Defs;
use crate::check::eval::{dur_text, num_text, Ctx, Env, Val};
use crate::check::network::shape_text;
use crate::plan::{self, Action, Layer, NetworkSpec, Schedule};
use crate::syntax::ast::{Expr, ExprKind, Item, Param};

/// The item a definition names, in its file's tree.
fn item<'a>(a: &'a Analysis, def: &Def) -> Option<&'a Item> {
    a.program()
        .modules
        .iter()
        .flat_map(|m| &m.module.items)
        .find(|i| i.name().is_some_and(|n| n.span == def.name_span))
}

/// Evaluate with a checking context of the whole program; what it reports
/// is not shown (the diagnostics already say it).
fn with_ctx<T>(a: &Analysis, f: impl FnOnce(&mut Ctx) -> T) -> T {
    let mut hidden = vec![];
    let defs = Defs::collect(a.program(), &mut hidden);
    let mut ctx = Ctx::new(&defs, 1.0);
    ctx.dirs = a.program().dirs.clone();
    f(&mut ctx)
}

/// Parameters bound to their defaults; `Err(name)` for one without.
fn defaults(ctx: &mut Ctx, params: &Option<Vec<Param>>) -> Result<Env, String> {
    let mut env = Env::new();
    for p in params.iter().flatten() {
        let Some(d) = &p.default else {
            return Err(p.name.name.clone());
        };
        let v = ctx.eval(d, &Env::new());
        env.push((p.name.name.clone(), v));
    }
    Ok(env)
}

pub fn network(a: &Analysis, def: &Def) -> String {
    let mut seen: Vec<(&str, &NetworkSpec)> = vec![];
    for e in &a.analyzed.checked.experiments {
        for t in &e.trials {
            let n = &t.network;
            let ours = n.name == def.name || n.name.starts_with(&format!("{}(", def.name));
            if ours
                && !seen
                    .iter()
                    .any(|(_, s)| s.name == n.name && s.input == n.input)
            {
                seen.push((&e.name, n));
            }
        }
    }
    if seen.is_empty() {
        return "Shapes depend on the data: no experiment of this file uses it.".into();
    }
    let mut out = String::new();
    for (exp, n) in seen.iter().take(4) {
        let mut chain = format!("`{}`", shape_text(n.input));
        for l in &n.layers {
            chain.push_str(&format!(
                " → {} → `{}`",
                layer_text(&l.layer),
                shape_text(l.output)
            ));
        }
        out.push_str(&format!(
            "`{}` in experiment `{exp}`: {chain}; {} parameters\n\n",
            n.name,
            group(n.parameters)
        ));
    }
    out
}

fn layer_text(l: &Layer) -> String {
    match l {
        Layer::Dense { units } => format!("dense({units})"),
        Layer::Relu => "relu".into(),
        Layer::Conv {
            filters,
            size,
            stride,
            pad,
        } => format!("conv({filters}, {size}, stride: {stride}, pad: {pad})"),
        Layer::Maxpool { size } => format!("maxpool({size})"),
        Layer::Dropout { p } => format!("dropout({})", num_text(*p)),
    }
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn schedule(a: &Analysis, def: &Def) -> String {
    let Some(Item::Schedule(s)) = item(a, def) else {
        return String::new();
    };
    let value = with_ctx(a, |ctx| match defaults(ctx, &s.params) {
        Ok(env) => Ok(ctx.eval(&s.body, &env)),
        Err(p) => Err(p),
    });
    let sched = match value {
        Err(p) => return format!("λ depends on the parameter `{p}`, which has no default."),
        Ok(Val::Num { v, .. }) => Schedule::Constant { value: v },
        Ok(Val::Sched(s)) => s,
        Ok(_) => return "Not a schedule yet: see its diagnostics.".into(),
    };
    // Epochs need the data's size: take the first trial's when there is one.
    let first = a
        .analyzed
        .checked
        .experiments
        .iter()
        .flat_map(|e| &e.trials)
        .next();
    let ipe = first.map_or(1, |t| t.iters_per_epoch.max(1));
    let in_epochs =
        crate::run::schedule::length(&sched, 1) != crate::run::schedule::length(&sched, 2);
    let length = crate::run::schedule::length(&sched, ipe);
    let horizon = length.or(first.map(|t| t.iters)).unwrap_or(1000).max(1);
    let at = |t: u64| crate::run::schedule::value_at(&sched, t, ipe);
    let points: Vec<u64> = (0..=4).map(|k| horizon * k / 4).collect();
    let mut out = match length {
        Some(l) => format!("λ over its {l} iterations"),
        None => format!("λ over the first {horizon} iterations (it never ends)"),
    };
    if in_epochs && first.is_some() {
        out.push_str(&format!(
            " (at {ipe} iterations per epoch, as in this file)"
        ));
    }
    out.push_str(&format!(": {}\n\n| iteration |", sparkline(&at, horizon)));
    for p in &points {
        out.push_str(&format!(" {p} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(points.len()));
    out.push_str("\n| λ |");
    for p in &points {
        out.push_str(&format!(" {} |", short(at(*p))));
    }
    out.push('\n');
    out
}

/// A value to 4 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return num_text(v);
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    s.to_string()
}

/// λ at 24 points as bars, lowest to highest.
fn sparkline(at: &dyn Fn(u64) -> f64, horizon: u64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let values: Vec<f64> = (0..24).map(|k| at(horizon * k / 23)).collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let bars: String = values
        .iter()
        .map(|&v| {
            let x = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            BARS[((x * 7.0).round() as usize).min(7)]
        })
        .collect();
    format!("`{bars}`")
}

pub fn policy(a: &Analysis, def: &Def) -> String {
    let Some(Item::Policy(p)) = item(a, def) else {
        return String::new();
    };
    let built = with_ctx(a, |ctx| match defaults(ctx, &p.params) {
        Ok(env) => Ok(crate::check::policy::build(ctx, p, &env).ok()),
        Err(name) => Err(name),
    });
    let policy = match built {
        Err(name) => {
            return format!("Its rules depend on the parameter `{name}`, which has no default.")
        }
        Ok(None) => return "Does not compile yet: see its diagnostics.".into(),
        Ok(Some(policy)) => policy,
    };
    let mut out = format!(
        "Compiled, parameters at their defaults: every {}\n\n",
        dur_text(policy.every)
    );
    for (i, r) in policy.rules.iter().enumerate() {
        let actions: Vec<String> = r.actions.iter().map(action_text).collect();
        out.push_str(&format!(
            "{}. when `{}`: `{}`\n",
            i + 1,
            expr_text(&r.when),
            actions.join(", ")
        ));
    }
    for (what, c) in [("lambda", policy.clamp_lambda), ("lr", policy.clamp_lr)] {
        if let Some((lo, hi)) = c {
            out.push_str(&format!(
                "\nclamp {what} in [{}, {}]",
                num_text(lo),
                num_text(hi)
            ));
        }
    }
    out
}

fn action_text(a: &Action) -> String {
    match a {
        Action::Stop => "stop".into(),
        Action::Set { target, op, value } => {
            let target = match target {
                plan::Target::Lambda => "lambda",
                plan::Target::Lr => "lr",
            };
            let op = match op {
                plan::AssignOp::Set => "=",
                plan::AssignOp::Mul => "*=",
                plan::AssignOp::Div => "/=",
                plan::AssignOp::Add => "+=",
                plan::AssignOp::Sub => "-=",
            };
            format!("{target} {op} {}", expr_text(value))
        }
    }
}

/// A resolved expression, parenthesized where it nests.
fn expr_text(e: &plan::Expr) -> String {
    use plan::{BinaryOp as B, Expr as E};
    let nested = |e: &plan::Expr| match e {
        E::Binary { .. } => format!("({})", expr_text(e)),
        _ => expr_text(e),
    };
    match e {
        E::Num(v) => num_text(*v),
        E::Bool(b) => b.to_string(),
        E::Metric(m) => m.name().into(),
        E::Unary { op, expr } => match op {
            plan::UnaryOp::Neg => format!("-{}", nested(expr)),
            plan::UnaryOp::Not => format!("not {}", nested(expr)),
        },
        E::Binary { op, lhs, rhs } => {
            let op = match op {
                B::Add => "+",
                B::Sub => "-",
                B::Mul => "*",
                B::Div => "/",
                B::Lt => "<",
                B::Le => "<=",
                B::Gt => ">",
                B::Ge => ">=",
                B::Eq => "==",
                B::Ne => "!=",
                B::And => "and",
                B::Or => "or",
            };
            format!("{} {op} {}", nested(lhs), nested(rhs))
        }
        E::Call { func, args } => {
            let args: Vec<String> = args.iter().map(expr_text).collect();
            format!("{}({})", serde_name(func), args.join(", "))
        }
        E::History { func, metric, last } => match last {
            Some(k) => format!("{}({}, last: {k})", serde_name(func), metric.name()),
            None => format!("{}({})", serde_name(func), metric.name()),
        },
    }
}

/// The name serde gives a unit variant (`since_best`): the language's word.
fn serde_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn data(a: &Analysis, def: &Def) -> String {
    let name = Expr {
        kind: ExprKind::Ident(def.name.clone()),
        span: def.name_span,
    };
    match with_ctx(a, |ctx| {
        crate::check::data::resolve(ctx, &name, &Env::new()).ok()
    }) {
        Some(d) => format!(
            "{} images of `{}` to train on ({} held out for validation{}), {} classes",
            group(d.train_size as u64),
            shape_text(d.input),
            group(d.val as u64),
            d.subset.map_or(String::new(), |s| format!(
                ", a subset of {}",
                group(s as u64)
            )),
            d.classes
        ),
        None => "Does not resolve yet: see its diagnostics.".into(),
    }
}

pub fn experiment(a: &Analysis, def: &Def) -> String {
    let Some(e) = a
        .analyzed
        .checked
        .experiments
        .iter()
        .find(|e| e.name == def.name)
    else {
        return "Does not expand yet: see its diagnostics.".into();
    };
    let arms: Vec<&str> = e.arms.iter().map(|a| a.name.as_str()).collect();
    let iters = e.trials.first().map_or(0, |t| t.iters);
    format!(
        "{} trials: {} cell(s) × arms {} × {} seed(s); {} iterations each; data `{}`",
        e.trials.len(),
        e.axes.iter().map(|x| x.values.len()).product::<usize>(),
        arms.join(", "),
        e.seeds,
        group(iters),
        e.data.name
    )
}

/// A parameter, axis or arm, with what it belongs to.
pub fn local(a: &Analysis, def: &Def) -> String {
    let owner = def.owner.map(|o| &a.index.defs[o]);
    let of = owner.map_or(String::new(), |o| {
        format!(" of {} `{}`", o.kind.word(), o.name)
    });
    let mut out = format!("{} `{}`{of}", def.kind.word(), def.name);
    if let Some(d) = &def.default {
        out.push_str(&format!(" (default `{d}`)"));
    }
    if def.kind == DefKind::Axis {
        let axis = owner
            .and_then(|o| {
                a.analyzed
                    .checked
                    .experiments
                    .iter()
                    .find(|e| e.name == o.name)
            })
            .and_then(|e| e.axes.iter().find(|x| x.name == def.name));
        if let Some(x) = axis {
            let values: Vec<String> = x.values.iter().map(|v| v.label()).collect();
            out.push_str(&format!(": {}", values.join(", ")));
        }
    }
    out
}
