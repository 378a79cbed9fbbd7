//! The gains along the way on hand-made curves whose seeds differ a lot
//! from each other and little between the arms, with a known gain at each
//! check, so that only the right check, the picked baseline constant and a
//! pairing within the seed give the numbers below; quantiles cross-checked
//! with `statrs` itself.

use super::super::tests::{experiment, rec, val_row as row};
use super::*;
use crate::report::stats::{summarise, ExperimentSummary, Method, Verdict};
use crate::results::TrialRecord;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::HashMap;

const SEEDS: u32 = 12;

/// The gain arm − baseline at checks 0, 3, 6 and 9 (the records' budget
/// is 10: the quarters fall at iterations 2, 5, 7 and 10).
const GAINS: [f64; 4] = [0.0, 0.01, 0.03, -0.03];

/// Noise of seed `s` around the gain: −0.02, 0, 0.02, repeating (mean 0).
fn noise(s: u32) -> f64 {
    0.02 * (s % 3) as f64 - 0.02
}

/// A curve with a check every 3 iterations up to 9 (budget 10).
fn curve(val: impl Fn(usize) -> f64) -> Vec<CurveRow> {
    (0..4).map(|j| row(3 * j as u64, val(j))).collect()
}

/// Records and curves by trial id: per seed, `sched`, the grid constant
/// picked on validation (λ = 0.1) and one that is not (λ = 1, whose curve
/// is far off, so reading it would show). Seed levels are 0.03 apart.
fn records() -> (Vec<TrialRecord>, HashMap<String, Vec<CurveRow>>) {
    let (mut recs, mut curves) = (vec![], HashMap::new());
    for s in 0..SEEDS {
        let level = 0.5 + 0.03 * s as f64;
        let base = move |j: usize| level + 0.01 * j as f64;
        for (r, c) in [
            (
                rec("sched", s, None, 0.8, 0.7),
                curve(|j| base(j) + GAINS[j] + noise(s)),
            ),
            (rec("grid", s, Some(0.1), 0.9, 0.7), curve(base)),
            (rec("grid", s, Some(1.0), 0.5, 0.7), curve(|_| 0.0)),
        ] {
            curves.insert(r.key.id.clone(), c);
            recs.push(r);
        }
    }
    (recs, curves)
}

fn summary(recs: &[TrialRecord], curves: &HashMap<String, Vec<CurveRow>>) -> ExperimentSummary {
    let exp = experiment(&[("sched", false), ("grid", true)], SEEDS);
    summarise(&exp, recs, &|id| curves.get(id).cloned())
}

#[test]
fn the_gain_at_each_quarter_is_the_paired_test_of_the_seed_differences() {
    let (recs, curves) = records();
    let s = summary(&recs, &curves);
    assert_eq!(s.along.len(), 4);
    assert_eq!(s.along_family, 4);
    // The gains' and contrasts' families are their own.
    assert_eq!((s.family, s.contrast_family), (1, 0));
    let t11 = StudentsT::new(0.0, 1.0, 11.0).unwrap();
    // Deviations ±0.02 eight times over 11 df, whatever the seed levels.
    let se = (8.0 * 0.02f64.powi(2) / 11.0).sqrt() / 12f64.sqrt();
    let p: Vec<f64> = GAINS.iter().map(|g| 2.0 * t11.sf(g.abs() / se)).collect();
    // Holm by hand: the two ±0.03 (equal p) × 4, then 0.01 × 2, then 0 × 1.
    let p_adj = [1.0, 2.0 * p[1], 4.0 * p[2], 4.0 * p[3]];
    let verdicts = [
        Verdict::NoDetectableDifference,
        Verdict::NoDetectableDifference,
        Verdict::Better,
        Verdict::Worse,
    ];
    for (k, a) in s.along.iter().enumerate() {
        assert_eq!((a.arm.as_str(), a.quarter), ("sched", QUARTERS[k]));
        assert_eq!(a.iter, [2, 5, 7, 10][k]);
        let g = a.gain.unwrap();
        assert_eq!((g.n, g.units, g.df), (12, 12, 11.0));
        assert!((g.mean - GAINS[k]).abs() < 1e-12, "quarter {k}: {g:?}");
        assert!((g.se() - se).abs() < 1e-12, "quarter {k}: {g:?}");
        assert!((g.half_width - t11.inverse_cdf(0.975) * se).abs() < 1e-12);
        let t = a.test.unwrap();
        assert_eq!(t.method, Method::T);
        assert!(
            (t.p - p[k]).abs() < 1e-9,
            "quarter {k}: {} vs {}",
            t.p,
            p[k]
        );
        assert!((t.p_adj - p_adj[k]).abs() < 1e-9, "quarter {k}: {t:?}");
        assert_eq!(t.verdict, verdicts[k], "quarter {k}");
        let sim = t11.inverse_cdf(1.0 - 0.05 / 8.0) * se;
        assert!((t.sim_half_width - sim).abs() < 1e-12);
        let mde = (t11.inverse_cdf(0.975) + t11.inverse_cdf(0.8)) * se;
        assert!((t.mde - mde).abs() < 1e-12);
    }
}

