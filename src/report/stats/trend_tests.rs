//! Trends on hand-made records: an axis `hidden` of three values (the
//! middle one must not count), seeds and cells whose levels differ far more
//! than the gains do (only differences of within-cell gains, paired by
//! seed, give the numbers below), p-values cross-checked with `statrs`.

use super::super::tests::{experiment, rec};
use super::*;
use crate::plan::{Axis, ExperimentPlan};
use crate::report::stats::{summarise, ExperimentSummary, Method};
use crate::results::TrialRecord;
use statrs::distribution::{ContinuousCDF, StudentsT};

const SEEDS: u32 = 12;

fn hidden(h: i64) -> BTreeMap<String, AxisValue> {
    BTreeMap::from([("hidden".to_string(), AxisValue::Int(h))])
}

/// Experiment `e` with arm `x`, a grid baseline and one planned trial per
/// cell of `vary` (cells numbered in order).
fn plan(axes: Vec<Axis>, vary: &[BTreeMap<String, AxisValue>]) -> ExperimentPlan {
    let mut exp = experiment(&[("x", false), ("grid", true)], SEEDS);
    let template = exp.trials[0].clone();
    exp.axes = axes;
    exp.trials = vary
        .iter()
        .enumerate()
        .map(|(cell, v)| {
            let mut t = template.clone();
            t.key.id = format!("planned-c{cell}");
            t.key.cell = cell;
            t.key.vary = v.clone();
            t
        })
        .collect();
    exp
}

/// Arm `x` and the baseline in `cell` and every seed: the seed's level is
/// 0.03 from the next and the cell's 0.1 from the next, and `x` is
/// `gain(seed)` above the baseline.
fn cell_records(
    cell: usize,
    vary: &BTreeMap<String, AxisValue>,
    gain: impl Fn(u32) -> f64,
) -> Vec<TrialRecord> {
    let mut out = vec![];
    for s in 0..SEEDS {
        let level = 0.3 + 0.03 * s as f64 + 0.1 * cell as f64;
        for mut r in [
            rec("x", s, None, 0.8, level + gain(s)),
            rec("grid", s, Some(0.1), 0.8, level),
        ] {
            r.key.id = format!("c{cell}-{}", r.key.id);
            r.key.cell = cell;
            r.key.vary = vary.clone();
            out.push(r);
        }
    }
    out
}

fn hidden_summary() -> ExperimentSummary {
    let vary = [hidden(50), hidden(200), hidden(800)];
    let axis = Axis {
        name: "hidden".into(),
        values: vec![AxisValue::Int(50), AxisValue::Int(200), AxisValue::Int(800)],
    };
    let mut records = cell_records(0, &vary[0], gain_at_50);
    // A huge gain in the middle: a trend compares the two ends only.
    records.extend(cell_records(1, &vary[1], |_| 0.5));
    // At 800: 0.04 + (−0.01, 0.01, 0.03 repeating).
    records.extend(cell_records(2, &vary[2], gain_at_800));
    summarise(&plan(vec![axis], &vary), &records, &|_| None)
}

/// 0.01 in odd seeds, 0 in even ones.
fn gain_at_50(s: u32) -> f64 {
    0.01 * (s % 2) as f64
}

/// 0.03, 0.05, 0.07 repeating.
fn gain_at_800(s: u32) -> f64 {
    0.03 + 0.02 * (s % 3) as f64
}

