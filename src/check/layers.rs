//! One layer of a network: its arguments checked, and its output shape on
//! what is known of its input. Every argument is checked even after a bad
//! one, and a layer whose output does not depend on the bad value (a
//! dropout rate, say) still passes its shape on, so the layers after it are
//! checked too.

use super::args::Bound;
use super::eval::{num_text, Ctx, Env, Val};
use super::network::shape_text;
use crate::builtins::{self, Builtin};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{Layer, Shape};
use crate::syntax::ast::{Expr, ExprKind, Ident};

/// Largest layer width and filter side accepted (far beyond what runs here;
/// `too_large` reports realistic limits with an estimate).
const MAX_WIDTH: u64 = 10_000_000;
const MAX_SIDE: u64 = 10_000;

/// What is known of a layer's input while walking a network.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The shape, and what made it a flat vector, if something did
    /// (`synthetic` data, a `dense` layer): convolutions need images.
    Known { shape: Shape, flat: Option<String> },
    /// After a mistake, or without data: only arguments can be checked.
    Unknown,
}

impl Input {
    pub fn shape(&self) -> Option<Shape> {
        match self {
            Input::Known { shape, .. } => Some(*shape),
            Input::Unknown => None,
        }
    }
}

/// A layer checked on an input: the layer when everything about it is
/// right, and what is known of its output either way.
pub struct Checked {
    pub layer: Result<Layer, Reported>,
    pub output: Input,
}

/// One layer on `input`; `so_far` is the chain of shapes up to it, for messages.
pub fn layer(ctx: &mut Ctx, e: &Expr, env: &Env, input: &Input, so_far: &str) -> Checked {
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
            return failed(ctx.wrong_type(e.span, "a layer", &v));
        }
    };
    let Some(which) = builtins::Layer::from_name(&callee.name) else {
        return failed(unknown_layer(ctx, &callee));
    };
    let entry = which.entry();
    let b = ctx.bind(&callee, args, &entry.param_names(), &entry.required());
    match which {
        builtins::Layer::Dense => dense(ctx, &b, env),
        builtins::Layer::Relu => Checked {
            layer: Ok(Layer::Relu),
            output: input.clone(),
        },
        builtins::Layer::Dropout => dropout(ctx, &b, env, input),
        builtins::Layer::Maxpool => maxpool(ctx, e, &b, env, input, so_far),
        builtins::Layer::Conv => conv(ctx, e, &b, env, input, so_far),
    }
}

fn failed(reported: Reported) -> Checked {
    Checked {
        layer: Err(reported),
        output: Input::Unknown,
    }
}

pub fn unknown_layer(ctx: &mut Ctx, callee: &Ident) -> Reported {
    let help = crate::diagnostics::did_you_mean(&callee.name, builtins::Layer::names())
        .or_else(|| builtins::Layer::alias_help(&callee.name));
    ctx.report(
        callee.span,
        Diagnostic::UnknownLayer {
            name: callee.name.clone(),
            span: callee.span.into(),
            help: help.or_else(|| Some(format!("layers: {}", builtins::Layer::usages()))),
        },
    )
}

/// The weights and biases of `layer` on `input`.
pub fn parameters(layer: &Layer, input: Shape) -> u64 {
    match *layer {
        Layer::Dense { units } => (input.size() as u64)
            .saturating_mul(units as u64)
            .saturating_add(units as u64),
        Layer::Conv { filters, size, .. } => (filters as u64)
            .saturating_mul((input.channels * size * size) as u64)
            .saturating_add(filters as u64),
        Layer::Relu | Layer::Dropout { .. } | Layer::Maxpool { .. } => 0,
    }
}

/// A dense layer's output is `units` wide whatever its input.
fn dense(ctx: &mut Ctx, b: &Bound, env: &Env) -> Checked {
    let units = b
        .required(0)
        .and_then(|x| ctx.count_in(x, env, "the number of units", 1, MAX_WIDTH));
    match units {
        Ok(units) => Checked {
            layer: Ok(Layer::Dense {
                units: units as usize,
            }),
            output: Input::Known {
                shape: Shape {
                    channels: units as usize,
                    height: 1,
                    width: 1,
                },
                flat: Some(format!("`dense({units})`")),
            },
        },
        Err(reported) => failed(reported),
    }
}

/// Dropout keeps its input's shape, whatever its rate.
fn dropout(ctx: &mut Ctx, b: &Bound, env: &Env, input: &Input) -> Checked {
    let p = b.required(0).and_then(|pe| {
        let p = ctx.num(pe, env)?;
        if !(0.0..1.0).contains(&p) {
            return Err(ctx.out_of_range(pe.span, "the dropout probability", "in [0, 1)", p));
        }
        Ok(p)
    });
    Checked {
        layer: p.map(|p| Layer::Dropout { p }),
        output: input.clone(),
    }
}

