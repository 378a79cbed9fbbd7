//! Runs training steps for profiling, e.g.
//! `perf record ./target/release/examples/profile_step mlp 784 500 400 1` or
//! `... profile_step cnn 0 0 40 1` (two-layer net D×H, batch 200; or the
//! convnet on 3×32×32, batch 50; SGD momentum, L2; last argument = threads).
//! `... profile_step sgemm 32 147 51200` times one single-threaded GEMM
//! (m k n) instead, the peak the trainer is compared with. Every figure is
//! also given per CPU-second, which a busy machine does not distort.

use regime::engine::testing::{convnet, random_dataset, sgd, trial, two_layer};
use regime::engine::{with_gemm_threads, Trainer};
use regime::plan::{Init, PenaltyKind, Sampling, Shape};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cnn = args.first().is_some_and(|a| a == "cnn");
    let a: Vec<usize> = args.iter().skip(1).filter_map(|s| s.parse().ok()).collect();
    if args.first().is_some_and(|a| a == "sgemm") {
        return sgemm_peak(a[0], a[1], a[2]);
    }
    let (d, h, iters) = (
        *a.first().unwrap_or(&784),
        *a.get(1).unwrap_or(&500),
        *a.get(2).unwrap_or(&400),
    );
    let threads = *a.get(3).unwrap_or(&1);
    let (data, net, batch, flops) = if cnn {
        let input = Shape {
            channels: 3,
            height: 32,
            width: 32,
        };
        let data = random_dataset(input, 10, 2_000, 0, 0, 0);
        let flops = (4 * 32 * 147 * 1024 + 6 * 8192 * 100 + 6000) as f64;
        (data, convnet(input, 32, 7, 100, 10, Init::He), 50, flops)
    } else {
        let data = random_dataset(
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
        );
        (
            data,
            two_layer(d, h, 10, Init::He),
            200,
            (4 * d * h + 60 * h) as f64,
        )
    };
    let mut t = trial(net, sgd(1e-3, 0.9), PenaltyKind::L2, batch, 0);
    t.sampling = Sampling::Replacement;
    let mut tr = Trainer::new(&t, &data).expect("trainer");
    for _ in 0..5 {
        tr.step(5e-4, 1e-3).expect("step");
    }
    let (s, cpu) = with_gemm_threads(threads, || {
        let (start, cpu0) = (std::time::Instant::now(), cpu_seconds());
        for _ in 0..iters {
            tr.step(5e-4, 1e-3).expect("step");
        }
        (start.elapsed().as_secs_f64(), cpu_seconds() - cpu0)
    })
    .expect("threads");
    let ex = (iters * batch) as f64 / s;
    // On a busy machine wall time measures the neighbours; CPU time (user +
    // system of the whole process, all threads) does not.
    println!(
        "[{}] {}: {:.2} ms/step, {ex:.0} ex/s, {:.1} GFLOP/s; CPU {:.2} ms/step, {:.1} GFLOP/s per CPU-second",
        regime::engine::blas_core(),
        if cnn {
            "cnn".to_string()
        } else {
            format!("D{d} H{h}")
        },
        1e3 * s / iters as f64,
        ex * flops / 1e9,
        1e3 * cpu / iters as f64,
        (iters * batch) as f64 * flops / cpu / 1e9
    );
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 * 1e-6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// GFLOP/s of one single-threaded `m×k · k×n` GEMM, per wall and per CPU second.
fn sgemm_peak(m: usize, k: usize, n: usize) {
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    let mut c = vec![0f32; m * n];
    regime::engine::sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
    let (start, cpu0) = (std::time::Instant::now(), cpu_seconds());
    let mut calls = 0u64;
    while cpu_seconds() - cpu0 < 2.0 {
        regime::engine::sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
        calls += 1;
    }
    let flops = 2.0 * (m * k * n) as f64 * calls as f64;
    println!(
        "[{}] sgemm {m}x{k}x{n}: {:.1} GFLOP/s; {:.1} GFLOP/s per CPU-second",
        regime::engine::blas_core(),
        flops / start.elapsed().as_secs_f64() / 1e9,
        flops / (cpu_seconds() - cpu0) / 1e9
    );
}
