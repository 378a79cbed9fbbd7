//! Seeded percentile bootstrap over clusters of paired units: a cluster is
//! a data split when there are several (so the resampling keeps the split's
//! seeds together), else one (split, seed) pair. The same seed gives the
//! same interval on every machine (ChaCha8).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Resamples per interval.
pub const RESAMPLES: usize = 2000;

/// Linear-interpolation quantile (R type 7) of sorted values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// 95% percentile interval of `stat` over `resamples` cluster resamples.
/// None with fewer than two clusters, or when fewer than half the resamples
/// give a finite statistic.
pub fn percentile_ci<T>(
    clusters: &[Vec<T>],
    stat: &dyn Fn(&[&T]) -> f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    let k = clusters.len();
    if k < 2 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let picked: Vec<&T> = (0..k)
            .flat_map(|_| clusters[rng.random_range(0..k)].iter())
            .collect();
        let v = stat(&picked);
        if v.is_finite() {
            values.push(v);
        }
    }
    if values.len() * 2 < resamples {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some((
        quantile_sorted(&values, 0.025),
        quantile_sorted(&values, 0.975),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_sorted(&[5.0], 0.9), 5.0);
    }

    #[test]
    fn reproducible_and_sensible() {
        let clusters: Vec<Vec<f64>> = (0..30).map(|i| vec![i as f64]).collect();
        let mean = |v: &[&f64]| v.iter().copied().sum::<f64>() / v.len() as f64;
        let a = percentile_ci(&clusters, &mean, RESAMPLES, 7).unwrap();
        let b = percentile_ci(&clusters, &mean, RESAMPLES, 7).unwrap();
        assert_eq!(a, b);
        // Mean 14.5, SE ≈ 8.8/√30 ≈ 1.6: the interval is about 14.5 ± 3.2.
        assert!(
            a.0 > 10.0 && a.0 < 13.0 && a.1 > 16.0 && a.1 < 19.0,
            "{a:?}"
        );
        assert!(percentile_ci(&clusters[..1], &mean, 100, 7).is_none());
    }
}
