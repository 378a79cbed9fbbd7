//! Comparing trees without positions (typst-syntax's `spanless_eq`): "the
//! same program" for the formatter's property tests. `==` on the tree
//! compares spans too; `spanless_eq` resets every span first.

use super::ast::*;

/// Whether two modules are the same program, wherever their text sits.
pub fn spanless_eq(a: &Module, b: &Module) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.erase();
    b.erase();
    a == b
}

/// Reset every span in a tree to `Span::default()`.
trait Erase {
    fn erase(&mut self);
}

impl Erase for Span {
    fn erase(&mut self) {
        *self = Span::default();
    }
}

impl<T: Erase> Erase for Vec<T> {
    fn erase(&mut self) {
        self.iter_mut().for_each(Erase::erase);
    }
}

impl<T: Erase> Erase for Option<T> {
    fn erase(&mut self) {
        if let Some(x) = self {
            x.erase();
        }
    }
}

impl<T: Erase> Erase for Box<T> {
    fn erase(&mut self) {
        (**self).erase();
    }
}

impl Erase for Module {
    fn erase(&mut self) {
        self.items.erase();
    }
}

impl Erase for Ident {
    fn erase(&mut self) {
        self.span.erase();
    }
}

impl Erase for Braces {
    fn erase(&mut self) {
        self.open.erase();
        self.close.erase();
    }
}

impl Erase for Item {
    fn erase(&mut self) {
        match self {
            Item::Import(i) => {
                i.path_span.erase();
                i.span.erase();
            }
            Item::Data(d) => {
                d.name.erase();
                d.value.erase();
                d.span.erase();
            }
            Item::Network(n) => {
                n.name.erase();
                n.params.erase();
                n.layers.erase();
                n.braces.erase();
                n.span.erase();
            }
            Item::Schedule(s) => {
                s.name.erase();
                s.params.erase();
                s.body.erase();
                s.span.erase();
            }
            Item::Policy(p) => {
                p.name.erase();
                p.params.erase();
                p.stmts.erase();
                p.braces.erase();
                p.span.erase();
            }
            Item::Experiment(e) => {
                e.name.erase();
                e.stmts.erase();
                e.braces.erase();
                e.span.erase();
            }
        }
    }
}

impl Erase for Param {
    fn erase(&mut self) {
        self.name.erase();
        self.default.erase();
        self.span.erase();
    }
}

impl Erase for PolicyStmt {
    fn erase(&mut self) {
        match self {
            PolicyStmt::Every { value, span } => {
                value.erase();
                span.erase();
            }
            PolicyStmt::When {
                cond,
                actions,
                span,
            } => {
                cond.erase();
                actions.erase();
                span.erase();
            }
            PolicyStmt::Clamp {
                target,
                lo,
                hi,
                span,
            } => {
                target.erase();
                lo.erase();
                hi.erase();
                span.erase();
            }
        }
    }
}

impl Erase for Action {
    fn erase(&mut self) {
        match self {
            Action::Stop { span } => span.erase(),
            Action::Set {
                target,
                value,
                span,
                ..
            } => {
                target.erase();
                value.erase();
                span.erase();
            }
        }
    }
}

impl Erase for ExpStmt {
    fn erase(&mut self) {
        match self {
            ExpStmt::Key {
                key, value, span, ..
            } => {
                key.erase();
                value.erase();
                span.erase();
            }
            ExpStmt::Vary { name, values, span } => {
                name.erase();
                values.erase();
                span.erase();
            }
            ExpStmt::Arm {
                name,
                target,
                value,
                span,
            } => {
                name.erase();
                target.erase();
                value.erase();
                span.erase();
            }
        }
    }
}

impl Erase for Expr {
    fn erase(&mut self) {
        self.span.erase();
        match &mut self.kind {
            ExprKind::Number { .. }
            | ExprKind::Duration { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Ident(_) => {}
            ExprKind::List(items) => items.erase(),
            ExprKind::Call { name, args } => {
                name.erase();
                args.erase();
            }
            ExprKind::Paren(inner) => inner.erase(),
            ExprKind::Unary { expr, .. } => expr.erase(),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.erase();
                rhs.erase();
            }
        }
    }
}

impl Erase for Arg {
    fn erase(&mut self) {
        self.name.erase();
        self.value.erase();
        self.span.erase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn positions_do_not_matter_to_spanless_eq_but_do_to_eq() {
        let (a, _) = crate::syntax::parse(FileId(0), "schedule s = 1\n");
        let (b, _) = crate::syntax::parse(FileId(0), "\n\nschedule   s = 1\n");
        let (c, _) = crate::syntax::parse(FileId(0), "schedule s = 2\n");
        assert!(spanless_eq(&a, &b));
        assert_ne!(a, b);
        assert!(!spanless_eq(&a, &c));
    }
}
