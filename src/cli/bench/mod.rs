//! `regime bench`: times regime's trainer against the numpy and PyTorch
//! reference trainers of `benches/reference/` (see `benches/BENCHMARKS.md`).
//!
//! - microbench (default, [`micro`]): the shapes on synthetic data,
//!   each framework's own timed loop, run to steady state;
//! - `--whole` ([`whole`]): fresh processes on the real Fashion-MNIST, the
//!   whole process timed.
//!
//! numpy is measured twice, with the environment as it is and at its best
//! ([`reference`]); every row names the kernels used and the load other
//! processes put on the machine before and during it ([`machine`]). This is
//! the command layer: the engine only provides the trainer and `sgemm`.

mod machine;
mod micro;
mod reference;
mod table;
mod whole;

use miette::{miette, IntoDiagnostic};
use reference::Python;
use std::path::{Path, PathBuf};
use table::Framework;

#[derive(clap::Args, Debug, Clone)]
#[command(
    mut_arg("quiet", |a| a.help("The report only, no line per row as it is measured")),
    mut_arg("verbose", |a| a.help("Also every timed run, with its library and kernel"))
)]
pub struct Args {
    /// Timed repeats per configuration and framework (the tables show medians).
    #[arg(long, default_value_t = 3, value_parser = crate::cli::options::at_least_one)]
    pub repeats: usize,
    /// Microbench: exactly this many timed iterations per run (instead of
    /// --min-time/--min-iters). With --whole: iterations per process (3000).
    #[arg(long, value_parser = crate::cli::options::at_least_one)]
    pub iters: Option<usize>,
    /// Microbench: each timed run lasts at least this many seconds.
    #[arg(long, default_value_t = 3.0, value_parser = crate::cli::options::positive_seconds)]
    pub min_time: f64,
    /// Microbench: each timed run has at least this many iterations.
    #[arg(long, default_value_t = 200, value_parser = crate::cli::options::at_least_one)]
    pub min_iters: usize,
    /// Microbench: untimed iterations before each timed run.
    #[arg(long, default_value_t = 20)]
    pub warmup: usize,
    /// Thread counts to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 2], value_parser = crate::cli::options::at_least_one)]
    pub threads: Vec<usize>,
    /// Hidden sizes of the two-layer net.
    #[arg(long, value_delimiter = ',', default_values_t = vec![100, 500, 1000], value_parser = crate::cli::options::bench_layer)]
    pub hidden: Vec<usize>,
    /// Input sizes of the two-layer net.
    #[arg(long, value_delimiter = ',', default_values_t = vec![784, 3072], value_parser = crate::cli::options::bench_layer)]
    pub inputs: Vec<usize>,
    /// Skip the convnet.
    #[arg(long)]
    pub no_cnn: bool,
    /// Skip the two-layer net.
    #[arg(long)]
    pub no_mlp: bool,
    /// Whole-process mode on the real Fashion-MNIST instead of the microbench.
    #[arg(long)]
    pub whole: bool,
    /// Fashion-MNIST IDX directory for --whole.
    #[arg(long, default_value = crate::data::SYSTEM_FASHION_MNIST)]
    pub data_dir: PathBuf,
    /// A python with numpy + threadpoolctl (and optionally torch), e.g.
    /// .venv-bench/bin/python from scripts/bench-env; without it only regime
    /// is timed.
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Directory of the reference scripts.
    #[arg(long, default_value = "benches/reference")]
    pub reference_dir: PathBuf,
    /// Also run PyTorch (needs torch importable by --python; the CUDA stubs
    /// come from TORCH_CUDA_STUBS or the venv's torch-cuda-stubs/).
    #[arg(long)]
    pub torch: bool,
    /// Before each row, wait up to this many seconds for a quiet machine.
    #[arg(long)]
    pub wait_quiet: Option<f64>,
    /// Cores other processes may use for the machine to count as quiet.
    #[arg(long, default_value_t = 0.15)]
    pub quiet_threshold: f64,
    /// Measure a row again (up to this many times) when other processes used
    /// more than twice --quiet-threshold cores during it; the quietest is kept.
    #[arg(long, default_value_t = 0)]
    pub retries: usize,
    /// Hold an exclusive flock on this file while each row is measured (the
    /// lock the machine's users take around their builds), so no build
    /// starts meanwhile.
    #[arg(long)]
    pub lock: Option<PathBuf>,
    /// Also write the report (header and table, markdown) to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace this mode's generated section of a markdown file (e.g.
    /// benches/BENCHMARKS.md) with the report, or append it.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub verbosity: crate::cli::options::Verbosity,
}

