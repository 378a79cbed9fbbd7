//! The document's outline: every item with its parameters, `vary` axes and
//! arms as children.

use super::analysis::Analysis;
use super::index::{Def, DefKind};
use crate::syntax::ast::Item;
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn symbols(a: &Analysis) -> Vec<DocumentSymbol> {
    let Some(root) = a.program().modules.first() else {
        return vec![];
    };
    root.module
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Import(i) => Some(symbol(
                a,
                &i.path,
                SymbolKind::FILE,
                i.span,
                i.path_span,
                vec![],
            )),
            _ => {
                let d = a.index.def_of_item(item)?;
                let def = &a.index.defs[d];
                let children = a
                    .index
                    .children(d)
                    .map(|(_, c)| def_symbol(a, c, vec![]))
                    .collect();
                Some(def_symbol(a, def, children))
            }
        })
        .collect()
}

fn def_symbol(a: &Analysis, def: &Def, children: Vec<DocumentSymbol>) -> DocumentSymbol {
    let kind = match def.kind {
        DefKind::Data => SymbolKind::VARIABLE,
        DefKind::Network => SymbolKind::CLASS,
        DefKind::Schedule => SymbolKind::FUNCTION,
        DefKind::Policy => SymbolKind::INTERFACE,
        DefKind::Experiment => SymbolKind::MODULE,
        DefKind::Param => SymbolKind::TYPE_PARAMETER,
        DefKind::Axis => SymbolKind::ENUM,
        DefKind::Arm => SymbolKind::FIELD,
    };
    let mut s = symbol(a, &def.name, kind, def.span, def.name_span, children);
    s.detail = Some(def.kind.word().to_string());
    s
}

fn symbol(
    a: &Analysis,
    name: &str,
    kind: SymbolKind,
    span: crate::syntax::ast::Span,
    name_span: crate::syntax::ast::Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a required field of the type.
    DocumentSymbol {
        name: name.to_string(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: a.span_range(span.to(name_span)),
        selection_range: a.span_range(name_span),
        children: (!children.is_empty()).then_some(children),
    }
}
