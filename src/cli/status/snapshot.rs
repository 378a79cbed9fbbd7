//! One look at a results directory's progress: every trial's state (from
//! `run::slurm::status_from`), the latest point of each running trial (its
//! live curve), and per arm the counts, the latest validation accuracy and
//! λ; with an ETA from the wall times of the finished trials.

use crate::plan::Plan;
use crate::results::{CurveRow, ResultsDir, TrialRecord};
use crate::run::slurm::{self, TrialState};
use std::collections::HashMap;

/// One trial as the snapshot saw it.
pub struct Row {
    pub id: String,
    pub experiment: String,
    pub arm: String,
    pub seed_index: u32,
    pub budget: u64,
    pub state: TrialState,
    /// A running trial's last complete check.
    pub latest: Option<CurveRow>,
    /// A done trial's record.
    pub record: Option<TrialRecord>,
}

/// Every trial of the plan, in plan order.
pub struct Snapshot {
    pub rows: Vec<Row>,
    /// A Slurm run (else a local one).
    pub slurm: bool,
    /// A local run holds the directory.
    pub in_progress: bool,
}

/// Records already verified, kept across the refreshes of `--watch` (a
/// done trial stays done; only the others are read again).
pub type Verified = HashMap<String, TrialRecord>;

/// One arm's line of the progress table.
pub struct ArmLine {
    pub label: String,
    pub done: usize,
    pub running: usize,
    pub failed: usize,
    pub pending: usize,
    pub latest: Option<Latest>,
}

/// The latest validation accuracy and λ of an arm, and where from.
pub struct Latest {
    pub val_acc: f64,
    pub lambda: f64,
    pub seed: u32,
    /// Iteration and budget of a running trial; `None` for a finished one.
    pub at: Option<(u64, u64)>,
}

impl Snapshot {
    pub fn take(results: &ResultsDir, plan: &Plan, verified: &mut Verified) -> Snapshot {
        let states = slurm::status_from(results, plan, |t| match verified.get(&t.key.id) {
            Some(r) => crate::results::TrialState::Done(Box::new(r.clone())),
            None => {
                let s = results.trial_state(t);
                if let crate::results::TrialState::Done(r) = &s {
                    verified.insert(t.key.id.clone(), (**r).clone());
                }
                s
            }
        });
        let rows = plan
            .experiments
            .iter()
            .flat_map(|e| &e.trials)
            .zip(states)
            .map(|(t, (_, state))| Row {
                latest: match state {
                    TrialState::Running => results.latest_point(&t.key.id),
                    _ => None,
                },
                record: match state {
                    TrialState::Done => verified.get(&t.key.id).cloned(),
                    _ => None,
                },
                id: t.key.id.clone(),
                experiment: t.key.experiment.clone(),
                arm: t.key.arm.clone(),
                seed_index: t.key.seed_index,
                budget: t.iters,
                state,
            })
            .collect();
        Snapshot {
            rows,
            slurm: slurm::is_slurm_run(results),
            in_progress: crate::results::run_in_progress(&results.root),
        }
    }

    fn count(&self, label: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.state.label() == label)
            .count()
    }

    /// Nothing runs or waits to run any more.
    pub fn finished(&self) -> bool {
        let active = self.count("running") + self.count("pending");
        active == 0 && (self.slurm || !self.in_progress)
    }

    /// `N trials: a done, b running, ...` (states in alphabetical order).
    pub fn totals(&self) -> String {
        let mut counts = std::collections::BTreeMap::new();
        for r in &self.rows {
            *counts.entry(r.state.label()).or_insert(0usize) += 1;
        }
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        format!("{} trials: {}", self.rows.len(), parts.join(", "))
    }

    /// Seconds left: the mean wall time of the finished trials times the
    /// work left (pending trials, and the unfinished part of running ones),
    /// over the trials running side by side. `None` before any trial ends.
    pub fn eta_seconds(&self) -> Option<f64> {
        let walls: Vec<f64> = self
            .rows
            .iter()
            .filter_map(|r| r.record.as_ref().map(|rec| rec.wall_seconds))
            .collect();
        if walls.is_empty() {
            return None;
        }
        let mean = walls.iter().sum::<f64>() / walls.len() as f64;
        let mut left = 0.0;
        let mut running = 0usize;
        for r in &self.rows {
            match r.state {
                TrialState::Pending | TrialState::NotSubmitted => left += 1.0,
                TrialState::Missing if self.in_progress => left += 1.0,
                TrialState::Running => {
                    running += 1;
                    let done = r
                        .latest
                        .map_or(0.0, |p| p.iter as f64 / r.budget.max(1) as f64);
                    left += (1.0 - done).clamp(0.0, 1.0);
                }
                _ => {}
            }
        }
        Some(mean * left / running.max(1) as f64)
    }

    /// Per arm (experiment and arm, in plan order): counts and the latest
    /// point — of the running trial measured last, else of the last trial
    /// that finished.
    pub fn arms(&self) -> Vec<ArmLine> {
        let several = self
            .rows
            .iter()
            .any(|r| r.experiment != self.rows[0].experiment);
        let mut lines: Vec<(String, String, ArmLine)> = vec![];
        for r in &self.rows {
            let i = match lines
                .iter()
                .position(|(e, a, _)| *e == r.experiment && *a == r.arm)
            {
                Some(i) => i,
                None => {
                    let label = if several {
                        format!("{}/{}", r.experiment, r.arm)
                    } else {
                        r.arm.clone()
                    };
                    lines.push((r.experiment.clone(), r.arm.clone(), ArmLine::new(label)));
                    lines.len() - 1
                }
            };
            lines[i].2.add(r);
        }
        lines.into_iter().map(|(_, _, l)| l).collect()
    }
}

