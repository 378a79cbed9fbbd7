//! `regime explain CODE`: the long explanation of a diagnostic, or of a
//! builtin (`regime explain conv`) from the tables in `crate::builtins`.

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A code such as `unknown_metric` or `regime::unknown_metric`, or a
    /// builtin such as `conv`, `elastic` or `val_acc`.
    pub code: String,
}

pub fn run(args: &Args) -> super::ExitCode {
    match crate::diagnostics::explain(&args.code) {
        Some(text) => {
            print!("{text}");
            0
        }
        None if crate::builtins::explain(args.code.trim()).is_some() => {
            print!(
                "{}",
                crate::builtins::explain(args.code.trim()).unwrap_or_default()
            );
            0
        }
        None => {
            let name = args.code.trim_start_matches("regime::");
            eprintln!("error: no diagnostic `{}`", args.code);
            if let Some(h) = crate::diagnostics::did_you_mean(
                name,
                crate::diagnostics::ALL_CODES.iter().copied(),
            ) {
                eprintln!("help: {h}");
            }
            eprintln!("codes: {}", crate::diagnostics::ALL_CODES.join(", "));
            2
        }
    }
}
