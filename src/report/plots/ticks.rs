//! Axis ticks and their labels: numbers written as a person would write
//! them ("50", not "50.0"; never "-0"), "nice" linear ticks, and the log
//! axis λ is drawn on, where λ = 0 sits on a floor line below an axis break.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// `v` as written by hand: at most 6 significant digits, trailing zeros
/// dropped, scientific notation below 1e-3 and from 1e6 ("3e-5"), and
/// zero always "0" (a rounding error never shows as "-0").
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let r = round_sig(v, 6);
    if r == 0.0 {
        return "0".into();
    }
    let a = r.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{r:e}");
        // `{:e}` prints "3e-5" and "1.5e6": already the hand-written form.
        return s;
    }
    let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
    trim(&format!("{r:.decimals$}"))
}

/// `v` with a sign and `decimals` decimals ("+0.0067"), except that a
/// value that rounds to zero is "0.0000", never "-0.0000".
pub fn signed(v: f64, decimals: usize) -> String {
    let s = format!("{v:+.decimals$}");
    if s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    let r = (v * scale).round() / scale;
    if r == 0.0 {
        0.0 // -0.0 becomes 0.0
    } else {
        r
    }
}

fn trim(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// About `count` evenly spaced ticks at 1, 2 or 5 × 10^k covering
/// [lo, hi], snapped so that 0 is exactly 0.
pub fn linear_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![];
    }
    let raw = (hi - lo) / count.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    // -0.3 / 0.1 is -2.9999999999999996: a tick on the edge stays.
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            // k·step carries float noise (0.30000000000000004).
            round_sig(v, 12)
        })
        .collect()
}

/// A log axis for values ≥ 0, in log10 units. Zeros have no logarithm:
/// they are drawn on a floor line `FLOOR_GAP` decades below the smallest
/// positive value's decade, labelled "0", with an axis break above it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogAxis {
    /// Position (log10 units) of the λ = 0 line, when a value is 0.
    pub floor: Option<f64>,
    /// Where the axis break is drawn (between the floor and the log part).
    pub break_at: Option<f64>,
    pub lo: f64,
    pub hi: f64,
    /// (position, label) of every tick.
    pub ticks: Vec<(f64, String)>,
}

/// How far below the lowest decade the λ = 0 line sits, in decades.
const FLOOR_GAP: f64 = 0.8;

/// The closest two labelled ticks may be, in decades (about 20 pixels on
/// the usual plot), so that their labels never overlap.
const MIN_GAP: f64 = 0.12;

impl LogAxis {
    /// The axis for `values`, or None when none is positive (a log axis
    /// would have nothing to show).
    pub fn new(values: &[f64]) -> Option<LogAxis> {
        let pos: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let min = pos.iter().copied().fold(f64::INFINITY, f64::min);
        let max = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !min.is_finite() {
            return None;
        }
        let lo_dec = min.log10().floor();
        // At least one decade, so that a decade tick always shows.
        let hi = max.log10().max(lo_dec + 1.0);
        let has_zero = values.contains(&0.0);
        let floor = has_zero.then_some(lo_dec - FLOOR_GAP);
        // Decades, then the data's own values when there are few of them
        // (λ grids: 0.003, 0.01), each only where it has room to be read.
        let mut ticks: Vec<(f64, String)> = ((lo_dec as i64)..=(hi.floor() as i64))
            .map(|d| (d as f64, number(10f64.powi(d as i32))))
            .collect();
        let mut distinct = pos.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup_by(|a, b| (*a / *b - 1.0).abs() < 1e-9);
        if distinct.len() <= 8 {
            for v in distinct {
                let p = v.log10();
                if ticks.iter().all(|(q, _)| (q - p).abs() >= MIN_GAP) {
                    ticks.push((p, number(v)));
                }
            }
        }
        if let Some(f) = floor {
            ticks.push((f, "0".into()));
        }
        ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(LogAxis {
            floor,
            break_at: floor.map(|f| f + FLOOR_GAP / 2.0),
            lo: floor.map_or(lo_dec, |f| f - 0.25) - 0.05,
            hi: hi + 0.08,
            ticks,
        })
    }

    /// Where `v` is drawn: log10(v), or the floor for 0.
    pub fn position(&self, v: f64) -> f64 {
        if v > 0.0 {
            v.log10()
        } else {
            self.floor.unwrap_or(self.lo)
        }
    }
}

