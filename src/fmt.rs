//! `regime fmt`: one canonical layout for `.reg` files.
//!
//! The tree is printed back statement by statement; comments are not in the
//! tree, so they are picked out of the source text and re-attached to the
//! statement they precede (own-line comments) or end (trailing comments).
//! Runs of blank lines collapse to one and blank lines at the start and end of
//! a block are dropped; everything else follows from the tree, so formatting
//! twice gives the same text.

use crate::diagnostics::Diagnostics;
use crate::source::{FileId, Sources};
use crate::syntax::ast::*;

/// Format one file's text. Syntax errors come back as a report.
pub fn format_source(name: &str, text: &str) -> Result<String, Diagnostics> {
    let mut sources = Sources::default();
    let file = sources.add(name, text);
    let (module, diags) = crate::syntax::parse(file, text);
    if !diags.is_empty() {
        let mut report = Diagnostics {
            sources,
            diagnostics: diags,
        };
        report.normalize();
        return Err(report);
    }
    Ok(format_module(&module, text))
}

/// Print a parsed module, keeping the comments found in `text`.
pub fn format_module(module: &Module, text: &str) -> String {
    let mut p = Printer::new(text);
    for item in &module.items {
        p.item(item);
    }
    p.finish()
}

/// An expression in canonical form (also used for `Rule.text` in plans).
pub fn expr(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e);
    s
}

fn write_expr(s: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Number { text, .. } => s.push_str(text),
        ExprKind::Duration {
            text, unit_text, ..
        } => {
            s.push_str(text);
            s.push(' ');
            s.push_str(unit_text);
        }
        ExprKind::Str(body) => {
            s.push('"');
            s.push_str(body);
            s.push('"');
        }
        ExprKind::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        ExprKind::Ident(name) => s.push_str(name),
        ExprKind::List(items) => {
            s.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, item);
            }
            s.push(']');
        }
        ExprKind::Call { name, args } => {
            s.push_str(&name.name);
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                if let Some(n) = &a.name {
                    s.push_str(&n.name);
                    s.push_str(": ");
                }
                write_expr(s, &a.value);
            }
            s.push(')');
        }
        ExprKind::Paren(inner) => {
            s.push('(');
            write_expr(s, inner);
            s.push(')');
        }
        ExprKind::Unary { op, expr } => {
            s.push_str(match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "not ",
            });
            write_expr(s, expr);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            write_expr(s, lhs);
            s.push(' ');
            s.push_str(op.text());
            s.push(' ');
            write_expr(s, rhs);
        }
    }
}

fn params(ps: &Option<Vec<Param>>) -> String {
    let Some(ps) = ps else {
        return String::new();
    };
    let inner: Vec<String> = ps
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("{} = {}", p.name.name, expr(d)),
            None => p.name.name.clone(),
        })
        .collect();
    format!("({})", inner.join(", "))
}

