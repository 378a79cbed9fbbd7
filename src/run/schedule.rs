//! λ schedules evaluated at an iteration.
//!
//! A schedule is a pure function of the iteration `t` (0-based, the number of
//! steps already taken). Durations in epochs are turned into iterations with
//! the trial's epoch length, so the same schedule means the same thing on a
//! subset as on the full data set.

use crate::plan::{Duration, Schedule};
use std::f64::consts::PI;

/// A schedule bound to an epoch length.
#[derive(Debug, Clone)]
pub struct ScheduleEval<'a> {
    schedule: &'a Schedule,
    iters_per_epoch: u64,
}

impl<'a> ScheduleEval<'a> {
    pub fn new(schedule: &'a Schedule, iters_per_epoch: u64) -> Self {
        ScheduleEval {
            schedule,
            iters_per_epoch,
        }
    }

    /// λ at iteration `t`.
    pub fn at(&self, t: u64) -> f64 {
        value_at(self.schedule, t, self.iters_per_epoch)
    }

    /// The schedule's own length in iterations, when it has one.
    pub fn length(&self) -> Option<u64> {
        length(self.schedule, self.iters_per_epoch)
    }
}

fn iters(d: Duration, ipe: u64) -> u64 {
    d.to_iters(ipe)
}

/// Fraction of `over` that has elapsed at `t`, reaching 1 at the last iteration
/// of the span so that `linear(3, 0, over)` really ends at 0.
fn progress(t: u64, over: u64) -> f64 {
    if over <= 1 {
        return 1.0;
    }
    (t as f64 / (over - 1) as f64).min(1.0)
}

/// Length in iterations of a schedule that has one (`constant` and
/// `exponential` go on for ever). Saturating, as the checker's: a schedule
/// written longer than 2⁶⁴ − 1 iterations (the checker only warns that it
/// is cut short) counts as that long instead of overflowing.
pub fn length(s: &Schedule, ipe: u64) -> Option<u64> {
    match s {
        Schedule::Constant { .. } | Schedule::Exponential { .. } => None,
        Schedule::Steps { values, each } => {
            Some((values.len() as u64).saturating_mul(iters(*each, ipe)))
        }
        Schedule::Linear { over, .. } | Schedule::Cosine { over, .. } => Some(iters(*over, ipe)),
        Schedule::Reverse { inner } => length(inner, ipe),
        Schedule::Then { first, second } => {
            Some(length(first, ipe)?.saturating_add(length(second, ipe)?))
        }
    }
}

