//! Every name in the loaded files and what it stands for: definitions
//! (items, their parameters, `vary` axes, arms), their uses, builtins,
//! experiment keys and argument names, each with its span. Hover,
//! navigation, references and semantic tokens read it. Scoping follows the
//! checker: parameters and axes shadow definitions, definitions (from any
//! loaded file) shadow builtins.

use super::builtins::{arg_kinds, builtin, key_kinds};
use crate::builtins::{self, Entry};
use crate::check::imports::Program;
use crate::source::FileId;
use crate::syntax::ast::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Data,
    Network,
    Schedule,
    Policy,
    Experiment,
    Param,
    Axis,
    Arm,
}

impl DefKind {
    pub fn word(self) -> &'static str {
        match self {
            DefKind::Data => "data",
            DefKind::Network => "network",
            DefKind::Schedule => "schedule",
            DefKind::Policy => "policy",
            DefKind::Experiment => "experiment",
            DefKind::Param => "parameter",
            DefKind::Axis => "vary axis",
            DefKind::Arm => "arm",
        }
    }
}

/// A definition: an item, or a name an item binds.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    pub name_span: Span,
    /// The whole item (or parameter, axis, arm statement).
    pub span: Span,
    /// For a parameter, axis or arm: the item it belongs to.
    pub owner: Option<usize>,
    /// For a parameter: its default, as written.
    pub default: Option<String>,
}

/// What a name at some place stands for.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Def(usize),
    Builtin(&'static str, &'static Entry),
    /// An argument name of a builtin: the builtin and the parameter.
    BuiltinParam(&'static Entry, &'static builtins::Param),
    /// An experiment key (`data`, `iters`, ...).
    Key,
    /// An import's path, and the file it loaded when it did.
    Import(Option<FileId>),
}

#[derive(Debug, Clone)]
pub struct Occurrence {
    pub span: Span,
    pub target: Target,
    /// The defining occurrence of a `Target::Def`.
    pub is_def: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    pub defs: Vec<Def>,
    /// Sorted by file and start.
    pub occurrences: Vec<Occurrence>,
    globals: HashMap<String, usize>,
    /// The definition whose name starts at a place.
    by_name: HashMap<(FileId, usize), usize>,
    /// The parameters, axes and arms of each item, in order.
    children: HashMap<usize, Vec<usize>>,
}

impl Index {
    pub fn build(program: &Program) -> Index {
        let mut ix = Index::default();
        for m in &program.modules {
            for item in &m.module.items {
                ix.declare(item);
            }
        }
        let mut walker = Walker {
            ix: &mut ix,
            program,
            scope: vec![],
        };
        for (n, m) in program.modules.iter().enumerate() {
            for item in &m.module.items {
                walker.item(n, item);
            }
        }
        ix.occurrences
            .sort_by_key(|o| (o.span.file, o.span.start, std::cmp::Reverse(o.span.end)));
        ix
    }

    fn declare(&mut self, item: &Item) {
        let kind = match item {
            Item::Import(_) => return,
            Item::Data(_) => DefKind::Data,
            Item::Network(_) => DefKind::Network,
            Item::Schedule(_) => DefKind::Schedule,
            Item::Policy(_) => DefKind::Policy,
            Item::Experiment(_) => DefKind::Experiment,
        };
        let Some(name) = item.name() else { return };
        let id = self.add(name, kind, item.span(), None, None);
        if kind != DefKind::Experiment {
            self.globals.entry(name.name.clone()).or_insert(id);
        }
    }

    fn add(
        &mut self,
        name: &Ident,
        kind: DefKind,
        span: Span,
        owner: Option<usize>,
        default: Option<String>,
    ) -> usize {
        self.defs.push(Def {
            name: name.name.clone(),
            kind,
            name_span: name.span,
            span,
            owner,
            default,
        });
        let id = self.defs.len() - 1;
        self.by_name.insert((name.span.file, name.span.start), id);
        if let Some(o) = owner {
            self.children.entry(o).or_default().push(id);
        }
        self.occurrences.push(Occurrence {
            span: name.span,
            target: Target::Def(id),
            is_def: true,
        });
        id
    }

