//! Every `.reg` file shipped in the repository checks clean (UI cases under
//! tests/ are meant to fail and are covered by tests/ui.rs).

use std::path::{Path, PathBuf};

fn reg_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if p.is_dir() {
            if !matches!(name.as_str(), "target" | "tests" | ".git" | "fuzz" | "runs") {
                reg_files(&p, out);
            }
        } else if name.ends_with(".reg") {
            out.push(p);
        }
    }
}

#[test]
fn every_reg_file_checks_clean() {
    let mut files = vec![];
    reg_files(Path::new("."), &mut files);
    assert!(files.len() >= 3, "found only {files:?}");
    for f in files {
        let report = regime::compile::check_path(&f);
        assert!(
            report.diagnostics.is_empty(),
            "{}:\n{}",
            f.display(),
            report.render(false, 80)
        );
    }
}

#[test]
fn every_stdlib_module_is_embedded() {
    for e in std::fs::read_dir("stdlib").unwrap().flatten() {
        let stem = e.path().file_stem().unwrap().to_string_lossy().to_string();
        let name = format!("std/{stem}");
        let embedded = regime::check::imports::STDLIB
            .iter()
            .find(|(n, _)| *n == name);
        let text = std::fs::read_to_string(e.path()).unwrap();
        assert_eq!(
            embedded.map(|(_, t)| *t),
            Some(text.as_str()),
            "{name} is not embedded"
        );
    }
}

#[test]
fn the_reference_lists_every_diagnostic_code() {
    let docs = std::fs::read_to_string("docs/language.md").unwrap();
    for code in regime::diagnostics::ALL_CODES.iter() {
        assert!(
            docs.contains(&format!("`regime::{code}`")),
            "docs/language.md misses regime::{code}"
        );
    }
}

/// Every `code(regime::...)` the binary can print is in `ALL_CODES` (so
/// `regime explain` knows it and docs/language.md lists it).
#[test]
fn every_code_in_the_source_is_known() {
    for (code, _, path) in codes_in_source() {
        assert!(
            regime::diagnostics::ALL_CODES.contains(&code.as_str()),
            "{path}: regime::{code} is not in ALL_CODES"
        );
    }
}

/// Every code is triggered by some test: a UI case `tests/ui/CODE.reg`
/// (for codes a file can trigger), or a test naming `regime::CODE` or the
/// error variant that carries it (for runtime codes).
#[test]
fn every_code_is_triggered_by_a_test() {
    let mut corpus = String::new();
    let mut files = vec![];
    rs_files(Path::new("tests"), &mut files);
    rs_files(Path::new("src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        if f.starts_with("tests") || f.file_name().is_some_and(|n| n == "tests.rs") {
            corpus.push_str(&text);
        } else if let Some(i) = text.find("#[cfg(test)]\nmod ") {
            corpus.push_str(&text[i..]);
        }
    }
    let mut missing = vec![];
    for (code, variant, path) in codes_in_source() {
        // Codes a file can trigger have a UI case (tests/ui.rs checks it reports them).
        let named = Path::new(&format!("tests/ui/{code}.reg")).exists()
            || corpus.contains(&format!("regime::{code}\""))
            || corpus.contains(&format!("regime::{code})"))
            || corpus.contains(&format!("{variant} {{"))
            || corpus.contains(&format!("{variant}("));
        if !named {
            missing.push(format!("{code} ({variant} in {path})"));
        }
    }
    assert!(missing.is_empty(), "no test triggers: {missing:?}");
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// (code, `Enum::Variant` that carries it, file) for every
/// `#[diagnostic(code(regime::...))]` under src/.
fn codes_in_source() -> Vec<(String, String, String)> {
    let mut files = vec![];
    rs_files(Path::new("src"), &mut files);
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut at = 0;
        while let Some(i) = text[at..].find("code(regime::") {
            let before = &text[..at + i];
            at += i + "code(regime::".len();
            let rest = &text[at..];
            // The enum: the last `enum NAME` before the attribute.
            let enum_name: String = before
                .rfind("enum ")
                .map(|j| {
                    before[j + 5..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect()
                })
                .unwrap_or_default();
            let code: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // The variant: the first line after the attribute that starts
            // with a capitalised identifier.
            let variant = rest
                .lines()
                .skip(1)
                .map(str::trim)
                .find(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
                .map(|l| {
                    l.chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect::<String>()
                })
                .unwrap_or_default();
            out.push((
                code,
                format!("{enum_name}::{variant}"),
                f.display().to_string(),
            ));
        }
    }
    out
}
