//! UI tests: every `tests/ui/*.reg` is checked and its rendered diagnostics
//! (no colour, width 80) compared with `tests/ui/<name>.snap`.
//! Update with `INSTA_UPDATE=always cargo test --test ui`, then read the diffs.

use std::path::Path;

fn render(path: &Path) -> String {
    let report = regime::compile::check_path(path);
    let mut out = report.render(false, 80);
    out.push_str(&format!(
        "{} error(s), {} warning(s)\n",
        report.error_count(),
        report.warning_count()
    ));
    out
}

fn cases() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "reg"))
        .collect();
    files.sort();
    files
}

#[test]
fn ui() {
    for path in cases() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let out = render(&path);
        insta::with_settings!({
            snapshot_path => "ui",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("regime check {}", path.display()),
        }, {
            insta::assert_snapshot!(name, out);
        });
    }
}

/// Every diagnostic of every case has a help line.
#[test]
fn every_diagnostic_has_help() {
    use miette::Diagnostic as _;
    for path in cases() {
        let report = regime::compile::check_path(&path);
        for d in &report.diagnostics {
            assert!(
                d.diagnostic.help().is_some(),
                "{}: no help for {}",
                path.display(),
                d.diagnostic
            );
        }
    }
}

/// Codes that no `.reg` file can trigger (e.g. raised by `regime run` about a
/// results directory); they are tested where they are raised.
const NOT_FROM_A_FILE: &[&str] = &[
    "results_io",
    "results_read",
    "resume_mismatch",
    "not_a_results_dir",
    "results_exist",
    "results_not_ours",
    "results_symlink",
    "results_locked",
    "trial_claimed",
    "plan_mismatch",
    "data_changed",
    "blas_kernel",
    "data_env",
    "slurm_bad_value",
    "not_enough_memory",
    "out_of_memory",
];

/// Each case named after a code reports that code; `clean_*` cases report nothing.
#[test]
fn every_code_has_a_case() {
    for code in regime::diagnostics::ALL_CODES {
        if NOT_FROM_A_FILE.contains(code) {
            continue;
        }
        let path = Path::new("tests/ui").join(format!("{code}.reg"));
        assert!(path.exists(), "no UI case for regime::{code}");
        let report = regime::compile::check_path(&path);
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.diagnostic.code_name() == *code),
            "{} does not report regime::{code}",
            path.display()
        );
        assert!(regime::diagnostics::explain(code).is_some());
    }
    for path in cases() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if stem.starts_with("clean") {
            let report = regime::compile::check_path(&path);
            assert!(
                report.diagnostics.is_empty(),
                "{stem}:\n{}",
                report.render(false, 80)
            );
        }
    }
}
