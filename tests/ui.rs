//! UI tests: every `tests/ui/*.reg` is checked and its rendered diagnostics
//! (no colour, width 80) compared with `tests/ui/<name>.snap`. A case's
//! leading `# --set KEY=VALUE` lines are checked as command-line overrides,
//! and a leading `# --on slurm` against the limits of a Slurm cluster.
//! Update with `INSTA_UPDATE=always cargo test --test ui`, then read the diffs.

use std::path::Path;

/// The overrides a case's header asks for.
fn overrides(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map_while(|l| l.strip_prefix("# "))
        .filter_map(|l| l.strip_prefix("--set "))
        .map(str::to_string)
        .collect()
}

/// The target a case's header asks for (`# --on slurm`), else local.
fn target(path: &Path) -> regime::check::limits::Target {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let on_slurm = text
        .lines()
        .map_while(|l| l.strip_prefix("# "))
        .any(|l| l == "--on slurm");
    if on_slurm {
        regime::check::limits::Target::Slurm
    } else {
        regime::check::limits::Target::Local
    }
}

/// `regime check PATH`, with the overrides and target of its header.
fn check(path: &Path) -> regime::diagnostics::Diagnostics {
    let options = regime::compile::Options {
        overrides: overrides(path),
        target: target(path),
        ..Default::default()
    };
    regime::compile::check_path_with(path, &options)
}

fn render(path: &Path) -> String {
    let report = check(path);
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

/// Render one case and compare it with its snapshot.
fn ui_case(name: &str) {
    let path = Path::new("tests/ui").join(format!("{name}.reg"));
    let out = render(&path);
    insta::with_settings!({
        snapshot_path => "ui",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!(
            "regime check {}{}",
            path.display(),
            overrides(&path).iter().map(|o| format!(" --set '{o}'")).collect::<String>()
                + if target(&path) == regime::check::limits::Target::Slurm { " --on slurm" } else { "" }
        ),
    }, {
        insta::assert_snapshot!(name.to_string(), out);
    });
}

/// One `#[test]` per case, so one mismatch does not hide the others.
macro_rules! ui_cases {
    ($($name:ident)*) => {
        mod case {
            $(
                #[test]
                fn $name() {
                    super::ui_case(stringify!($name));
                }
            )*
        }
        const CASES: &[&str] = &[$(stringify!($name)),*];
    };
}

ui_cases! {
    ambiguous_override
    at_once_after_a_bad_layer
    at_once_arguments
    at_once_data_and_layers
    at_once_missing_keys
    bad_clamp
    bad_data_file
    bad_data_file_csv_label
    bad_data_file_dtype
    bad_data_file_label
    bad_data_file_lengths
    bad_data_file_no_features
    bad_data_file_shape
    bad_override
    bad_target
    batch_too_large
    binary_file
    bom_accepted
    budget_mismatch
    checks_exceed_budget
    class_mismatch
    clean_local_import
    clean_overrides
    clean_paper
    clean_policies
    clean_shadowing
    clean_splits
    conflicting_keys
    conv_on_flat_data
    decay_per_zero
    duplicate
    duplicate_across_files
    duplicate_argument
    empty_list
    float_overflow
    import_cycle
    import_self
    init_alias
    invalid_utf8
    keyword_typos
    missing_argument
    missing_file
    missing_key
    name_too_long
    no_budget
    once_bad_argument
    once_in_definition
    out_of_range
    out_of_range_in_call
    own_data_class_mismatch
    policy_never_acts
    recursive
    reserved_name
    rule_contradiction
    rule_never_fires
    rule_shadowed
    schedule_truncated
    sealed_metric
    shape
    split_unit
    splits_out_of_range
    syntax
    syntax_in_override
    syntax_no_cascade
    syntax_several_in_one
    syntax_statements
    too_large
    too_large_compute
    too_large_iters
    too_large_numbers
    too_large_on_slurm
    too_many_arguments
    too_many_operands
    unclosed_brace
    unknown_argument
    unknown_array
    unknown_import
    unknown_import_far
    unknown_key
    unknown_layer
    unknown_metric
    unknown_name
    unknown_override_key
    unknown_penalty
    unused
    unused_axis_after_override
    varying_data
    wrong_type
    wrong_type_endless
    wrong_type_in_override
    wrong_unit
}

/// The list above is exactly the cases in tests/ui.
#[test]
fn every_case_has_a_test() {
    let files: Vec<String> = cases()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        files, CASES,
        "add the new case to `ui_cases!` in tests/ui.rs"
    );
}

/// Every diagnostic of every case has a help line.
#[test]
fn every_diagnostic_has_help() {
    use miette::Diagnostic as _;
    for path in cases() {
        let report = check(&path);
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

/// Each case named after a code reports that code; `clean_*` cases report nothing.
#[test]
fn every_code_has_a_case() {
    // Runtime codes (RUNTIME_CODES) are tested where they are raised.
    for code in regime::diagnostics::SOURCE_CODES {
        let path = Path::new("tests/ui").join(format!("{code}.reg"));
        assert!(path.exists(), "no UI case for regime::{code}");
        let report = check(&path);
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
            let report = check(&path);
            assert!(
                report.diagnostics.is_empty(),
                "{stem}:\n{}",
                report.render(false, 80)
            );
        }
    }
}
