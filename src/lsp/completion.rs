//! Completion, from where the cursor is in the text (which may not parse
//! while it is being typed): item keywords at the top level; experiment
//! keys, `vary` and `arm` at the start of an experiment statement; the
//! builtins and definitions a key takes after it; layers in a network;
//! metrics, functions and statements in a policy; argument names inside a
//! call; import paths (`std/...` and local files) inside an import's quotes.
//! Builtins come with their parameters as snippets, from the tables.

use super::analysis::Analysis;
use super::builtins::{builtins_of, key_kinds};
use super::index::DefKind;
use crate::builtins::Entry;
use crate::syntax::lex::{self, Kind};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, InsertTextFormat,
    MarkupContent, MarkupKind, Position, Range, TextEdit,
};

pub fn completion(a: &Analysis, pos: Position, snippets: bool) -> Vec<CompletionItem> {
    let text = a.text.as_str();
    let offset = a.offset(pos);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let mut out = Completions {
        items: vec![],
        snippets,
    };
    if let Some(quote) = import_quote(prefix) {
        let start = a
            .range(crate::source::FileId(0), line_start + quote + 1, offset)
            .start;
        import_paths(a, &mut out, Range::new(start, pos));
        return out.items;
    }
    let statement_start = prefix
        .trim_start()
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_');
    let item = enclosing_item(text, line_start, offset);
    match item {
        None => {
            for k in lex::ITEM_KEYWORDS {
                out.keyword(k);
            }
        }
        Some(kind) => {
            if let Some(callee) = open_call(text, line_start, offset) {
                out.arguments(a, &callee);
            }
            inside(a, &mut out, kind, prefix, statement_start);
        }
    }
    out.items
}

/// The byte of the opening quote when the cursor is inside an import's path.
fn import_quote(prefix: &str) -> Option<usize> {
    let rest = prefix.trim_start().strip_prefix("import")?;
    (rest.matches('"').count() == 1).then(|| prefix.rfind('"'))?
}

/// The keyword of the item the cursor is in; `None` at the top level.
fn enclosing_item(text: &str, line_start: usize, offset: usize) -> Option<&'static str> {
    let prefix = &text[line_start..offset];
    // A word typed at the start of a line starts a new item.
    if !prefix.starts_with([' ', '\t']) && !prefix.contains(char::is_whitespace) {
        return None;
    }
    let mut start = line_start;
    loop {
        let line = &text[start..];
        if let Some(k) = lex::ITEM_KEYWORDS
            .iter()
            .find(|k| starts_with_word(line, k))
        {
            let mut depth = 0i32;
            let mut closed = false;
            for t in lex::tokens(&text[start..offset]) {
                match &text[start + t.start..start + t.end] {
                    "{" if t.kind == Kind::Punct => depth += 1,
                    "}" if t.kind == Kind::Punct => {
                        depth -= 1;
                        closed |= depth == 0;
                    }
                    _ => {}
                }
            }
            return (!(closed && depth <= 0)).then_some(*k);
        }
        if start == 0 {
            return None;
        }
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
}

fn starts_with_word(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// The name before the innermost `(` still open on the cursor's statement.
fn open_call(text: &str, line_start: usize, offset: usize) -> Option<String> {
    let toks = lex::tokens(&text[line_start..offset]);
    let mut open = vec![];
    for (i, t) in toks.iter().enumerate() {
        match &text[line_start + t.start..line_start + t.end] {
            "(" => open.push(i),
            ")" => {
                open.pop();
            }
            _ => {}
        }
    }
    let i = *open.last()?;
    let name = toks.get(i.checked_sub(1)?)?;
    (name.kind == Kind::Word).then(|| text[line_start + name.start..line_start + name.end].into())
}

fn inside(a: &Analysis, out: &mut Completions, item: &str, prefix: &str, statement_start: bool) {
    let key = prefix
        .trim_start()
        .split_once(':')
        .map(|(k, _)| k.trim())
        .filter(|k| k.chars().all(|c| c.is_alphanumeric() || c == '_'));
    match item {
        "experiment" if statement_start => {
            for k in crate::check::experiment::KEYS {
                out.snippet(k, CompletionItemKind::PROPERTY, &format!("{k}: $0"));
            }
            out.snippet(
                "vary",
                CompletionItemKind::KEYWORD,
                "vary ${1:name} in [$0]",
            );
            out.snippet(
                "arm",
                CompletionItemKind::KEYWORD,
                "arm ${1:name}: lambda = $0",
            );
        }
        "experiment" => {
            let arm = prefix.trim_start().starts_with("arm ");
            let (kinds, defs): (&[&str], &[DefKind]) = match key {
                _ if arm => (&["schedule"], &[DefKind::Schedule, DefKind::Policy]),
                Some("data") => (key_kinds("data"), &[DefKind::Data]),
                Some("network") => (&[], &[DefKind::Network]),
                Some("checks") => {
                    out.keyword("every");
                    (&[], &[])
                }
                Some(k) => (key_kinds(k), &[]),
                None => (&[], &[]),
            };
            out.builtins(kinds, !kinds.is_empty());
            out.defs(a, defs);
        }
        "network" => {
            out.builtins(&["layer"], true);
            out.defs(a, &[DefKind::Param]);
        }
        "policy" if statement_start => {
            out.snippet("every", CompletionItemKind::KEYWORD, "every ${1:100} iters");
            out.snippet(
                "when",
                CompletionItemKind::KEYWORD,
                "when ${1:condition}: ${2:lambda *= 1.5}",
            );
            out.snippet(
                "clamp",
                CompletionItemKind::KEYWORD,
                "clamp ${1:lambda} in [${2:lo}, ${3:hi}]",
            );
        }
        "policy" => {
            let readable = |(_, e): &(&str, &Entry)| {
                crate::plan::Metric::from_name(e.name).is_none_or(|m| m.readable_in_policy())
            };
            let items: Vec<_> = builtins_of(&["metric", "function", "history function"])
                .into_iter()
                .filter(readable)
                .collect();
            out.entries(&items);
            for k in ["and", "or", "not", "stop"] {
                out.keyword(k);
            }
            out.defs(a, &[DefKind::Param]);
        }
        "schedule" => {
            out.builtins(&["schedule"], true);
            out.defs(a, &[DefKind::Schedule, DefKind::Param]);
            for k in ["then", "with", "from", "per"] {
                out.keyword(k);
            }
        }
        "data" => out.builtins(&["data source", "normalization"], true),
        _ => {}
    }
}

fn import_paths(a: &Analysis, out: &mut Completions, range: Range) {
    let mut paths: Vec<String> = crate::check::imports::STDLIB
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    let dir = super::convert::uri_to_path(&a.uri).and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let own = super::convert::uri_to_path(&a.uri);
    for entry in dir
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "reg") && Some(&p) != own.as_ref() {
            paths.push(p.file_name().unwrap_or_default().to_string_lossy().into());
        }
    }
    for p in paths {
        out.items.push(CompletionItem {
            label: p.clone(),
            kind: Some(CompletionItemKind::FILE),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, p))),
            ..Default::default()
        });
    }
}

