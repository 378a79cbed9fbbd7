//! Networks: layers checked and resolved against the data's input shape,
//! with shapes and parameter counts per layer; the last width must equal the
//! number of classes.

use super::args::Bound;
use super::defs::Def;
use super::eval::{name_of, num_text, Ctx, Env, Val};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{Init, Layer, NetworkSpec, ResolvedLayer, Shape};
use crate::syntax::ast::{Expr, ExprKind, Ident};

/// Largest layer width and filter side accepted (far beyond what runs here;
/// `too_large` reports realistic limits with an estimate).
const MAX_WIDTH: u64 = 10_000_000;
const MAX_SIDE: u64 = 10_000;

/// The `network:` of an experiment: a definition name or a call of one.
pub fn resolve(
    ctx: &mut Ctx,
    e: &Expr,
    env: &Env,
    input: Shape,
    classes: usize,
    data_name: &str,
    init: Init,
) -> Result<NetworkSpec, Reported> {
    let (callee, args) = match &e.kind {
        ExprKind::Call { name, args } => (name.clone(), args.as_slice()),
        ExprKind::Ident(_) => (
            Ident {
                name: name_of(e, env).unwrap_or_default(),
                span: e.span,
            },
            &[][..],
        ),
        _ => {
            let v = ctx.eval(e, env);
            return Err(ctx.wrong_type(e.span, "a network", &v));
        }
    };
    let Some(Def::Network(def)) = ctx.defs.get(&callee.name) else {
        let known = ctx.defs.names_of("network");
        return Err(ctx.unknown("network", &callee.name, callee.span, &known));
    };
    let inner = ctx.bind_params(&callee, &def.params, args, env);
    let display = if inner.is_empty() {
        def.name.name.clone()
    } else {
        let a: Vec<String> = inner
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.display()))
            .collect();
        format!("{}({})", def.name.name, a.join(", "))
    };
    let mut shape = input;
    let mut layers = vec![];
    let mut failed = None;
    let site = format!(
        "{} on `{data_name}` ({})",
        super::eval::site_text(&def.name.name, &inner),
        shape_text(input)
    );
    ctx.sites.push((e.span, site));
    let mut so_far = shape_text(input);
    for l in &def.layers {
        match layer(ctx, l, &inner, shape, &so_far) {
            Ok(r) => {
                shape = r.output;
                so_far.push_str(&format!(" → {}", shape_text(shape)));
                layers.push(r);
            }
            Err(reported) => {
                // Later layers would be checked against a wrong shape.
                failed = Some(reported);
                break;
            }
        }
    }
    if let Some(reported) = failed {
        ctx.sites.pop();
        return Err(reported);
    }
    let last = def.layers.last().map(|l| l.span).unwrap_or(def.name.span);
    if shape.size() != classes || shape.height * shape.width != 1 && layers.is_empty() {
        let shapes: Vec<String> = std::iter::once(shape_text(input))
            .chain(layers.iter().map(|l| shape_text(l.output)))
            .collect();
        let reported = ctx.report(
            last,
            Diagnostic::ClassMismatch {
                width: shape.size(),
                classes,
                data: data_name.to_string(),
                span: last.into(),
                help: Some(format!(
                    "shapes through `{}`: {}; end with `dense({classes})`",
                    def.name.name,
                    shapes.join(" → ")
                )),
            },
        );
        ctx.sites.pop();
        return Err(reported);
    }
    ctx.sites.pop();
    let parameters = layers
        .iter()
        .fold(0u64, |a, l| a.saturating_add(l.parameters));
    Ok(NetworkSpec {
        name: display,
        input,
        layers,
        init,
        parameters,
    })
}

pub fn shape_text(s: Shape) -> String {
    if s.height == 1 && s.width == 1 {
        s.channels.to_string()
    } else {
        format!("{}×{}×{}", s.channels, s.height, s.width)
    }
}

/// A layer: what it is, its output shape and its parameter count.
type Resolved = (Layer, Shape, u64);

