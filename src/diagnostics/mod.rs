//! Every diagnostic regime can report, with its stable code
//! (`regime::<name>`), labels and help. `regime explain CODE` prints the long
//! text from `explain/`; `render.rs` turns a batch into text, `json.rs`
//! into JSON; `suggest.rs` turns suggestions into edits.

mod explain;
mod json;
mod once;
mod render;
mod reported;
mod suggest;

pub use explain::{explain, ALL_CODES, RUNTIME_CODES, SOURCE_CODES};
pub use render::{CallSite, Diagnostics, Located};
pub use reported::{Emitter, Reported};
pub use suggest::Edit;

use miette::{LabeledSpan, SourceSpan};

/// One problem found in a source file. Errors stop a run; warnings do not.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum Diagnostic {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(regime::syntax))]
    Syntax {
        expected: String,
        found: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unclosed `{{` of {kind} `{name}`, opened at {line}:{column}")]
    #[diagnostic(code(regime::syntax))]
    Unclosed {
        kind: String,
        name: String,
        line: usize,
        column: usize,
        #[label("opened here")]
        open: SourceSpan,
        #[label("{end_label}")]
        end: SourceSpan,
        end_label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown {kind} `{name}`")]
    #[diagnostic(code(regime::unknown_name))]
    UnknownName {
        kind: String,
        name: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown metric `{name}`")]
    #[diagnostic(code(regime::unknown_metric))]
    UnknownMetric {
        name: String,
        #[label("not a metric or a parameter")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{name}` cannot be read during training")]
    #[diagnostic(
        code(regime::sealed_metric),
        help(
            "test metrics stay sealed until a trial ends; steer on `val_acc` or `val_loss` instead"
        )
    )]
    SealedMetric {
        name: String,
        #[label("a test metric")]
        span: SourceSpan,
    },

    #[error("unknown layer `{name}`")]
    #[diagnostic(code(regime::unknown_layer))]
    UnknownLayer {
        name: String,
        #[label("not a layer")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown penalty `{name}`")]
    #[diagnostic(code(regime::unknown_penalty))]
    UnknownPenalty {
        name: String,
        #[label("not a penalty")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{callee}` has no argument `{name}`")]
    #[diagnostic(code(regime::unknown_argument))]
    UnknownArgument {
        name: String,
        callee: String,
        #[label("unknown argument")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown experiment key `{name}`")]
    #[diagnostic(code(regime::unknown_key))]
    UnknownKey {
        name: String,
        #[label("not an experiment key")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(regime::bad_override))]
    BadOverride {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown {kind} `{name}` in `--set`")]
    #[diagnostic(code(regime::unknown_override_key))]
    UnknownOverrideKey {
        kind: String,
        name: String,
        #[label("not {article} {kind}")]
        span: SourceSpan,
        article: &'static str,
        #[help]
        help: Option<String>,
    },

    #[error("`--set {key}` is ambiguous: the file has {count} experiments")]
    #[diagnostic(code(regime::ambiguous_override))]
    AmbiguousOverride {
        key: String,
        count: usize,
        #[label("which experiment's `{key}`?")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("no standard library module `{path}`")]
    #[diagnostic(code(regime::unknown_import))]
    UnknownImport {
        path: String,
        #[label("not in the standard library")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(regime::missing_file),
        help("local imports are resolved relative to the importing file")
    )]
    MissingFile {
        path: String,
        reason: String,
        #[label("imported here")]
        span: SourceSpan,
    },

    #[error("`{path}` is not a text file: a NUL byte at byte offset {offset}")]
    #[diagnostic(code(regime::binary_file))]
    BinaryFile {
        path: String,
        offset: usize,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("`{path}` is not valid UTF-8: byte 0x{byte:02X} at byte offset {offset}")]
    #[diagnostic(code(regime::invalid_utf8))]
    InvalidUtf8 {
        path: String,
        offset: usize,
        byte: u8,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("import cycle: {chain}")]
    #[diagnostic(code(regime::import_cycle))]
    ImportCycle {
        chain: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("`{callee}` needs the argument `{name}`")]
    #[diagnostic(code(regime::missing_argument))]
    MissingArgument {
        name: String,
        callee: String,
        #[label("`{name}` missing")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("argument `{name}` is given twice")]
    #[diagnostic(code(regime::duplicate_argument), help("remove one of them"))]
    DuplicateArgument {
        name: String,
        #[label("first given here")]
        first: SourceSpan,
        #[label("given again here")]
        second: SourceSpan,
    },

    #[error("`{callee}` takes at most {max} argument{plural}")]
    #[diagnostic(code(regime::too_many_arguments))]
    TooManyArguments {
        callee: String,
        max: usize,
        plural: &'static str,
        #[label("extra argument")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(regime::wrong_type))]
    WrongType {
        expected: String,
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(regime::wrong_unit))]
    WrongUnit {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(regime::bad_data_file))]
    BadDataFile {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("{what} must be {allowed}, found {value}")]
    #[diagnostic(code(regime::out_of_range))]
    OutOfRange {
        what: String,
        allowed: String,
        value: String,
        #[label("out of range")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("the number `{text}` is too large for a 64-bit float")]
    #[diagnostic(code(regime::float_overflow))]
    FloatOverflow {
        text: String,
        #[label("overflows to infinity")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{what} is empty")]
    #[diagnostic(code(regime::empty_list), help("give at least one value"))]
    EmptyList {
        what: String,
        #[label("empty list")]
        span: SourceSpan,
    },

    #[error("clamp bounds are reversed: {lo} > {hi}")]
    #[diagnostic(
        code(regime::bad_clamp),
        help("write the lower bound first: `clamp lambda in [{hi}, {lo}]`")
    )]
    BadClamp {
        lo: String,
        hi: String,
        #[label("lower bound above upper bound")]
        span: SourceSpan,
    },

    #[error("batch of {batch} is larger than the training set ({train} examples)")]
    #[diagnostic(code(regime::batch_too_large))]
    BatchTooLarge {
        batch: usize,
        train: usize,
        #[label("batch too large")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{layer} does not fit its input: {detail}")]
    #[diagnostic(code(regime::shape))]
    Shape {
        layer: String,
        detail: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("the network ends with {width} outputs but `{data}` has {classes} classes")]
    #[diagnostic(code(regime::class_mismatch))]
    ClassMismatch {
        width: usize,
        classes: usize,
        data: String,
        #[label("{width} outputs")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("{kind} `{name}` is defined twice")]
    #[diagnostic(code(regime::duplicate))]
    Duplicate {
        kind: String,
        name: String,
        #[label("first defined here")]
        first: Option<SourceSpan>,
        #[label("defined again here")]
        second: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("experiment `{experiment}` has no `{key}`")]
    #[diagnostic(code(regime::missing_key))]
    MissingKey {
        key: String,
        experiment: String,
        #[label("`{key}` missing")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{first_key}` and `{second_key}` cannot both be set")]
    #[diagnostic(code(regime::conflicting_keys), help("keep one of them"))]
    ConflictingKeys {
        first_key: String,
        second_key: String,
        #[label("set here")]
        first: SourceSpan,
        #[label("and here")]
        second: SourceSpan,
    },

    #[error("arms of `{experiment}` train for different numbers of iterations")]
    #[diagnostic(code(regime::budget_mismatch))]
    BudgetMismatch {
        experiment: String,
        #[label(collection)]
        arms: Vec<LabeledSpan>,
        #[help]
        help: Option<String>,
    },

    #[error("arm `{arm}` has no fixed length")]
    #[diagnostic(code(regime::no_budget))]
    NoBudget {
        arm: String,
        #[label("{why}")]
        span: SourceSpan,
        why: String,
        #[help]
        help: Option<String>,
    },

    #[error("{what} is too large to run {place}")]
    #[diagnostic(code(regime::too_large))]
    TooLarge {
        what: String,
        /// Where: `here` (`--on local`) or `on a Slurm cluster`.
        place: String,
        #[label("{estimate}")]
        span: SourceSpan,
        estimate: String,
        #[help]
        help: Option<String>,
    },

    #[error(
        "{kind} name `{name}` makes trial ids of {length} bytes; at most {max} fit in a file name"
    )]
    #[diagnostic(code(regime::name_too_long))]
    NameTooLong {
        kind: String,
        name: String,
        length: usize,
        max: usize,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("the data set changes between cells of `{experiment}`")]
    #[diagnostic(
        code(regime::varying_data),
        help("every trial of an experiment trains on the same data; write one experiment per data set")
    )]
    VaryingData {
        experiment: String,
        #[label("depends on a `vary` axis")]
        span: SourceSpan,
    },

    #[error("`{name}` refers to itself")]
    #[diagnostic(
        code(regime::recursive),
        help("a schedule or network cannot call itself, directly or through another definition")
    )]
    Recursive {
        name: String,
        #[label("recursive use")]
        span: SourceSpan,
    },

    #[error("{kind} `{name}` is never used")]
    #[diagnostic(code(regime::unused), severity(Warning))]
    Unused {
        kind: String,
        name: String,
        #[label("defined here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("the schedule of arm `{arm}` is cut short")]
    #[diagnostic(
        code(regime::schedule_truncated),
        severity(Warning),
        help("the experiment's `iters`/`epochs` stop training before the schedule ends; drop them to train each arm for its schedule's length, or shorten the schedule")
    )]
    ScheduleTruncated {
        arm: String,
        length: u64,
        iters: u64,
        #[label("lasts {length} iterations, but the arm trains {iters}")]
        span: SourceSpan,
    },

    #[error("`target` must compare a curve metric with a number")]
    #[diagnostic(code(regime::bad_target))]
    BadTarget {
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("policy `{policy}` never acts: it checks every {every} iterations and the arm trains {iters}")]
    #[diagnostic(code(regime::policy_never_acts), severity(Warning))]
    PolicyNeverActs {
        policy: String,
        every: u64,
        iters: u64,
        #[label("λ stays at its start value")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("checks every {every} iterations, but the trials train {iters}")]
    #[diagnostic(code(regime::checks_exceed_budget), severity(Warning))]
    ChecksExceedBudget {
        every: u64,
        iters: u64,
        #[label("no check before the end")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("this rule can never fire: {reason}")]
    #[diagnostic(code(regime::rule_never_fires), severity(Warning))]
    RuleNeverFires {
        reason: String,
        #[label("always false")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("this rule is shadowed by an earlier one")]
    #[diagnostic(
        code(regime::rule_shadowed),
        severity(Warning),
        help("the first rule that matches at a check applies; whenever this one matches, the earlier one matches too, so this one never runs")
    )]
    RuleShadowed {
        #[label("never reached")]
        span: SourceSpan,
        #[label("matches first")]
        earlier: SourceSpan,
    },
}

impl Diagnostic {
    /// Fill in a help line where the reporting site had nothing specific to
    /// say: every diagnostic carries one.
    pub fn with_default_help(mut self) -> Diagnostic {
        match &mut self {
            Diagnostic::WrongType { expected, help, .. } if help.is_none() => {
                *help = Some(example_for(expected))
            }
            Diagnostic::OutOfRange {
                what,
                allowed,
                help,
                ..
            } if help.is_none() => *help = Some(range_help(what, allowed)),
            Diagnostic::UnknownName { kind, help, .. } if help.is_none() => {
                *help = Some(format!(
                    "check the spelling, or define the {kind} (imports included)"
                ))
            }
            Diagnostic::Syntax { help, .. } if help.is_none() => {
                *help = Some("`regime explain syntax` shows the forms of every statement".into())
            }
            Diagnostic::TooManyArguments { callee, help, .. } if help.is_none() => {
                *help = Some(format!("`{callee}` takes no arguments"))
            }
            _ => {}
        }
        self
    }

    /// The stable code without the `regime::` prefix.
    pub fn code_name(&self) -> String {
        use miette::Diagnostic as _;
        self.code()
            .map(|c| c.to_string())
            .unwrap_or_default()
            .trim_start_matches("regime::")
            .to_string()
    }

    pub fn is_error(&self) -> bool {
        use miette::Diagnostic as _;
        !matches!(self.severity(), Some(miette::Severity::Warning))
    }

    /// Offset of the first label, for sorting by position.
    pub fn offset(&self) -> usize {
        use miette::Diagnostic as _;
        self.labels()
            .and_then(|mut l| l.next())
            .map(|l| l.offset())
            .unwrap_or(0)
    }
}

/// `Some("did you mean `x`?")` for the closest candidate, if close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate most similar to `name`, when similar enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let score = strsim::jaro_winkler(name, c);
        let edits = strsim::damerau_levenshtein(name, c);
        let close = score >= 0.8 || edits <= 1 || (edits <= 2 && c.len() > 3);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// An example of a value of the expected kind.
fn example_for(expected: &str) -> String {
    let e = expected;
    if e.contains("duration") {
        "a duration has a unit: `1000 iters`, `2 epochs`".into()
    } else if e.contains("whole number") {
        "a whole number such as `200`".into()
    } else if e.contains("condition") {
        "a condition compares: `train_acc - val_acc > 0.05`".into()
    } else if e.contains("schedule") {
        "a schedule is a number or a call such as `steps([3, 2, 1, 0], each: 1000 iters)`".into()
    } else if e.contains("policy") {
        "a policy is a `policy` definition, e.g. `gap_feedback(tol: 0.03)`".into()
    } else if e.contains("list") {
        "a list is written `[1, 2, 3]`".into()
    } else if e.contains("number") {
        "a number such as `0.5` or `1e-3`".into()
    } else {
        format!("write {e} here")
    }
}

/// What to do about a value out of range.
fn range_help(what: &str, allowed: &str) -> String {
    if what.contains("learning rate") {
        format!("the learning rate must be {allowed}; typical values lie between 1e-4 and 1e-1")
    } else if allowed.starts_with("at most") {
        format!("this is far beyond what can run; use a value {allowed}")
    } else {
        format!("use a value {allowed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_names_only() {
        let metrics = ["train_acc", "val_acc", "val_loss", "lambda"];
        assert_eq!(closest("train_ac", metrics), Some("train_acc"));
        assert_eq!(closest("valacc", metrics), Some("val_acc"));
        assert_eq!(closest("l3", ["l1", "l2x", "none"]), Some("l1"));
        assert_eq!(closest("banana", metrics), None);
        assert_eq!(closest("lambda", metrics), None);
    }

    #[test]
    fn every_code_is_explained() {
        for code in ALL_CODES.iter() {
            let text = explain(code).unwrap_or_default();
            assert!(text.starts_with(&format!("regime::{code}")), "{code}");
        }
        assert!(explain("regime::syntax").is_some());
        assert!(explain("nope").is_none());
    }
}
