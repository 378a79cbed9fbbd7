//! The microbench: training iterations of the shapes on synthetic
//! data, timed inside each framework after a warm-up, long enough to reach
//! steady state (at least `--min-time` seconds and `--min-iters` iterations;
//! 50 iterations under-measured numpy by a third). regime is timed in this
//! process; numpy (as is, at its best) and torch in fresh processes,
//! interleaved repeat by repeat so that machine noise hits everyone alike.
//!
//! FLOPs are counted as the references count them (GEMM only, forward and
//! backward, no input gradient for the first layer): two-layer net
//! 4DH + 6HC per example, convnet 24.19 MFLOP per example.

use super::reference::{self, Python};
use super::table::{Framework, Row, Sample};
use super::{machine, Args};
use crate::data::Dataset;
use crate::engine::testing::{convnet, random_dataset, sgd, trial, two_layer};
use crate::engine::{blas_core, sgemm, with_gemm_threads, Trainer};
use crate::plan::{Init, PenaltyKind, Sampling, Shape};
use miette::miette;
use std::time::Instant;

/// One benchmark configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Mlp { d: usize, h: usize },
    Cnn,
}

impl Model {
    pub fn batch(self) -> usize {
        match self {
            Model::Mlp { .. } => 200,
            Model::Cnn => 50,
        }
    }
    pub fn flops_per_example(self) -> f64 {
        match self {
            Model::Mlp { d, h } => (4 * d * h + 6 * h * 10) as f64,
            // conv fwd + conv dW (2·32·147·1024 each) + 3 × affine 8192→100 + 3 × affine 100→10.
            Model::Cnn => (2 * 2 * 32 * 147 * 1024 + 3 * 2 * 8192 * 100 + 3 * 2 * 100 * 10) as f64,
        }
    }
    pub fn label(self) -> String {
        match self {
            Model::Mlp { d, h } => format!("mlp D{d} H{h}"),
            Model::Cnn => "cnn 3×32×32".into(),
        }
    }
    /// (m, k, n) of the sgemm peak a model is measured against: the
    /// two-layer net's forward GEMM; for the convnet the machine's best
    /// sgemm shape, 200×784·784×500 — its own conv-as-GEMM shape
    /// (32×147·147×51200) is slower than the direct convolution regime now
    /// runs, so it would not be a ceiling.
    pub fn peak_shape(self) -> (usize, usize, usize) {
        match self {
            Model::Mlp { d, h } => (200, d, h),
            Model::Cnn => (200, 784, 500),
        }
    }
    /// `sgemm_peak.py`'s name of the peak shape.
    pub fn peak_name(self) -> String {
        match self {
            Model::Mlp { d, h } => format!("mlp_fwd_D{d}_H{h}"),
            Model::Cnn => "mlp_fwd_D784_H500".into(),
        }
    }
    /// The references' pools: 10,000 random examples (MLP), 2,000 images (CNN).
    fn dataset(self) -> Dataset {
        let (shape, n) = match self {
            Model::Mlp { d, .. } => (shape(1, 1, d), 10_000),
            Model::Cnn => (shape(3, 32, 32), 2_000),
        };
        random_dataset(shape, 10, n, 0, 0, 0)
    }
    /// The reference script and its model flags.
    fn script(self, fw: Framework) -> (&'static str, Vec<String>) {
        let dims = |d: usize, h: usize| -> Vec<String> {
            vec![
                "--input-dim".into(),
                d.to_string(),
                "--hidden".into(),
                h.to_string(),
            ]
        };
        match (fw, self) {
            (Framework::Torch, Model::Mlp { d, h }) => (
                "ref_torch.py",
                [vec!["--model".into(), "mlp".into()], dims(d, h)].concat(),
            ),
            (Framework::Torch, Model::Cnn) => {
                ("ref_torch.py", vec!["--model".into(), "cnn".into()])
            }
            (_, Model::Mlp { d, h }) => ("ref_mlp_numpy.py", dims(d, h)),
            (_, Model::Cnn) => ("ref_cnn_numpy.py", vec![]),
        }
    }
}

fn shape(channels: usize, height: usize, width: usize) -> Shape {
    Shape {
        channels,
        height,
        width,
    }
}

/// The configurations to run, each once (a repeated `--inputs`/`--hidden`
/// value does not give a second row).
pub fn models(args: &Args) -> Vec<Model> {
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
    let mut seen = Vec::new();
    models.retain(|m| {
        let new = !seen.contains(m);
        seen.push(*m);
        new
    });
    models
}

/// Best-of-3 GFLOP/s of regime's `sgemm` at (m × k) · (k × n) on 1 thread.
pub fn regime_sgemm(m: usize, k: usize, n: usize) -> f64 {
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    let mut c = vec![0f32; m * n];
    let run = || {
        let mut c = std::mem::take(&mut c);
        sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
        let mut best = 0f64;
        for _ in 0..3 {
            let t = Instant::now();
            let mut calls = 0u64;
            while t.elapsed().as_secs_f64() < 0.3 {
                sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
                calls += 1;
            }
            let flops = 2.0 * (m * k * n) as f64 * calls as f64;
            best = best.max(flops / t.elapsed().as_secs_f64() / 1e9);
        }
        best
    };
    with_gemm_threads(1, run).unwrap_or(f64::NAN)
}