#[test]
fn a_trend_is_the_test_of_the_gains_difference_between_the_axis_ends() {
    let s = hidden_summary();
    assert_eq!(s.trends.len(), 1, "{:?}", s.trends);
    assert_eq!(s.trend_family, 1);
    // The gains' and contrasts' families are their own.
    assert_eq!((s.family, s.contrast_family), (3, 0));
    let t = &s.trends[0];
    assert_eq!(t.label(), "hidden 50 → 800");
    assert_eq!((t.arm.as_str(), t.fixed.len()), ("x", 0));
    let d = t.diff.unwrap();
    // Seed by seed: the levels of seeds and cells cancel within each
    // cell's gain, and the two gains pair by seed (an unpaired test, or
    // one of the raw measure, gives another mean or SD).
    let diffs: Vec<f64> = (0..SEEDS).map(|s| gain_at_800(s) - gain_at_50(s)).collect();
    let mean = diffs.iter().sum::<f64>() / 12.0;
    let sd = (diffs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 11.0).sqrt();
    let se = sd / 12f64.sqrt();
    assert_eq!((d.n, d.units, d.df), (12, 12, 11.0));
    assert!((d.mean - mean).abs() < 1e-12, "{d:?}");
    assert!((mean - 0.045).abs() < 1e-12);
    assert!((d.sd - sd).abs() < 1e-12, "{d:?}");
    let test = t.test.unwrap();
    assert_eq!(test.method, Method::T);
    let t11 = StudentsT::new(0.0, 1.0, 11.0).unwrap();
    let p = 2.0 * t11.sf(mean / se);
    assert!((test.p - p).abs() < 1e-12, "{} vs {p}", test.p);
    // Alone in its family: adjusted = raw, and the gain grows.
    assert_eq!(test.p_adj, test.p);
    assert_eq!(verdict_name(test.verdict), "gain improves");
}

#[test]
fn every_axis_gets_a_trend_per_combination_of_the_others() {
    let each = |v: i64| AxisValue::Int(v);
    let cell = |e: i64, h: i64| {
        let mut v = hidden(h);
        v.insert("each".into(), each(e));
        v
    };
    let vary = [
        cell(250, 50),
        cell(250, 800),
        cell(1000, 50),
        cell(1000, 800),
    ];
    let axes = vec![
        Axis {
            name: "each".into(),
            values: vec![each(250), each(1000)],
        },
        Axis {
            name: "hidden".into(),
            values: vec![each(50), each(800)],
        },
    ];
    let mut records = vec![];
    for (c, v) in vary.iter().enumerate() {
        // The gain falls by about 0.02 from `each` 250 to 1000; from hidden
        // 50 to 800 it moves ±0.001, alternating (mean 0).
        let gain = move |s: u32| {
            let by_each = if c >= 2 {
                -0.02 + 0.001 * (s % 4) as f64
            } else {
                0.0
            };
            let by_hidden = if c % 2 == 1 {
                0.002 * (s % 2) as f64 - 0.001
            } else {
                0.0
            };
            by_each + by_hidden + 0.001 * (s % 3) as f64
        };
        records.extend(cell_records(c, v, gain));
    }
    let s = summarise(&plan(axes, &vary), &records, &|_| None);
    let labels: Vec<String> = s.trends.iter().map(Trend::label).collect();
    assert_eq!(
        labels,
        [
            "each 250 → 1000 (hidden 50)",
            "each 250 → 1000 (hidden 800)",
            "hidden 50 → 800 (each 250)",
            "hidden 50 → 800 (each 1000)",
        ]
    );
    assert_eq!(s.trend_family, 4);
    let verdicts: Vec<&str> = s
        .trends
        .iter()
        .map(|t| verdict_name(t.test.unwrap().verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            "gain worsens",
            "gain worsens",
            "no detectable difference",
            "no detectable difference"
        ]
    );
}

#[test]
fn an_axis_that_ends_where_it_starts_has_no_trend() {
    let vary = [hidden(50), hidden(800)];
    let axis = Axis {
        name: "hidden".into(),
        values: vec![AxisValue::Int(50), AxisValue::Int(800), AxisValue::Int(50)],
    };
    let mut records = cell_records(0, &vary[0], gain_at_50);
    records.extend(cell_records(1, &vary[1], gain_at_800));
    let s = summarise(&plan(vec![axis], &vary), &records, &|_| None);
    assert_eq!((s.trends.len(), s.trend_family), (0, 0), "{:?}", s.trends);
}

#[test]
fn no_baseline_or_no_axis_means_no_trends() {
    let s = summarise(
        &experiment(&[("x", false), ("grid", true)], SEEDS),
        &[],
        &|_| None,
    );
    assert!(s.trends.is_empty());
    let s = summarise(&experiment(&[("x", false)], SEEDS), &[], &|_| None);
    assert_eq!((s.trends.len(), s.trend_family), (0, 0));
}
