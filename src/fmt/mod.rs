//! `regime fmt`: one canonical layout for `.reg` files, every comment kept
//! where it was written.
//!
//! The tree is printed back token by token (`items.rs`) by a printer that
//! keeps a cursor in the source and anchors each comment by its position
//! (`printer.rs`): a comment is printed between the same two tokens it was
//! written between, on its own line or at the end of one as it was. Runs of
//! blank lines between statements collapse to one and blank lines at the
//! start and end of a block are dropped; everything else follows from the
//! tree and the comments, so formatting twice gives the same text.

mod flat;
mod items;
mod printer;

pub use flat::{expr, policy_stmt};

use crate::diagnostics::Diagnostics;
use crate::source::Sources;
use crate::syntax::ast::Module;

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
    let mut p = printer::Printer::new(text);
    for item in &module.items {
        p.item(item);
    }
    p.finish()
}
