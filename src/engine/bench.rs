//! `regime bench`: times the trainer on the shapes and, when a python
//! with numpy (and optionally PyTorch) is given, runs the reference trainers in
//! `benches/reference/` side by side in the same invocation, interleaved
//! repeat by repeat so machine noise hits everyone alike.
//!
//! FLOPs are counted as the references count them (GEMM only, forward and
//! backward, no input gradient for the first layer): two-layer net
//! 4DH + 6HC per example, convnet 24.19 MFLOP per example. The peak is this
//! process's own `cblas_sgemm` at the forward GEMM shape and thread count.

use super::testing::{convnet, random_dataset, sgd, trial, two_layer};
use super::{sgemm, with_gemm_threads, EngineError, Trainer};
use crate::data::Dataset;
use crate::plan::{Init, PenaltyKind, Sampling, Shape};
use miette::{miette, IntoDiagnostic};
use std::process::Command;
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Timed repeats per configuration (the table shows medians).
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Timed training iterations per repeat.
    #[arg(long, default_value_t = 50)]
    pub iters: usize,
    /// Untimed iterations before each timed run.
    #[arg(long, default_value_t = 5)]
    pub warmup: usize,
    /// BLAS thread counts to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 2])]
    pub threads: Vec<usize>,
    /// Hidden sizes of the two-layer net.
    #[arg(long, value_delimiter = ',', default_values_t = vec![100, 500, 1000])]
    pub hidden: Vec<usize>,
    /// Input sizes of the two-layer net.
    #[arg(long, value_delimiter = ',', default_values_t = vec![784, 3072])]
    pub inputs: Vec<usize>,
    /// Skip the convnet.
    #[arg(long)]
    pub no_cnn: bool,
    /// Skip the two-layer net.
    #[arg(long)]
    pub no_mlp: bool,
    /// A python with numpy + threadpoolctl (and optionally torch) to run the
    /// reference trainers with; without it only regime is timed.
    #[arg(long)]
    pub python: Option<String>,
    /// Directory of the reference scripts.
    #[arg(long, default_value = "benches/reference")]
    pub reference_dir: String,
    /// Also run the PyTorch reference (needs torch importable by --python;
    /// TORCH_CUDA_STUBS is passed through, see benches/reference/README.md).
    #[arg(long)]
    pub torch: bool,
    /// Before each configuration, wait up to this many seconds for a quiet
    /// machine (uses the reference's machine_load.py).
    #[arg(long)]
    pub wait_quiet: Option<f64>,
    /// Also write the result table (markdown) to this file.
    #[arg(long)]
    pub out: Option<String>,
}

/// One benchmark configuration.
#[derive(Debug, Clone, Copy)]
enum Model {
    Mlp { d: usize, h: usize },
    Cnn,
}

