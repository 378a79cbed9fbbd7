//! Seeded simulation tests of the interval, the Holm adjustment and the
//! split-aware unit of analysis (fast: a few hundred thousand normal draws).

use super::paired::{holm, paired_p, ALPHA};
use super::quantiles::Stat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

fn normal(mean: f64, sd: f64) -> Normal<f64> {
    Normal::new(mean, sd).expect("finite parameters")
}

/// Share of `reps` intervals from `draw` that cover `truth`.
fn coverage(reps: usize, truth: f64, mut draw: impl FnMut() -> Option<Stat>) -> f64 {
    let hits = (0..reps)
        .filter(|_| draw().is_some_and(|s| (s.mean - truth).abs() <= s.half_width))
        .count();
    hits as f64 / reps as f64
}

#[test]
fn t_interval_covers_95_percent_at_small_and_large_n() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let d = normal(0.8, 0.02);
    for n in [3, 5, 15, 40] {
        let c = coverage(20_000, 0.8, || {
            let v: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            Stat::of(&v)
        });
        assert!((0.94..=0.96).contains(&c), "n = {n}: coverage {c}");
    }
}

#[test]
fn holm_keeps_the_family_wise_error_under_the_null() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let d = normal(0.0, 1.0);
    let (families, m, n) = (2000, 10, 15);
    let (mut any_raw, mut any_holm) = (0, 0);
    for _ in 0..families {
        let p: Vec<f64> = (0..m)
            .map(|_| {
                let v: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
                paired_p(&v).map_or(f64::NAN, |(p, _)| p)
            })
            .collect();
        any_raw += usize::from(p.iter().any(|&x| x < ALPHA));
        any_holm += usize::from(holm(&p).iter().any(|&x| x < ALPHA));
    }
    let (raw, adj) = (
        any_raw as f64 / families as f64,
        any_holm as f64 / families as f64,
    );
    // Unadjusted: 1 − 0.95^10 ≈ 0.40. Holm: ≤ 0.05 (SE ≈ 0.005 at 2000 families).
    assert!(raw > 0.3, "unadjusted FWER {raw}");
    assert!(adj <= 0.065, "Holm FWER {adj}");
}

#[test]
fn split_aware_interval_covers_when_splits_add_variance() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let split_effect = normal(0.0, 0.02);
    let seed_noise = normal(0.0, 0.005);
    let (splits, seeds) = (5u32, 4);
    let mut draw = || -> Vec<(u32, f64)> {
        (0..splits)
            .flat_map(|p| {
                let e = split_effect.sample(&mut rng);
                (0..seeds)
                    .map(|_| (p, 0.8 + e + seed_noise.sample(&mut rng)))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let reps = 10_000;
    let mut split_hits = 0;
    let mut seed_hits = 0;
    for _ in 0..reps {
        let v = draw();
        let covers = |s: Option<Stat>| s.is_some_and(|s| (s.mean - 0.8).abs() <= s.half_width);
        split_hits += usize::from(covers(Stat::split_aware(&v)));
        let flat: Vec<f64> = v.iter().map(|x| x.1).collect();
        seed_hits += usize::from(covers(Stat::of(&flat)));
    }
    let (split_cov, seed_cov) = (
        split_hits as f64 / reps as f64,
        seed_hits as f64 / reps as f64,
    );
    assert!(
        (0.935..=0.965).contains(&split_cov),
        "split-aware {split_cov}"
    );
    assert!(seed_cov < 0.8, "seed-only {seed_cov}");
}
