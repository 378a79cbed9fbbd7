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
    for code in regime::diagnostics::ALL_CODES {
        assert!(
            docs.contains(&format!("`regime::{code}`")),
            "docs/language.md misses regime::{code}"
        );
    }
}