    /// The top-level definition called `name` (the first, if defined twice).
    pub fn global(&self, name: &str) -> Option<usize> {
        self.globals.get(name).copied()
    }

    /// The innermost occurrence at a byte offset of a file (its end included,
    /// so a cursor just after a name finds it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        let end = self
            .occurrences
            .partition_point(|o| (o.span.file, o.span.start) <= (file, offset));
        self.occurrences[..end]
            .iter()
            .rev()
            .take_while(|o| o.span.file == file)
            .filter(|o| o.span.end >= offset)
            .min_by_key(|o| o.span.len())
    }

    /// Every occurrence of definition `def`, its own included.
    pub fn references(&self, def: usize) -> impl Iterator<Item = &Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| matches!(o.target, Target::Def(d) if d == def))
    }

    /// The definition an item's name defines.
    pub fn def_of_item(&self, item: &Item) -> Option<usize> {
        let name = item.name()?;
        self.by_name
            .get(&(name.span.file, name.span.start))
            .copied()
    }

    /// The parameters, axes and arms of an item.
    pub fn children(&self, def: usize) -> impl Iterator<Item = (usize, &Def)> {
        let ids = self.children.get(&def).map_or(&[][..], Vec::as_slice);
        ids.iter().map(|&i| (i, &self.defs[i]))
    }

    /// The parameters of a network, schedule or policy.
    pub fn params(&self, def: usize) -> impl Iterator<Item = &Def> {
        self.children(def)
            .map(|(_, d)| d)
            .filter(|d| d.kind == DefKind::Param)
    }
}

/// Walks the bodies with the names in scope.
struct Walker<'a> {
    ix: &'a mut Index,
    program: &'a Program,
    /// Parameters and axes visible here.
    scope: Vec<usize>,
}

