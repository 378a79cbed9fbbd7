//! Properties of the front half: the formatter is idempotent and keeps the
//! program (up to positions), on every `.reg` in experiments/ and stdlib/
//! and on generated programs; parsing and checking never panic.

use proptest::prelude::*;
use regime::source::FileId;
use regime::syntax::{ast::Module, parse};

fn parse_ok(text: &str) -> Option<Module> {
    let (m, diags) = parse(FileId(0), text);
    diags.is_empty().then_some(m)
}

fn fmt(text: &str) -> String {
    regime::fmt::format_source("x.reg", text).unwrap_or_else(|r| panic!("{}", r.render(false, 80)))
}

fn assert_fmt_properties(text: &str) {
    let Some(before) = parse_ok(text) else { return };
    let once = fmt(text);
    let twice = fmt(&once);
    assert_eq!(once, twice, "fmt is not idempotent on:\n{text}");
    let after = parse_ok(&once).unwrap_or_else(|| panic!("fmt output does not parse:\n{once}"));
    assert!(
        regime::syntax::spanless_eq(&before, &after),
        "fmt changed the program:\n{text}\n---\n{once}\n{before:?}\n---\n{after:?}"
    );
    assert_eq!(
        comment_texts(text),
        comment_texts(&once),
        "fmt lost or changed a comment:\n{text}\n---\n{once}"
    );
}

/// Every comment's text (outside strings, trailing spaces dropped), sorted:
/// formatting keeps each one, exactly.
fn comment_texts(text: &str) -> Vec<String> {
    let mut out = vec![];
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn repo_files() -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for dir in ["experiments", "stdlib"] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "reg") {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn fmt_properties_hold_on_repo_files() {
    for path in repo_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            parse_ok(&text).is_some(),
            "{} does not parse",
            path.display()
        );
        assert_fmt_properties(&text);
    }
}

/// fmt(fmt(x)) == fmt(x), the program unchanged and every comment kept,
/// on every `.reg` of the repository and every UI case that parses (the
/// UI cases hold comments in odd places on purpose).
#[test]
fn fmt_properties_hold_on_every_reg_file_that_parses() {
    let mut files = repo_files();
    for dir in ["tests/ui", "tests/ui/support"] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "reg") {
                files.push(e.path());
            }
        }
    }
    let mut formatted = 0;
    for path in &files {
        let Ok(text) = String::from_utf8(std::fs::read(path).unwrap()) else {
            continue;
        };
        if parse_ok(&text).is_some() {
            assert_fmt_properties(&text);
            formatted += 1;
        }
    }
    assert!(
        formatted >= 60,
        "only {formatted} of {} files parse",
        files.len()
    );
}

#[test]
fn repo_files_are_formatted() {
    for path in repo_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            fmt(&text),
            text,
            "{} is not formatted; run `regime fmt`",
            path.display()
        );
    }
}

// ------------------------------------------------------------ generators

fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "x",
        "each",
        "hidden",
        "tol",
        "train_acc",
        "val_acc",
        "lambda",
        "steps",
        "pull_down",
    ])
    .prop_map(String::from)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..5000).prop_map(|n| n.to_string()),
        (0u32..100, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        (1u32..9).prop_map(|n| format!("{n}e-3")),
        (1u32..2000, prop::bool::ANY)
            .prop_map(|(n, e)| format!("{n} {}", if e { "epochs" } else { "iters" })),
        ident(),
        Just("true".to_string()),
        Just("\"a/b.bin\"".to_string()),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", ">", "<=", "and", "or", "then", "with", "from", "per"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            (prop::collection::vec(inner.clone(), 0..4), sep())
                .prop_map(|(v, sep)| format!("[{}]", v.join(sep))),
            (
                ident(),
                prop::collection::vec((prop::option::of(ident()), inner), 0..3),
                sep()
            )
                .prop_map(|(f, args, sep)| {
                    let a: Vec<String> = args
                        .into_iter()
                        .map(|(n, v)| match n {
                            Some(n) => format!("{n}: {v}"),
                            None => v,
                        })
                        .collect();
                    format!("{f}({})", a.join(sep))
                }),
        ]
    })
}

