//! The long-format files of a results directory, one row per observation,
//! for pandas, R or a spreadsheet (docs/interop.md):
//! - `curves.csv`: every check of every finished trial,
//! - `baseline_choices.csv`: the constant each grid arm picked in every
//!   (cell, split, seed), and the validation accuracy it was picked on.

use super::columns::{self, num, opt, AxisColumns};
use super::stats::Lookup;
use crate::plan::{ExperimentPlan, Plan};
use crate::results::{CurveRow, ResultsError, TrialRecord};

/// The columns of `curves.csv` before the axes, and after them.
const CURVE_HEAD: [&str; 3] = ["experiment", "arm", "cell"];
pub const CURVE_COLUMNS: [&str; 18] = [
    "seed",
    "split",
    "trial",
    "selected",
    "iteration",
    "epoch",
    "train_acc",
    "val_acc",
    "gap",
    "train_loss",
    "val_loss",
    "data_loss",
    "reg_loss",
    "weight_norm",
    "sparsity",
    "lambda",
    "lr",
    "grid_lambda",
];

/// The columns of `baseline_choices.csv` after the axes.
const CHOICE_HEAD: [&str; 2] = ["experiment", "cell"];
const CHOICE_COLUMNS: [&str; 8] = [
    "arm", "split", "seed", "trial", "lambda", "val_acc", "measure", "value",
];

/// The axis columns of a file covering every experiment of `plan`.
fn axis_columns(plan: &Plan, reserved: &[&str]) -> AxisColumns {
    AxisColumns::new(
        plan.experiments
            .iter()
            .flat_map(|e| &e.axes)
            .flat_map(|a| a.values.iter().map(move |v| (a.name.as_str(), v))),
        reserved,
    )
}

fn reserved(head: &[&'static str], tail: &[&'static str]) -> Vec<&'static str> {
    head.iter().chain(tail).copied().collect()
}

/// A CSV error as a write error of `file` (only I/O could fail, and the
/// writer's target is memory).
fn csv_err<E: ToString>(file: &'static str) -> impl Fn(E) -> ResultsError {
    move |e| {
        ResultsError::write(
            std::path::Path::new(file),
            std::io::Error::other(e.to_string()),
        )
    }
}

/// The cells of one curve row after the axes.
fn curve_cells(rec: &TrialRecord, split: u32, selected: bool, row: &CurveRow) -> Vec<String> {
    vec![
        (rec.key.seed_index + 1).to_string(),
        (split + 1).to_string(),
        rec.key.id.clone(),
        selected.to_string(),
        row.iter.to_string(),
        num(row.epoch),
        num(row.train_acc),
        num(row.val_acc),
        num(row.train_acc - row.val_acc),
        num(row.train_loss),
        num(row.val_loss),
        num(row.data_loss),
        num(row.reg_loss),
        num(row.weight_norm),
        num(row.sparsity),
        num(row.lambda),
        num(row.lr),
        opt(rec.key.grid.map(|g| g.value)),
    ]
}

/// `curves.csv`: one row per check of every record, in plan order; `curve`
/// reads a trial's curve.
pub fn curves_csv(
    plan: &Plan,
    records: &[TrialRecord],
    curve: &dyn Fn(&str) -> Result<Vec<CurveRow>, ResultsError>,
) -> Result<Vec<u8>, ResultsError> {
    let axes = axis_columns(plan, &reserved(&CURVE_HEAD, &CURVE_COLUMNS));
    let mut w = csv::Writer::from_writer(vec![]);
    let mut head: Vec<String> = CURVE_HEAD.map(String::from).to_vec();
    head.extend(axes.headers());
    head.extend(CURVE_COLUMNS.map(String::from));
    w.write_record(&head).map_err(csv_err("curves.csv"))?;
    for exp in &plan.experiments {
        let look = Lookup::new(exp, records);
        for t in &exp.trials {
            let Some(rec) = records.iter().find(|r| r.key.id == t.key.id) else {
                continue;
            };
            let selected = look
                .representative(rec.key.cell, &rec.key.arm, t.key.split, rec.key.seed_index)
                .is_some_and(|r| r.key.id == rec.key.id);
            let mut lead = vec![
                rec.key.experiment.clone(),
                rec.key.arm.clone(),
                rec.key.cell.to_string(),
            ];
            lead.extend(axes.cells(&rec.key.vary));
            for row in curve(&rec.key.id)? {
                let mut cells = lead.clone();
                cells.extend(curve_cells(rec, t.key.split, selected, &row));
                w.write_record(&cells).map_err(csv_err("curves.csv"))?;
            }
        }
    }
    columns::finish(w).map_err(csv_err("curves.csv"))
}

/// The choices of one experiment's grid arms, as rows after the axes.
fn choices(exp: &ExperimentPlan, records: &[TrialRecord]) -> Vec<(usize, Vec<String>)> {
    let look = Lookup::new(exp, records);
    let cells: std::collections::BTreeSet<usize> = exp.trials.iter().map(|t| t.key.cell).collect();
    let mut out = Vec::new();
    for cell in cells {
        for arm in exp.arms.iter().filter(|a| a.is_grid) {
            for split in 0..exp.splits.max(1) {
                for seed in 0..exp.seeds {
                    let Some(rep) = look.representative(cell, &arm.name, split, seed) else {
                        continue;
                    };
                    let finals = rep.finals;
                    out.push((
                        cell,
                        vec![
                            arm.name.clone(),
                            (split + 1).to_string(),
                            (seed + 1).to_string(),
                            rep.key.id.clone(),
                            opt(rep.key.grid.map(|g| g.value)),
                            opt(finals.map(|f| f.val_acc)),
                            exp.measure.name().to_string(),
                            opt(finals.and_then(|f| f.get(exp.measure))),
                        ],
                    ));
                }
            }
        }
    }
    out
}

/// `baseline_choices.csv`: per experiment, cell, grid arm, split and seed,
/// the constant picked on final validation accuracy and its measured value.
pub fn choices_csv(plan: &Plan, records: &[TrialRecord]) -> Result<Vec<u8>, ResultsError> {
    let axes = axis_columns(plan, &reserved(&CHOICE_HEAD, &CHOICE_COLUMNS));
    let mut w = csv::Writer::from_writer(vec![]);
    let mut head: Vec<String> = CHOICE_HEAD.map(String::from).to_vec();
    head.extend(axes.headers());
    head.extend(CHOICE_COLUMNS.map(String::from));
    w.write_record(&head)
        .map_err(csv_err("baseline_choices.csv"))?;
    for exp in &plan.experiments {
        let vary = |cell: usize| {
            exp.trials
                .iter()
                .find(|t| t.key.cell == cell)
                .map(|t| &t.key.vary)
        };
        for (cell, rest) in choices(exp, records) {
            let mut row = vec![exp.name.clone(), cell.to_string()];
            row.extend(
                vary(cell).map_or_else(|| axes.cells(&Default::default()), |v| axes.cells(v)),
            );
            row.extend(rest);
            w.write_record(&row)
                .map_err(csv_err("baseline_choices.csv"))?;
        }
    }
    columns::finish(w).map_err(csv_err("baseline_choices.csv"))
}
