//! Networks: layers checked and resolved against the data's input shape,
//! with shapes and parameter counts per layer; the last width must equal the
//! number of classes.

use super::defs::Def;
use super::eval::{call_text, name_of, Ctx, Env};
use super::layers::{self, Input};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{Init, NetworkSpec, ResolvedLayer, Shape};
use crate::syntax::ast::{Expr, ExprKind, Ident, NetworkDef};

pub use super::layers::init;

/// The data a network is used on: input shape, classes and name.
#[derive(Debug, Clone, Copy)]
pub struct OnData<'a> {
    pub input: Shape,
    pub classes: usize,
    pub name: &'a str,
}

/// The `network:` of an experiment: a definition name or a call of one,
/// on `data` (or, when the data is wrong or missing, on an unknown input:
/// then only the layers' names and arguments are checked, and the data's
/// own proof is returned).
pub fn resolve(
    ctx: &mut Ctx,
    e: &Expr,
    env: &Env,
    data: Result<OnData, Reported>,
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
    let site = super::eval::site_text(&def.name.name, &inner);
    let site = match &data {
        Ok(d) => format!("{site} on `{}` ({})", d.name, shape_text(d.input)),
        Err(_) => site,
    };
    let walked = ctx.at_site(e.span, site, |ctx| walk(ctx, def, &inner, data.ok()));
    let layers = walked?;
    let data = data?;
    let Some(layers) = layers else {
        unreachable!("a walk on known data without a mistake resolves every layer");
    };
    Ok(NetworkSpec {
        name: call_text(&def.name.name, &inner),
        input: data.input,
        parameters: layers
            .iter()
            .fold(0u64, |a, l| a.saturating_add(l.parameters)),
        layers,
        init,
    })
}

/// The resolved layers (`None` on an unknown input), or the proof of the
/// first mistake found: every layer is checked either way.
type Walked = Result<Option<Vec<ResolvedLayer>>, Reported>;

/// Every layer of `def` in order on `data`'s input, then the class count.
fn walk(ctx: &mut Ctx, def: &NetworkDef, env: &Env, data: Option<OnData>) -> Walked {
    let mut input = match data {
        Some(d) => Input::Known {
            shape: d.input,
            flat: (d.input.height == 1 && d.input.width == 1)
                .then(|| format!("the data `{}`", d.name)),
        },
        None => Input::Unknown,
    };
    let mut so_far = data.map(|d| shape_text(d.input)).unwrap_or_default();
    let mut layers = vec![];
    let mut failed = None;
    for l in &def.layers {
        let checked = layers::layer(ctx, l, env, &input, &so_far);
        match (checked.layer, input.shape(), checked.output.shape()) {
            (Ok(layer), Some(i), Some(o)) => layers.push(ResolvedLayer {
                parameters: layers::parameters(&layer, i),
                layer,
                input: i,
                output: o,
            }),
            (Err(reported), ..) => failed = failed.or(Some(reported)),
            _ => {}
        }
        if let Some(o) = checked.output.shape() {
            so_far.push_str(&format!(" → {}", shape_text(o)));
        }
        input = checked.output;
    }
    // The class count is checked whenever the last shape is known, even
    // after a mistake that did not change it (a bad dropout rate).
    if let (Some(d), Some(out)) = (data, input.shape()) {
        if out.size() != d.classes || out.height * out.width != 1 && def.layers.is_empty() {
            failed = failed.or(Some(class_mismatch(ctx, def, d, out, &so_far)));
        }
    }
    match failed {
        Some(reported) => Err(reported),
        None => Ok(data.map(|_| layers)),
    }
}

fn class_mismatch(
    ctx: &mut Ctx,
    def: &NetworkDef,
    d: OnData,
    out: Shape,
    so_far: &str,
) -> Reported {
    let last = def.layers.last().map(|l| l.span).unwrap_or(def.name.span);
    ctx.report(
        last,
        Diagnostic::ClassMismatch {
            width: out.size(),
            classes: d.classes,
            data: d.name.to_string(),
            span: last.into(),
            help: Some(format!(
                "shapes through `{}`: {so_far}; end with `dense({})`",
                def.name.name, d.classes
            )),
        },
    )
}

/// Standalone check of a network definition: every layer's name and
/// arguments (shapes need data and are checked per experiment).
pub fn check_definition(ctx: &mut Ctx, def: &NetworkDef, env: &Env) {
    let _ = walk(ctx, def, env, None);
}

pub fn shape_text(s: Shape) -> String {
    if s.height == 1 && s.width == 1 {
        s.channels.to_string()
    } else {
        format!("{}×{}×{}", s.channels, s.height, s.width)
    }
}
