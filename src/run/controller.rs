//! The λ and learning-rate controller of one trial.
//!
//! It answers, for every iteration, which λ and lr the next step uses, and
//! at every check takes the measured metrics, lets the policy (if any) decide,
//! and applies the decision. Rules of combination (docs/language.md):
//! - a schedule gives λ(t) directly;
//! - a policy `p from x` holds a value that starts at x and that its actions
//!   change; the clamp bounds it;
//! - a schedule adjusted by a policy gives λ(t) = clamp(s(t)·f), where the
//!   running factor f starts at 1; an action sets f so that λ at that check
//!   becomes the action's result (so `lambda *= k` scales f by k), and f is
//!   left as is where s(t) = 0;
//! - the learning rate works like an adjusted schedule: the optimizer's lr
//!   with its decay, times a factor that lr actions change, clamped by
//!   `clamp lr in [a, b]`.

use super::policy::{clamp, decide, History, Snapshot};
use super::schedule::ScheduleEval;
use crate::engine::scheduled_lr;
use crate::plan::{LambdaSpec, Metric, OptimizerSpec, Policy, Schedule, Trial};

#[derive(Debug, Clone)]
enum Lambda<'a> {
    Constant(f64),
    Schedule(&'a Schedule),
    Policy {
        policy: &'a Policy,
        value: f64,
    },
    Adjusted {
        schedule: &'a Schedule,
        policy: &'a Policy,
        factor: f64,
    },
}

/// One trial's λ(t), lr(t) and check cadence.
#[derive(Debug, Clone)]
pub struct Controller<'a> {
    lambda: Lambda<'a>,
    iters_per_epoch: u64,
    optimizer: &'a OptimizerSpec,
    lr_factor: f64,
    checks_every: u64,
    policy_every: Option<u64>,
    history: History,
    /// Iteration and rule text of every rule that fired, in order.
    pub fired: Vec<(u64, String)>,
}

/// What happened at a check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckOutcome {
    pub fired: Option<usize>,
    pub stop: Option<String>,
}

impl<'a> Controller<'a> {
    pub fn new(trial: &'a Trial) -> Self {
        let iters_per_epoch = trial.iters_per_epoch.max(1);
        let lambda = match &trial.lambda {
            LambdaSpec::Constant(v) => Lambda::Constant(*v),
            LambdaSpec::Schedule(s) => Lambda::Schedule(s),
            LambdaSpec::Policy { policy, from } => Lambda::Policy {
                policy,
                value: clamp(*from, policy.clamp_lambda),
            },
            LambdaSpec::Adjusted { schedule, policy } => Lambda::Adjusted {
                schedule,
                policy,
                factor: 1.0,
            },
        };
        let policy_every = match &trial.lambda {
            LambdaSpec::Policy { policy, .. } | LambdaSpec::Adjusted { policy, .. } => {
                Some(policy.every.to_iters(iters_per_epoch))
            }
            _ => None,
        };
        Controller {
            lambda,
            iters_per_epoch,
            optimizer: &trial.optimizer,
            lr_factor: 1.0,
            checks_every: trial.checks_every.to_iters(iters_per_epoch),
            policy_every,
            history: History::default(),
            fired: Vec::new(),
        }
    }