impl Model {
    fn batch(self) -> usize {
        match self {
            Model::Mlp { .. } => 200,
            Model::Cnn => 50,
        }
    }
    fn flops_per_example(self) -> f64 {
        match self {
            Model::Mlp { d, h } => (4 * d * h + 6 * h * 10) as f64,
            // conv fwd + conv dW (2·32·147·1024 each) + 3 × affine 8192→100 + 3 × affine 100→10.
            Model::Cnn => (2 * 2 * 32 * 147 * 1024 + 3 * 2 * 8192 * 100 + 3 * 2 * 100 * 10) as f64,
        }
    }
    fn label(self) -> String {
        match self {
            Model::Mlp { d, h } => format!("mlp D{d} H{h}"),
            Model::Cnn => "cnn 3×32×32".into(),
        }
    }
    /// (m, k, n) of the forward GEMM the references use as the peak shape.
    fn peak_shape(self) -> (usize, usize, usize) {
        match self {
            Model::Mlp { d, h } => (200, d, h),
            Model::Cnn => (32, 147, 51200),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Row {
    model: String,
    threads: usize,
    regime: Vec<f64>,
    numpy: Vec<f64>,
    torch: Vec<f64>,
    peak: f64,
    flops: f64,
    /// Busy fraction of the machine's CPUs (other processes), sampled after
    /// each repeat; the table shows the maximum.
    load: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

/// Best-of-3 GFLOP/s of `sgemm` at (m × k) · (k × n), each run ≥ 0.2 s.
fn sgemm_peak(m: usize, k: usize, n: usize) -> f64 {
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    let mut c = vec![0f32; m * n];
    sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
    let mut best = 0f64;
    for _ in 0..3 {
        let t = Instant::now();
        let mut calls = 0u64;
        while t.elapsed().as_secs_f64() < 0.2 {
            sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
            calls += 1;
        }
        best = best.max(2.0 * (m * k * n) as f64 * calls as f64 / t.elapsed().as_secs_f64() / 1e9);
    }
    best
}

/// Examples per second of regime's trainer: fresh trainer, warmup, timed run.
fn time_regime(model: Model, data: &Dataset, args: &BenchArgs, seed: u64) -> miette::Result<f64> {
    let net = match model {
        Model::Mlp { d, h } => two_layer(d, h, 10, Init::He),
        Model::Cnn => convnet(data.input, 32, 7, 100, 10, Init::He),
    };
    let mut t = trial(net, sgd(1e-3, 0.9), PenaltyKind::L2, model.batch(), seed);
    t.sampling = Sampling::Replacement;
    let mut tr = Trainer::new(&t, data).map_err(|e| miette!("{e}"))?;
    // λ = 5e-4 in λ·Σw² is the references' 0.5·1e-3·ΣW².
    for _ in 0..args.warmup {
        tr.step(5e-4, 1e-3).map_err(|e| miette!("{e}"))?;
    }
    let start = Instant::now();
    for _ in 0..args.iters {
        tr.step(5e-4, 1e-3).map_err(|e| miette!("{e}"))?;
    }
    Ok((args.iters * model.batch()) as f64 / start.elapsed().as_secs_f64())
}

/// Run one reference script and read `examples_per_sec` from its JSON line.
fn time_reference(
    python: &str,
    dir: &str,
    which: &str,
    model: Model,
    threads: usize,
    args: &BenchArgs,
) -> miette::Result<f64> {
    let mut cmd = Command::new(python);
    let (script, extra): (&str, Vec<String>) = match (which, model) {
        ("numpy", Model::Mlp { d, h }) => (
            "ref_mlp_numpy.py",
            vec![
                "--input-dim".into(),
                d.to_string(),
                "--hidden".into(),
                h.to_string(),
            ],
        ),
        ("numpy", Model::Cnn) => ("ref_cnn_numpy.py", vec![]),
        (_, Model::Mlp { d, h }) => (
            "ref_torch.py",
            vec![
                "--model".into(),
                "mlp".into(),
                "--input-dim".into(),
                d.to_string(),
                "--hidden".into(),
                h.to_string(),
            ],
        ),
        (_, Model::Cnn) => ("ref_torch.py", vec!["--model".into(), "cnn".into()]),
    };
    cmd.arg(format!("{dir}/{script}"))
        .args(extra)
        .args(["--iters", &args.iters.to_string()])
        .args(["--warmup", &args.warmup.to_string()])
        .args(["--threads", &threads.to_string()]);
    let out = cmd.output().into_diagnostic()?;
    if !out.status.success() {
        return Err(miette!(
            "{which} reference failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| miette!("{which} reference printed no JSON"))?;
    let v: serde_json::Value = serde_json::from_str(line).into_diagnostic()?;
    v["examples_per_sec"]
        .as_f64()
        .ok_or_else(|| miette!("{which} reference JSON has no examples_per_sec"))
}

/// Busy fraction of the CPUs by other processes right now (machine_load.py).
fn machine_busy(args: &BenchArgs) -> Option<f64> {
    let py = args.python.as_ref()?;
    let out = Command::new(py)
        .arg(format!("{}/machine_load.py", args.reference_dir))
        .args(["--interval", "0.5"])
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["busy"].as_f64()
}

fn wait_quiet(args: &BenchArgs) {
    if let (Some(py), Some(secs)) = (&args.python, args.wait_quiet) {
        let _ = Command::new(py)
            .arg(format!("{}/machine_load.py", args.reference_dir))
            .args(["--wait-quiet", &secs.to_string()])
            .output();
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_finite() && b.is_finite() && b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "–".into()
    }
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.0}")
    } else {
        "–".into()
    }
}

fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| model | thr | regime ex/s | regime GF/s | sgemm peak GF/s | regime % peak | numpy ex/s | torch ex/s | regime/numpy | regime/torch | max busy |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let (reg, np, th) = (median(&r.regime), median(&r.numpy), median(&r.torch));
        let gf = reg * r.flops / 1e9;
        s += &format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.0}% | {} | {} | {} | {} | {} |\n",
            r.model,
            r.threads,
            num(reg),
            gf,
            r.peak,
            100.0 * gf / r.peak,
            num(np),
            num(th),
            ratio(reg, np),
            ratio(reg, th),
            r.load
                .iter()
                .copied()
                .reduce(f64::max)
                .map_or("–".into(), |b| format!("{b:.2}"))
        );
    }
    s
}

pub fn run_bench(args: &BenchArgs) -> miette::Result<()> {
    let mut models = Vec::new();
    if !args.no_mlp {
        for &d in &args.inputs {
            for &h in &args.hidden {
                models.push(Model::Mlp { d, h });
            }
        }
    }
    if !args.no_cnn {
        models.push(Model::Cnn);
    }
    // Torch counts as available when its reference runs one tiny iteration.
    let torch_ok = args.torch
        && args.python.as_ref().is_some_and(|py| {
            Command::new(py)
                .arg(format!("{}/ref_torch.py", args.reference_dir))
                .args([
                    "--model",
                    "mlp",
                    "--input-dim",
                    "8",
                    "--hidden",
                    "8",
                    "--iters",
                    "1",
                    "--warmup",
                    "0",
                ])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        });
    if args.torch && !torch_ok {
        eprintln!("bench: torch is not importable by --python; skipping PyTorch");
    }
    // Same pools as the references: 10,000 random examples (MLP), 2,000 images (CNN).
    let mut rows = Vec::new();
    for &model in &models {
        let data = match model {
            Model::Mlp { d, .. } => random_dataset(
                Shape {
                    channels: 1,
                    height: 1,
                    width: d,
                },
                10,
                10_000,
                0,
                0,
                0,
            ),
            Model::Cnn => random_dataset(
                Shape {
                    channels: 3,
                    height: 32,
                    width: 32,
                },
                10,
                2_000,
                0,
                0,
                0,
            ),
        };
        for &threads in &args.threads {
            wait_quiet(args);
            let (m, k, n) = model.peak_shape();
            let mut row = Row {
                model: model.label(),
                threads,
                peak: with_gemm_threads(threads, || sgemm_peak(m, k, n)).unwrap_or(f64::NAN),
                flops: model.flops_per_example(),
                ..Row::default()
            };
            for rep in 0..args.repeats.max(1) {
                let timed =
                    with_gemm_threads(threads, || time_regime(model, &data, args, rep as u64))
                        .map_err(|message| EngineError::Config { message })?;
                row.regime.push(timed?);
                if let Some(py) = &args.python {
                    row.numpy.push(time_reference(
                        py,
                        &args.reference_dir,
                        "numpy",
                        model,
                        threads,
                        args,
                    )?);
                    if torch_ok {
                        row.torch.push(time_reference(
                            py,
                            &args.reference_dir,
                            "torch",
                            model,
                            threads,
                            args,
                        )?);
                    }
                }
                row.load.extend(machine_busy(args));
            }
            eprintln!(
                "{} thr {}: regime {:.0} ex/s, numpy {:.0}, torch {:.0} (medians of {})",
                row.model,
                threads,
                median(&row.regime),
                median(&row.numpy),
                median(&row.torch),
                row.regime.len()
            );
            rows.push(row);
        }
    }
    let t = table(&rows);
    println!("{t}");
    if let Some(path) = &args.out {
        std::fs::write(path, &t).into_diagnostic()?;
    }
    Ok(())
}
