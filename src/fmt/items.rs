//! Definitions, statements and expressions printed through the `Printer`,
//! token by token in source order (which is what lets every comment land
//! where it was written).

use super::printer::Printer;
use crate::syntax::ast::*;

impl Printer<'_> {
    pub fn item(&mut self, item: &Item) {
        let start = item.span().start;
        match item {
            Item::Import(i) => {
                self.begin_stmt(start);
                self.tok(start, start + 6, "import");
                self.space();
                self.tok(
                    i.path_span.start,
                    i.path_span.end,
                    &format!("\"{}\"", i.path),
                );
                self.end_stmt(i.span.end);
            }
            Item::Data(d) => {
                self.begin_stmt(start);
                self.keyword_and_name(start, "data", &d.name);
                self.assign(&d.value);
                self.end_stmt(d.span.end);
            }
            Item::Schedule(s) => {
                self.begin_stmt(start);
                self.keyword_and_name(start, "schedule", &s.name);
                self.params(&s.params);
                self.assign(&s.body);
                self.end_stmt(s.span.end);
            }
            Item::Network(n) => {
                self.header(start, "network", &n.name, &n.params);
                self.block(n.braces, |p| {
                    for l in &n.layers {
                        p.begin_stmt(l.span.start);
                        p.expr(l);
                        p.end_stmt(l.span.end);
                    }
                });
            }
            Item::Policy(pol) => {
                self.header(start, "policy", &pol.name, &pol.params);
                self.block(pol.braces, |p| {
                    for s in &pol.stmts {
                        p.policy_stmt(s);
                    }
                });
            }
            Item::Experiment(e) => {
                self.header(start, "experiment", &e.name, &None);
                self.block(e.braces, |p| {
                    for s in &e.stmts {
                        p.exp_stmt(s);
                    }
                });
            }
        }
    }

    fn keyword_and_name(&mut self, start: usize, keyword: &str, name: &Ident) {
        self.tok(start, start + keyword.len(), keyword);
        self.space();
        self.ident(name);
    }

    fn ident(&mut self, i: &Ident) {
        self.tok(i.span.start, i.span.end, &i.name);
    }

    /// ` = value`.
    fn assign(&mut self, value: &Expr) {
        self.space();
        self.punct("=");
        self.space();
        self.expr(value);
    }

    /// `keyword name(params)` of a block definition, up to its `{`.
    fn header(&mut self, start: usize, keyword: &str, name: &Ident, params: &Option<Vec<Param>>) {
        self.begin_stmt(start);
        self.keyword_and_name(start, keyword, name);
        self.params(params);
        self.space();
    }

    /// `{`, the statements printed by `body`, `}`, with the comments around
    /// the braces.
    fn block(&mut self, braces: Braces, body: impl FnOnce(&mut Self)) {
        self.tok(braces.open.start, braces.open.end, "{");
        self.end_stmt(braces.open.end);
        self.indent += 1;
        self.block_start = true;
        body(self);
        self.comments_before(braces.close.start);
        self.indent -= 1;
        self.end_line();
        self.cursor = braces.close.end;
        self.write("}");
        self.end_stmt(braces.close.end);
        self.block_start = false;
    }

    fn params(&mut self, params: &Option<Vec<Param>>) {
        let Some(ps) = params else { return };
        let close = self
            .next_from_cursor()
            .and_then(|open| self.matching(open))
            .unwrap_or(self.cursor);
        self.group("(", ")", close, ps, |p, param| {
            p.ident(&param.name);
            if let Some(d) = &param.default {
                p.assign(d);
            }
        });
    }

    fn policy_stmt(&mut self, s: &PolicyStmt) {
        let span = s.span();
        self.begin_stmt(span.start);
        match s {
            PolicyStmt::Every { value, .. } => {
                self.tok(span.start, span.start + 5, "every");
                self.space();
                self.expr(value);
            }
            PolicyStmt::When { cond, actions, .. } => {
                self.tok(span.start, span.start + 4, "when");
                self.space();
                self.expr(cond);
                self.punct(":");
                for (i, a) in actions.iter().enumerate() {
                    if i > 0 {
                        self.punct(",");
                    }
                    self.space();
                    self.action(a);
                }
            }
            PolicyStmt::Clamp { target, lo, hi, .. } => {
                self.tok(span.start, span.start + 5, "clamp");
                self.space();
                self.ident(target);
                self.space();
                self.punct("in");
                self.space();
                let bounds = [lo, hi];
                self.group("[", "]", span.end.saturating_sub(1), &bounds, |p, e| {
                    p.expr(e)
                });
            }
        }
        self.end_stmt(span.end);
    }

    fn action(&mut self, a: &Action) {
        match a {
            Action::Stop { span } => self.tok(span.start, span.end, "stop"),
            Action::Set {
                target, op, value, ..
            } => {
                self.ident(target);
                self.space();
                self.punct(op.text());
                self.space();
                self.expr(value);
            }
        }
    }

    fn exp_stmt(&mut self, s: &ExpStmt) {
        let span = s.span();
        self.begin_stmt(span.start);
        match s {
            ExpStmt::Key {
                key, every, value, ..
            } => {
                self.ident(key);
                self.punct(":");
                self.space();
                if *every {
                    self.punct("every");
                    self.space();
                }
                self.expr(value);
            }
            ExpStmt::Vary { name, values, .. } => {
                self.tok(span.start, span.start + 4, "vary");
                self.space();
                self.ident(name);
                self.space();
                self.punct("in");
                self.space();
                self.expr(values);
            }
            ExpStmt::Arm {
                name,
                target,
                value,
                ..
            } => {
                self.tok(span.start, span.start + 3, "arm");
                self.space();
                self.ident(name);
                self.punct(":");
                self.space();
                self.ident(target);
                self.assign(value);
            }
        }
        self.end_stmt(span.end);
    }

    pub fn expr(&mut self, e: &Expr) {
        let (start, end) = (e.span.start, e.span.end);
        match &e.kind {
            ExprKind::Number { .. }
            | ExprKind::Duration { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Ident(_) => self.tok(start, end, &super::expr(e)),
            ExprKind::List(items) => {
                self.flush_to(start);
                self.group("[", "]", end.saturating_sub(1), items, |p, x| p.expr(x));
            }
            ExprKind::Call { name, args } => {
                self.ident(name);
                self.group("(", ")", end.saturating_sub(1), args, |p, a| {
                    if let Some(n) = &a.name {
                        p.ident(n);
                        p.punct(":");
                        p.space();
                    }
                    p.expr(&a.value);
                });
            }
            ExprKind::Paren(inner) => {
                self.flush_to(start);
                self.punct("(");
                self.expr(inner);
                self.punct(")");
            }
            ExprKind::Unary { op, expr } => {
                self.flush_to(start);
                match op {
                    UnaryOp::Neg => self.punct("-"),
                    UnaryOp::Not => {
                        self.punct("not");
                        self.space();
                    }
                }
                self.expr(expr);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.space();
                self.punct(op.text());
                self.space();
                self.expr(rhs);
            }
        }
    }
}