/// "OpenBLAS 0.3.21" from regime's OpenBLAS configuration string.
pub fn blas_version() -> String {
    crate::engine::blas_config()
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a timed loop has run long enough.
fn enough(args: &Args, iters: usize, secs: f64) -> bool {
    match args.iters {
        Some(n) => iters >= n,
        None => iters >= args.min_iters && secs >= args.min_time,
    }
}

/// Iterations for a reference run: `--iters`, or enough for `--min-time` at
/// the rate last measured for this row.
fn iters_for(args: &Args, model: Model, estimate: f64) -> usize {
    args.iters.unwrap_or_else(|| {
        let want = (1.1 * args.min_time * estimate / model.batch() as f64).ceil();
        (want as usize).max(args.min_iters)
    })
}

/// regime's trainer: fresh trainer, warm-up, timed loop.
fn time_regime(
    model: Model,
    data: &Dataset,
    args: &Args,
    threads: usize,
    seed: u64,
) -> miette::Result<Sample> {
    let net = match model {
        Model::Mlp { d, h } => two_layer(d, h, 10, Init::He),
        Model::Cnn => convnet(data.input, 32, 7, 100, 10, Init::He),
    };
    let mut t = trial(net, sgd(1e-3, 0.9), PenaltyKind::L2, model.batch(), seed);
    t.sampling = Sampling::Replacement;
    let timed = || -> miette::Result<Sample> {
        let mut tr = Trainer::new(&t, data).map_err(|e| miette!("{e}"))?;
        // λ = 5e-4 in λ·Σw² is the references' 0.5·1e-3·ΣW².
        let mut step = || tr.step(5e-4, 1e-3).map(|_| ()).map_err(|e| miette!("{e}"));
        for _ in 0..args.warmup {
            step()?;
        }
        let before = machine::snap();
        let start = Instant::now();
        let mut iters = 0;
        while !enough(args, iters, start.elapsed().as_secs_f64()) {
            step()?;
            iters += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        Ok(Sample {
            eps: (iters * model.batch()) as f64 / seconds,
            seconds,
            kernel: blas_core(),
            library: format!("regime ({})", blas_version()),
            others: machine::others_cores(&before, &machine::snap()),
        })
    };
    with_gemm_threads(threads, timed).map_err(|e| miette!("{e}"))?
}

fn time_reference(
    py: &Python,
    fw: Framework,
    model: Model,
    args: &Args,
    threads: usize,
    iters: usize,
) -> miette::Result<Sample> {
    let (script, flags) = model.script(fw);
    let mut cmd = py.command(fw, script);
    cmd.args(flags)
        .args(["--iters", &iters.to_string()])
        .args(["--warmup", &args.warmup.to_string()])
        .args(["--threads", &threads.to_string()]);
    reference::timed_sample(fw, &reference::finish(cmd, fw.label())?)
}

/// One row: `--repeats` interleaved rounds of every framework.
pub fn row(
    model: Model,
    threads: usize,
    peak1: f64,
    data: &Dataset,
    args: &Args,
    refs: &[(Framework, &Python)],
) -> miette::Result<Row> {
    let mut row = Row {
        label: model.label(),
        threads,
        flops: model.flops_per_example(),
        peak1,
        ..Row::default()
    };
    for rep in 0..args.repeats.max(1) {
        let s = time_regime(model, data, args, threads, rep as u64)?;
        args.sample(&row.label, Framework::Regime, &s);
        row.push(Framework::Regime, s);
        for &(fw, py) in refs {
            let estimate = row
                .last_eps(fw)
                .or(row.last_eps(Framework::Regime))
                .unwrap_or(1e4);
            let iters = iters_for(args, model, estimate);
            let s = time_reference(py, fw, model, args, threads, iters)?;
            args.sample(&row.label, fw, &s);
            row.push(fw, s);
        }
    }
    args.progress(format_args!(
        "{} on {} thread(s): regime {:.0} ex/s, numpy as is {:.0}, at best {:.0}, torch {:.0}",
        row.label,
        threads,
        row.eps(Framework::Regime),
        row.eps(Framework::NumpyEnv),
        row.eps(Framework::NumpyBest),
        row.eps(Framework::Torch)
    ));
    Ok(row)
}

/// Every configuration × thread count.
pub fn run(
    args: &Args,
    refs: &[(Framework, &Python)],
    numpy_peaks: &reference::Peaks,
    emit: &mut super::Emit,
) -> miette::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for model in models(args) {
        let data = model.dataset();
        let (m, k, n) = model.peak_shape();
        let numpy = numpy_peaks
            .iter()
            .find(|(s, _)| *s == (m as u64, k as u64, n as u64))
            .map_or(f64::NAN, |p| p.1);
        let peak1 = regime_sgemm(m, k, n).max(numpy);
        for &threads in &args.threads {
            rows.push(super::quietest(args, || {
                row(model, threads, peak1, &data, args, refs)
            })?);
            emit(&rows)?;
        }
    }
    Ok(rows)
}
