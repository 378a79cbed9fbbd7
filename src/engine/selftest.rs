//! The correctness self-test of the BLAS kernel this process runs: every
//! BLAS routine regime calls (only `cblas_sgemm`, through [`super::sgemm`])
//! against an f64 reference, over edge-case shapes and the models' shapes,
//! every transpose, and several alpha/beta. A kernel that computes wrong
//! results fails it; one that crashes takes only the child process that runs
//! it (see `cli::blas`). Also measures the kernel's single-thread GFLOP/s.

use super::sgemm;
use serde::{Deserialize, Serialize};

/// What the self-test found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfTest {
    /// Every product within its error bound.
    pub passed: bool,
    /// Products checked.
    pub products: usize,
    /// Largest |error| / bound over all checked elements (≤ 1 passes).
    pub worst_ratio: f64,
    /// Largest error relative to the size of the terms summed,
    /// |got − exact| / (|α|·Σ|a·b| + |β·c|) (cancellation cannot inflate it).
    pub max_rel_error: f64,
    /// The first failure, if any.
    pub failure: Option<String>,
}

/// (m, n, k): edge cases (ones, primes, sizes around SIMD widths and tile
/// edges) and the two-layer net's and convnet's products.
pub const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (1, 17, 3),
    (19, 1, 7),
    (7, 13, 5),
    (33, 65, 17),
    (16, 16, 16),
    (31, 33, 63),
    (64, 100, 129),
    (200, 500, 784),
    (784, 500, 200),
    (200, 784, 500),
    (200, 10, 500),
    (50, 100, 8192),
    (32, 1024, 147),
];

/// Deterministic pseudo-random values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 23) as f32) - 1.0
        })
        .collect()
}

/// A GEMM with `sgemm`'s signature (the real one, or a broken one in tests).
type Gemm = dyn Fn(bool, bool, usize, usize, usize, f32, &[f32], &[f32], f32, &mut [f32]);

/// Checks one product; `Err` names the first element out of bounds.
#[allow(clippy::too_many_arguments)]
fn check(
    gemm: &Gemm,
    (ta, tb): (bool, bool),
    (m, n, k): (usize, usize, usize),
    alpha: f32,
    beta: f32,
    t: &mut SelfTest,
) -> Result<(), String> {
    let a = values(m * k, (m * 31 + k) as u64);
    let b = values(k * n, (n * 17 + k) as u64);
    let c0 = values(m * n, (m + n) as u64);
    let mut c = c0.clone();
    gemm(ta, tb, m, n, k, alpha, &a, &b, beta, &mut c);
    let at = |r: usize, j: usize| if ta { a[j * m + r] } else { a[r * k + j] } as f64;
    let bt = |j: usize, col: usize| if tb { b[col * k + j] } else { b[j * n + col] } as f64;
    // Every element of small products; a sample of rows and columns of large ones.
    let step = |len: usize| (len / 23).max(1);
    for r in (0..m).step_by(step(m)).chain([m - 1]) {
        for col in (0..n).step_by(step(n)).chain([n - 1]) {
            let (mut dot, mut size) = (0f64, 0f64);
            for j in 0..k {
                dot += at(r, j) * bt(j, col);
                size += (at(r, j) * bt(j, col)).abs();
            }
            let c_in = c0[r * n + col] as f64;
            let exact = alpha as f64 * dot + beta as f64 * c_in;
            // Floating-point summation of k terms in f32: error ≤ γ·Σ|terms|
            // with γ ≈ k·u; a factor 2 for alpha/beta and the final rounding.
            let u = f32::EPSILON as f64 / 2.0;
            let scale = alpha.abs() as f64 * size + (beta as f64 * c_in).abs();
            let bound = 2.0 * (k as f64 + 2.0) * u * scale + 1e-30;
            let got = c[r * n + col] as f64;
            let err = (got - exact).abs();
            if !got.is_finite() || err > bound {
                return Err(format!(
                    "sgemm {m}×{n}×{k} (ta={ta}, tb={tb}, alpha={alpha}, beta={beta}) at ({r}, {col}): got {got}, exact {exact}"
                ));
            }
            t.worst_ratio = t.worst_ratio.max(err / bound);
            if scale > 0.0 {
                t.max_rel_error = t.max_rel_error.max(err / scale);
            }
        }
    }
    t.products += 1;
    Ok(())
}

/// Runs the whole self-test on the kernel this process dispatches to.
pub fn run() -> SelfTest {
    run_with(&sgemm)
}

fn run_with(gemm: &Gemm) -> SelfTest {
    let mut t = SelfTest {
        passed: true,
        products: 0,
        worst_ratio: 0.0,
        max_rel_error: 0.0,
        failure: None,
    };
    for &(m, n, k) in SHAPES {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            for (alpha, beta) in [(1.0, 0.0), (0.5, 1.0), (-1.0, 0.25)] {
                if let Err(e) = check(gemm, (ta, tb), (m, n, k), alpha, beta, &mut t) {
                    t.passed = false;
                    t.failure = Some(e);
                    return t;
                }
            }
        }
    }
    t
}

/// Single-thread GFLOP/s of `sgemm` at m×n×k, best of repeated timings over
/// about `seconds`.
pub fn gflops(m: usize, n: usize, k: usize, seconds: f64) -> f64 {
    let a = values(m * k, 1);
    let b = values(k * n, 2);
    let mut c = vec![0f32; m * n];
    sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
    let start = std::time::Instant::now();
    let mut best = f64::INFINITY;
    while start.elapsed().as_secs_f64() < seconds {
        let t = std::time::Instant::now();
        for _ in 0..4 {
            sgemm(false, false, m, n, k, 1.0, &a, &b, 0.0, &mut c);
        }
        best = best.min(t.elapsed().as_secs_f64() / 4.0);
    }
    2.0 * (m * n * k) as f64 / best / 1e9
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kernel_of_this_process_passes_its_self_test() {
        let t = super::run();
        assert!(t.passed, "{:?}", t.failure);
        assert_eq!(t.products, super::SHAPES.len() * 4 * 3);
        assert!(t.max_rel_error < 1e-5, "{}", t.max_rel_error);
    }

    #[test]
    fn a_kernel_off_by_a_little_or_producing_nan_fails() {
        let off = |ta, tb, m, n, k, al, a: &[f32], b: &[f32], be, c: &mut [f32]| {
            super::sgemm(ta, tb, m, n, k, al, a, b, be, c);
            if m * n > 1000 {
                // Far below what a wrong kernel produces, above rounding.
                c[m * n - 1] += 0.1;
            }
        };
        let t = super::run_with(&off);
        assert!(!t.passed && t.failure.as_deref().unwrap_or("").contains("sgemm"));
        let nan = |ta, tb, m, n, k, al, a: &[f32], b: &[f32], be, c: &mut [f32]| {
            super::sgemm(ta, tb, m, n, k, al, a, b, be, c);
            c[0] = f32::NAN;
        };
        assert!(!super::run_with(&nan).passed);
    }
}
