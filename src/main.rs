use clap::Parser;

fn main() {
    let cli = regime::cli::Cli::parse();
    std::process::exit(regime::cli::run(cli));
}
