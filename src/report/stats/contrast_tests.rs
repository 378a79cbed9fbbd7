//! Contrasts on hand-made records whose seeds differ a lot from each other
//! and little between the arms, so that only a pairing within the seed
//! gives the numbers below; quantiles cross-checked with `statrs` itself.

use super::super::tests::{experiment, rec};
use super::*;
use crate::report::stats::{summarise, ExperimentSummary, Method, Verdict};
use crate::results::TrialRecord;
use statrs::distribution::{ContinuousCDF, StudentsT};

const SEEDS: u32 = 12;

/// The difference x − y in seed `s`: −0.01, 0.01, 0.03, repeating.
fn x_minus_y(s: u32) -> f64 {
    0.01 + 0.02 * (s % 3) as f64 - 0.02
}

/// Each seed's level is 0.03 away from the next, far more than the arms
/// differ: y at the level, x at level + x_minus_y, z 0.05 below y; the grid
/// baseline at the level too.
fn records() -> Vec<TrialRecord> {
    let mut out = vec![];
    for s in 0..SEEDS {
        let level = 0.5 + 0.03 * s as f64;
        out.push(rec("x", s, None, 0.8, level + x_minus_y(s)));
        out.push(rec("y", s, None, 0.8, level));
        out.push(rec("z", s, None, 0.8, level - 0.05));
        out.push(rec("grid", s, Some(0.1), 0.8, level));
    }
    out
}

fn summary(order: &[&str]) -> ExperimentSummary {
    let mut arms: Vec<(&str, bool)> = order.iter().map(|a| (*a, false)).collect();
    arms.push(("grid", true));
    summarise(&experiment(&arms, SEEDS), &records(), &|_| None)
}

fn find<'a>(s: &'a ExperimentSummary, a: &str, b: &str) -> &'a Contrast {
    s.contrasts
        .iter()
        .find(|c| (c.arm_a.as_str(), c.arm_b.as_str()) == (a, b))
        .unwrap_or_else(|| panic!("no contrast {a} − {b} in {:?}", s.contrasts))
}

#[test]
fn a_contrast_is_the_paired_t_test_of_the_seed_differences() {
    let s = summary(&["x", "y", "z"]);
    // Every pair of non-baseline arms, in declared order, first minus second.
    let pairs: Vec<(&str, &str)> = s
        .contrasts
        .iter()
        .map(|c| (c.arm_a.as_str(), c.arm_b.as_str()))
        .collect();
    assert_eq!(pairs, [("x", "y"), ("x", "z"), ("y", "z")]);
    assert_eq!(s.contrast_family, 3);
    // The gains' family is the gains' own: three arms against the grid.
    assert_eq!(s.family, 3);

    let xy = find(&s, "x", "y");
    let d = xy.diff.unwrap();
    // Differences −0.01, 0.01, 0.03 four times each: mean 0.01, and the
    // squared deviations 0.02² eight times over 11 df.
    let sd = (8.0 * 0.02f64.powi(2) / 11.0).sqrt();
    let se = sd / 12f64.sqrt();
    assert_eq!((d.n, d.units, d.df), (12, 12, 11.0));
    assert!((d.mean - 0.01).abs() < 1e-12, "{d:?}");
    // A pairing across seeds would mix in the 0.03 steps between levels.
    assert!((d.sd - sd).abs() < 1e-12, "{d:?}");
    let t11 = StudentsT::new(0.0, 1.0, 11.0).unwrap();
    assert!((d.half_width - t11.inverse_cdf(0.975) * se).abs() < 1e-12);
    let t = xy.test.unwrap();
    // Twelve units: above the exact test's ten, so the paired t test.
    assert_eq!(t.method, Method::T);
    let p = 2.0 * t11.sf(0.01 / se);
    assert!((t.p - p).abs() < 1e-12, "{} vs {p}", t.p);
    assert!(p > 0.05 && p < 0.1, "{p}");
    // Bonferroni over the family of three: level 1 − 0.05/3.
    let sim = t11.inverse_cdf(1.0 - 0.05 / 6.0) * se;
    assert!((t.sim_half_width - sim).abs() < 1e-12);
    let mde = (t11.inverse_cdf(0.975) + t11.inverse_cdf(0.8)) * se;
    assert!((t.mde - mde).abs() < 1e-12);

    // Holm: x − y has the largest p of the three, so it is adjusted by 1
    // (the other two are near 0).
    let (xz, yz) = (
        find(&s, "x", "z").test.unwrap(),
        find(&s, "y", "z").test.unwrap(),
    );
    assert!(xz.p < 1e-6 && yz.p < 1e-6, "{xz:?} {yz:?}");
    assert!((t.p_adj - t.p).abs() < 1e-15);
    assert_eq!(t.verdict, Verdict::NoDetectableDifference);
    assert_eq!((xz.verdict, yz.verdict), (Verdict::Better, Verdict::Better));
    assert_eq!(find(&s, "y", "z").verdict_text().unwrap(), "y better");
    assert_eq!(verdict_name(yz.verdict), "arm_a better");
}

