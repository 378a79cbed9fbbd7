//! Paired comparisons with the baseline: the test of a mean difference
//! (paired t, or the exact sign-flip permutation test when there are few
//! units), Holm's adjustment across a family of comparisons, Bonferroni
//! simultaneous intervals and the verdict.

use super::quantiles::{t_two_sided_p, Stat};
use serde::Serialize;

/// Family-wise significance level of the verdicts.
pub const ALPHA: f64 = 0.05;

/// Up to this many units the exact sign-flip test is used (2^units sign
/// assignments enumerated); above it the paired t test.
pub const MAX_EXACT_UNITS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Paired t test on the unit differences (df = units − 1).
    T,
    /// Exact sign-flip permutation test on the unit differences.
    SignFlip,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::T => "t",
            Method::SignFlip => "sign-flip",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    NoDetectableDifference,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::NoDetectableDifference => "no detectable difference",
        }
    }
}

/// Two-sided p-value that the unit differences have mean 0, and the test used.
pub fn paired_p(units: &[f64]) -> Option<(f64, Method)> {
    let m = units.len();
    if m < 2 {
        return None;
    }
    if m <= MAX_EXACT_UNITS {
        return Some((sign_flip_p(units), Method::SignFlip));
    }
    let s = Stat::of(units)?;
    let p = if s.sd == 0.0 {
        if s.mean == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        t_two_sided_p(s.mean / s.se(), s.df)
    };
    Some((p, Method::T))
}

/// Exact two-sided sign-flip p-value: the share of the 2^m sign assignments
/// whose |mean| is at least the observed one (the observed one included, so
/// the smallest possible p is 2/2^m).
pub fn sign_flip_p(units: &[f64]) -> f64 {
    let m = units.len();
    let observed: f64 = units.iter().sum::<f64>().abs();
    let tol = 1e-12 * units.iter().map(|x| x.abs()).sum::<f64>().max(1e-300);
    let total = 1u64 << m;
    let extreme = (0..total)
        .filter(|mask| {
            let s: f64 = units
                .iter()
                .enumerate()
                .map(|(i, x)| if mask >> i & 1 == 1 { -x } else { *x })
                .sum();
            s.abs() >= observed - tol
        })
        .count();
    extreme as f64 / total as f64
}

/// Holm's step-down adjusted p-values, in input order; NaN stays NaN and is
/// not counted in the family.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Verdict on a difference at the adjusted p-value; `higher_is_better`
/// says which sign is an improvement.
pub fn verdict(mean: f64, p_adj: f64, higher_is_better: bool) -> Verdict {
    if !(p_adj < ALPHA) || mean == 0.0 {
        return Verdict::NoDetectableDifference;
    }
    if (mean > 0.0) == higher_is_better {
        Verdict::Better
    } else {
        Verdict::Worse
    }
}

/// Half-width of the Bonferroni simultaneous interval for a family of
/// `family` comparisons (each at level 1 − α/family).
pub fn simultaneous_half_width(s: &Stat, family: usize) -> f64 {
    s.half_width_at(1.0 - ALPHA / family.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_flip_matches_scipy() {
        // x = [0.012, -0.003, 0.021, 0.008, 0.015]
        // scipy.stats.permutation_test((x,), np.mean, permutation_type='samples',
        //     n_resamples=np.inf, alternative='two-sided').pvalue = 0.125
        let x = [0.012, -0.003, 0.021, 0.008, 0.015];
        assert_eq!(paired_p(&x), Some((0.125, Method::SignFlip)));
        // The same with [0.004, -0.001, 0.019] appended: pvalue = 0.0390625
        let x8 = [0.012, -0.003, 0.021, 0.008, 0.015, 0.004, -0.001, 0.019];
        assert_eq!(sign_flip_p(&x8), 0.0390625);
        // Three units can never reach p < 0.25.
        assert_eq!(sign_flip_p(&[1.0, 2.0, 3.0]), 0.25);
    }

    #[test]
    fn paired_t_above_the_exact_limit() {
        // x = [0.5, 1.5, -0.5, 2.0, 1.0, 0.0, 1.2, 0.8, -0.2, 1.7, 0.3]
        // scipy.stats.ttest_1samp(x, 0).pvalue = 0.011573537921564861
        let x = [0.5, 1.5, -0.5, 2.0, 1.0, 0.0, 1.2, 0.8, -0.2, 1.7, 0.3];
        let (p, m) = paired_p(&x).unwrap();
        assert_eq!(m, Method::T);
        assert!((p - 0.011573537921564861).abs() < 1e-9, "{p}");
    }

    #[test]
    fn holm_by_hand() {
        // Sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max 0.06.
        let adj = holm(&[0.01, 0.04, 0.03, 0.005, f64::NAN]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert!(adj[4].is_nan());
        // 0.8·2 caps at 1, and the step-down keeps 0.9·1 at 1.
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.2, 0.01]), vec![0.2, 0.02]);
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(0.01, 0.01, true), Verdict::Better);
        assert_eq!(verdict(0.01, 0.01, false), Verdict::Worse);
        assert_eq!(verdict(-0.01, 0.04, true), Verdict::Worse);
        assert_eq!(verdict(0.01, 0.05, true), Verdict::NoDetectableDifference);
        assert_eq!(
            verdict(0.01, f64::NAN, true),
            Verdict::NoDetectableDifference
        );
    }
}
