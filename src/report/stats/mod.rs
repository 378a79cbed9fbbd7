//! Statistics over seeds: per cell and arm the mean and 95% confidence
//! interval of the measured metric, the paired gain of every arm over the
//! equal-budget baseline, and iterations-to-accuracy.
//!
//! A grid arm is one model per constant λ; for every seed the constant with
//! the best final validation accuracy is picked, and its measured metric
//! (test accuracy by default) is what the grid arm reports.

use crate::plan::{AxisValue, ExperimentPlan, Metric};
use crate::run::results::{CurveRow, Status, TrialRecord};
use serde::Serialize;
use std::collections::BTreeMap;

/// Mean and the half-width of its 95% confidence interval (Student t).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    pub mean: f64,
    pub half_width: f64,
    pub n: usize,
}

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d - 1],
        d if d <= 60 => 2.000,
        d if d <= 120 => 1.980,
        _ => 1.960,
    }
}

impl Stat {
    pub fn of(values: &[f64]) -> Option<Stat> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return None;
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let half_width = if n < 2 {
            f64::NAN
        } else {
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        };
        Some(Stat {
            mean,
            half_width,
            n,
        })
    }
}

/// One (cell, arm) line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub cell: usize,
    pub vary: BTreeMap<String, AxisValue>,
    pub arm: String,
    pub is_baseline: bool,
    /// The measured metric over seeds.
    pub measure: Option<Stat>,
    /// Paired gain over the baseline (this arm minus baseline, same seed).
    pub gain: Option<Stat>,
    /// Mean iterations until validation accuracy first reaches the baseline's
    /// final validation accuracy (same seed), over the seeds where it does.
    pub iters_to_acc: Option<Stat>,
    /// Seeds in which it got there.
    pub reached: usize,
    /// For a grid arm: the constant picked in each seed.
    pub chosen: Vec<f64>,
    pub diverged: usize,
    pub stopped: usize,
    pub seeds: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentSummary {
    pub experiment: String,
    pub measure: Metric,
    pub axes: Vec<String>,
    pub baseline: Option<String>,
    pub rows: Vec<Row>,
}

/// The trial standing for (cell, arm, seed): the trial itself, or the grid
/// point with the best final validation accuracy.
pub fn representative<'a>(
    records: &[&'a TrialRecord],
    cell: usize,
    arm: &str,
    seed: u32,
) -> Option<&'a TrialRecord> {
    records
        .iter()
        .filter(|r| r.cell == cell && r.arm == arm && r.seed_index == seed)
        .filter(|r| !matches!(r.status, Status::Diverged { .. }))
        .filter(|r| r.finals.is_some())
        .fold(None, |best: Option<&TrialRecord>, r| match best {
            Some(b) if b.finals.map(|f| f.val_acc) >= r.finals.map(|f| f.val_acc) => Some(b),
            _ => Some(r),
        })
}

fn first_reaching(curve: &[CurveRow], target: f64) -> Option<u64> {
    curve.iter().find(|c| c.val_acc >= target).map(|c| c.iter)
}

