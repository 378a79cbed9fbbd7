//! Every builtin of the `.reg` language in one place: layers, data sources,
//! normalizations, optimizers, penalties, initialisations, samplings,
//! schedules, metrics and the functions rules may call. One entry each:
//! name, parameters (type and unit, default, range), a one-line doc and a
//! longer explanation. The checker takes names, parameter lists and help
//! lines from here; `regime explain NAME` prints an entry; a test holds
//! docs/language.md to these tables.
//!
//! Adding a builtin: a variant and an entry in `table.rs`, its check (the
//! compiler points at every `match` over the kind), its engine
//! implementation, and tests. Pure data: this module depends on nothing.

mod table;
mod training;

pub use table::*;
pub use training::*;

/// One parameter of a builtin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// What it takes, with its unit: "a whole number", "a duration", ...
    pub ty: &'static str,
    /// `None`: required; `Some("")`: optional, absent by default.
    pub default: Option<&'static str>,
    /// Allowed values, in words ("in [0, 1)"); empty when any value of the type is.
    pub range: &'static str,
}

impl Param {
    pub fn required(&self) -> bool {
        self.default.is_none()
    }
}

/// A builtin's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub name: &'static str,
    pub params: &'static [Param],
    /// How it is written in a help line (`conv(filters, size, stride, pad)`).
    pub usage: &'static str,
    /// One line.
    pub doc: &'static str,
    /// A paragraph or two, for `regime explain NAME`.
    pub explain: &'static str,
}

impl Entry {
    /// Parameter names, in order (positional arguments bind in this order).
    pub fn param_names(&self) -> Vec<&'static str> {
        self.params.iter().map(|p| p.name).collect()
    }

    /// Names of the required parameters.
    pub fn required(&self) -> Vec<&'static str> {
        self.params
            .iter()
            .filter(|p| p.required())
            .map(|p| p.name)
            .collect()
    }

    /// `name(required, optional = default, ...)`, as docs/language.md writes it.
    pub fn signature(&self) -> String {
        if self.params.is_empty() {
            return self.name.to_string();
        }
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match p.default {
                None | Some("") => p.name.to_string(),
                Some(d) => format!("{} = {d}", p.name),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }

    /// The entry as `regime explain NAME` prints it.
    pub fn render(&self, kind: &str) -> String {
        let mut out = format!("{} ({kind}): {}\n\n", self.usage, self.doc);
        if !self.params.is_empty() {
            out.push_str("Parameters:\n");
            for p in self.params {
                let default = match p.default {
                    None => "required".to_string(),
                    Some("") => "optional".to_string(),
                    Some(d) => format!("default {d}"),
                };
                let range = if p.range.is_empty() {
                    String::new()
                } else {
                    format!(", {}", p.range)
                };
                out.push_str(&format!("  {}: {}{range} ({default})\n", p.name, p.ty));
            }
            out.push('\n');
        }
        out.push_str(self.explain);
        if !self.explain.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// A kind of builtin, with its table.
pub trait Builtin: Copy + Sized + 'static {
    /// What it is, in words ("layer", "data source").
    const KIND: &'static str;
    const ALL: &'static [Self];
    /// Names other tools use for a builtin (`glorot` for `xavier`): never
    /// accepted, only suggested when a name is unknown.
    const ALIASES: &'static [(&'static str, Self)];
    fn entry(self) -> &'static Entry;

    fn name(self) -> &'static str {
        self.entry().name
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// The builtin an unknown `name` most likely means: another tool's
    /// name for it (`glorot` → `xavier`) or its name in other capitals
    /// (`ReLU` → `relu`).
    fn alias_of(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        Self::ALIASES
            .iter()
            .find(|(a, _)| *a == lower)
            .map(|(_, b)| *b)
            .or_else(|| Self::from_name(&lower))
    }

    /// A help line for an unknown `name` that is an alias, if it is one.
    fn alias_help(name: &str) -> Option<String> {
        let b = Self::alias_of(name)?;
        Some(if b.name() == name.to_ascii_lowercase() {
            format!("did you mean `{}`? names are lower case", b.name())
        } else {
            format!(
                "did you mean `{}`? (what other tools call `{name}`)",
                b.name()
            )
        })
    }

    /// Every name, in table order.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|b| b.name()).collect()
    }

    /// The usages joined for a help line: `dense(n), relu, ...`.
    fn usages() -> String {
        Self::ALL
            .iter()
            .map(|b| b.entry().usage)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every entry with its kind, for `regime explain` and the docs test.
pub fn all() -> Vec<(&'static str, &'static Entry)> {
    fn of<B: Builtin>(out: &mut Vec<(&'static str, &'static Entry)>) {
        out.extend(B::ALL.iter().map(|b| (B::KIND, b.entry())));
    }
    let mut out = vec![];
    of::<Layer>(&mut out);
    of::<Source>(&mut out);
    of::<Normalization>(&mut out);
    of::<Optimizer>(&mut out);
    of::<Penalty>(&mut out);
    of::<Init>(&mut out);
    of::<Sampling>(&mut out);
    of::<Schedule>(&mut out);
    of::<Func>(&mut out);
    of::<History>(&mut out);
    of::<MetricName>(&mut out);
    out
}

/// `regime explain NAME` for a builtin: every entry of that name (`none`
/// is both a penalty and a normalization).
pub fn explain(name: &str) -> Option<String> {
    let hits: Vec<String> = all()
        .into_iter()
        .filter(|(_, e)| e.name == name)
        .map(|(kind, e)| e.render(kind))
        .collect();
    (!hits.is_empty()).then(|| hits.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_within_a_kind_and_entries_complete() {
        for (kind, e) in all() {
            assert!(
                !e.doc.is_empty() && !e.explain.is_empty(),
                "{kind} {}",
                e.name
            );
            assert!(e.usage.starts_with(e.name), "{kind} {}", e.name);
            let same = all()
                .into_iter()
                .filter(|(k, x)| *k == kind && x.name == e.name)
                .count();
            assert_eq!(same, 1, "{kind} {} twice", e.name);
        }
    }

    #[test]
    fn aliases_are_not_names_and_are_found() {
        fn check<B: Builtin>() {
            for (alias, target) in B::ALIASES {
                assert!(
                    B::from_name(alias).is_none(),
                    "{alias} is a {} name",
                    B::KIND
                );
                assert_eq!(alias.to_ascii_lowercase(), *alias);
                assert_eq!(B::alias_of(alias).map(|b| b.name()), Some(target.name()));
            }
        }
        check::<Layer>();
        check::<Source>();
        check::<Normalization>();
        check::<Optimizer>();
        check::<Penalty>();
        check::<Init>();
        check::<Sampling>();
        check::<Schedule>();
        check::<History>();
        assert_eq!(Init::alias_of("glorot"), Some(Init::Xavier));
        assert_eq!(Layer::alias_of("ReLU"), Some(Layer::Relu));
        assert_eq!(Init::alias_of("banana"), None);
    }

    #[test]
    fn the_metric_table_is_the_plan_s_metrics() {
        let plan: Vec<&str> = crate::plan::Metric::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(MetricName::names(), plan);
    }
}
