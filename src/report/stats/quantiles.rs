//! Distribution quantiles and tail probabilities (from `statrs`, no hand
//! tables) and the interval estimate every summary column is built on:
//! the mean over the units of analysis with its Student-t interval.
//!
//! Unit of analysis: with one data split the seeds are the units
//! (df = seeds − 1); with K ≥ 2 splits the values are first averaged over
//! the seeds of each split and the split means are the units (df = K − 1),
//! so the interval carries the variance between splits as well as between
//! seeds. `n` still counts every (split, seed) value.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use std::collections::BTreeMap;

/// The `p` quantile of Student's t with `df` degrees of freedom (NaN when
/// df ≤ 0 or p is outside (0, 1)).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let valid = df > 0.0 && p > 0.0 && p < 1.0;
    if !valid {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Two-sided 97.5% quantile of Student's t (the 95% interval's multiplier).
pub fn t975(df: f64) -> f64 {
    t_quantile(0.975, df)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if !(df > 0.0) || t.is_nan() {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => (2.0 * d.sf(t.abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

/// The `p` quantile of the standard normal distribution.
pub fn z_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) if p > 0.0 && p < 1.0 => n.inverse_cdf(p),
        _ => f64::NAN,
    }
}

/// The units of analysis of values tagged with their split: the mean of
/// each split when there are at least two splits, else the values.
pub fn unit_values(values: &[(u32, f64)]) -> (Vec<f64>, Unit) {
    let mut by_split: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for &(s, v) in values.iter().filter(|(_, v)| v.is_finite()) {
        by_split.entry(s).or_default().push(v);
    }
    if by_split.len() < 2 {
        return (by_split.into_values().flatten().collect(), Unit::Seed);
    }
    let means = by_split
        .values()
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        .collect();
    (means, Unit::Split)
}

/// What one independent observation of an interval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// One value per seed (a single data split).
    Seed,
    /// The mean over the seeds of one data split.
    Split,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Seed => "seed",
            Unit::Split => "split",
        }
    }
}

/// Mean over the units with its 95% Student-t interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    pub mean: f64,
    /// Half-width of the 95% interval (NaN with fewer than two units).
    pub half_width: f64,
    /// Values behind it: splits × seeds that produced one.
    pub n: usize,
    /// Units of analysis (seeds, or splits when there are several).
    pub units: usize,
    pub unit: Unit,
    /// Degrees of freedom of the interval: units − 1.
    pub df: f64,
    /// Standard deviation between units.
    pub sd: f64,
}