/// One layer on `input`; `so_far` is the chain of shapes up to it, for messages.
fn layer(
    ctx: &mut Ctx,
    e: &Expr,
    env: &Env,
    input: Shape,
    so_far: &str,
) -> Result<ResolvedLayer, Reported> {
    let (callee, args) = match &e.kind {
        ExprKind::Call { name, args } => (name.clone(), args.as_slice()),
        ExprKind::Ident(n) => (
            Ident {
                name: n.clone(),
                span: e.span,
            },
            &[][..],
        ),
        _ => {
            let v = ctx.eval(e, env);
            return Err(ctx.wrong_type(e.span, "a layer", &v));
        }
    };
    let Some(which) = builtins::Layer::from_name(&callee.name) else {
        return Err(unknown_layer(ctx, &callee));
    };
    let entry = which.entry();
    let b = ctx.bind(&callee, args, &entry.param_names(), &entry.required());
    let (layer, output, parameters) = match which {
        builtins::Layer::Dense => dense(ctx, &b, env, input)?,
        builtins::Layer::Relu => (Layer::Relu, input, 0),
        builtins::Layer::Dropout => dropout(ctx, &b, env, input)?,
        builtins::Layer::Maxpool => maxpool(ctx, e, &b, env, input, so_far)?,
        builtins::Layer::Conv => conv(ctx, e, &b, env, input, so_far)?,
    };
    Ok(ResolvedLayer {
        layer,
        input,
        output,
        parameters,
    })
}

fn unknown_layer(ctx: &mut Ctx, callee: &Ident) -> Reported {
    let help = crate::diagnostics::did_you_mean(&callee.name, builtins::Layer::names());
    ctx.report(
        callee.span,
        Diagnostic::UnknownLayer {
            name: callee.name.clone(),
            span: callee.span.into(),
            help: help.or_else(|| Some(format!("layers: {}", builtins::Layer::usages()))),
        },
    )
}

fn dense(ctx: &mut Ctx, b: &Bound, env: &Env, input: Shape) -> Result<Resolved, Reported> {
    let units = ctx.count_in(b.required(0)?, env, "the number of units", 1, MAX_WIDTH)? as usize;
    Ok((
        Layer::Dense { units },
        Shape {
            channels: units,
            height: 1,
            width: 1,
        },
        (input.size() as u64)
            .saturating_mul(units as u64)
            .saturating_add(units as u64),
    ))
}

fn dropout(ctx: &mut Ctx, b: &Bound, env: &Env, input: Shape) -> Result<Resolved, Reported> {
    let pe = b.required(0)?;
    let p = ctx.num(pe, env)?;
    if !(0.0..1.0).contains(&p) {
        return Err(ctx.out_of_range(pe.span, "the dropout probability", "in [0, 1)", p));
    }
    Ok((Layer::Dropout { p }, input, 0))
}

fn maxpool(
    ctx: &mut Ctx,
    e: &Expr,
    b: &Bound,
    env: &Env,
    input: Shape,
    so_far: &str,
) -> Result<Resolved, Reported> {
    let se = b.required(0)?;
    let size = ctx.count_in(se, env, "the pool size", 1, MAX_SIDE)? as usize;
    if !input.height.is_multiple_of(size) || !input.width.is_multiple_of(size) {
        return Err(ctx.report(
            e.span,
            Diagnostic::Shape {
                layer: format!("maxpool({size})"),
                detail: format!(
                    "{}×{} is not divisible by {size}",
                    input.height, input.width
                ),
                label: format!("input is {}", shape_text(input)),
                span: e.span.into(),
                help: Some(format!("shapes so far: {so_far}\npick a size that divides the height and width, or pad the convolution before it")),
            },
        ));
    }
    Ok((
        Layer::Maxpool { size },
        Shape {
            channels: input.channels,
            height: input.height / size,
            width: input.width / size,
        },
        0,
    ))
}

