//! pest pairs → syntax tree. The grammar guarantees the shape of every pair
//! it accepted, so a pair missing where the grammar puts one is a bug in this
//! file, never a user error; such places fall back to empty values rather
//! than panic. Items and statements are here; expressions in `expr`.

use super::ast::*;
use super::expr::string_body;
use super::Rule;
use crate::source::FileId;
use pest::iterators::Pair;

pub(super) struct Lower {
    file: FileId,
    offset: usize,
    /// Expressions too long to build (see `MAX_TERMS`).
    pub(super) too_long: std::cell::RefCell<Vec<(Span, TooLong)>>,
}

/// Which limit an expression broke, and by how much.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TooLong {
    Operands(usize),
    Prefixes(usize),
}

/// Most operands in one expression level (parentheses start a new level),
/// and most prefix operators (`-`, `not`) in one level. With the nesting
/// limit this bounds the depth of every tree, so the recursive walks of
/// later stages cannot exhaust the stack.
pub const MAX_TERMS: usize = 32;

/// Items of a `file` pair; `offset` is where the parsed text starts in the
/// file. Also the spans of expressions rejected as too long.
pub fn items(file: FileId, offset: usize, pair: Pair<Rule>) -> (Vec<Item>, Vec<(Span, TooLong)>) {
    let l = Lower {
        file,
        offset,
        too_long: Default::default(),
    };
    let items = pair.into_inner().filter_map(|p| l.item(p)).collect();
    (items, l.too_long.into_inner())
}

/// An `override_value` pair (the value of `--set KEY=VALUE`): whether it
/// starts with `every`, the value, and the spans of expressions rejected as
/// too long.
pub fn override_value(
    file: FileId,
    offset: usize,
    pair: Pair<Rule>,
) -> (bool, Option<Expr>, Vec<(Span, TooLong)>) {
    let l = Lower {
        file,
        offset,
        too_long: Default::default(),
    };
    let pairs: Vec<Pair<Rule>> = pair.into_inner().collect();
    let every = pairs.iter().any(|q| q.as_rule() == Rule::kw_every);
    let value = pairs
        .into_iter()
        .find(|q| q.as_rule() == Rule::expr)
        .map(|q| l.expr(q));
    (every, value, l.too_long.into_inner())
}