pub fn value_at(s: &Schedule, t: u64, ipe: u64) -> f64 {
    match s {
        Schedule::Constant { value } => *value,
        Schedule::Steps { values, each } => {
            let k = (t / iters(*each, ipe)) as usize;
            values
                .get(k.min(values.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        }
        Schedule::Linear { from, to, over } => from + (to - from) * progress(t, iters(*over, ipe)),
        Schedule::Exponential { from, rate, every } => {
            let k = t / iters(*every, ipe);
            from * rate.powf(k as f64)
        }
        Schedule::Cosine { from, to, over } => {
            let p = progress(t, iters(*over, ipe));
            to + (from - to) * (1.0 + (PI * p).cos()) / 2.0
        }
        Schedule::Reverse { inner } => match length(inner, ipe) {
            // Played backwards over its own length; after that the value it
            // started from holds.
            Some(len) if len > 0 => value_at(inner, len - 1 - t.min(len - 1), ipe),
            // A schedule without a length reads the same backwards at every
            // point the checker lets through (constant); keep it as is.
            _ => value_at(inner, t, ipe),
        },
        Schedule::Then { first, second } => match length(first, ipe) {
            Some(len) if t >= len => value_at(second, t - len, ipe),
            _ => value_at(first, t, ipe),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(values: &[f64], each: u64) -> Schedule {
        Schedule::Steps {
            values: values.to_vec(),
            each: Duration::Iters(each),
        }
    }

    #[test]
    fn steps_hold_each_value_then_the_last() {
        let s = steps(&[3.0, 2.0, 1.0, 0.0], 10);
        let v: Vec<f64> = [0, 9, 10, 19, 20, 30, 39, 40, 1000]
            .iter()
            .map(|&t| value_at(&s, t, 7))
            .collect();
        assert_eq!(v, [3.0, 3.0, 2.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(length(&s, 7), Some(40));
    }

    /// Lengths past 2⁶⁴ − 1 iterations (a source can write them; the checker
    /// only warns that the schedule is cut short) count as 2⁶⁴ − 1 instead
    /// of overflowing: reversed, such a schedule reads its first step for
    /// any iteration a trial reaches.
    #[test]
    fn lengths_near_two_to_the_64_saturate() {
        let long = steps(&[3.0, 2.0, 1.0, 0.0], u64::MAX);
        assert_eq!(length(&long, 7), Some(u64::MAX));
        let reversed = Schedule::Reverse {
            inner: Box::new(long.clone()),
        };
        assert_eq!(value_at(&reversed, 0, 7), 3.0);
        let chained = Schedule::Reverse {
            inner: Box::new(Schedule::Then {
                first: Box::new(long.clone()),
                second: Box::new(long),
            }),
        };
        assert_eq!(length(&chained, 7), Some(u64::MAX));
        assert_eq!(value_at(&chained, 5, 7), 3.0);
    }

    #[test]
    fn steps_in_epochs_use_the_epoch_length() {
        let s = Schedule::Steps {
            values: vec![1.0, 2.0],
            each: Duration::Epochs(2.0),
        };
        assert_eq!(value_at(&s, 9, 5), 1.0);
        assert_eq!(value_at(&s, 10, 5), 2.0);
        assert_eq!(length(&s, 5), Some(20));
    }

    #[test]
    fn reverse_of_pull_down_is_pull_up() {
        let s = Schedule::Reverse {
            inner: Box::new(steps(&[3.0, 2.0, 1.0, 0.0], 10)),
        };
        let v: Vec<f64> = [0, 9, 10, 25, 39, 40, 500]
            .iter()
            .map(|&t| value_at(&s, t, 1))
            .collect();
        assert_eq!(v, [0.0, 0.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn linear_and_cosine_reach_their_end_on_the_last_iteration() {
        let lin = Schedule::Linear {
            from: 3.0,
            to: 0.0,
            over: Duration::Iters(4),
        };
        assert_eq!(
            (0..5).map(|t| value_at(&lin, t, 1)).collect::<Vec<_>>(),
            [3.0, 2.0, 1.0, 0.0, 0.0]
        );
        let cos = Schedule::Cosine {
            from: 2.0,
            to: 0.0,
            over: Duration::Iters(3),
        };
        assert!((value_at(&cos, 0, 1) - 2.0).abs() < 1e-12);
        assert!((value_at(&cos, 1, 1) - 1.0).abs() < 1e-12);
        assert!(value_at(&cos, 2, 1).abs() < 1e-12);
    }

    #[test]
    fn exponential_steps_every_period_and_has_no_length() {
        let s = Schedule::Exponential {
            from: 1.0,
            rate: 0.5,
            every: Duration::Iters(10),
        };
        assert_eq!(value_at(&s, 9, 1), 1.0);
        assert_eq!(value_at(&s, 10, 1), 0.5);
        assert_eq!(value_at(&s, 25, 1), 0.25);
        assert_eq!(length(&s, 1), None);
    }

    #[test]
    fn then_restarts_time_for_the_second_schedule() {
        let s = Schedule::Then {
            first: Box::new(Schedule::Linear {
                from: 1.0,
                to: 1.0,
                over: Duration::Iters(5),
            }),
            second: Box::new(steps(&[7.0, 8.0], 2)),
        };
        let v: Vec<f64> = (3..10).map(|t| value_at(&s, t, 1)).collect();
        assert_eq!(v, [1.0, 1.0, 7.0, 7.0, 8.0, 8.0, 8.0]);
        assert_eq!(length(&s, 1), Some(9));
    }
}