fn conv(
    ctx: &mut Ctx,
    e: &Expr,
    b: &Bound,
    env: &Env,
    input: Shape,
    so_far: &str,
) -> Result<Resolved, Reported> {
    let filters =
        ctx.count_in(b.required(0)?, env, "the number of filters", 1, MAX_WIDTH)? as usize;
    let size = ctx.count_in(b.required(1)?, env, "the filter size", 1, MAX_SIDE)? as usize;
    let stride = match b[2] {
        Some(x) => ctx.count_in(x, env, "the stride", 1, MAX_SIDE)? as usize,
        None => 1,
    };
    let pad = match b[3] {
        Some(x) => ctx.count_in(x, env, "the padding", 0, MAX_SIDE)? as usize,
        None => 0,
    };
    let out = |side: usize| -> Result<usize, String> {
        let padded = side + 2 * pad;
        if padded < size {
            return Err(format!(
                "the {size}×{size} filter is larger than the padded input ({padded})"
            ));
        }
        if !(padded - size).is_multiple_of(stride) {
            let exact = (padded - size) as f64 / stride as f64 + 1.0;
            return Err(format!(
                "({side} + 2·{pad} − {size}) / {stride} + 1 = {} is not whole",
                num_text((exact * 100.0).round() / 100.0)
            ));
        }
        Ok((padded - size) / stride + 1)
    };
    match (out(input.height), out(input.width)) {
        (Ok(h), Ok(w)) => Ok((
            Layer::Conv {
                filters,
                size,
                stride,
                pad,
            },
            Shape {
                channels: filters,
                height: h,
                width: w,
            },
            (filters as u64)
                .saturating_mul((input.channels * size * size) as u64)
                .saturating_add(filters as u64),
        )),
        (Err(detail), _) | (_, Err(detail)) => Err(ctx.report(
            e.span,
            Diagnostic::Shape {
                layer: format!("conv(size: {size}, stride: {stride}, pad: {pad})"),
                detail,
                label: format!("input is {}", shape_text(input)),
                span: e.span.into(),
                help: Some(format!("shapes so far: {so_far}\nchoose pad so that H + 2·pad − size is a multiple of stride (`pad: (size − 1) / 2` keeps the size at stride 1)")),
            },
        )),
    }
}

/// The `init:` key: `he`, `xavier` or `normal(std)`.
pub fn init(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<Init, Reported> {
    match &e.kind {
        ExprKind::Call { name, args } if name.name == builtins::Init::Normal.name() => {
            let entry = builtins::Init::Normal.entry();
            let b = ctx.bind(name, args, &entry.param_names(), &entry.required());
            let se = b.required(0)?;
            let std = ctx.num(se, env)?;
            if !(std > 0.0) {
                return Err(ctx.out_of_range(
                    se.span,
                    "the standard deviation",
                    "greater than 0",
                    std,
                ));
            }
            Ok(Init::Normal { std })
        }
        _ => match ctx.eval(e, env) {
            Val::Word(w) => match builtins::Init::from_name(&w) {
                Some(builtins::Init::He) => Ok(Init::He),
                Some(builtins::Init::Xavier) => Ok(Init::Xavier),
                // `normal` without its standard deviation.
                Some(builtins::Init::Normal) | None => {
                    Err(ctx.unknown(builtins::Init::KIND, &w, e.span, &builtins::Init::names()))
                }
            },
            other => Err(ctx.wrong_type(
                e.span,
                "an initialisation (`he`, `xavier`, `normal(1e-4)`)",
                &other,
            )),
        },
    }
}

/// Standalone check of a network definition's layer: only that it exists.
pub fn check_layer_name(ctx: &mut Ctx, e: &Expr, _env: &Env) {
    let name = match &e.kind {
        ExprKind::Call { name, .. } => name.clone(),
        ExprKind::Ident(n) => Ident {
            name: n.clone(),
            span: e.span,
        },
        _ => return,
    };
    if builtins::Layer::from_name(&name.name).is_none() {
        unknown_layer(ctx, &name);
    }
}
