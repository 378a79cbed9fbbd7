//! `npz(...)` and `csv(...)`: a user's own files. The checker reads their
//! headers (npz) or scans them (csv) here, so sizes, the class count and a
//! declared `shape:` are known, and checked, before anything runs; a file
//! that does not fit is reported at the data definition.

use super::args::Bound;
use super::eval::{Ctx, Env, Val};
use crate::builtins::Source;
use crate::data::{csv, npz, DataError};
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::{DataSource, Shape};
use crate::syntax::ast::{Expr, Span};

/// A string argument: its value as written, and where it is written.
struct Arg {
    value: String,
    span: Span,
}

fn string(ctx: &mut Ctx, b: &Bound, name: &str, env: &Env) -> Result<Arg, Reported> {
    let e = b.required_arg(name)?;
    match ctx.eval(e, env) {
        Val::Str(value) => Ok(Arg {
            value,
            span: e.span,
        }),
        other => Err(ctx.wrong_type(e.span, "a string", &other)),
    }
}

/// The source, its training-set size, input shape and classes, read from
/// the files. `resolve` makes a written path absolute as the plan records it.
pub fn own(
    ctx: &mut Ctx,
    which: Source,
    b: &Bound,
    env: &Env,
    resolve: &dyn Fn(&Ctx, &Expr, String) -> String,
) -> Result<(DataSource, usize, Shape, usize), Reported> {
    let path = string(ctx, b, "path", env)?;
    let abs = resolve(ctx, b.required_arg("path")?, path.value.clone());
    let (source, train, dim, classes, args) = match which {
        Source::Npz => {
            let names: Vec<Arg> = ["x", "y", "test_x", "test_y"]
                .iter()
                .map(|n| string(ctx, b, n, env))
                .collect::<Result<_, _>>()?;
            let [x, y, test_x, test_y] = [0, 1, 2, 3].map(|i| names[i].value.clone());
            let probe = npz::probe(
                &abs,
                npz::Names {
                    x: &x,
                    y: &y,
                    test_x: &test_x,
                    test_y: &test_y,
                },
            );
            let written = vec![(abs.clone(), path.value.clone(), path.span)];
            let p = probe.map_err(|e| file_error(ctx, e, &written, &names))?;
            let source = DataSource::Npz {
                path: abs,
                x,
                y,
                test_x,
                test_y,
                test_size: p.test,
            };
            (source, p.train, p.dim, p.classes, path.span)
        }
        _ => {
            let label = string(ctx, b, "label", env)?;
            let test = string(ctx, b, "test", env)?;
            let test_abs = resolve(ctx, b.required_arg("test")?, test.value.clone());
            let written = vec![
                (abs.clone(), path.value.clone(), path.span),
                (test_abs.clone(), test.value.clone(), test.span),
            ];
            let names = [label];
            let train = csv::probe(&abs, &names[0].value)
                .map_err(|e| file_error(ctx, e, &written, &names))?;
            let tested = csv::probe(&test_abs, &names[0].value)
                .map_err(|e| file_error(ctx, e, &written, &names))?;
            if tested.dim != train.dim {
                return Err(ctx.report(
                    test.span,
                    Diagnostic::BadDataFile {
                        message: format!(
                            "the test file has {} feature columns but the training file has {}",
                            tested.dim, train.dim
                        ),
                        span: test.span.into(),
                        label: "this file".into(),
                        help: Some("give both files the same header".into()),
                    },
                ));
            }
            let classes = train.classes().max(tested.classes());
            let source = DataSource::Csv {
                path: abs,
                label: names[0].value.clone(),
                test_path: test_abs,
                test_size: tested.n,
            };
            (source, train.n, train.dim, classes, path.span)
        }
    };
    let input = shape(ctx, b, env, dim)?;
    if classes < 2 || train < 2 {
        let what = if train < 2 { "examples" } else { "classes" };
        return Err(ctx.report(
            args,
            Diagnostic::BadDataFile {
                message: format!("the training data has fewer than two {what}"),
                span: args.into(),
                label: "this file".into(),
                help: Some("a classifier needs at least two classes and two examples".into()),
            },
        ));
    }
    Ok((source, train, input, classes))
}

/// `shape: [C, H, W]`, whose product must be the file's features per
/// example; without it one row of `dim` features.
fn shape(ctx: &mut Ctx, b: &Bound, env: &Env, dim: usize) -> Result<Shape, Reported> {
    let Some(e) = b.arg("shape") else {
        return Ok(Shape {
            channels: 1,
            height: 1,
            width: dim,
        });
    };
    let v = ctx.eval(e, env);
    let dims: Option<Vec<usize>> = match &v {
        Val::List(items) if items.len() == 3 => items
            .iter()
            .map(|(x, _)| match x {
                Val::Num { v, int: true } if *v >= 1.0 && *v <= 1e7 => Some(*v as usize),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let Some(d) = dims else {
        return Err(ctx.wrong_type(e.span, "a list [C, H, W] of three whole numbers", &v));
    };
    let size = d[0].saturating_mul(d[1]).saturating_mul(d[2]);
    if size != dim {
        return Err(ctx.report(
            e.span,
            Diagnostic::BadDataFile {
                message: format!(
                    "shape [{}, {}, {}] holds {size} features, but the file has {dim} per example",
                    d[0], d[1], d[2]
                ),
                span: e.span.into(),
                label: format!("{size} ≠ {dim}"),
                help: Some(format!(
                    "give a shape whose product is {dim}, e.g. [1, 1, {dim}]"
                )),
            },
        ));
    }
    Ok(Shape {
        channels: d[0],
        height: d[1],
        width: d[2],
    })
}

/// A file that does not fit, reported at the argument that names it, with
/// paths shown as written (the plan's absolute paths would differ per
/// machine). A missing array or column is an unknown name with did-you-mean.
fn file_error(
    ctx: &mut Ctx,
    e: DataError,
    written: &[(String, String, Span)],
    names: &[Arg],
) -> Reported {
    let at = written
        .iter()
        .rev()
        .find(|(abs, _, _)| e.to_string().contains(abs.as_str()))
        .unwrap_or(&written[0]);
    if let DataError::MissingName {
        what, name, known, ..
    } = &e
    {
        let span = names
            .iter()
            .find(|a| &a.value == name)
            .map_or(at.2, |a| a.span);
        let known: Vec<&str> = known.split(", ").filter(|k| !k.is_empty()).collect();
        return ctx.unknown(what, name, span, &known);
    }
    let mut message = e.to_string();
    for (abs, shown, _) in written {
        message = message.replace(abs.as_str(), shown);
    }
    let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
    ctx.report(
        at.2,
        Diagnostic::BadDataFile {
            message,
            span: at.2.into(),
            label: "this file".into(),
            help,
        },
    )
}
