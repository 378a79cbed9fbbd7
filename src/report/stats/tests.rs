//! Summaries from hand-made trial records: grid picks, pairing within
//! (split, seed), split-aware units and time to target.

use super::*;

/// A finished trial of experiment `e`, cell 0, split 0.
pub(super) fn rec(arm: &str, seed: u32, grid: Option<f64>, val: f64, test: f64) -> TrialRecord {
    use crate::results::Finals;
    TrialRecord {
        key: crate::plan::TrialKey {
            id: format!("{arm}-{seed}-{grid:?}"),
            experiment: "e".into(),
            arm: arm.into(),
            cell: 0,
            vary: BTreeMap::new(),
            seed_index: seed,
            seed: seed as u64,
            split: 0,
            grid: grid.map(|value| crate::plan::GridPoint { index: 0, value }),
        },
        status: Status::Ok,
        iters: 10,
        budget: 10,
        finals: Some(Finals {
            train_acc: 1.0,
            train_loss: 0.0,
            val_acc: val,
            val_loss: 0.0,
            test_acc: test,
            test_loss: 0.0,
        }),
        final_lambda: 0.0,
        wall_seconds: 0.0,
        fired: vec![],
        lambda_path: vec![],
        data_origin: String::new(),
        scale: 1.0,
        curve_sha256: String::new(),
        provenance: crate::results::provenance::example(String::new()),
        record_sha256: None,
    }
}

/// Experiment `e` measuring test accuracy with these (arm, is_grid) and
/// seeds, one split, and one planned trial (the example).
pub(super) fn experiment(arms: &[(&str, bool)], seeds: u32) -> ExperimentPlan {
    use crate::plan::{ArmInfo, LambdaSpec};
    let t = crate::plan::example::trial(LambdaSpec::Constant(0.0), 10);
    ExperimentPlan {
        name: "e".into(),
        data: crate::plan::DataSpec {
            name: "d".into(),
            source: crate::plan::DataSource::Mnist { path: ".".into() },
            val: 0,
            subset: None,
            normalize: crate::plan::Normalize::Unit,
            input: t.network.input,
            classes: 10,
            train_size: 100,
        },
        axes: vec![],
        arms: arms
            .iter()
            .map(|&(name, is_grid)| ArmInfo {
                name: name.into(),
                is_grid,
            })
            .collect(),
        seeds,
        splits: 1,
        measure: Metric::TestAcc,
        target: None,
        smooth: None,
        trials: vec![t],
    }
}

#[test]
fn grid_picks_on_validation_and_gains_are_paired() {
    let exp = experiment(&[("sched", false), ("grid", true)], 2);
    let records = vec![
        rec("sched", 0, None, 0.80, 0.78),
        rec("sched", 1, None, 0.82, 0.80),
        // Seed 0: λ=1 wins on validation although λ=2 has the better test score.
        rec("grid", 0, Some(1.0), 0.79, 0.70),
        rec("grid", 0, Some(2.0), 0.75, 0.90),
        rec("grid", 1, Some(1.0), 0.70, 0.60),
        rec("grid", 1, Some(2.0), 0.81, 0.76),
    ];
    let s = summarise(&exp, &records, &|_| None);
    assert_eq!(s.baseline.as_deref(), Some("grid"));
    let grid = &s.rows[1];
    assert_eq!(grid.chosen, [1.0, 2.0]);
    assert!((grid.measure.unwrap().mean - 0.73).abs() < 1e-12);
    let sched = &s.rows[0];
    let gain = sched.gain.unwrap();
    // Paired: (0.78 - 0.70) and (0.80 - 0.76).
    assert!((gain.mean - 0.06).abs() < 1e-12);
    assert_eq!(gain.n, 2);
    assert!(grid.gain.is_none());
}

