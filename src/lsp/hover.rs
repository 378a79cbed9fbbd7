//! Hover: what the name under the cursor stands for (a definition, worked
//! out by the checker in `describe`; a builtin, from its table entry; an
//! argument, from its parameter), and the explanation of any diagnostic
//! there (`regime explain CODE`).

use super::analysis::Analysis;
use super::describe;
use super::diagnostics::primary;
use super::index::{DefKind, Target};
use crate::builtins::{Entry, Param};
use crate::source::FileId;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

pub fn hover(a: &Analysis, pos: Position) -> Option<Hover> {
    let offset = a.offset(pos);
    let mut parts = vec![];
    let mut range = None;
    if let Some(occ) = a.index.at(FileId(0), offset) {
        parts.push(target(a, occ.target));
        range = Some(a.span_range(occ.span));
    }
    for d in &a.analyzed.checked.report.diagnostics {
        let (start, end) = primary(d);
        if d.file != FileId(0) || offset < start || offset > end {
            continue;
        }
        let code = d.diagnostic.code_name();
        let mut text = format!("**regime::{code}**: {}", d.diagnostic);
        if let Some(explanation) = crate::diagnostics::explain(&code) {
            text.push_str(&format!("\n\n{}", explanation.trim()));
        }
        parts.push(text);
        range = range.or(Some(a.range(d.file, start, end)));
    }
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range,
    })
}

fn target(a: &Analysis, t: Target) -> String {
    match t {
        Target::Def(d) => definition(a, d),
        Target::Builtin(kind, entry) => builtin(kind, entry),
        Target::BuiltinParam(entry, p) => builtin_param(entry, p),
        Target::Key => String::new(),
        Target::Import(Some(file)) => import(a, file),
        Target::Import(None) => String::new(),
    }
}

fn definition(a: &Analysis, d: usize) -> String {
    let def = &a.index.defs[d];
    let params: Vec<String> = a
        .index
        .params(d)
        .map(|p| match &p.default {
            Some(v) => format!("{} = {v}", p.name),
            None => p.name.clone(),
        })
        .collect();
    let signature = if params.is_empty() {
        format!("{} {}", def.kind.word(), def.name)
    } else {
        format!("{} {}({})", def.kind.word(), def.name, params.join(", "))
    };
    let body = match def.kind {
        DefKind::Network => describe::network(a, def),
        DefKind::Schedule => describe::schedule(a, def),
        DefKind::Policy => describe::policy(a, def),
        DefKind::Data => describe::data(a, def),
        DefKind::Experiment => describe::experiment(a, def),
        DefKind::Param | DefKind::Axis | DefKind::Arm => return describe::local(a, def),
    };
    let file = a.program().sources.name(def.name_span.file);
    let place = if def.name_span.file == FileId(0) {
        String::new()
    } else {
        format!(" (from `{file}`)")
    };
    format!("```regime\n{signature}\n```{place}\n\n{body}")
}

/// A builtin's table entry: usage, kind, doc, parameters, explanation.
pub fn builtin(kind: &str, e: &Entry) -> String {
    let mut out = format!("```regime\n{}\n```\n{kind}: {}\n", e.signature(), e.doc);
    if !e.params.is_empty() {
        out.push('\n');
        for p in e.params {
            out.push_str(&format!("- {}\n", param_line(p)));
        }
    }
    out.push_str(&format!("\n{}", e.explain));
    out
}

fn param_line(p: &Param) -> String {
    let default = match p.default {
        None => "required".to_string(),
        Some("") => "optional".to_string(),
        Some(d) => format!("default {d}"),
    };
    let range = if p.range.is_empty() {
        String::new()
    } else {
        format!(", {}", p.range)
    };
    format!("`{}`: {}{range} ({default})", p.name, p.ty)
}

fn builtin_param(e: &Entry, p: &Param) -> String {
    format!("parameter of `{}`: {}", e.usage, param_line(p))
}

fn import(a: &Analysis, file: FileId) -> String {
    let names: Vec<String> = a
        .index
        .defs
        .iter()
        .filter(|d| d.name_span.file == file && d.owner.is_none())
        .map(|d| format!("{} `{}`", d.kind.word(), d.name))
        .collect();
    format!(
        "`{}` defines {}",
        a.program().sources.name(file),
        if names.is_empty() {
            "nothing".to_string()
        } else {
            names.join(", ")
        }
    )
}