/// The label of the tick at `v` among `ticks` (positions and labels), or
/// nothing when `v` is not one of them.
pub fn label_at(ticks: &[(f64, String)], v: f64) -> String {
    ticks
        .iter()
        .find(|(p, _)| (p - v).abs() < 1e-9)
        .map(|(_, l)| l.clone())
        .unwrap_or_default()
}

/// A linear f64 axis whose ticks are exactly `ticks` (plotters' own
/// choice gives "50.0" and "-0.0"); its labels come from the formatter the
/// chart is given.
#[derive(Clone)]
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub fn new(lo: f64, hi: f64, ticks: &[(f64, String)]) -> Ticked {
        Ticked {
            inner: (lo..hi).into(),
            ticks: ticks.iter().map(|t| t.0).collect(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // No light grid lines: only the labelled ticks.
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// Units compressed into runs, 1-based as in trial ids: [0, 1, 2, 4] →
/// "1–3, 5".
pub fn runs(indices: &[u32]) -> String {
    let mut v = indices.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => format!("{}", v[i] + 1),
            1 => format!("{}, {}", v[i] + 1, v[j] + 1),
            _ => format!("{}–{}", v[i] + 1, v[j] + 1),
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_given() {
        for (v, s) in [
            (50.0, "50"),
            (0.5, "0.5"),
            (800.0, "800"),
            (0.003, "0.003"),
            (1e-4, "1e-4"),
            (3e-5, "3e-5"),
            (2.5e6, "2.5e6"),
            (0.1 + 0.2, "0.3"),
            (-0.0, "0"),
            (-0.25, "-0.25"),
            (1234.5678, "1234.57"),
        ] {
            assert_eq!(number(v), s, "{v:e}");
        }
    }

    #[test]
    fn signed_values_never_show_negative_zero() {
        assert_eq!(signed(0.00671, 4), "+0.0067");
        assert_eq!(signed(-0.25, 2), "-0.25");
        assert_eq!(signed(-0.00001, 4), "0.0000");
        assert_eq!(signed(-0.0, 4), "0.0000");
    }

    #[test]
    fn linear_ticks_are_nice_and_never_negative_zero() {
        assert_eq!(linear_ticks(-0.013, 0.021, 6), [-0.01, 0.0, 0.01, 0.02]);
        let t = linear_ticks(0.0, 1000.0, 5);
        assert_eq!(t, [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        let labels: Vec<String> = linear_ticks(-0.3, 0.31, 7)
            .into_iter()
            .map(number)
            .collect();
        assert_eq!(labels, ["-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"]);
        assert!(labels.iter().all(|l| l != "-0" && !l.ends_with(".0")));
    }

    #[test]
    fn zero_sits_on_a_labelled_floor_below_the_log_part() {
        let axis = LogAxis::new(&[0.0, 0.003, 0.01, 0.001]).unwrap();
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0", "0.001", "0.003", "0.01"]);
        let floor = axis.floor.unwrap();
        assert!(floor < 0.001f64.log10() && axis.position(0.0) == floor);
        let brk = axis.break_at.unwrap();
        assert!(floor < brk && brk < 0.001f64.log10());
        assert!(axis.lo < floor && axis.hi >= 0.01f64.log10());
        // Only positive values: no floor, no break.
        let axis = LogAxis::new(&[0.5, 50.0]).unwrap();
        assert_eq!((axis.floor, axis.break_at), (None, None));
        // Nothing positive: no log axis at all.
        assert_eq!(LogAxis::new(&[0.0, 0.0]), None);
    }

    #[test]
    fn crowded_values_keep_only_readable_ticks() {
        let axis = LogAxis::new(&[0.001, 0.002, 0.003, 0.004, 0.008, 0.01]).unwrap();
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0.001", "0.002", "0.003", "0.004", "0.01"]);
        for w in axis.ticks.windows(2) {
            assert!(w[1].0 - w[0].0 >= MIN_GAP, "{:?}", axis.ticks);
        }
    }

    #[test]
    fn many_values_get_decade_ticks() {
        let v: Vec<f64> = (0..20).map(|i| 1e-4 * 1.5f64.powi(i)).collect();
        let axis = LogAxis::new(&v).unwrap();
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["1e-4", "0.001", "0.01", "0.1"]);
    }

    #[test]
    fn unit_lists_are_runs() {
        assert_eq!(runs(&[0, 1, 2, 4, 6, 7]), "1–3, 5, 7, 8");
        assert_eq!(runs(&[3]), "4");
        assert_eq!(runs(&[]), "");
    }
}
