//! One diagnostic per mistake. A mistake inside a definition is found again
//! at every use of the definition (each experiment, each cell, each arm);
//! reporting it each time would print one mistake many times and make the
//! "N errors" count lie. Instead a second finding of a mistake already
//! recorded is folded into the first: its use becomes one more label.
//!
//! Two findings are the same mistake when
//! - they are the same diagnostic at the same place (an unknown layer in a
//!   network used by two experiments): the new use is added to `uses`; or
//! - they come from the same use of a definition and say the same thing at
//!   two places inside it (`dense(h) dense(h)` called with `h: 0`): the
//!   second place is added to `also`.

use super::render::Located;
use miette::Diagnostic as _;

/// Fold `new` into `list`: `true` when it was a mistake already recorded
/// (then `list` holds the new use or place), `false` when it is new.
pub fn fold(list: &mut [Located], new: &Located) -> bool {
    if let Some(first) = list.iter_mut().find(|d| same_place(d, new)) {
        for site in new.context.iter().chain(&new.uses) {
            if first.context.as_ref() != Some(site) && !first.uses.contains(site) {
                first.uses.push(site.clone());
            }
        }
        return true;
    }
    if let Some(first) = list.iter_mut().find(|d| same_use(d, new)) {
        let place = primary(new);
        if place.is_some_and(|p| Some(p) != primary(first) && !first.also.contains(&p)) {
            first.also.extend(place);
        }
        return true;
    }
    false
}

/// The same diagnostic, at the same place, of the same file.
fn same_place(a: &Located, b: &Located) -> bool {
    a.file == b.file && format!("{:?}", a.diagnostic) == format!("{:?}", b.diagnostic)
}

/// The same message from the same use of a definition, at another place
/// inside it.
fn same_use(a: &Located, b: &Located) -> bool {
    a.file == b.file
        && b.context.is_some()
        && a.context == b.context
        && a.diagnostic.code_name() == b.diagnostic.code_name()
        && a.diagnostic.to_string() == b.diagnostic.to_string()
        && a.diagnostic.help().map(|h| h.to_string()) == b.diagnostic.help().map(|h| h.to_string())
}

/// Offset and length of the first label.
fn primary(d: &Located) -> Option<(usize, usize)> {
    d.diagnostic
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| (l.offset(), l.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{CallSite, Diagnostic};
    use crate::source::FileId;

    fn unknown_layer(at: usize, site: Option<usize>) -> Located {
        let mut l = Located::new(
            FileId(0),
            Diagnostic::UnknownLayer {
                name: "rleu".into(),
                span: (at, 4).into(),
                help: None,
            },
        );
        l.context = site.map(|offset| CallSite {
            file: FileId(0),
            offset,
            len: 3,
            call: "used here".into(),
        });
        l
    }

    #[test]
    fn a_mistake_found_at_two_uses_is_one_diagnostic_with_both_uses() {
        let mut list = vec![unknown_layer(10, None)];
        assert!(fold(&mut list, &unknown_layer(10, Some(50))));
        assert!(fold(&mut list, &unknown_layer(10, Some(90))));
        assert!(fold(&mut list, &unknown_layer(10, Some(90))));
        assert_eq!(list[0].uses.len(), 2);
        // Another place is another mistake.
        assert!(!fold(&mut list, &unknown_layer(20, None)));
    }

    #[test]
    fn one_bad_argument_reaching_two_places_is_one_diagnostic() {
        let mut list = vec![unknown_layer(10, Some(50))];
        assert!(fold(&mut list, &unknown_layer(20, Some(50))));
        assert_eq!(list[0].also, vec![(20, 4)]);
        // The same message from another use is a mistake of its own.
        assert!(!fold(&mut list, &unknown_layer(30, Some(70))));
    }
}
