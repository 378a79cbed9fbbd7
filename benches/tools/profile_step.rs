//! Runs training steps for profiling, e.g.
//! `perf record ./target/release/examples/profile_step mlp 784 500 400 1` or
//! `... profile_step cnn 0 0 40 1` (two-layer net D×H, batch 200; or the
//! convnet on 3×32×32, batch 50; SGD momentum, L2; last argument = threads).

use regime::engine::testing::{convnet, random_dataset, sgd, trial, two_layer};
use regime::engine::{with_gemm_threads, Trainer};
use regime::plan::{Init, PenaltyKind, Sampling, Shape};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cnn = args.first().is_some_and(|a| a == "cnn");
    let a: Vec<usize> = args.iter().skip(1).filter_map(|s| s.parse().ok()).collect();
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
    let s = with_gemm_threads(threads, || {
        let start = std::time::Instant::now();
        for _ in 0..iters {
            tr.step(5e-4, 1e-3).expect("step");
        }
        start.elapsed().as_secs_f64()
    })
    .expect("threads");
    let ex = (iters * batch) as f64 / s;
    println!(
        "[{}] {}: {:.2} ms/step, {ex:.0} ex/s, {:.1} GFLOP/s",
        regime::engine::blas_core(),
        if cnn {
            "cnn".to_string()
        } else {
            format!("D{d} H{h}")
        },
        1e3 * s / iters as f64,
        ex * flops / 1e9
    );
}
