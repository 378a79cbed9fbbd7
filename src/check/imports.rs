//! Loading a root file and everything it imports: `std/...` from the
//! standard library embedded in the binary, other paths relative to the
//! importing file. Missing files and cycles are reported at the import.

use crate::diagnostics::{closest, Diagnostic, Located};
use crate::source::{FileId, Sources};
use crate::syntax::ast::{Item, Module, Span};
use std::path::{Path, PathBuf};

/// The bundled standard library: import name and text.
pub const STDLIB: &[(&str, &str)] = &[
    ("std/policies", include_str!("../../stdlib/policies.reg")),
    ("std/schedules", include_str!("../../stdlib/schedules.reg")),
    ("std/networks", include_str!("../../stdlib/networks.reg")),
];

/// A parsed file.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: FileId,
    pub module: Module,
}

/// The root file (always `FileId(0)`, first in `modules`) and its imports, in load order.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub sources: Sources,
    pub modules: Vec<Loaded>,
    pub diags: Vec<Located>,
    /// The absolute directory of each file, by `FileId` (`None` for the
    /// standard library and text checked without a directory): relative
    /// data paths are resolved against the file that writes them.
    pub dirs: Vec<Option<PathBuf>>,
}

/// `dir` made absolute against the working directory (`""` is the working
/// directory itself), without touching the filesystem.
fn absolute_dir(dir: &Path) -> Option<PathBuf> {
    if dir.as_os_str().is_empty() {
        return std::env::current_dir().ok();
    }
    std::path::absolute(dir).ok()
}

/// Load `text` (named `name`, living in directory `dir` for relative
/// imports) and, recursively, what it imports.
pub fn load(name: &str, text: &str, dir: Option<&Path>) -> Program {
    let mut loader = Loader {
        program: Program::default(),
        stack: vec![],
        done: vec![],
    };
    let key = dir
        .map(|d| d.join(Path::new(name).file_name().unwrap_or_default()))
        .map(|p| p.canonicalize().unwrap_or(p).to_string_lossy().to_string())
        .unwrap_or_else(|| name.to_string());
    loader.file(name, text.to_string(), dir.map(Path::to_path_buf), key);
    loader.program
}

struct Loader {
    program: Program,
    /// Keys of files being loaded (for cycles), with the import chain names.
    stack: Vec<(String, String)>,
    done: Vec<String>,
}

impl Loader {
    fn file(&mut self, name: &str, text: String, dir: Option<PathBuf>, key: String) {
        let file = self.program.sources.add(name, text.clone());
        let dirs = &mut self.program.dirs;
        dirs.resize(file.0 as usize, None);
        dirs.push(dir.as_deref().and_then(absolute_dir));
        let (module, diags) = crate::syntax::parse(file, &text);
        self.program.diags.extend(diags);
        self.stack.push((key.clone(), name.to_string()));
        let imports: Vec<(String, Span)> = module
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Import(imp) => Some((imp.path.clone(), imp.path_span)),
                _ => None,
            })
            .collect();
        self.program.modules.push(Loaded { file, module });
        for (path, span) in imports {
            self.import(&path, span, dir.as_deref());
        }
        self.stack.pop();
        self.done.push(key);
    }

    fn import(&mut self, path: &str, span: Span, dir: Option<&Path>) {
        let (key, display, text, next_dir) = if let Some(rest) = path.strip_prefix("std/") {
            let wanted = format!("std/{}", rest.trim_end_matches(".reg"));
            match STDLIB.iter().find(|(n, _)| *n == wanted) {
                Some((n, t)) => (n.to_string(), n.to_string(), t.to_string(), None),
                None => {
                    self.error(
                        span,
                        Diagnostic::UnknownImport {
                            path: path.to_string(),
                            span: span.into(),
                            help: module_help(&wanted),
                        },
                    );
                    return;
                }
            }
        } else {
            let base = dir.map(Path::to_path_buf).unwrap_or_default();
            let mut full = base.join(path);
            if full.extension().is_none() {
                full.set_extension("reg");
            }
            let key = full
                .canonicalize()
                .unwrap_or_else(|_| full.clone())
                .to_string_lossy()
                .to_string();
            if self.in_progress(&key) {
                return self.cycle(&key, span);
            }
            if self.done.contains(&key) {
                return;
            }
            match crate::syntax::decode::read(&full) {
                Ok(t) => {
                    let next = full.parent().map(Path::to_path_buf);
                    (key, tidy(&full), t, next)
                }
                Err(unreadable) => {
                    let diagnostic = unreadable.at_import(&tidy(&full), span.into());
                    self.error(span, diagnostic);
                    return;
                }
            }
        };
        if self.in_progress(&key) {
            return self.cycle(&key, span);
        }
        if self.done.contains(&key) {
            return;
        }
        self.file(&display, text, next_dir, key);
    }

    fn in_progress(&self, key: &str) -> bool {
        self.stack.iter().any(|(k, _)| k == key)
    }

    /// invariant: only called when `in_progress(key)`, so `key` is on the stack.
    fn cycle(&mut self, key: &str, span: Span) {
        let start = self.stack.iter().position(|(k, _)| k == key).unwrap_or(0);
        let mut chain: Vec<String> = self.stack[start..].iter().map(|(_, n)| n.clone()).collect();
        chain.push(self.stack[start].1.clone());
        // A file importing itself has nothing to split.
        let (label, help) = match chain.len() {
            2 => (
                "the file imports itself",
                "a file's own definitions are always in scope; remove this import",
            ),
            3 => (
                "this import closes the cycle",
                "move the definitions both files need into a third file that both import",
            ),
            _ => (
                "this import closes the cycle",
                "move the definitions the files share into one more file that each of them imports",
            ),
        };
        self.error(
            span,
            Diagnostic::ImportCycle {
                chain: chain.join(" → "),
                span: span.into(),
                label: label.into(),
                help: Some(help.into()),
            },
        );
    }

    fn error(&mut self, span: Span, diagnostic: Diagnostic) {
        self.program.diags.push(Located::new(span.file, diagnostic));
    }
}

/// A close standard module's name (compared without the shared `std/`,
/// which would make every name look close), else the list of them.
fn module_help(wanted: &str) -> Option<String> {
    let stem = wanted.trim_start_matches("std/");
    let stems = STDLIB.iter().map(|(n, _)| n.trim_start_matches("std/"));
    Some(match closest(stem, stems) {
        Some(s) => format!("did you mean `std/{s}`?"),
        None => format!("the standard library has: {}", stdlib_names()),
    })
}

fn stdlib_names() -> String {
    STDLIB
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A path without `.` components and with `dir/..` pairs folded, for display.
fn tidy(path: &Path) -> String {
    use std::path::Component;
    let mut out: Vec<Component> = vec![];
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter()
        .collect::<PathBuf>()
        .to_string_lossy()
        .to_string()
}
