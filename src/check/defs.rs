//! The namespace of a program: every `data`, `network`, `schedule` and
//! `policy` of the root file and its imports, by name. A name defined twice
//! in one file, or by two imported files, is reported with both places; a
//! definition of the root file shadows an imported one.

use super::imports::Program;
use crate::diagnostics::{Diagnostic, Located};
use crate::source::FileId;
use crate::syntax::ast::*;
use std::collections::HashMap;

/// The file being checked (loaded first).
const ROOT: FileId = FileId(0);

#[derive(Debug, Clone, Copy)]
pub enum Def<'a> {
    Data(&'a DataDef),
    Network(&'a NetworkDef),
    Schedule(&'a ScheduleDef),
    Policy(&'a PolicyDef),
}

impl Def<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Def::Data(_) => "data",
            Def::Network(_) => "network",
            Def::Schedule(_) => "schedule",
            Def::Policy(_) => "policy",
        }
    }
}

#[derive(Debug, Default)]
pub struct Defs<'a> {
    pub map: HashMap<String, Def<'a>>,
    /// Definitions that failed to parse (see `Module::broken`).
    pub broken: Vec<String>,
}

impl<'a> Defs<'a> {
    pub fn collect(program: &'a Program, diags: &mut Vec<Located>) -> Defs<'a> {
        let mut map: HashMap<String, (Def<'a>, Span)> = HashMap::new();
        for m in &program.modules {
            for item in &m.module.items {
                let def = match item {
                    Item::Data(d) => Def::Data(d),
                    Item::Network(n) => Def::Network(n),
                    Item::Schedule(s) => Def::Schedule(s),
                    Item::Policy(p) => Def::Policy(p),
                    _ => continue,
                };
                let Some(name) = item.name() else { continue };
                if let Some((_, first)) = map.get(&name.name) {
                    // The root file shadows what it imports, like a local
                    // item shadows a glob import in Rust: redefining a
                    // library policy in place is allowed.
                    if first.file == ROOT && name.span.file != ROOT {
                        continue;
                    }
                    diags.push(duplicate(
                        program,
                        item.kind(),
                        &name.name,
                        *first,
                        name.span,
                    ));
                    continue;
                }
                map.insert(name.name.clone(), (def, name.span));
            }
        }
        Defs {
            map: map.into_iter().map(|(k, (d, _))| (k, d)).collect(),
            broken: program
                .modules
                .iter()
                .flat_map(|m| m.module.broken.iter().cloned())
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<Def<'a>> {
        self.map.get(name).copied()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    pub fn names_of(&self, kind: &'static str) -> Vec<&str> {
        self.map
            .iter()
            .filter(|(_, d)| d.kind() == kind)
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

/// A duplicate name; when the first one lives in another file, say where.
pub fn duplicate(program: &Program, kind: &str, name: &str, first: Span, second: Span) -> Located {
    let same_file = first.file == second.file;
    Located::new(
        second.file,
        Diagnostic::Duplicate {
            kind: kind.to_string(),
            name: name.to_string(),
            first: same_file.then(|| first.into()),
            second: second.into(),
            help: if same_file {
                Some("rename one of them".into())
            } else {
                Some(format!(
                    "`{name}` is also defined in `{}`; rename one of them",
                    program.sources.name(first.file)
                ))
            },
        },
    )
}
