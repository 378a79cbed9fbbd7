//! The conventions every CSV regime writes shares (docs/interop.md,
//! "Columns"): numbers in their shortest exact form and an empty cell (never
//! `NaN`) where a value does not exist; seeds and splits counted from 1 as in
//! the trial ids; one column per `vary` axis holding the value itself (`250`,
//! not `"250 iters"`), with a `<axis>_unit` column beside a duration axis.

use crate::plan::{AxisValue, Duration};

/// A number as a CSV cell: Rust's shortest representation that reads back
/// to the same `f64`; empty when it is NaN or infinite.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// [`num`] of a value that may be absent.
pub fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), num)
}

/// The value of an axis as a cell, and its unit (durations only).
fn value_and_unit(v: &AxisValue) -> (String, Option<&'static str>) {
    match v {
        AxisValue::Int(i) => (i.to_string(), None),
        AxisValue::Float(f) => (num(*f), None),
        AxisValue::Duration(Duration::Iters(n)) => (n.to_string(), Some("iters")),
        AxisValue::Duration(Duration::Epochs(e)) => (num(*e), Some("epochs")),
        AxisValue::Text(s) => (s.clone(), None),
    }
}

/// One `vary` axis as columns of a file.
#[derive(Debug, Clone, PartialEq)]
struct Axis {
    name: String,
    /// The header: the axis name, or `axis_<name>` when the name is one of
    /// the file's own columns (an axis named `lr` in `curves.csv`).
    header: String,
    /// True when some value of the axis is a duration.
    has_unit: bool,
}

/// One line of a per-cell CSV ([`per_cell_csv`]).
pub struct CellLine<'a> {
    pub experiment: &'a str,
    pub cell: usize,
    pub vary: &'a std::collections::BTreeMap<String, AxisValue>,
    /// The values of the file's own columns, in their order.
    pub values: Vec<String>,
}

/// A CSV of one line per (experiment, cell, …): `experiment`, `cell`, one
/// column per `vary` axis of any line, then `columns` (comma-separated).
/// `summary.csv` and `contrasts.csv` are written through it.
pub fn per_cell_csv(columns: &str, lines: &[CellLine]) -> Result<Vec<u8>, String> {
    let mut fixed = vec!["experiment", "cell"];
    fixed.extend(columns.split(','));
    let axes = AxisColumns::new(
        lines
            .iter()
            .flat_map(|l| l.vary.iter().map(|(k, v)| (k.as_str(), v))),
        &fixed,
    );
    let mut w = csv::Writer::from_writer(vec![]);
    let mut head: Vec<String> = vec!["experiment".into(), "cell".into()];
    head.extend(axes.headers());
    head.extend(columns.split(',').map(String::from));
    w.write_record(&head).map_err(|e| e.to_string())?;
    for l in lines {
        let mut rec = vec![l.experiment.to_string(), l.cell.to_string()];
        rec.extend(axes.cells(l.vary));
        rec.extend(l.values.iter().cloned());
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    finish(w)
}

/// The axis columns of one CSV file: every axis of the experiments it
/// covers, in order of first appearance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AxisColumns {
    axes: Vec<Axis>,
}

impl AxisColumns {
    /// From every (axis name, value) the file will hold; `reserved` are the
    /// file's other columns, which an axis name must not shadow.
    pub fn new<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a AxisValue)>,
        reserved: &[&str],
    ) -> AxisColumns {
        let mut axes: Vec<Axis> = Vec::new();
        for (name, v) in values {
            let is_duration = matches!(v, AxisValue::Duration(_));
            match axes.iter_mut().find(|a| a.name == name) {
                Some(a) => a.has_unit |= is_duration,
                None => axes.push(Axis {
                    name: name.to_string(),
                    header: if reserved.contains(&name) {
                        format!("axis_{name}")
                    } else {
                        name.to_string()
                    },
                    has_unit: is_duration,
                }),
            }
        }
        AxisColumns { axes }
    }

    /// The header cells, in the order [`cells`](Self::cells) fills them.
    pub fn headers(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.axes {
            out.push(a.header.clone());
            if a.has_unit {
                out.push(format!("{}_unit", a.header));
            }
        }
        out
    }

    /// The cells of one cell's axis values (empty where an experiment lacks
    /// the axis).
    pub fn cells(&self, vary: &std::collections::BTreeMap<String, AxisValue>) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.axes {
            let (value, unit) = vary
                .get(&a.name)
                .map_or((String::new(), None), value_and_unit);
            out.push(value);
            if a.has_unit {
                out.push(unit.unwrap_or_default().to_string());
            }
        }
        out
    }
}

/// A finished `csv::Writer` over a `Vec<u8>` as bytes.
pub fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, String> {
    w.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn numbers_are_exact_and_nan_is_empty() {
        assert_eq!(num(0.8123), "0.8123");
        assert_eq!(num(50.0), "50");
        assert_eq!(num(1e-7), "0.0000001");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "");
        assert_eq!(opt(None), "");
        let x = 0.1 + 0.2;
        assert_eq!(num(x).parse::<f64>().unwrap(), x);
    }

    #[test]
    fn axes_hold_numbers_with_a_unit_column_for_durations() {
        let each = AxisValue::Duration(Duration::Iters(250));
        let epochs = AxisValue::Duration(Duration::Epochs(1.5));
        let hidden = AxisValue::Int(50);
        let lr = AxisValue::Float(0.01);
        let cols = AxisColumns::new(
            [
                ("each", &each),
                ("hidden", &hidden),
                ("each", &epochs),
                ("lr", &lr),
            ],
            &["lr", "arm"],
        );
        assert_eq!(
            cols.headers(),
            ["each", "each_unit", "hidden", "axis_lr"].map(String::from)
        );
        let vary = BTreeMap::from([
            ("each".to_string(), each.clone()),
            ("hidden".to_string(), hidden.clone()),
        ]);
        assert_eq!(
            cols.cells(&vary),
            ["250", "iters", "50", ""].map(String::from)
        );
        let vary = BTreeMap::from([("each".to_string(), epochs), ("lr".to_string(), lr)]);
        assert_eq!(
            cols.cells(&vary),
            ["1.5", "epochs", "", "0.01"].map(String::from)
        );
    }
}