/// Summarises one experiment from its trial records; `curve` returns the
/// curve of a trial id (None when missing).
pub fn summarise(
    exp: &ExperimentPlan,
    records: &[TrialRecord],
    curve: &dyn Fn(&str) -> Option<Vec<CurveRow>>,
) -> ExperimentSummary {
    let mine: Vec<&TrialRecord> = records
        .iter()
        .filter(|r| r.experiment == exp.name)
        .collect();
    let baseline = exp.arms.iter().find(|a| a.is_grid).map(|a| a.name.clone());
    let cells: Vec<(usize, BTreeMap<String, AxisValue>)> = {
        let mut seen = BTreeMap::new();
        for t in &exp.trials {
            seen.entry(t.cell).or_insert_with(|| t.vary.clone());
        }
        seen.into_iter().collect()
    };
    let mut rows = Vec::new();
    for (cell, vary) in cells {
        for arm in &exp.arms {
            let mut values = Vec::new();
            let mut gains = Vec::new();
            let mut iters = Vec::new();
            let mut chosen = Vec::new();
            let all: Vec<&&TrialRecord> = mine
                .iter()
                .filter(|r| r.cell == cell && r.arm == arm.name)
                .collect();
            let diverged = all
                .iter()
                .filter(|r| matches!(r.status, Status::Diverged { .. }))
                .count();
            let stopped = all
                .iter()
                .filter(|r| matches!(r.status, Status::Stopped { .. }))
                .count();
            for seed in 0..exp.seeds {
                let Some(rep) = representative(&mine, cell, &arm.name, seed) else {
                    continue;
                };
                let Some(v) = rep.finals.and_then(|f| f.get(exp.measure)) else {
                    continue;
                };
                values.push(v);
                if let Some(g) = rep.grid {
                    chosen.push(g.value);
                }
                let Some(base) = baseline
                    .as_deref()
                    .and_then(|b| representative(&mine, cell, b, seed))
                else {
                    continue;
                };
                if let Some(bv) = base.finals.and_then(|f| f.get(exp.measure)) {
                    gains.push(v - bv);
                }
                if let (Some(target), Some(c)) = (base.finals.map(|f| f.val_acc), curve(&rep.id)) {
                    if let Some(it) = first_reaching(&c, target) {
                        iters.push(it as f64);
                    }
                }
            }
            let is_baseline = baseline.as_deref() == Some(arm.name.as_str());
            rows.push(Row {
                cell,
                vary: vary.clone(),
                arm: arm.name.clone(),
                is_baseline,
                measure: Stat::of(&values),
                gain: if is_baseline { None } else { Stat::of(&gains) },
                reached: iters.len(),
                iters_to_acc: Stat::of(&iters),
                chosen,
                diverged,
                stopped,
                seeds: exp.seeds as usize,
            });
        }
    }
    ExperimentSummary {
        experiment: exp.name.clone(),
        measure: exp.measure,
        axes: exp.axes.iter().map(|a| a.name.clone()).collect(),
        baseline,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_and_interval() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(1000), 1.96);
        let s = Stat::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.mean, 2.0);
        // sd = 1, se = 1/sqrt(3), t(2) = 4.303
        assert!((s.half_width - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        assert!(Stat::of(&[0.5]).unwrap().half_width.is_nan());
        assert!(Stat::of(&[f64::NAN]).is_none());
    }

    #[test]
    fn first_check_reaching_a_target() {
        let row = |iter, val_acc| CurveRow {
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
        };
        let c = [row(0, 0.1), row(10, 0.5), row(20, 0.7), row(30, 0.6)];
        assert_eq!(first_reaching(&c, 0.55), Some(20));
        assert_eq!(first_reaching(&c, 0.9), None);
    }

    fn rec(arm: &str, seed: u32, grid: Option<f64>, val: f64, test: f64) -> TrialRecord {
        use crate::run::results::Finals;
        TrialRecord {
            id: format!("{arm}-{seed}-{grid:?}"),
            experiment: "e".into(),
            arm: arm.into(),
            cell: 0,
            vary: BTreeMap::new(),
            seed_index: seed,
            seed: seed as u64,
            grid: grid.map(|value| crate::plan::GridPoint { index: 0, value }),
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
        }
    }

    #[test]
    fn grid_picks_on_validation_and_gains_are_paired() {
        use crate::plan::{ArmInfo, ExperimentPlan, LambdaSpec};
        let t = crate::run::controller::tests::trial(LambdaSpec::Constant(0.0), 10);
        let exp = ExperimentPlan {
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
            arms: vec![
                ArmInfo {
                    name: "sched".into(),
                    is_grid: false,
                },
                ArmInfo {
                    name: "grid".into(),
                    is_grid: true,
                },
            ],
            seeds: 2,
            measure: Metric::TestAcc,
            trials: vec![t],
        };
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
}
