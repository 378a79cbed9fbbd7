//! "Already reported" as a type. A `Reported` is proof that an error
//! diagnostic was emitted (like rustc's `ErrorGuaranteed`): only `Emitter`
//! can make one, and only when it holds an error. A checking function that
//! gives up returns `Err(Reported)`, so a value (or a whole experiment)
//! cannot be dropped without an error to show for it.
//!
//! The emitter also keeps a mistake from being reported twice: a finding
//! it already holds (the same mistake met again at another use of a
//! definition) is folded into the first report as one more label, and the
//! proof is handed out without a second diagnostic (see `once.rs`).

use super::Located;

/// Proof that an error was reported. Cannot be built outside this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported(());

/// The diagnostics of one checking pass; the only maker of `Reported`.
#[derive(Debug, Default)]
pub struct Emitter {
    list: Vec<Located>,
    /// An error reported before this pass began (parse errors, duplicate
    /// definitions), which later stages may rely on without repeating it.
    earlier_error: bool,
}

impl Emitter {
    /// A pass that runs after `earlier` diagnostics were found.
    pub fn after(earlier: &[Located]) -> Emitter {
        Emitter {
            list: vec![],
            earlier_error: earlier.iter().any(|d| d.diagnostic.is_error()),
        }
    }

    /// Record an error (or, for a mistake already recorded, its new use);
    /// the proof that it was.
    pub fn error(&mut self, located: Located) -> Reported {
        debug_assert!(
            located.diagnostic.is_error(),
            "a warning reported as an error: {:?}",
            located.diagnostic
        );
        self.record(located);
        Reported(())
    }

    fn record(&mut self, located: Located) {
        if !super::once::fold(&mut self.list, &located) {
            self.list.push(located);
        }
    }

    /// Record a warning.
    pub fn warning(&mut self, located: Located) {
        debug_assert!(
            !located.diagnostic.is_error(),
            "an error reported as a warning: {:?}",
            located.diagnostic
        );
        self.record(located);
    }

    /// Proof of an error reported so far, in this pass or before it.
    pub fn has_errors(&self) -> Option<Reported> {
        (self.earlier_error || self.list.iter().any(|d| d.diagnostic.is_error()))
            .then_some(Reported(()))
    }

    pub fn into_vec(self) -> Vec<Located> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostic;
    use crate::source::FileId;

    #[test]
    fn proof_only_after_an_error() {
        let mut d = Emitter::default();
        assert_eq!(d.has_errors(), None);
        let r = d.error(Located::new(
            FileId(0),
            Diagnostic::Recursive {
                name: "x".into(),
                span: (0, 1).into(),
            },
        ));
        assert_eq!(d.has_errors(), Some(r));
        assert_eq!(d.into_vec().len(), 1);
    }

    /// Reporting a mistake already reported gives the proof again and
    /// records the new use, never a second diagnostic.
    #[test]
    fn a_mistake_is_recorded_once() {
        use crate::diagnostics::CallSite;
        let mut d = Emitter::default();
        let at_use = |offset: usize| {
            let mut l = Located::new(
                FileId(0),
                Diagnostic::Recursive {
                    name: "x".into(),
                    span: (0, 1).into(),
                },
            );
            l.context = Some(CallSite {
                file: FileId(0),
                offset,
                len: 1,
                call: "used here".into(),
            });
            l
        };
        let first = d.error(at_use(10));
        let again = d.error(at_use(20));
        assert_eq!(first, again);
        let list = d.into_vec();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].uses.len(), 1);
    }
}