#[test]
fn a_quarter_reads_the_last_check_at_or_before_its_iteration() {
    assert_eq!(
        [1, 2, 3, 4].map(|k| quarter_iter(10, k)),
        [2, 5, 7, 10],
        "rounded down"
    );
    assert_eq!([1, 4].map(|k| quarter_iter(1200, k)), [300, 1200]);
    // Checks at 0, 3, 6, 9 and the final iteration 10, out of order.
    let c: Vec<CurveRow> = [6, 0, 10, 3, 9]
        .into_iter()
        .map(|i| row(i, i as f64))
        .collect();
    let read = |iter| at(&c, iter).map(|r| r.iter);
    assert_eq!(
        [0, 2, 3, 5, 6, 7, 9, 10, 99].map(read),
        [0, 0, 3, 3, 6, 6, 9, 10, 10].map(Some)
    );
    // A curve starting later than the iteration has no value there.
    assert_eq!(at(&c[2..3], 5), None);
}

#[test]
fn swapping_arm_and_baseline_curves_flips_the_gains() {
    let (recs, curves) = records();
    let s = summary(&recs, &curves);
    let mut swapped = curves.clone();
    for seed in 0..SEEDS {
        let (a, b) = (rec("sched", seed, None, 0.0, 0.0).key.id, {
            rec("grid", seed, Some(0.1), 0.0, 0.0).key.id
        });
        let (ca, cb) = (curves[&a].clone(), curves[&b].clone());
        swapped.insert(a, cb);
        swapped.insert(b, ca);
    }
    let r = summary(&recs, &swapped);
    for (x, y) in s.along.iter().zip(&r.along) {
        let (xg, yg) = (x.gain.unwrap(), y.gain.unwrap());
        assert!((xg.mean + yg.mean).abs() < 1e-12, "{x:?} {y:?}");
        let (xt, yt) = (x.test.unwrap(), y.test.unwrap());
        assert!((xt.p - yt.p).abs() < 1e-12 && (xt.p_adj - yt.p_adj).abs() < 1e-12);
        let flipped = match xt.verdict {
            Verdict::Better => Verdict::Worse,
            Verdict::Worse => Verdict::Better,
            v => v,
        };
        assert_eq!(yt.verdict, flipped, "quarter {}", x.quarter);
    }
}

#[test]
fn only_units_with_both_curves_are_paired() {
    let (recs, mut curves) = records();
    // The arm's seed 0 has no curve: eleven pairs, and the mean over seeds
    // 1..12 (a pairing across seeds would mix in the 0.03 level steps).
    curves.remove(&rec("sched", 0, None, 0.0, 0.0).key.id);
    let s = summary(&recs, &curves);
    for (k, a) in s.along.iter().enumerate() {
        let g = a.gain.unwrap();
        let want = GAINS[k] + (1..SEEDS).map(noise).sum::<f64>() / 11.0;
        assert_eq!(g.n, 11);
        assert!((g.mean - want).abs() < 1e-12, "quarter {k}: {g:?}");
    }
    // Without the baseline's curves there is nothing to pair with.
    let arm_only: HashMap<String, Vec<CurveRow>> = curves
        .into_iter()
        .filter(|(id, _)| id.starts_with("sched"))
        .collect();
    let s = summary(&recs, &arm_only);
    assert!(s.along.is_empty());
    assert_eq!(s.along_family, 0);
    // Nor without curves at all.
    assert!(summary(&recs, &HashMap::new()).along.is_empty());
}
