//! Data sources: `fashion_mnist`, `mnist`, `cifar10`, `synthetic` (and
//! `npz`/`csv`, read in `own_data.rs`), with
//! `val`, `subset` and `normalize`; known sizes give the training set size.

use super::args::Bound;
use super::defs::Def;
use super::eval::{name_of, Ctx, Env, Val};
use crate::builtins::{Builtin, Normalization, Source};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{DataSource, DataSpec, Normalize, Shape};
use crate::syntax::ast::{Expr, ExprKind};

/// Default images held out for validation from the real data sets.
pub const DEFAULT_VAL: usize = 1000;

/// The `data:` of an experiment: a `data` definition's name or a source call.
pub fn resolve(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<DataSpec, Reported> {
    match &e.kind {
        ExprKind::Ident(_) => match ctx.defs.get(&name_of(e, env).unwrap_or_default()) {
            Some(Def::Data(d)) => source(ctx, &d.value, &d.name.name, &Env::new()),
            _ => {
                let name = name_of(e, env).unwrap_or_default();
                if Source::from_name(&name).is_some() {
                    return source(ctx, e, &name, env);
                }
                let mut known = ctx.defs.names_of("data");
                known.extend(Source::names());
                Err(ctx.unknown("data set", &name, e.span, &known))
            }
        },
        ExprKind::Call { name, .. } => source(ctx, e, &name.name.clone(), env),
        _ => {
            let v = ctx.eval(e, env);
            Err(ctx.wrong_type(e.span, "a data set", &v))
        }
    }
}

fn source(ctx: &mut Ctx, e: &Expr, def_name: &str, env: &Env) -> Result<DataSpec, Reported> {
    let (callee, args) = match &e.kind {
        ExprKind::Call { name, args } => (name.clone(), args.as_slice()),
        ExprKind::Ident(_) => (
            crate::syntax::ast::Ident {
                name: name_of(e, env).unwrap_or_default(),
                span: e.span,
            },
            &[][..],
        ),
        _ => {
            let v = ctx.eval(e, env);
            return Err(ctx.wrong_type(e.span, "a data source such as `fashion_mnist(...)`", &v));
        }
    };
    let Some(which) = Source::from_name(&callee.name) else {
        return Err(ctx.unknown_builtin::<Source>(&callee.name, callee.span));
    };
    let entry = which.entry();
    let b = ctx.bind(&callee, args, &entry.param_names(), &entry.required());
    let get = |n: &str| b.arg(n);
    let path = match get("path") {
        Some(p) => match ctx.eval(p, env) {
            Val::Str(s) => Ok(Some(relative_to_file(ctx, p, s))),
            other => Err(ctx.wrong_type(p.span, "a path string", &other)),
        },
        None => Ok(None),
    };
    // Every argument is checked, even after a bad one.
    let known = match which {
        Source::FashionMnist | Source::Mnist => Ok((None, 60_000, shape(1, 28), 10)),
        Source::Cifar10 => Ok((None, 50_000, shape(3, 32), 10)),
        Source::Synthetic => synthetic(ctx, &b, env).map(|(s, t, i, c)| (Some(s), t, i, c)),
        Source::Npz | Source::Csv => super::own_data::own(ctx, which, &b, env, &relative_to_file)
            .map(|(s, t, i, c)| (Some(s), t, i, c)),
    };
    let (total, default_val) = match &known {
        // At least one validation example: a tenth of a tiny file is none.
        Ok((Some(DataSource::Npz { .. } | DataSource::Csv { .. }), total, ..)) => {
            (*total, (total / 10).max(1))
        }
        Ok((Some(_), total, ..)) => (*total, total / 10),
        Ok((None, total, ..)) => (*total, DEFAULT_VAL),
        Err(_) => (usize::MAX, DEFAULT_VAL),
    };
    let val_and_subset = val_and_subset(ctx, &b, env, total, default_val);
    let normalize = match get("normalize") {
        Some(x) => normalize(ctx, x, env),
        None => Ok(Normalize::MeanImage),
    };
    let (path, (synthetic, total, input, classes), (val, subset), normalize) =
        (path?, known?, val_and_subset?, normalize?);
    let source = match (which, synthetic) {
        (_, Some(s)) => s,
        (Source::FashionMnist, _) => DataSource::FashionMnist { path },
        (Source::Mnist, _) => DataSource::Mnist {
            path: path.unwrap_or_default(),
        },
        _ => DataSource::Cifar10 {
            path: path.unwrap_or_default(),
        },
    };
    Ok(DataSpec {
        name: def_name.to_string(),
        source,
        val,
        subset,
        normalize,
        input,
        classes,
        train_size: subset.unwrap_or(total - val),
    })
}

/// `synthetic(...)`: the source, its training size, input shape and
/// classes, every argument checked.
fn synthetic(
    ctx: &mut Ctx,
    b: &Bound,
    env: &Env,
) -> Result<(DataSource, usize, Shape, usize), Reported> {
    let train = b
        .required_arg("train")
        .and_then(|x| ctx.count_in(x, env, "`train`", 1, 100_000_000));
    let test = b
        .arg("test")
        .map(|x| ctx.count_in(x, env, "`test`", 1, 100_000_000));
    let dim = b
        .required_arg("dim")
        .and_then(|x| ctx.count_in(x, env, "`dim`", 1, 10_000_000));
    let classes = b
        .required_arg("classes")
        .and_then(|x| ctx.count_in(x, env, "`classes`", 2, 100_000));
    let seed = b.arg("seed").map(|x| ctx.count(x, env, "`seed`", 0));
    let (train, dim, classes) = (train? as usize, dim? as usize, classes? as usize);
    let test = test.transpose()?.map_or((train / 5).max(1), |t| t as usize);
    Ok((
        DataSource::Synthetic {
            train,
            test,
            dim,
            classes,
            seed: seed.transpose()?.unwrap_or(0),
        },
        train,
        Shape {
            channels: dim,
            height: 1,
            width: 1,
        },
        classes,
    ))
}

/// `val` (held out of the `total` training images) and `subset` (of the
/// rest, scaled by `--scale`).
fn val_and_subset(
    ctx: &mut Ctx,
    b: &Bound,
    env: &Env,
    total: usize,
    default_val: usize,
) -> Result<(usize, Option<usize>), Reported> {
    let val = match b.arg("val") {
        Some(x) => (|| {
            let v = ctx.count(x, env, "`val`", 0)? as usize;
            if v >= total {
                return Err(ctx.report(
                    x.span,
                    Diagnostic::OutOfRange {
                        what: "`val`".into(),
                        allowed: format!("below the {total} training images"),
                        value: v.to_string(),
                        span: x.span.into(),
                        help: None,
                    },
                ));
            }
            Ok(v)
        })(),
        None => Ok(default_val),
    };
    // `subset` is checked against what `val` leaves, or on its own.
    let left = total - *val.as_ref().unwrap_or(&0);
    let subset = match b.arg("subset") {
        Some(x) => (|| {
            let n = ctx.count(x, env, "`subset`", 1)? as f64;
            let scaled = ((n * ctx.scale).round() as usize).max(1);
            if scaled > left && val.is_ok() {
                return Err(ctx.report(
                    x.span,
                    Diagnostic::OutOfRange {
                        what: "`subset`".into(),
                        allowed: format!("at most the {left} images left after `val`"),
                        value: if ctx.scale == 1.0 {
                            scaled.to_string()
                        } else {
                            format!("{scaled} ({n} × --scale {})", ctx.scale)
                        },
                        span: x.span.into(),
                        help: None,
                    },
                ));
            }
            Ok(Some(scaled))
        })(),
        None => Ok(None),
    };
    Ok((val?, subset?))
}

/// A relative data path is relative to the directory of the file that
/// writes it (as a local import is), not to the working directory; the plan
/// records the absolute path.
fn relative_to_file(ctx: &Ctx, e: &Expr, path: String) -> String {
    let p = std::path::Path::new(&path);
    if path.is_empty() || p.is_absolute() {
        return path;
    }
    match ctx.dirs.get(e.span.file.0 as usize).cloned().flatten() {
        Some(dir) => dir.join(p).to_string_lossy().into_owned(),
        None => path,
    }
}

fn shape(channels: usize, side: usize) -> Shape {
    Shape {
        channels,
        height: side,
        width: side,
    }
}

pub fn normalize(ctx: &mut Ctx, e: &Expr, env: &Env) -> Result<Normalize, Reported> {
    match ctx.eval(e, env) {
        Val::Word(w) => Ok(match Normalization::from_name(&w) {
            Some(Normalization::None) => Normalize::None,
            Some(Normalization::Unit) => Normalize::Unit,
            Some(Normalization::MeanImage) => Normalize::MeanImage,
            Some(Normalization::RawMeanImage) => Normalize::RawMeanImage,
            Some(Normalization::Standardize) => Normalize::Standardize,
            None => {
                return Err(ctx.unknown_builtin::<Normalization>(&w, e.span));
            }
        }),
        other => Err(ctx.wrong_type(
            e.span,
            "a normalization (`mean_image`, `unit`, ...)",
            &other,
        )),
    }
}