    fn policy(&self) -> Option<&'a Policy> {
        match &self.lambda {
            Lambda::Policy { policy, .. } | Lambda::Adjusted { policy, .. } => Some(policy),
            _ => None,
        }
    }

    /// λ for the step taken at iteration `t`.
    pub fn lambda(&self, t: u64) -> f64 {
        match &self.lambda {
            Lambda::Constant(v) => *v,
            Lambda::Schedule(s) => ScheduleEval::new(s, self.iters_per_epoch).at(t),
            Lambda::Policy { value, .. } => *value,
            Lambda::Adjusted {
                schedule,
                policy,
                factor,
            } => clamp(
                ScheduleEval::new(schedule, self.iters_per_epoch).at(t) * factor,
                policy.clamp_lambda,
            ),
        }
    }

    /// The optimizer's learning rate with its decay, before policy actions.
    fn base_lr(&self, t: u64) -> f64 {
        scheduled_lr(self.optimizer, t, self.iters_per_epoch)
    }

    /// Learning rate for the step taken at iteration `t`.
    pub fn lr(&self, t: u64) -> f64 {
        clamp(
            self.base_lr(t) * self.lr_factor,
            self.policy().and_then(|p| p.clamp_lr),
        )
    }

    /// Whether metrics are measured after `t` steps: at 0, at every multiple of
    /// the check cadence or of the policy cadence, and at the end.
    pub fn is_check(&self, t: u64, budget: u64) -> bool {
        t == 0 || t == budget || t.is_multiple_of(self.checks_every) || self.policy_due(t)
    }

    pub fn policy_due(&self, t: u64) -> bool {
        matches!(self.policy_every, Some(e) if t > 0 && t.is_multiple_of(e))
    }

    /// Takes the metrics measured after `t` steps (λ and lr are filled in here)
    /// and lets the policy act when it is due.
    pub fn on_check(&mut self, t: u64, mut snap: Snapshot) -> CheckOutcome {
        snap.set(Metric::Lambda, self.lambda(t));
        snap.set(Metric::Lr, self.lr(t));
        let Some(policy) = self.policy() else {
            return CheckOutcome::default();
        };
        if !self.policy_due(t) {
            return CheckOutcome::default();
        }
        self.history.push(snap);
        let d = decide(policy, &self.history);
        if let Some(i) = d.fired {
            self.fired.push((t, policy.rules[i].text.clone()));
        }
        if let Some(new) = d.lambda {
            self.set_lambda(t, new, policy);
        }
        if let Some(new) = d.lr {
            let base = self.base_lr(t);
            if base != 0.0 {
                self.lr_factor = new / base;
            }
        }
        CheckOutcome {
            fired: d.fired,
            stop: d.stop,
        }
    }

    fn set_lambda(&mut self, t: u64, new: f64, policy: &Policy) {
        let iters_per_epoch = self.iters_per_epoch;
        match &mut self.lambda {
            Lambda::Policy { value, .. } => *value = clamp(new, policy.clamp_lambda),
            Lambda::Adjusted {
                schedule, factor, ..
            } => {
                let s = ScheduleEval::new(schedule, iters_per_epoch).at(t);
                if s != 0.0 {
                    *factor = new / s;
                }
            }
            Lambda::Constant(_) | Lambda::Schedule(_) => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::*;

    /// The plan's example trial (see `plan::example`).
    pub(crate) use crate::plan::example::trial;

    fn gap_rule(threshold: f64, op: AssignOp, by: f64) -> Rule {
        Rule {
            when: Expr::Binary {
                op: BinaryOp::Gt,
                lhs: Box::new(Expr::Binary {
                    op: BinaryOp::Sub,
                    lhs: Box::new(Expr::Metric(Metric::TrainAcc)),
                    rhs: Box::new(Expr::Metric(Metric::ValAcc)),
                }),
                rhs: Box::new(Expr::Num(threshold)),
            },
            actions: vec![Action::Set {
                target: Target::Lambda,
                op,
                value: Expr::Num(by),
            }],
            text: format!("gap > {threshold}"),
        }
    }

    fn policy(every: Duration) -> Policy {
        Policy {
            name: "p".into(),
            every,
            rules: vec![gap_rule(0.05, AssignOp::Mul, 2.0)],
            clamp_lambda: Some((0.0, 3.0)),
            clamp_lr: None,
        }
    }

    fn gap_snapshot(gap: f64) -> Snapshot {
        let mut s = Snapshot::default();
        s.set(Metric::TrainAcc, 0.5 + gap);
        s.set(Metric::ValAcc, 0.5);
        s
    }

    #[test]
    fn lr_decays_per_epoch() {
        let t = trial(LambdaSpec::Constant(1.0), 100);
        let c = Controller::new(&t);
        assert_eq!(c.lr(0), 0.1);
        assert_eq!(c.lr(9), 0.1);
        assert_eq!(c.lr(10), 0.05);
        assert_eq!(c.lr(25), 0.025);
    }

    #[test]
    fn checks_on_epoch_boundaries_and_policy_cadence() {
        let t = trial(
            LambdaSpec::Policy {
                policy: policy(Duration::Iters(4)),
                from: 1.0,
            },
            25,
        );
        let c = Controller::new(&t);
        let checks: Vec<u64> = (0..=25).filter(|&i| c.is_check(i, 25)).collect();
        assert_eq!(checks, [0, 4, 8, 10, 12, 16, 20, 24, 25]);
        let due: Vec<u64> = (0..=25).filter(|&i| c.policy_due(i)).collect();
        assert_eq!(due, [4, 8, 12, 16, 20, 24]);
    }

    #[test]
    fn policy_trajectory_follows_the_rules_and_the_clamp() {
        let t = trial(
            LambdaSpec::Policy {
                policy: policy(Duration::Epochs(0.5)),
                from: 1.0,
            },
            30,
        );
        let mut c = Controller::new(&t);
        let mut lambdas = vec![];
        for (i, gap) in [0.1, 0.0, 0.2, 0.3].into_iter().enumerate() {
            let it = 5 * (i as u64 + 1);
            assert!(c.policy_due(it));
            c.on_check(it, gap_snapshot(gap));
            lambdas.push(c.lambda(it + 1));
        }
        // 1 → 2 (fires), 2 (no), 2 → 4 clamped to 3, 3 → 6 clamped to 3.
        assert_eq!(lambdas, [2.0, 2.0, 3.0, 3.0]);
        assert_eq!(c.fired.len(), 3);
        assert_eq!(c.fired[0].0, 5);
    }

    #[test]
    fn adjusted_schedule_multiplies_by_the_running_factor() {
        let schedule = Schedule::Steps {
            values: vec![2.0, 1.0],
            each: Duration::Iters(10),
        };
        let mut p = policy(Duration::Iters(5));
        p.clamp_lambda = None;
        let t = trial(
            LambdaSpec::Adjusted {
                schedule,
                policy: p,
            },
            20,
        );
        let mut c = Controller::new(&t);
        assert_eq!(c.lambda(0), 2.0);
        c.on_check(5, gap_snapshot(0.1));
        assert_eq!(c.lambda(6), 4.0);
        assert_eq!(c.lambda(12), 2.0);
    }

    #[test]
    fn stop_ends_the_trial_with_its_rule() {
        let mut p = policy(Duration::Iters(5));
        p.rules[0].actions = vec![Action::Stop];
        let t = trial(
            LambdaSpec::Policy {
                policy: p,
                from: 1.0,
            },
            20,
        );
        let mut c = Controller::new(&t);
        assert_eq!(c.on_check(5, gap_snapshot(0.0)).stop, None);
        assert_eq!(
            c.on_check(10, gap_snapshot(0.2)).stop.as_deref(),
            Some("gap > 0.05")
        );
    }

    #[test]
    fn lr_actions_scale_the_decayed_rate() {
        let mut p = policy(Duration::Iters(5));
        p.rules[0].actions = vec![Action::Set {
            target: Target::Lr,
            op: AssignOp::Div,
            value: Expr::Num(10.0),
        }];
        let t = trial(
            LambdaSpec::Policy {
                policy: p,
                from: 1.0,
            },
            40,
        );
        let mut c = Controller::new(&t);
        c.on_check(5, gap_snapshot(0.2));
        assert!((c.lr(6) - 0.01).abs() < 1e-15);
        // Decay still applies on top of the factor.
        assert!((c.lr(10) - 0.005).abs() < 1e-15);
    }
}
