//! Long explanations for `regime explain CODE`: what the diagnostic means,
//! why regime insists, and an example of the mistake and its fix. The lists
//! of codes are here; the texts are in one submodule per phase.

mod data;
mod experiments;
mod results;
mod running;
mod source;
mod values;

/// Codes a `.reg` file can trigger (each has a UI case), without the
/// `regime::` prefix.
pub const SOURCE_CODES: &[&str] = &[
    "syntax",
    "unknown_name",
    "unknown_metric",
    "sealed_metric",
    "unknown_layer",
    "unknown_penalty",
    "unknown_argument",
    "unknown_key",
    "unknown_import",
    "missing_file",
    "binary_file",
    "invalid_utf8",
    "import_cycle",
    "missing_argument",
    "duplicate_argument",
    "too_many_arguments",
    "wrong_type",
    "wrong_unit",
    "out_of_range",
    "float_overflow",
    "empty_list",
    "bad_clamp",
    "batch_too_large",
    "shape",
    "class_mismatch",
    "duplicate",
    "missing_key",
    "conflicting_keys",
    "budget_mismatch",
    "no_budget",
    "too_large",
    "name_too_long",
    "varying_data",
    "recursive",
    "unused",
    "schedule_truncated",
    "rule_never_fires",
    "rule_shadowed",
    "bad_target",
    "policy_never_acts",
    "checks_exceed_budget",
    "bad_data_file",
    "bad_override",
    "unknown_override_key",
    "ambiguous_override",
];

/// Codes raised by commands (run, status, report, run-trial, Slurm, data
/// loading, kernel choice) rather than by a file's text; each is tested
/// where it is raised.
pub const RUNTIME_CODES: &[&str] = &[
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
    "data_io",
    "data_gzip",
    "data_bad_magic",
    "data_truncated",
    "data_corrupt",
    "data_count_mismatch",
    "data_shape",
    "data_not_found",
    "data_split",
    "data_missing_name",
    "data_dtype",
    "data_ragged_row",
    "data_value",
    "data_label",
    "data_length_mismatch",
    "diverged",
    "engine_config",
    "interrupted",
    "no_such_trial",
    "threads",
    "trial_failed",
    "slurm_missing",
    "slurm_refused",
    "slurm_failed",
    "compare_incomparable",
    "export_target",
    "export_unreachable",
    "export_refused",
];

/// Every diagnostic code: [`SOURCE_CODES`] then [`RUNTIME_CODES`].
pub static ALL_CODES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| [SOURCE_CODES, RUNTIME_CODES].concat());

/// The explanation of `code` (with or without the `regime::` prefix).
pub fn explain(code: &str) -> Option<&'static str> {
    let code = code.trim().trim_start_matches("regime::");
    source::explain(code)
        .or_else(|| values::explain(code))
        .or_else(|| experiments::explain(code))
        .or_else(|| data::explain(code))
        .or_else(|| running::explain(code))
        .or_else(|| results::explain(code))
}
