//! Runs training steps of the two-layer net (default D 784, H 500, batch 200,
//! SGD momentum, L2) for profiling: `perf record ./target/release/examples/profile_step 784 500 400`.

use regime::engine::testing::{random_dataset, sgd, trial, two_layer};
use regime::engine::{set_blas_threads, Trainer};
use regime::plan::{Init, PenaltyKind, Sampling, Shape};

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    let (d, h, iters) = (
        *a.first().unwrap_or(&784),
        *a.get(1).unwrap_or(&500),
        *a.get(2).unwrap_or(&400),
    );
    set_blas_threads(*a.get(3).unwrap_or(&1));
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
    let mut t = trial(
        two_layer(d, h, 10, Init::He),
        sgd(1e-3, 0.9),
        PenaltyKind::L2,
        200,
        0,
    );
    t.sampling = Sampling::Replacement;
    let mut tr = Trainer::new(&t, &data).expect("trainer");
    for _ in 0..10 {
        tr.step(5e-4, 1e-3).expect("step");
    }
    let start = std::time::Instant::now();
    for _ in 0..iters {
        tr.step(5e-4, 1e-3).expect("step");
    }
    let s = start.elapsed().as_secs_f64();
    let ex = (iters * 200) as f64 / s;
    let gf = ex * (4 * d * h + 60 * h) as f64 / 1e9;
    println!(
        "[{}] D{d} H{h}: {:.2} ms/step, {ex:.0} ex/s, {gf:.1} GFLOP/s",
        regime::engine::blas_core(),
        1e3 * s / iters as f64
    );
}
