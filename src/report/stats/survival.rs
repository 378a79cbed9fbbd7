//! Time to a target accuracy as a censored time: the validation curve is
//! smoothed with a trailing moving average over a declared number of checks,
//! the time is the first check at which the smoothed curve meets the target,
//! and a trial that never does is censored at its last iteration (the budget,
//! or where a policy stopped it). Kaplan–Meier gives the survival curve
//! ("not yet arrived"), its median and the restricted mean time up to the
//! budget (RMST, the area under the curve).

use serde::Serialize;

/// One trial's time: when it arrived, or when it was last seen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Obs {
    pub time: f64,
    pub arrived: bool,
}

/// Trailing moving average over `window` points (the first points average
/// what exists so far); window 0 or 1 leaves the values as they are.
pub fn smooth(values: &[f64], window: usize) -> Vec<f64> {
    let w = window.max(1);
    (0..values.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(w);
            let part = &values[from..=i];
            part.iter().sum::<f64>() / part.len() as f64
        })
        .collect()
}

/// The observation of one curve: first `iter` at which the smoothed value
/// meets the target (`>=` when `at_least`, else `<=`), else censored at `end`.
pub fn observe(iters: &[u64], smoothed: &[f64], target: f64, at_least: bool, end: u64) -> Obs {
    let hit = iters
        .iter()
        .zip(smoothed)
        .find(|(_, &v)| if at_least { v >= target } else { v <= target });
    match hit {
        Some((&it, _)) => Obs {
            time: it as f64,
            arrived: true,
        },
        None => Obs {
            time: end as f64,
            arrived: false,
        },
    }
}

/// Kaplan–Meier steps: (event time, survival just after it). Censorings tied
/// with an event count as still at risk at that time.
pub fn kaplan_meier(obs: &[Obs]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<Obs> = obs.iter().copied().filter(|o| o.time.is_finite()).collect();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut at_risk = sorted.len();
    let mut surv = 1.0;
    let mut steps = vec![];
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].time;
        let same: Vec<&Obs> = sorted[i..].iter().take_while(|o| o.time == t).collect();
        let events = same.iter().filter(|o| o.arrived).count();
        if events > 0 {
            surv *= 1.0 - events as f64 / at_risk as f64;
            steps.push((t, surv));
        }
        at_risk -= same.len();
        i += same.len();
    }
    steps
}

/// Kaplan–Meier median: the first time survival drops to 0.5 or below
/// (None when more than half never arrive).
pub fn median(obs: &[Obs]) -> Option<f64> {
    kaplan_meier(obs)
        .into_iter()
        .find(|&(_, s)| s <= 0.5)
        .map(|(t, _)| t)
}

/// Restricted mean time to arrival up to `tau`: ∫₀^τ S(t) dt.
pub fn rmst(obs: &[Obs], tau: f64) -> f64 {
    if obs.is_empty() {
        return f64::NAN;
    }
    let mut area = 0.0;
    let mut last_t = 0.0;
    let mut s = 1.0;
    for (t, after) in kaplan_meier(obs) {
        if t >= tau {
            break;
        }
        area += s * (t - last_t);
        last_t = t;
        s = after;
    }
    area + s * (tau - last_t).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(time: f64, arrived: bool) -> Obs {
        Obs { time, arrived }
    }

    #[test]
    fn smoothing_and_first_arrival() {
        let s = smooth(&[0.0, 1.0, 0.0, 1.0, 1.0], 2);
        assert_eq!(s, vec![0.0, 0.5, 0.5, 0.5, 1.0]);
        assert_eq!(smooth(&[0.3, 0.9], 1), vec![0.3, 0.9]);
        // One noisy spike reaches 0.9 unsmoothed but not over two checks.
        let iters = [100, 200, 300, 400];
        let raw = [0.5, 0.95, 0.6, 0.92];
        assert_eq!(observe(&iters, &raw, 0.9, true, 500), o(200.0, true));
        let sm = smooth(&raw, 2);
        assert_eq!(observe(&iters, &sm, 0.9, true, 500), o(500.0, false));
        assert_eq!(
            observe(&iters, &[2.0, 0.4, 0.3, 0.2], 0.5, false, 500),
            o(200.0, true)
        );
    }

    #[test]
    fn kaplan_meier_by_hand() {
        // Times 1, 2+, 3, 3, 4+ (+ censored): at 1: 4/5; at 3: 4/5 · (1 − 2/3) = 4/15.
        let obs = [
            o(1.0, true),
            o(2.0, false),
            o(3.0, true),
            o(3.0, true),
            o(4.0, false),
        ];
        let km = kaplan_meier(&obs);
        assert_eq!(km.len(), 2);
        assert!((km[0].1 - 0.8).abs() < 1e-12);
        assert!((km[1].1 - 4.0 / 15.0).abs() < 1e-12);
        assert_eq!(median(&obs), Some(3.0));
        // RMST to 4: 1·1 + 0.8·(3 − 1) + (4/15)·(4 − 3).
        assert!((rmst(&obs, 4.0) - (1.0 + 1.6 + 4.0 / 15.0)).abs() < 1e-12);
        // Censoring only at τ: RMST is the mean of min(T, τ).
        let obs = [o(10.0, true), o(30.0, true), o(50.0, false)];
        assert!((rmst(&obs, 50.0) - 30.0).abs() < 1e-12);
        assert_eq!(median(&[o(5.0, true), o(9.0, false), o(9.0, false)]), None);
    }
}
