//! Power: the minimum detectable effect (MDE) of a paired comparison, the
//! smallest true mean difference a two-sided paired t test at α = 0.05
//! detects with 80% power given the SD of the unit differences and the
//! number of units: (t(1 − α/2, df) + t(0.80, df)) · sd / √units,
//! df = units − 1. This is the usual t approximation to the noncentral-t
//! power; for very few units it is slightly optimistic.
//!
//! Up to `MAX_EXACT_UNITS` units the test actually made is the exact
//! sign-flip test, whose smallest p-value is 2 / 2^units: with 5 or fewer
//! units it never reaches α = 0.05 whatever the effect, so no effect is
//! detectable and the MDE is infinite (the t formula would promise one).

use super::paired::{ALPHA, MAX_EXACT_UNITS};
use super::quantiles::t_quantile;

pub const POWER: f64 = 0.80;

/// True when the exact sign-flip test `units` units get can reach α at
/// all: its smallest two-sided p-value, 2 / 2^units, is at most α.
pub fn exact_test_can_reject(units: usize) -> bool {
    units > MAX_EXACT_UNITS || 2.0 * 0.5f64.powi(units as i32) <= ALPHA
}

/// MDE for `units` paired units with unit SD `sd`: NaN below two units,
/// infinite when the test those units get can never reject (see the module
/// comment).
pub fn mde(sd: f64, units: usize) -> f64 {
    if units < 2 || !sd.is_finite() {
        return f64::NAN;
    }
    if !exact_test_can_reject(units) {
        return f64::INFINITY;
    }
    t_mde(sd, units)
}

/// The t formula of the module comment, for two or more units.
fn t_mde(sd: f64, units: usize) -> f64 {
    let df = (units - 1) as f64;
    (t_quantile(1.0 - ALPHA / 2.0, df) + t_quantile(POWER, df)) * sd / (units as f64).sqrt()
}

/// An MDE as a CSV cell: empty when there is none (fewer than two units),
/// `inf` when no effect is detectable.
pub fn mde_cell(mde: Option<f64>) -> String {
    match mde {
        Some(m) if m == f64::INFINITY => "inf".into(),
        m => crate::report::columns::opt(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mde_against_scipy_quantiles() {
        // (scipy.stats.t.ppf(0.975, 4) + scipy.stats.t.ppf(0.8, 4)) / sqrt(5)
        // = (2.7764451051977934 + 0.9409645772351816) / 2.23606797749979
        let want = (2.7764451051977934 + 0.9409645772351816) / 5f64.sqrt();
        assert!((t_mde(1.0, 5) - want).abs() < 1e-9);
        assert!((t_mde(0.02, 5) - 0.02 * want).abs() < 1e-9);
        assert!(mde(1.0, 1).is_nan());
        // More units, smaller MDE.
        assert!(mde(1.0, 40) < mde(1.0, 10));
    }

    #[test]
    fn units_whose_exact_test_cannot_reach_alpha_detect_nothing() {
        // 2 / 2^5 = 0.0625 > 0.05: the exact sign-flip test of 5 units never
        // rejects, so no effect is detectable; 6 units (0.03125) can.
        assert_eq!(mde(0.01, 5), f64::INFINITY);
        assert_eq!(mde(0.01, 2), f64::INFINITY);
        assert!(mde(0.01, 6).is_finite());
        assert_eq!(mde_cell(Some(mde(0.01, 5))), "inf");
        assert_eq!(mde_cell(None), "");
        assert_eq!(mde_cell(Some(0.25)), "0.25");
        // Consistent with the test itself: the most extreme 5 units.
        let p = crate::report::stats::paired::sign_flip_p(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(p > ALPHA, "{p}");
    }
}