impl Lower {
    /// The pair's span without the whitespace and comments pest lets a
    /// rule swallow when it ends in an optional or repeated part.
    pub(super) fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        let len = content_len(p.as_str());
        Span::new(
            self.file,
            s.start() + self.offset,
            s.start() + len + self.offset,
        )
    }

    pub(super) fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn item(&self, p: Pair<Rule>) -> Option<Item> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner().filter(|q| !is_keyword(q.as_rule()));
        Some(match rule {
            Rule::import => {
                let s = inner.next()?;
                let path_span = self.span(&s);
                Item::Import(Import {
                    path: string_body(s),
                    path_span,
                    span,
                })
            }
            Rule::data_def => {
                let name = self.ident(inner.next()?);
                let value = self.expr(inner.next()?);
                Item::Data(DataDef { name, value, span })
            }
            Rule::schedule_def => {
                let name = self.ident(inner.next()?);
                let (params, rest) = self.params(inner);
                let body = self.expr(rest.into_iter().next()?);
                Item::Schedule(ScheduleDef {
                    name,
                    params,
                    body,
                    span,
                })
            }
            Rule::network_def => {
                let name = self.ident(inner.next()?);
                let (params, rest) = self.params(inner);
                let (braces, body) = self.braces(rest, span);
                let layers = body
                    .into_iter()
                    .filter_map(|l| l.into_inner().next().map(|x| self.primary(x)))
                    .collect();
                Item::Network(NetworkDef {
                    name,
                    params,
                    layers,
                    braces,
                    span,
                })
            }
            Rule::policy_def => {
                let name = self.ident(inner.next()?);
                let (params, rest) = self.params(inner);
                let (braces, body) = self.braces(rest, span);
                let stmts = body
                    .into_iter()
                    .filter_map(|s| self.policy_stmt(s))
                    .collect();
                Item::Policy(PolicyDef {
                    name,
                    params,
                    stmts,
                    braces,
                    span,
                })
            }
            Rule::experiment_def => {
                let name = self.ident(inner.next()?);
                let (braces, body) = self.braces(inner.collect(), span);
                let stmts = body.into_iter().filter_map(|s| self.exp_stmt(s)).collect();
                Item::Experiment(ExperimentDef {
                    name,
                    stmts,
                    braces,
                    span,
                })
            }
            _ => return None,
        })
    }

    /// Optional `(params)` at the front of `rest`, and what follows.
    fn params<'a>(
        &self,
        rest: impl Iterator<Item = Pair<'a, Rule>>,
    ) -> (Option<Vec<Param>>, Vec<Pair<'a, Rule>>) {
        let mut rest: Vec<Pair<Rule>> = rest.collect();
        if rest.first().map(|p| p.as_rule()) == Some(Rule::params) {
            let ps = rest.remove(0);
            let params = ps
                .into_inner()
                .filter_map(|param| {
                    let span = self.span(&param);
                    let mut it = param.into_inner();
                    let name = self.ident(it.next()?);
                    let default = it.next().map(|e| self.expr(e));
                    Some(Param {
                        name,
                        default,
                        span,
                    })
                })
                .collect();
            (Some(params), rest)
        } else {
            (None, rest)
        }
    }

    /// Split `{ body }` pairs into the brace spans and the statements.
    fn braces<'a>(&self, pairs: Vec<Pair<'a, Rule>>, whole: Span) -> (Braces, Vec<Pair<'a, Rule>>) {
        let mut open = Span::new(self.file, whole.start, whole.start);
        let mut close = Span::new(self.file, whole.end, whole.end);
        let mut body = vec![];
        for p in pairs {
            match p.as_rule() {
                Rule::open_brace => open = self.span(&p),
                Rule::close_brace => close = self.span(&p),
                _ => body.push(p),
            }
        }
        (Braces { open, close }, body)
    }

    fn policy_stmt(&self, p: Pair<Rule>) -> Option<PolicyStmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner().filter(|q| !is_keyword(q.as_rule()));
        Some(match rule {
            Rule::every_stmt => PolicyStmt::Every {
                value: self.expr(inner.next()?),
                span,
            },
            Rule::when_stmt => {
                let cond = self.expr(inner.next()?);
                let actions = inner.filter_map(|a| self.action(a)).collect();
                PolicyStmt::When {
                    cond,
                    actions,
                    span,
                }
            }
            Rule::clamp_stmt => PolicyStmt::Clamp {
                target: self.ident(inner.next()?),
                lo: self.expr(inner.next()?),
                hi: self.expr(inner.next()?),
                span,
            },
            _ => return None,
        })
    }

    fn action(&self, p: Pair<Rule>) -> Option<Action> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let first = inner.next()?;
        if first.as_rule() == Rule::kw_stop {
            return Some(Action::Stop { span });
        }
        let target = self.ident(first);
        let op = match inner.next()?.as_str() {
            "*=" => AssignOp::Mul,
            "/=" => AssignOp::Div,
            "+=" => AssignOp::Add,
            "-=" => AssignOp::Sub,
            _ => AssignOp::Set,
        };
        let value = self.expr(inner.next()?);
        Some(Action::Set {
            target,
            op,
            value,
            span,
        })
    }

    fn exp_stmt(&self, p: Pair<Rule>) -> Option<ExpStmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let pairs: Vec<Pair<Rule>> = p.into_inner().collect();
        let every = pairs.iter().any(|q| q.as_rule() == Rule::kw_every);
        let mut inner = pairs.into_iter().filter(|q| !is_keyword(q.as_rule()));
        Some(match rule {
            Rule::key_stmt => ExpStmt::Key {
                key: self.ident(inner.next()?),
                every,
                value: self.expr(inner.next()?),
                span,
            },
            Rule::vary_stmt => ExpStmt::Vary {
                name: self.ident(inner.next()?),
                values: self.expr(inner.next()?),
                span,
            },
            Rule::arm_stmt => ExpStmt::Arm {
                name: self.ident(inner.next()?),
                target: self.ident(inner.next()?),
                value: self.expr(inner.next()?),
                span,
            },
            _ => return None,
        })
    }
}

pub(super) fn is_infix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_then
            | Rule::op_with
            | Rule::op_from
            | Rule::op_per
            | Rule::op_or
            | Rule::op_and
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
    )
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_data
            | Rule::kw_network
            | Rule::kw_schedule
            | Rule::kw_policy
            | Rule::kw_experiment
            | Rule::kw_every
            | Rule::kw_when
            | Rule::kw_clamp
            | Rule::kw_in
            | Rule::kw_vary
            | Rule::kw_arm
    )
}

/// Length of `text` without trailing whitespace and trailing `#` comments.
fn content_len(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let body = &text[..end];
        let line_start = body.rfind('\n').map(|i| i + 1).unwrap_or(0);
        match comment_start(&body[line_start..]) {
            Some(c) => end = body[..line_start + c].trim_end().len(),
            None => return end,
        }
    }
}

/// Where a `#` comment starts in one line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}