impl Walker<'_> {
    fn item(&mut self, module: usize, item: &Item) {
        self.scope.clear();
        let owner = self.ix.def_of_item(item);
        match item {
            Item::Import(i) => {
                let file = super::analysis::resolve_import(self.program, module, &i.path);
                self.ix.occurrences.push(Occurrence {
                    span: i.path_span,
                    target: Target::Import(file),
                    is_def: false,
                });
            }
            Item::Data(d) => self.expr(&d.value, &["data source", "normalization"]),
            Item::Network(n) => {
                self.params(&n.params, owner);
                for l in &n.layers {
                    self.expr(l, &["layer"]);
                }
            }
            Item::Schedule(s) => {
                self.params(&s.params, owner);
                self.expr(&s.body, &["schedule"]);
            }
            Item::Policy(p) => {
                self.params(&p.params, owner);
                for s in &p.stmts {
                    self.policy_stmt(s);
                }
            }
            Item::Experiment(e) => self.experiment(e, owner),
        }
    }

    fn params(&mut self, params: &Option<Vec<Param>>, owner: Option<usize>) {
        for p in params.iter().flatten() {
            let default = p.default.as_ref().map(crate::fmt::expr);
            if let Some(d) = &p.default {
                self.expr(d, &[]);
            }
            let id = self.ix.add(&p.name, DefKind::Param, p.span, owner, default);
            self.scope.push(id);
        }
    }

    fn policy_stmt(&mut self, s: &PolicyStmt) {
        const POLICY: &[&str] = &["metric", "function", "history function"];
        match s {
            PolicyStmt::Every { value, .. } => self.expr(value, POLICY),
            PolicyStmt::When { cond, actions, .. } => {
                self.expr(cond, POLICY);
                for a in actions {
                    if let Action::Set { target, value, .. } = a {
                        self.builtin_name(target, &["metric"]);
                        self.expr(value, POLICY);
                    }
                }
            }
            PolicyStmt::Clamp { target, lo, hi, .. } => {
                self.builtin_name(target, &["metric"]);
                self.expr(lo, POLICY);
                self.expr(hi, POLICY);
            }
        }
    }

    fn experiment(&mut self, e: &ExperimentDef, owner: Option<usize>) {
        // Axes are visible in every statement of the experiment.
        for s in &e.stmts {
            if let ExpStmt::Vary { name, span, .. } = s {
                let id = self.ix.add(name, DefKind::Axis, *span, owner, None);
                self.scope.push(id);
            }
        }
        for s in &e.stmts {
            match s {
                ExpStmt::Key { key, value, .. } => {
                    self.ix.occurrences.push(Occurrence {
                        span: key.span,
                        target: Target::Key,
                        is_def: false,
                    });
                    self.expr(value, key_kinds(&key.name));
                }
                ExpStmt::Vary { values, .. } => self.expr(values, &[]),
                ExpStmt::Arm {
                    name,
                    target,
                    value,
                    span,
                } => {
                    self.ix.add(name, DefKind::Arm, *span, owner, None);
                    self.builtin_name(target, &["metric"]);
                    self.expr(value, &["schedule"]);
                }
            }
        }
    }

    fn builtin_name(&mut self, name: &Ident, hint: &[&str]) {
        if let Some((kind, entry)) = builtin(&name.name, hint) {
            self.ix.occurrences.push(Occurrence {
                span: name.span,
                target: Target::Builtin(kind, entry),
                is_def: false,
            });
        }
    }

    /// What `name` stands for here, if anything.
    fn resolve(&self, name: &str, hint: &[&str]) -> Option<Target> {
        let local = self
            .scope
            .iter()
            .rev()
            .find(|&&d| self.ix.defs[d].name == name);
        if let Some(&d) = local {
            return Some(Target::Def(d));
        }
        if let Some(d) = self.ix.global(name) {
            return Some(Target::Def(d));
        }
        builtin(name, hint).map(|(k, e)| Target::Builtin(k, e))
    }

    fn expr(&mut self, e: &Expr, hint: &[&str]) {
        match &e.kind {
            ExprKind::Ident(name) => {
                if let Some(target) = self.resolve(name, hint) {
                    self.ix.occurrences.push(Occurrence {
                        span: e.span,
                        target,
                        is_def: false,
                    });
                }
            }
            ExprKind::Call { name, args } => {
                let callee = self.resolve(&name.name, hint);
                if let Some(target) = callee {
                    self.ix.occurrences.push(Occurrence {
                        span: name.span,
                        target,
                        is_def: false,
                    });
                }
                for a in args {
                    if let (Some(arg), Some(callee)) = (&a.name, callee) {
                        self.arg_name(arg, callee);
                    }
                    let inner = a.name.as_ref().and_then(|n| arg_kinds(&n.name));
                    self.expr(&a.value, inner.unwrap_or(hint));
                }
            }
            ExprKind::List(items) => items.iter().for_each(|x| self.expr(x, hint)),
            ExprKind::Paren(x) | ExprKind::Unary { expr: x, .. } => self.expr(x, hint),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, hint);
                self.expr(rhs, hint);
            }
            ExprKind::Number { .. }
            | ExprKind::Duration { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_) => {}
        }
    }

    /// `name:` in a call: the parameter of the callee it sets.
    fn arg_name(&mut self, arg: &Ident, callee: Target) {
        let target = match callee {
            Target::Def(d) => self
                .ix
                .children(d)
                .find(|(_, p)| p.kind == DefKind::Param && p.name == arg.name)
                .map(|(i, _)| Target::Def(i)),
            Target::Builtin(_, entry) => entry
                .params
                .iter()
                .find(|p| p.name == arg.name)
                .map(|p| Target::BuiltinParam(entry, p)),
            _ => None,
        };
        if let Some(target) = target {
            self.ix.occurrences.push(Occurrence {
                span: arg.span,
                target,
                is_def: false,
            });
        }
    }
}