/// `conv` and `maxpool` slide over images: a flat input is a mistake of
/// its own, not a size to pad.
fn needs_image(
    ctx: &mut Ctx,
    e: &Expr,
    input: &Input,
    what: &str,
) -> Result<Shape, Option<Reported>> {
    match input {
        Input::Unknown => Err(None),
        Input::Known { flat: None, shape } => Ok(*shape),
        Input::Known {
            flat: Some(why),
            shape,
        } => Err(Some(ctx.report(
            e.span,
            Diagnostic::Shape {
                layer: what.to_string(),
                detail: format!(
                    "it needs a C×H×W image, and its input is {} flat features",
                    shape.size()
                ),
                label: format!("input is {} flat features", shape.size()),
                span: e.span.into(),
                help: Some(format!(
                    "{why} gives a flat vector, which has no height and width to slide over; use `dense` layers on it, or an image data set (`fashion_mnist`, `mnist`, `cifar10`)"
                )),
            },
        ))),
    }
}

fn maxpool(ctx: &mut Ctx, e: &Expr, b: &Bound, env: &Env, input: &Input, so_far: &str) -> Checked {
    let size = b
        .required(0)
        .and_then(|se| ctx.count_in(se, env, "the pool size", 1, MAX_SIDE));
    let shape = needs_image(ctx, e, input, "maxpool");
    let (size, shape) = match (size, shape) {
        (Ok(s), Ok(shape)) => (s as usize, shape),
        (Err(r), _) | (_, Err(Some(r))) => return failed(r),
        (Ok(s), Err(None)) => {
            return Checked {
                layer: Ok(Layer::Maxpool { size: s as usize }),
                output: Input::Unknown,
            }
        }
    };
    if !shape.height.is_multiple_of(size) || !shape.width.is_multiple_of(size) {
        return failed(ctx.report(
            e.span,
            Diagnostic::Shape {
                layer: format!("maxpool({size})"),
                detail: format!("{}×{} is not divisible by {size}", shape.height, shape.width),
                label: format!("input is {}", shape_text(shape)),
                span: e.span.into(),
                help: Some(format!("shapes so far: {so_far}\npick a size that divides the height and width, or pad the convolution before it")),
            },
        ));
    }
    Checked {
        layer: Ok(Layer::Maxpool { size }),
        output: Input::Known {
            shape: Shape {
                channels: shape.channels,
                height: shape.height / size,
                width: shape.width / size,
            },
            flat: None,
        },
    }
}

/// A whole number in `[min, max]` for an optional argument, `default` when absent.
fn optional(
    ctx: &mut Ctx,
    x: Option<&Expr>,
    env: &Env,
    what: &str,
    min: u64,
    default: usize,
) -> Result<usize, Reported> {
    match x {
        Some(x) => ctx
            .count_in(x, env, what, min, MAX_SIDE)
            .map(|v| v as usize),
        None => Ok(default),
    }
}

fn conv(ctx: &mut Ctx, e: &Expr, b: &Bound, env: &Env, input: &Input, so_far: &str) -> Checked {
    let filters = b
        .required(0)
        .and_then(|x| ctx.count_in(x, env, "the number of filters", 1, MAX_WIDTH));
    let size = b
        .required(1)
        .and_then(|x| ctx.count_in(x, env, "the filter size", 1, MAX_SIDE));
    let stride = optional(ctx, b[2], env, "the stride", 1, 1);
    let pad = optional(ctx, b[3], env, "the padding", 0, 0);
    let shape = needs_image(ctx, e, input, "conv");
    let layer = (|| {
        Ok(Layer::Conv {
            filters: filters? as usize,
            size: size? as usize,
            stride: stride?,
            pad: pad?,
        })
    })();
    let (layer, shape) = match (layer, shape) {
        (Ok(l), Ok(shape)) => (l, shape),
        (Err(r), _) | (_, Err(Some(r))) => return failed(r),
        (Ok(l), Err(None)) => {
            return Checked {
                layer: Ok(l),
                output: Input::Unknown,
            }
        }
    };
    let Layer::Conv {
        filters,
        size,
        stride,
        pad,
    } = layer
    else {
        unreachable!("built as a convolution just above");
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
    match (out(shape.height), out(shape.width)) {
        (Ok(height), Ok(width)) => Checked {
            layer: Ok(layer),
            output: Input::Known {
                shape: Shape {
                    channels: filters,
                    height,
                    width,
                },
                flat: None,
            },
        },
        (Err(detail), _) | (_, Err(detail)) => failed(ctx.report(
            e.span,
            Diagnostic::Shape {
                layer: format!("conv(size: {size}, stride: {stride}, pad: {pad})"),
                detail,
                label: format!("input is {}", shape_text(shape)),
                span: e.span.into(),
                help: Some(format!("shapes so far: {so_far}\nchoose pad so that H + 2·pad − size is a multiple of stride (`pad: (size − 1) / 2` keeps the size at stride 1)")),
            },
        )),
    }
}

/// The `init:` key: `he`, `xavier` or `normal(std)`.
pub fn init(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<crate::plan::Init, Reported> {
    use crate::plan::Init;
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
                    Err(ctx.unknown_builtin::<builtins::Init>(&w, e.span))
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