/// Between the values of a list or call: a comma, with or without a
/// comment after it or on a line of its own.
fn sep() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![", ", ", ", ",  # in\n", ",\n  # own\n  ", ",\n"])
}

/// Spacing between tokens: spaces, newlines, comments.
fn gap() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\n\n\n  ".to_string()),
        Just("  # note\n".to_string()),
        Just("\n# own line\n".to_string()),
        Just("\t\n".to_string()),
    ]
}

fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        (ident(), expr()).prop_map(|(n, e)| format!("schedule {n}(each = 10 iters) = {e}")),
        (ident(), expr()).prop_map(|(n, e)| format!("data {n} = {e}")),
        (ident(), prop::collection::vec((expr(), gap()), 0..4)).prop_map(|(n, ls)| {
            let body: String = ls.into_iter().map(|(l, g)| format!("  dense({l}){g}")).collect();
            format!("network {n} {{\n{body}relu\n}}")
        }),
        (ident(), expr(), expr(), gap()).prop_map(|(n, c, v, g)| {
            format!("policy {n}(tol = 0.05) {{{g}every 1 epoch\n  when {c}: lambda *= {v}, stop{g}  clamp lambda in [0, 1]\n}}")
        }),
        (ident(), expr(), expr(), gap()).prop_map(|(n, a, b, g)| {
            format!("experiment {n} {{\n  data: {a}{g}  vary hidden in [1, 2]\n  arm a: lambda = {b}  # c\n  arm b # note\n    : lambda = {b}\n  checks: every 1 epoch\n}}")
        }),
        Just("import \"std/policies\"".to_string()),
    ]
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec((item(), gap()), 0..5)
        .prop_map(|items| items.into_iter().map(|(i, g)| format!("{i}{g}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fmt_properties_hold_on_generated_programs(text in program()) {
        assert_fmt_properties(&text);
    }

    #[test]
    fn generated_programs_parse(text in program()) {
        prop_assert!(parse_ok(&text).is_some(), "does not parse:\n{}", text);
    }

    #[test]
    fn checker_never_panics_on_generated_programs(text in program()) {
        let report = regime::compile::check_source("x.reg", &text, None);
        let _ = report.render(false, 80);
        let _ = report.to_json();
    }

    #[test]
    fn parser_and_checker_never_panic_on_arbitrary_strings(text in "\\PC{0,300}") {
        let report = regime::compile::check_source("x.reg", &text, None);
        let _ = report.render(false, 80);
        let _ = regime::fmt::format_source("x.reg", &text);
    }

    #[test]
    fn parser_and_checker_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let report = regime::compile::check_source("x.reg", &text, None);
        let _ = report.render(false, 80);
    }

    #[test]
    fn never_panics_on_mutated_repo_files(idx in 0usize..3, pos in 0usize..4000, junk in "[\\[\\](){}:,=#\"a-z0-9 \n.-]{0,6}") {
        let files = repo_files();
        let text = std::fs::read_to_string(&files[idx % files.len()]).unwrap();
        let mut cut = pos.min(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        let mutated = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let report = regime::compile::check_source("x.reg", &mutated, None);
        let _ = report.render(false, 80);
        let _ = regime::fmt::format_source("x.reg", &mutated);
    }
}

/// Deep or long input is rejected before it can exhaust the stack of a
/// test thread (2 MiB).
#[test]
fn deep_and_long_expressions_are_rejected_not_overflowing() {
    let worst = format!(
        "schedule s = {}1{}\n",
        "(1 + - - 1 + ".repeat(31),
        " + 1".repeat(30).to_string() + &")".repeat(31)
    );
    let report = regime::compile::check_source("x.reg", &worst, None);
    let _ = report.render(false, 80);
    let _ = regime::fmt::format_source("x.reg", &worst);
    for text in [
        format!("schedule s = {}\n", vec!["1"; 5000].join(" + ")),
        format!("schedule s = {}1\n", "-".repeat(5000)),
        format!("schedule s = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
        format!("schedule s = {}\n", "[".repeat(5000)),
    ] {
        let report = regime::compile::check_source("x.reg", &text, None);
        assert!(report.has_errors());
        let _ = report.render(false, 80);
    }
}
