//! `regime lsp`: the language server on stdin and stdout (`crate::lsp`).
//! Exit 0 after the client's `shutdown` and `exit`, 1 when it exits without
//! `shutdown` or the connection fails.

pub fn run() -> super::ExitCode {
    match crate::lsp::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("regime lsp: {e}");
            1
        }
    }
}