struct Completions {
    items: Vec<CompletionItem>,
    snippets: bool,
}

impl Completions {
    fn keyword(&mut self, k: &str) {
        self.items.push(CompletionItem {
            label: k.into(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..Default::default()
        });
    }

    fn snippet(&mut self, label: &str, kind: CompletionItemKind, body: &str) {
        let mut item = CompletionItem {
            label: label.into(),
            kind: Some(kind),
            ..Default::default()
        };
        if self.snippets {
            item.insert_text = Some(body.into());
            item.insert_text_format = Some(InsertTextFormat::SNIPPET);
        }
        self.items.push(item);
    }

    fn builtins(&mut self, kinds: &[&str], any: bool) {
        if any {
            self.entries(&builtins_of(kinds));
        }
    }

    fn entries(&mut self, entries: &[(&'static str, &'static Entry)]) {
        for (kind, e) in entries {
            let required: Vec<String> = e
                .required()
                .iter()
                .enumerate()
                .map(|(i, p)| format!("${{{}:{p}}}", i + 1))
                .collect();
            let body = match (e.params.is_empty(), required.is_empty()) {
                (true, _) => e.name.to_string(),
                (false, true) => format!("{}($1)", e.name),
                (false, false) => format!("{}({})", e.name, required.join(", ")),
            };
            self.snippet(e.name, item_kind(kind), &body);
            if let Some(last) = self.items.last_mut() {
                last.detail = Some(format!("{kind}: {}", e.usage));
                last.documentation = Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: super::hover::builtin(kind, e),
                }));
            }
        }
    }

    fn defs(&mut self, a: &Analysis, kinds: &[DefKind]) {
        let mut seen: std::collections::HashSet<String> =
            self.items.iter().map(|i| i.label.clone()).collect();
        for d in &a.index.defs {
            if kinds.contains(&d.kind) && seen.insert(d.name.clone()) {
                self.items.push(CompletionItem {
                    label: d.name.clone(),
                    kind: Some(match d.kind {
                        DefKind::Network => CompletionItemKind::CLASS,
                        DefKind::Schedule | DefKind::Policy => CompletionItemKind::FUNCTION,
                        _ => CompletionItemKind::VARIABLE,
                    }),
                    detail: Some(d.kind.word().into()),
                    ..Default::default()
                });
            }
        }
    }

    /// `name: ` for every parameter of the builtin or definition called.
    fn arguments(&mut self, a: &Analysis, callee: &str) {
        let params: Vec<String> = match a.index.global(callee) {
            Some(d) => a.index.params(d).map(|p| p.name.clone()).collect(),
            None => super::builtins::builtin(callee, &[])
                .map(|(_, e)| e.param_names().iter().map(|p| p.to_string()).collect())
                .unwrap_or_default(),
        };
        for p in params {
            self.snippet(&p, CompletionItemKind::FIELD, &format!("{p}: $0"));
        }
    }
}

fn item_kind(kind: &str) -> CompletionItemKind {
    match kind {
        "layer" => CompletionItemKind::CLASS,
        "metric" => CompletionItemKind::PROPERTY,
        "normalization" | "penalty" | "initialisation" | "sampling" => {
            CompletionItemKind::ENUM_MEMBER
        }
        _ => CompletionItemKind::FUNCTION,
    }
}
