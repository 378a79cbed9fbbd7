//! `regime check --format json`: one object per diagnostic, for editors and
//! scripts. Every span has its byte range, its 1-based start and end line and
//! column (columns count Unicode scalar values, as the human header does) and
//! its UTF-16 offsets and 0-based LSP range. docs/language.md ("JSON
//! diagnostics") describes the format.

use super::render::{CallSite, Diagnostics, Located};
use crate::source::{FileId, LineIndex};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Line indexes of the files diagnostics point into, built once per file.
struct Indexes<'a> {
    report: &'a Diagnostics,
    built: HashMap<FileId, LineIndex>,
}

impl Indexes<'_> {
    /// Every way of writing where `start..end` of `file` is.
    fn span(&mut self, file: FileId, start: usize, end: usize) -> Map<String, Value> {
        let report = self.report;
        let text = report.sources.text(file);
        let index = self
            .built
            .entry(file)
            .or_insert_with(|| LineIndex::new(text));
        let (a, b) = (index.position(text, start), index.position(text, end));
        let mut m = Map::new();
        m.insert("start".into(), json!(start));
        m.insert("end".into(), json!(end));
        m.insert("line".into(), json!(a.line + 1));
        m.insert("column".into(), json!(a.column + 1));
        m.insert("end_line".into(), json!(b.line + 1));
        m.insert("end_column".into(), json!(b.column + 1));
        m.insert(
            "utf16".into(),
            json!({
                "start": a.utf16_offset,
                "end": b.utf16_offset,
                "range": {
                    "start": {"line": a.line, "character": a.utf16_column},
                    "end": {"line": b.line, "character": b.utf16_column},
                },
            }),
        );
        m
    }
}

impl Diagnostics {
    /// Machine-readable diagnostics for editors: one object per diagnostic.
    pub fn to_json(&self) -> Value {
        let mut indexes = Indexes {
            report: self,
            built: HashMap::new(),
        };
        let items = self
            .diagnostics
            .iter()
            .map(|d| located(&mut indexes, d))
            .collect();
        Value::Array(items)
    }

    /// The object for a file that could not be read at all (no position).
    pub fn unreadable_json(path: &str, reason: &str) -> Value {
        json!({
            "code": "regime::missing_file",
            "severity": "error",
            "message": format!("cannot read `{path}`: {reason}"),
            "file": path,
            "line": null, "column": null, "end_line": null, "end_column": null,
            "utf16": null,
            "labels": [],
            "help": "check the path given on the command line",
            "suggestions": [],
            "context": null,
            "uses": [],
            "also": [],
        })
    }
}

fn located(ix: &mut Indexes, d: &Located) -> Value {
    use miette::Diagnostic as _;
    let diag = &d.diagnostic;
    let report = ix.report;
    let sources = &report.sources;
    let labels: Vec<Value> = diag
        .labels()
        .into_iter()
        .flatten()
        .map(|l| {
            let mut m = ix.span(d.file, l.offset(), l.offset() + l.len());
            m.insert("message".into(), json!(l.label()));
            Value::Object(m)
        })
        .collect();
    let primary = diag
        .labels()
        .and_then(|mut l| l.next())
        .map_or((0, 0), |l| (l.offset(), l.offset() + l.len()));
    let suggestions: Vec<Value> = diag
        .edits(sources.text(d.file))
        .into_iter()
        .map(|e| {
            let mut m = ix.span(d.file, e.start, e.end);
            m.insert("message".into(), json!(e.message));
            m.insert("replacement".into(), json!(e.replacement));
            Value::Object(m)
        })
        .collect();
    let mut out = Map::new();
    out.insert(
        "code".into(),
        json!(format!("regime::{}", diag.code_name())),
    );
    out.insert(
        "severity".into(),
        json!(if diag.is_error() { "error" } else { "warning" }),
    );
    out.insert("message".into(), json!(diag.to_string()));
    out.insert("file".into(), json!(sources.name(d.file)));
    let at = ix.span(d.file, primary.0, primary.1);
    for key in ["line", "column", "end_line", "end_column", "utf16"] {
        out.insert(key.into(), at[key].clone());
    }
    out.insert("labels".into(), Value::Array(labels));
    out.insert("help".into(), json!(diag.help().map(|h| h.to_string())));
    out.insert("suggestions".into(), Value::Array(suggestions));
    let first_use = d.context.as_ref().map(|c| context(ix, c));
    out.insert("context".into(), first_use.unwrap_or(Value::Null));
    // The same mistake met again (once.rs): further uses of the definition,
    // and further places one bad value reaches — the human output's extra
    // labels, so an editor can mark every place too.
    let uses = d.uses.iter().map(|c| context(ix, c)).collect();
    out.insert("uses".into(), Value::Array(uses));
    let also = d
        .also
        .iter()
        .map(|&(offset, len)| {
            let mut m = ix.span(d.file, offset, offset + len);
            m.insert("message".into(), json!("the same value here"));
            Value::Object(m)
        })
        .collect();
    out.insert("also".into(), Value::Array(also));
    Value::Object(out)
}

fn context(ix: &mut Indexes, c: &CallSite) -> Value {
    let mut m = ix.span(c.file, c.offset, c.offset + c.len);
    m.insert("call".into(), json!(c.call));
    let report = ix.report;
    m.insert("file".into(), json!(report.sources.name(c.file)));
    Value::Object(m)
}
