//! Stand-alone runner for the benchmark until `regime bench` is wired:
//! `cargo run --release --example bench -- --python /work/.venv-bench/bin/python`.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: regime::engine::bench::BenchArgs,
}

fn main() -> miette::Result<()> {
    regime::engine::bench::run_bench(&Cli::parse().args)
}