#[test]
fn swapping_the_arms_flips_the_contrast() {
    let s = summary(&["x", "y", "z"]);
    let swapped = summary(&["z", "y", "x"]);
    for (a, b) in [("x", "y"), ("x", "z"), ("y", "z")] {
        let (c, r) = (find(&s, a, b), find(&swapped, b, a));
        let (cd, rd) = (c.diff.unwrap(), r.diff.unwrap());
        assert!((cd.mean + rd.mean).abs() < 1e-12, "{a} − {b}");
        assert!((cd.half_width - rd.half_width).abs() < 1e-12);
        let (ct, rt) = (c.test.unwrap(), r.test.unwrap());
        assert!((ct.p - rt.p).abs() < 1e-12 && (ct.p_adj - rt.p_adj).abs() < 1e-12);
        let flipped = match ct.verdict {
            Verdict::Better => Verdict::Worse,
            Verdict::Worse => Verdict::Better,
            v => v,
        };
        assert_eq!(rt.verdict, flipped, "{a} − {b}");
        // The better arm is named the same either way.
        assert_eq!(c.verdict_text(), r.verdict_text());
    }
    assert_eq!(
        verdict_name(find(&swapped, "z", "y").test.unwrap().verdict),
        "arm_b better"
    );
}

#[test]
fn only_units_both_arms_have_are_paired() {
    let exp = experiment(&[("x", false), ("y", false), ("grid", true)], SEEDS);
    // x lost seed 0 (difference −0.01); y still has it.
    let records: Vec<TrialRecord> = records()
        .into_iter()
        .filter(|r| !(r.key.arm == "x" && r.key.seed_index == 0))
        .collect();
    let s = summarise(&exp, &records, &|_| None);
    assert_eq!(s.contrasts.len(), 1);
    let d = s.contrasts[0].diff.unwrap();
    let want: Vec<f64> = (1..SEEDS).map(x_minus_y).collect();
    assert_eq!(d.n, 11);
    assert!(
        (d.mean - want.iter().sum::<f64>() / 11.0).abs() < 1e-12,
        "{d:?}"
    );
}

#[test]
fn contrasts_need_two_arms_besides_the_baseline() {
    let one = summarise(
        &experiment(&[("x", false), ("grid", true)], SEEDS),
        &records(),
        &|_| None,
    );
    assert!(one.contrasts.is_empty());
    assert_eq!(one.contrast_family, 0);
    // Without a grid arm there is no baseline: every arm takes part.
    let no_grid = experiment(&[("x", false), ("y", false)], SEEDS);
    assert_eq!(arm_pairs(&no_grid, None), [("x", "y")]);
    let with_grid = experiment(&[("x", false), ("grid", true), ("y", false)], SEEDS);
    assert_eq!(arm_pairs(&with_grid, Some("grid")), [("x", "y")]);
}
