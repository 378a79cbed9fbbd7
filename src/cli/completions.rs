//! `regime completions SHELL` and `regime man`: shell completion scripts
//! (clap_complete) and a man page (clap_mangen), both generated from the
//! same command-line definition as `--help`.

use clap::CommandFactory;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args) -> super::ExitCode {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "regime", &mut std::io::stdout());
    0
}

/// The man page (roff) on standard output.
pub fn man() -> super::ExitCode {
    let page = clap_mangen::Man::new(super::Cli::command());
    match page.render(&mut std::io::stdout()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            2
        }
    }
}