/// A `#` comment in the source, by byte range (to the end of its line).
struct Comment {
    start: usize,
    end: usize,
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    next_comment: usize,
    /// Source position up to which everything has been printed.
    cursor: usize,
    out: String,
    indent: usize,
    /// Nothing printed yet in the current block (no blank line wanted).
    block_start: bool,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str) -> Printer<'a> {
        Printer {
            text,
            comments: find_comments(text),
            next_comment: 0,
            cursor: 0,
            out: String::new(),
            indent: 0,
            block_start: true,
        }
    }

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
        self.block_start = false;
    }

    /// Whether the source between `from` and `to` holds a blank line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.text.get(from.min(to)..to).unwrap_or("");
        gap.matches('\n').count() >= 2
    }

    fn blank_if_gap(&mut self, to: usize) {
        if !self.block_start && self.blank_between(self.cursor, to) {
            self.out.push('\n');
        }
    }

    /// Print comments that start before `pos` as own-line comments.
    fn comments_before(&mut self, pos: usize) {
        self.comments_before_with(pos, true);
    }

    /// Same; `blanks` false keeps them together (comments moved out of a
    /// multi-line statement go right above it).
    fn comments_before_with(&mut self, pos: usize, blanks: bool) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.start >= pos {
                break;
            }
            let (start, end) = (c.start, c.end);
            if blanks {
                self.blank_if_gap(start);
            }
            let body = self
                .text
                .get(start..end)
                .unwrap_or("#")
                .trim_end()
                .to_string();
            self.line(&body);
            self.cursor = end;
            self.next_comment += 1;
        }
    }

    /// A trailing comment on the line where `pos` is.
    fn trailing_comment(&mut self, pos: usize) -> Option<String> {
        let c = self.comments.get(self.next_comment)?;
        let between = self.text.get(pos.min(c.start)..c.start)?;
        if between.contains('\n') {
            return None;
        }
        let body = self.text.get(c.start..c.end)?.trim_end().to_string();
        self.cursor = c.end;
        self.next_comment += 1;
        Some(body)
    }

    /// One statement spanning `span`, printed as `text`.
    fn stmt(&mut self, span: Span, text: &str) {
        self.comments_before(span.start);
        self.blank_if_gap(span.start);
        // Comments inside a multi-line statement move above it.
        self.comments_before_with(span.end, false);
        self.cursor = self.cursor.max(span.end);
        let trailing = self.trailing_comment(span.end);
        match trailing {
            Some(c) => self.line(&format!("{text}  {c}")),
            None => self.line(text),
        }
    }

    /// `header {` … `}` with the statements printed by `body`.
    fn block(&mut self, start: usize, braces: Braces, header: &str, body: impl FnOnce(&mut Self)) {
        self.stmt(
            Span::new(FileId(0), start, braces.open.end),
            &format!("{header} {{"),
        );
        self.indent += 1;
        self.block_start = true;
        body(self);
        self.comments_before(braces.close.start);
        self.indent -= 1;
        self.cursor = braces.close.end;
        let trailing = self.trailing_comment(braces.close.end);
        match trailing {
            Some(c) => self.line(&format!("}}  {c}")),
            None => self.line("}"),
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Import(i) => self.stmt(i.span, &format!("import \"{}\"", i.path)),
            Item::Data(d) => self.stmt(
                d.span,
                &format!("data {} = {}", d.name.name, expr(&d.value)),
            ),
            Item::Schedule(s) => self.stmt(
                s.span,
                &format!(
                    "schedule {}{} = {}",
                    s.name.name,
                    params(&s.params),
                    expr(&s.body)
                ),
            ),
            Item::Network(n) => {
                let header = format!("network {}{}", n.name.name, params(&n.params));
                self.block(n.span.start, n.braces, &header, |p| {
                    for l in &n.layers {
                        p.stmt(l.span, &expr(l));
                    }
                });
            }
            Item::Policy(pol) => {
                let header = format!("policy {}{}", pol.name.name, params(&pol.params));
                self.block(pol.span.start, pol.braces, &header, |p| {
                    for s in &pol.stmts {
                        p.stmt(s.span(), &policy_stmt(s));
                    }
                });
            }
            Item::Experiment(e) => {
                let header = format!("experiment {}", e.name.name);
                self.block(e.span.start, e.braces, &header, |p| {
                    for s in &e.stmts {
                        p.stmt(s.span(), &exp_stmt(s));
                    }
                });
            }
        }
    }

    fn finish(mut self) -> String {
        self.comments_before(usize::MAX);
        self.out
    }
}

pub(crate) fn policy_stmt(s: &PolicyStmt) -> String {
    match s {
        PolicyStmt::Every { value, .. } => format!("every {}", expr(value)),
        PolicyStmt::When { cond, actions, .. } => {
            let acts: Vec<String> = actions.iter().map(action).collect();
            format!("when {}: {}", expr(cond), acts.join(", "))
        }
        PolicyStmt::Clamp { target, lo, hi, .. } => {
            format!("clamp {} in [{}, {}]", target.name, expr(lo), expr(hi))
        }
    }
}

fn action(a: &Action) -> String {
    match a {
        Action::Stop { .. } => "stop".into(),
        Action::Set {
            target, op, value, ..
        } => format!("{} {} {}", target.name, op.text(), expr(value)),
    }
}

fn exp_stmt(s: &ExpStmt) -> String {
    match s {
        ExpStmt::Key {
            key, every, value, ..
        } => {
            let every = if *every { "every " } else { "" };
            format!("{}: {}{}", key.name, every, expr(value))
        }
        ExpStmt::Vary { name, values, .. } => format!("vary {} in {}", name.name, expr(values)),
        ExpStmt::Arm {
            name,
            target,
            value,
            ..
        } => format!("arm {}: {} = {}", name.name, target.name, expr(value)),
    }
}

/// Every `#` comment outside strings.
fn find_comments(text: &str) -> Vec<Comment> {
    let mut out = vec![];
    let mut in_string = false;
    let mut escaped = false;
    let mut iter = text.char_indices();
    while let Some((i, c)) = iter.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => {
                let end = text[i..].find('\n').map(|n| i + n).unwrap_or(text.len());
                out.push(Comment { start: i, end });
                // Skip to the end of the comment.
                for (j, _) in iter.by_ref() {
                    if j + 1 >= end {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}