/// A curve row with only its iteration and validation accuracy set (the
/// statistics' tests read no other column).
pub(super) fn val_row(iter: u64, val_acc: f64) -> CurveRow {
    CurveRow {
        iter,
        epoch: 0.0,
        lambda: 0.0,
        lr: 0.0,
        train_acc: 0.0,
        train_loss: 0.0,
        val_acc,
        val_loss: 0.0,
        data_loss: 0.0,
        reg_loss: 0.0,
        sparsity: 0.0,
        weight_norm: 0.0,
    }
}

fn curve_reaching(at: u64) -> Vec<CurveRow> {
    (0..=10)
        .step_by(2)
        .map(|iter| val_row(iter, if iter >= at { 0.9 } else { 0.5 }))
        .collect()
}

#[test]
fn splits_are_the_units_and_time_to_target_is_censored() {
    use crate::plan::{LambdaSpec, TargetSpec};
    let base = crate::plan::example::trial(LambdaSpec::Constant(0.0), 10);
    let mut trials = vec![];
    let mut records = vec![];
    // Gains by (split, seed): split 0: 0.02, 0.04; split 1: 0.06, 0.08.
    for (split, seed, gain) in [(0, 0, 0.02), (0, 1, 0.04), (1, 0, 0.06), (1, 1, 0.08)] {
        for (arm, grid, test) in [("sched", None, 0.7 + gain), ("grid", Some(1.0), 0.7)] {
            let mut r = rec(arm, seed, grid, 0.8, test);
            r.key.id = format!("{arm}-p{split}-s{seed}");
            let mut t = base.clone();
            t.key.id = r.key.id.clone();
            t.key.split = split;
            trials.push(t);
            records.push(r);
        }
    }
    let mut exp = experiment(&[("sched", false), ("grid", true)], 2);
    exp.splits = 2;
    exp.trials = trials;
    exp.target = Some(TargetSpec {
        metric: Metric::ValAcc,
        at_least: true,
        value: 0.7,
    });
    exp.smooth = Some(1);
    // The schedule gets there at iteration 4, the grid never (censored at 10).
    let curve = |id: &str| Some(curve_reaching(if id.starts_with("sched") { 4 } else { 99 }));
    let s = summarise(&exp, &records, &curve);
    let sched = &s.rows[0];
    let g = sched.gain.unwrap();
    assert_eq!((g.unit, g.units, g.n, g.df), (Unit::Split, 2, 4, 1.0));
    assert!((g.mean - 0.05).abs() < 1e-12);
    // Split means 0.03 and 0.07: sd = 0.04/√2.
    assert!((g.sd - 0.04 / 2f64.sqrt()).abs() < 1e-12);
    let t = sched.test.unwrap();
    // Two positive units: the exact sign-flip p is 2/4.
    assert_eq!((t.method, t.p, t.p_adj), (Method::SignFlip, 0.5, 0.5));
    assert_eq!(t.verdict, Verdict::NoDetectableDifference);
    assert_eq!(s.family, 1);
    let tta = sched.tta.as_ref().unwrap();
    assert_eq!(
        (tta.rmst, tta.arrived, tta.units, tta.tau),
        (4.0, 4, 4, 10.0)
    );
    assert_eq!(tta.median, Some(4.0));
    assert!((tta.ratio.unwrap() - 0.4).abs() < 1e-12);
    let base_tta = s.rows[1].tta.as_ref().unwrap();
    assert_eq!(
        (base_tta.rmst, base_tta.arrived, base_tta.median),
        (10.0, 0, None)
    );
    // One split: the seeds are the units, and the same numbers come out again.
    exp.splits = 1;
    for t in &mut exp.trials {
        t.key.split = 0;
    }
    let again = summarise(&exp, &records, &curve);
    assert_eq!(again.rows[0].gain.unwrap().unit, Unit::Seed);
    let csv = crate::report::tables::csv(std::slice::from_ref(&s)).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let md = crate::report::tables::markdown(&[s]);
    assert!(csv.contains(",split,2,1,"), "{csv}");
    assert!(
        md.contains("Family: 1 comparisons") && md.contains("0.5000 (sign-flip)"),
        "{md}"
    );
}
