//! Warnings about things nobody uses: definitions of the root file that no
//! experiment or other definition mentions (only in files that have
//! experiments: libraries define things for others), and `vary` axes that
//! nothing reads (their cells would be identical).

use super::imports::Program;
use crate::diagnostics::{Diagnostic, Located};
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};

pub fn warnings(program: &Program) -> Vec<Located> {
    let mut out = vec![];
    let Some(root) = program.modules.first() else {
        return out;
    };
    let has_experiments = root
        .module
        .items
        .iter()
        .any(|i| matches!(i, Item::Experiment(_)));
    if has_experiments {
        // An item's name is used when another item mentions it: count the
        // items mentioning each name once, rather than collecting the names
        // of all other items again for every item (quadratic in a file of
        // thousands of definitions).
        let sets: Vec<Vec<HashSet<String>>> = program
            .modules
            .iter()
            .map(|m| {
                m.module
                    .items
                    .iter()
                    .map(|item| {
                        let mut set = HashSet::new();
                        item_names(item, &mut set);
                        set
                    })
                    .collect()
            })
            .collect();
        let mut mentions: HashMap<&str, usize> = HashMap::new();
        for set in sets.iter().flatten() {
            for n in set {
                *mentions.entry(n.as_str()).or_default() += 1;
            }
        }
        for (i, item) in root.module.items.iter().enumerate() {
            let (Some(name), false) = (item.name(), matches!(item, Item::Experiment(_))) else {
                continue;
            };
            let total = mentions.get(name.name.as_str()).copied().unwrap_or(0);
            let own = usize::from(sets[0][i].contains(&name.name));
            if total == own {
                out.push(Located::new(
                    name.span.file,
                    Diagnostic::Unused {
                        kind: item.kind().to_string(),
                        name: name.name.clone(),
                        span: name.span.into(),
                        help: Some("remove it, or use it in an experiment".into()),
                    },
                ));
            }
        }
    }
    for item in &root.module.items {
        let Item::Experiment(e) = item else { continue };
        let mut used = HashSet::new();
        for s in &e.stmts {
            match s {
                ExpStmt::Key { value, .. } | ExpStmt::Arm { value, .. } => names(value, &mut used),
                ExpStmt::Vary { .. } => {}
            }
        }
        for s in &e.stmts {
            if let ExpStmt::Vary { name, .. } = s {
                if !used.contains(&name.name) {
                    out.push(Located::new(name.span.file, Diagnostic::Unused {
                            kind: "vary axis".into(),
                            name: name.name.clone(),
                            span: name.span.into(),
                            help: Some(format!(
                                "pass it somewhere, e.g. `network: two_layer({})`; otherwise its cells are identical",
                                name.name
                            )),
                        }));
                }
            }
        }
    }
    out
}

fn item_names(item: &Item, out: &mut HashSet<String>) {
    let params = |ps: &Option<Vec<Param>>, out: &mut HashSet<String>| {
        for p in ps.iter().flatten() {
            if let Some(d) = &p.default {
                names(d, out);
            }
        }
    };
    match item {
        Item::Import(_) => {}
        Item::Data(d) => names(&d.value, out),
        Item::Schedule(s) => {
            params(&s.params, out);
            names(&s.body, out);
        }
        Item::Network(n) => {
            params(&n.params, out);
            n.layers.iter().for_each(|l| names(l, out));
        }
        Item::Policy(p) => {
            params(&p.params, out);
            for s in &p.stmts {
                match s {
                    PolicyStmt::Every { value, .. } => names(value, out),
                    PolicyStmt::When { cond, actions, .. } => {
                        names(cond, out);
                        for a in actions {
                            if let Action::Set { value, .. } = a {
                                names(value, out);
                            }
                        }
                    }
                    PolicyStmt::Clamp { lo, hi, .. } => {
                        names(lo, out);
                        names(hi, out);
                    }
                }
            }
        }
        Item::Experiment(e) => {
            for s in &e.stmts {
                match s {
                    ExpStmt::Key { value, .. }
                    | ExpStmt::Arm { value, .. }
                    | ExpStmt::Vary { values: value, .. } => names(value, out),
                }
            }
        }
    }
}

/// Every name an expression mentions (identifiers and callees).
pub fn names(e: &Expr, out: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::Ident(n) => {
            out.insert(n.clone());
        }
        ExprKind::Call { name, args } => {
            out.insert(name.name.clone());
            args.iter().for_each(|a| names(&a.value, out));
        }
        ExprKind::List(items) => items.iter().for_each(|i| names(i, out)),
        ExprKind::Paren(x) | ExprKind::Unary { expr: x, .. } => names(x, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            names(lhs, out);
            names(rhs, out);
        }
        _ => {}
    }
}