impl Stat {
    /// Seeds as units: the ordinary one-sample t interval.
    pub fn of(values: &[f64]) -> Option<Stat> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        Stat::over_units(&v, v.len(), Unit::Seed)
    }

    /// Values tagged with their split: split means are the units when there
    /// are at least two splits, else the values themselves.
    pub fn split_aware(values: &[(u32, f64)]) -> Option<Stat> {
        let (units, unit) = unit_values(values);
        let n = values.iter().filter(|(_, v)| v.is_finite()).count();
        Stat::over_units(&units, n, unit)
    }

    fn over_units(v: &[f64], n: usize, unit: Unit) -> Option<Stat> {
        let m = v.len();
        if m == 0 {
            return None;
        }
        let mean = v.iter().sum::<f64>() / m as f64;
        let (sd, df) = if m < 2 {
            (f64::NAN, f64::NAN)
        } else {
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
            (var.sqrt(), (m - 1) as f64)
        };
        let mut s = Stat {
            mean,
            half_width: f64::NAN,
            n,
            units: m,
            unit,
            df,
            sd,
        };
        s.half_width = s.half_width_at(0.95);
        Some(s)
    }

    /// Standard error of the mean.
    pub fn se(&self) -> f64 {
        self.sd / (self.units as f64).sqrt()
    }

    /// Half-width of the two-sided interval at confidence `level`.
    pub fn half_width_at(&self, level: f64) -> f64 {
        t_quantile(1.0 - (1.0 - level) / 2.0, self.df) * self.se()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from SciPy 1.x (`python3 -c "import scipy.stats as s; ..."`).
    #[test]
    fn quantiles_match_scipy() {
        let cases = [
            // scipy.stats.t.ppf(0.975, 1) = 12.706204736174694
            (0.975, 1.0, 12.706204736174694),
            // scipy.stats.t.ppf(0.975, 2) = 4.302652729749462
            (0.975, 2.0, 4.302652729749462),
            // scipy.stats.t.ppf(0.975, 4) = 2.7764451051977934
            (0.975, 4.0, 2.7764451051977934),
            // scipy.stats.t.ppf(0.975, 31) = 2.039513446396408 (the old table said 2.000)
            (0.975, 31.0, 2.039513446396408),
            // scipy.stats.t.ppf(0.975, 39) = 2.022690920036761
            (0.975, 39.0, 2.022690920036761),
            // scipy.stats.t.ppf(0.975, 61) = 1.999623584994939 (the old table said 1.980)
            (0.975, 61.0, 1.999623584994939),
            // scipy.stats.t.ppf(0.975, 1000) = 1.9623390808264083
            (0.975, 1000.0, 1.9623390808264083),
            // scipy.stats.t.ppf(0.8, 4) = 0.9409645772351816
            (0.8, 4.0, 0.9409645772351816),
            // scipy.stats.t.ppf(0.99875, 9) = 4.145788828443257
            (0.99875, 9.0, 4.145788828443257),
        ];
        for (p, df, want) in cases {
            let got = t_quantile(p, df);
            assert!(
                (got - want).abs() < 1e-9,
                "t({p}, {df}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn p_values_match_scipy() {
        let cases = [
            // 2 * scipy.stats.t.sf(2.5, 4) = 0.06676654481198814
            (2.5, 4.0, 0.06676654481198814),
            // 2 * scipy.stats.t.sf(1.0, 9) = 0.3434363961379136
            (-1.0, 9.0, 0.3434363961379136),
            // 2 * scipy.stats.t.sf(4.0, 29) = 0.00040006394565249173
            (4.0, 29.0, 0.00040006394565249173),
            // 2 * scipy.stats.t.sf(0.3, 2) = 0.7924856608401776
            (0.3, 2.0, 0.7924856608401776),
        ];
        for (t, df, want) in cases {
            let got = t_two_sided_p(t, df);
            assert!(
                (got - want).abs() < 1e-9,
                "p({t}, {df}) = {got}, want {want}"
            );
        }
        // scipy.stats.norm.ppf(0.975) = 1.959963984540054
        assert!((z_quantile(0.975) - 1.959963984540054).abs() < 1e-9);
        assert!(t_quantile(0.975, 0.0).is_nan());
    }

    #[test]
    fn intervals_and_units() {
        let s = Stat::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.mean, s.n, s.units, s.df, s.sd), (2.0, 3, 3, 2.0, 1.0));
        // sd = 1, se = 1/sqrt(3), scipy.stats.t.ppf(0.975, 2) = 4.302652729749462
        assert!((s.half_width - 4.302652729749462 / 3f64.sqrt()).abs() < 1e-9);
        assert!(Stat::of(&[0.5]).unwrap().half_width.is_nan());
        assert!(Stat::of(&[f64::NAN]).is_none());
        // Two splits of two seeds: the split means 1.5 and 3.5 are the units.
        let s = Stat::split_aware(&[(0, 1.0), (0, 2.0), (1, 3.0), (1, 4.0)]).unwrap();
        assert_eq!((s.unit, s.units, s.n, s.df), (Unit::Split, 2, 4, 1.0));
        assert!((s.sd - 2f64.sqrt()).abs() < 1e-12);
        // One split: the seeds are the units.
        let s = Stat::split_aware(&[(0, 1.0), (0, 2.0), (0, 3.0)]).unwrap();
        assert_eq!((s.unit, s.units, s.df), (Unit::Seed, 3, 2.0));
    }
}