impl Args {
    /// Says `line` (a row measured) unless `--quiet`.
    fn progress(&self, line: std::fmt::Arguments) {
        if self.verbosity.level() > crate::cli::options::Level::Quiet {
            eprintln!("bench: {line}");
        }
    }

    /// Says one timed run with `--verbose`.
    fn sample(&self, row: &str, fw: table::Framework, s: &table::Sample) {
        if self.verbosity.level() == crate::cli::options::Level::Verbose {
            eprintln!(
                "bench: {row}, {fw:?}: {:.0} ex/s, {:.3} s ({}, {})",
                s.eps, s.seconds, s.library, s.kernel
            );
        }
    }
}

pub fn run(args: &Args) -> i32 {
    match bench(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e:?}");
            1
        }
    }
}

fn bench(args: &Args) -> miette::Result<()> {
    let python = args
        .python
        .as_ref()
        .map(|exe| Python::new(exe, &args.reference_dir));
    if python.is_some() && !args.reference_dir.join("ref_mlp_numpy.py").is_file() {
        return Err(miette!(
            "no reference scripts in {} (see --reference-dir)",
            args.reference_dir.display()
        ));
    }
    let mut refs: Vec<(Framework, &Python)> = Vec::new();
    if let Some(py) = &python {
        refs.push((Framework::NumpyEnv, py));
        refs.push((Framework::NumpyBest, py));
        if args.torch && py.torch_works() {
            refs.push((Framework::Torch, py));
        } else if args.torch {
            eprintln!("bench: torch is not importable by --python; skipping PyTorch");
        }
    }
    let start_load = machine::sample(1.0);
    let (peaks, numpy_best) = match (&python, args.whole) {
        (Some(py), false) => py.numpy_best_sgemm(&peak_filter(args))?,
        _ => (Vec::new(), String::new()),
    };
    let title = if args.whole {
        "Whole process"
    } else {
        "Microbench"
    };
    // After every row the report so far goes to --markdown, so an
    // interrupted run keeps what it measured.
    let render = |rows: &[table::Row]| {
        let body = if args.whole {
            table::whole(rows)
        } else {
            table::micro(rows)
        };
        header(args, title, start_load, &numpy_best, rows) + "\n" + &body
    };
    let mut emit = |rows: &[table::Row]| -> miette::Result<()> {
        match &args.markdown {
            Some(path) => replace_section(path, section_key(args), &render(rows)),
            None => Ok(()),
        }
    };
    let rows = if args.whole {
        whole::run(args, &refs, &mut emit)?
    } else {
        micro::run(args, &refs, &peaks, &mut emit)?
    };
    let report = render(&rows);
    println!("{report}");
    if let Some(path) = &args.out {
        crate::results::write_user_file(path, report.as_bytes()).map_err(miette::Report::new)?;
    }
    emit(&rows)?;
    Ok(())
}

/// Measures a row, after waiting for a quiet machine (`--wait-quiet`), and
/// again while other processes disturbed it (`--retries`); keeps the quietest.
fn quietest(
    args: &Args,
    mut measure: impl FnMut() -> miette::Result<table::Row>,
) -> miette::Result<table::Row> {
    let mut best: Option<table::Row> = None;
    for attempt in 0..=args.retries {
        let _held = machine::hold(args.lock.as_deref()).into_diagnostic()?;
        if let Some(secs) = args.wait_quiet {
            machine::wait_quiet(secs, args.quiet_threshold);
        }
        let before = machine::sample(0.5);
        let mut row = measure()?;
        row.load_before = before;
        let load = row.max_others().unwrap_or(0.0);
        let label = format!("{} on {} thread(s)", row.label, row.threads);
        if best
            .as_ref()
            .is_none_or(|b| load < b.max_others().unwrap_or(0.0))
        {
            best = Some(row);
        }
        if load <= 2.0 * args.quiet_threshold {
            break;
        }
        if attempt < args.retries {
            args.progress(format_args!(
                "others used {load:.2} cores during {label}; measuring it again"
            ));
        }
    }
    best.ok_or_else(|| miette!("no measurement"))
}

