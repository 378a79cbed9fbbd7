//! Power: the minimum detectable effect (MDE) of a paired comparison, the
//! smallest true mean difference a two-sided paired t test at α = 0.05
//! detects with 80% power given the SD of the unit differences and the
//! number of units: (t(1 − α/2, df) + t(0.80, df)) · sd / √units,
//! df = units − 1. This is the usual t approximation to the noncentral-t
//! power; for very few units it is slightly optimistic.

use super::quantiles::t_quantile;

pub const POWER: f64 = 0.80;

/// MDE for `units` paired units with unit SD `sd` (NaN below two units).
pub fn mde(sd: f64, units: usize) -> f64 {
    if units < 2 || !sd.is_finite() {
        return f64::NAN;
    }
    let df = (units - 1) as f64;
    (t_quantile(1.0 - super::paired::ALPHA / 2.0, df) + t_quantile(POWER, df)) * sd
        / (units as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mde_against_scipy_quantiles() {
        // (scipy.stats.t.ppf(0.975, 4) + scipy.stats.t.ppf(0.8, 4)) / sqrt(5)
        // = (2.7764451051977934 + 0.9409645772351816) / 2.23606797749979
        let want = (2.7764451051977934 + 0.9409645772351816) / 5f64.sqrt();
        assert!((mde(1.0, 5) - want).abs() < 1e-9);
        assert!((mde(0.02, 5) - 0.02 * want).abs() < 1e-9);
        assert!(mde(1.0, 1).is_nan());
        // More units, smaller MDE.
        assert!(mde(1.0, 40) < mde(1.0, 10));
    }
}