impl ArmLine {
    fn new(label: String) -> ArmLine {
        ArmLine {
            label,
            done: 0,
            running: 0,
            failed: 0,
            pending: 0,
            latest: None,
        }
    }

    fn add(&mut self, r: &Row) {
        match r.state {
            TrialState::Done => self.done += 1,
            TrialState::Running => self.running += 1,
            TrialState::Failed { .. } | TrialState::Damaged { .. } => self.failed += 1,
            TrialState::Pending | TrialState::NotSubmitted | TrialState::Missing => {
                self.pending += 1
            }
        }
        let candidate = match (&r.latest, &r.record) {
            (Some(p), _) => Some(Latest {
                val_acc: p.val_acc,
                lambda: p.lambda,
                seed: r.seed_index,
                at: Some((p.iter, r.budget)),
            }),
            (None, Some(rec)) => rec.finals.map(|f| Latest {
                val_acc: f.val_acc,
                lambda: rec.final_lambda,
                seed: rec.key.seed_index,
                at: None,
            }),
            _ => None,
        };
        // A running trial stands for the arm (the one furthest along), else
        // the last finished one in plan order.
        let better = |new: &Latest, old: &Latest| match (new.at, old.at) {
            (Some((a, _)), Some((b, _))) => a >= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => true,
        };
        if let Some(c) = candidate {
            if self.latest.as_ref().is_none_or(|old| better(&c, old)) {
                self.latest = Some(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Finals, Status};

    fn row(arm: &str, seed: u32, state: TrialState) -> Row {
        Row {
            id: format!("e-c000-{arm}-s{}", seed + 1),
            experiment: "e".into(),
            arm: arm.into(),
            seed_index: seed,
            budget: 100,
            state,
            latest: None,
            record: None,
        }
    }

    fn done(arm: &str, seed: u32, wall: f64, val_acc: f64) -> Row {
        let mut r = row(arm, seed, TrialState::Done);
        r.record = Some(TrialRecord {
            key: crate::plan::TrialKey {
                id: r.id.clone(),
                experiment: "e".into(),
                arm: arm.into(),
                cell: 0,
                vary: Default::default(),
                seed_index: seed,
                seed: 1,
                split: 0,
                grid: None,
            },
            status: Status::Ok,
            iters: 100,
            budget: 100,
            finals: Some(Finals {
                train_acc: 0.9,
                train_loss: 0.3,
                val_acc,
                val_loss: 0.4,
                test_acc: 0.8,
                test_loss: 0.5,
            }),
            final_lambda: 0.5,
            wall_seconds: wall,
            fired: vec![],
            lambda_path: vec![],
            data_origin: String::new(),
            scale: 1.0,
            curve_sha256: String::new(),
            provenance: crate::results::provenance::example(String::new()),
            record_sha256: None,
        });
        r
    }

    fn running(arm: &str, seed: u32, iter: u64, val_acc: f64) -> Row {
        let mut r = row(arm, seed, TrialState::Running);
        r.latest = Some(CurveRow {
            iter,
            epoch: 0.0,
            lambda: 0.25,
            lr: 0.1,
            train_acc: 0.5,
            train_loss: 1.0,
            val_acc,
            val_loss: 1.0,
            data_loss: 1.0,
            reg_loss: 0.0,
            sparsity: 0.0,
            weight_norm: 1.0,
        });
        r
    }

    #[test]
    fn arms_count_states_and_show_the_running_trial_furthest_along() {
        let snap = Snapshot {
            rows: vec![
                done("a", 0, 10.0, 0.8),
                running("a", 1, 20, 0.6),
                running("a", 2, 60, 0.7),
                done("b", 0, 30.0, 0.9),
                row("b", 1, TrialState::Pending),
                row(
                    "b",
                    2,
                    TrialState::Failed {
                        log_tail: String::new(),
                    },
                ),
            ],
            slurm: false,
            in_progress: true,
        };
        let arms = snap.arms();
        assert_eq!(arms.len(), 2);
        let a = &arms[0];
        assert_eq!((a.done, a.running, a.failed, a.pending), (1, 2, 0, 0));
        let l = a.latest.as_ref().unwrap();
        assert_eq!(
            (l.val_acc, l.lambda, l.seed, l.at),
            (0.7, 0.25, 2, Some((60, 100)))
        );
        let b = &arms[1];
        assert_eq!((b.done, b.running, b.failed, b.pending), (1, 0, 1, 1));
        let l = b.latest.as_ref().unwrap();
        assert_eq!((l.val_acc, l.lambda, l.at), (0.9, 0.5, None));
        // Mean trial 20 s; left: 1 pending + 0.8 + 0.4 of the running ones,
        // two at a time.
        let eta = snap.eta_seconds().unwrap();
        assert!((eta - 20.0 * 2.2 / 2.0).abs() < 1e-9, "{eta}");
        assert!(!snap.finished());
        assert_eq!(
            snap.totals(),
            "6 trials: 2 done, 1 failed, 1 pending, 2 running"
        );
    }

    #[test]
    fn a_local_run_is_over_when_its_lock_is_free() {
        let mut snap = Snapshot {
            rows: vec![done("a", 0, 1.0, 0.5), row("a", 1, TrialState::Missing)],
            slurm: false,
            in_progress: true,
        };
        assert!(
            !snap.finished(),
            "it may still be loading data or writing the summary"
        );
        snap.in_progress = false;
        assert!(snap.finished());
        assert_eq!(
            snap.eta_seconds(),
            Some(0.0),
            "missing trials wait for a resume"
        );
        let empty = Snapshot {
            rows: vec![row("a", 0, TrialState::Running)],
            slurm: true,
            in_progress: false,
        };
        assert_eq!(empty.eta_seconds(), None, "no trial has finished yet");
        assert!(!empty.finished());
    }
}