/// Machine, libraries, kernels, environment and settings of a report.
fn header(
    args: &Args,
    title: &str,
    load: Option<f64>,
    numpy_best: &str,
    rows: &[table::Row],
) -> String {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| "unset".into());
    let mut s = format!(
        "**{title}**, {} — `regime bench {}`\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        shown_args()
    );
    s += &format!("- CPU: {}\n", machine::cpu_summary());
    s += &format!(
        "- regime: {} (kernel {}); environment: OPENBLAS_CORETYPE={}, OPENBLAS_L2_SIZE={}\n",
        crate::engine::blas_config(),
        crate::engine::blas_core(),
        var("OPENBLAS_CORETYPE"),
        var("OPENBLAS_L2_SIZE"),
    );
    let mut libs: Vec<String> = Vec::new();
    for (fw, lib) in rows.iter().flat_map(|r| r.libraries()) {
        let line = format!("{}: {lib}", fw.label());
        if !libs.contains(&line) {
            libs.push(line);
        }
    }
    if !libs.is_empty() {
        s += &format!("- libraries: {}\n", libs.join("; "));
    }
    if !numpy_best.is_empty() {
        s += &format!(
            "- numpy at best (both variables unset in its command): {numpy_best}; \
             \"% of best sgemm\" = regime's GFLOP/s ÷ (threads × the faster 1-thread sgemm \
             at the model's forward GEMM shape, for the convnet at 200×784·784×500: \
             regime's own or numpy's at best)\n"
        );
    }
    let timing = match (args.whole, args.iters) {
        (true, _) => "fresh process per run".to_string(),
        (false, Some(n)) => format!("{n} timed iterations after {} warm-up", args.warmup),
        (false, None) => format!(
            "timed runs ≥ {} s and ≥ {} iterations after {} warm-up",
            args.min_time, args.min_iters, args.warmup
        ),
    };
    s += &format!(
        "- medians of {} interleaved repeats; {timing}; others' load at start {} cores{}\n",
        args.repeats.max(1),
        load.map_or("–".into(), |l| format!("{l:.2}")),
        match machine::builders() {
            b if b.is_empty() => String::new(),
            b => format!(" (building: {})", b.join(" ")),
        }
    );
    s
}

fn section_key(args: &Args) -> &'static str {
    if args.whole {
        "whole"
    } else {
        "micro"
    }
}

/// Called with the rows so far after each one.
pub type Emit<'a> = dyn FnMut(&[table::Row]) -> miette::Result<()> + 'a;

/// The `sgemm_peak.py --only` filter for the models of this run.
fn peak_filter(args: &Args) -> String {
    match micro::models(args).as_slice() {
        [one] => one.peak_name(),
        _ => "fwd".into(),
    }
}

fn shown_args() -> String {
    std::env::args().skip(2).collect::<Vec<_>>().join(" ")
}

/// Puts `report` between this mode's markers in `path` (appending them the
/// first time), so regenerating replaces the old tables.
fn replace_section(path: &Path, key: &str, report: &str) -> miette::Result<()> {
    let begin = format!("<!-- regime bench {key}: begin -->");
    let end = format!("<!-- regime bench {key}: end -->");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{begin}\n{report}\n{end}");
    let new = match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if e > b => {
            format!("{}{section}{}", &text[..b], &text[e + end.len()..])
        }
        _ => format!("{}\n{section}\n", text.trim_end()),
    };
    std::fs::write(path, new).into_diagnostic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_markdown_section_is_replaced_in_place_or_appended() {
        let dir = std::env::temp_dir().join(format!("regime-bench-md-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("B.md");
        std::fs::write(&path, "# Title\n\nprose\n").unwrap();
        replace_section(&path, "micro", "table one").unwrap();
        replace_section(&path, "whole", "whole one").unwrap();
        replace_section(&path, "micro", "table two").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Title\n\nprose\n"), "{text}");
        assert!(
            text.contains("table two") && !text.contains("table one"),
            "{text}"
        );
        assert_eq!(
            text.matches("<!-- regime bench micro: begin -->").count(),
            1
        );
        assert!(text.find("table two") < text.find("whole one"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_generated_whole_process_file_compiles_to_one_trial() {
        let text = whole::reg_file(Path::new("/usr/share/datasets/fashion-mnist"), 3000);
        let compiled = crate::compile::compile_source(
            "bench_whole.reg",
            &text,
            None,
            &crate::compile::Options::default(),
        )
        .unwrap_or_else(|r| panic!("{r:?}"));
        let trials: Vec<_> = compiled
            .plan
            .experiments
            .iter()
            .flat_map(|e| &e.trials)
            .collect();
        assert_eq!(trials.len(), 1);
        assert_eq!(trials[0].iters, 3000);
        assert_eq!(trials[0].batch, 200);
    }

    #[test]
    fn configurations_are_measured_once_each() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let cli = Cli::parse_from(["bench", "--inputs", "784,784", "--hidden", "500,500"]);
        let models = micro::models(&cli.args);
        assert_eq!(models.len(), 2, "{models:?}");
        assert_eq!(
            models.iter().filter(|m| **m == micro::Model::Cnn).count(),
            1
        );
    }
}
