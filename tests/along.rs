//! End to end: a tiny run with a grid baseline gets `along.csv` and a "gain
//! along the way" section in `summary.md`, whose numbers are the
//! differences of validation accuracy read from its own curves at the last
//! check at or before each quarter of the budget, paired with the curve of
//! the constant picked in the same (split, seed); a run without a grid arm
//! gets neither; and docs/reproduction/generate.py renders the table for a
//! claim-6 (`fig4_`) run only.

mod common;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Synthetic data, a `hidden` axis of two cells, two splits of two seeds, a
/// budget of 40 iterations checked every 8: the quarters (10, 20, 30, 40)
/// fall between checks except the last.
const SOURCE: &str = r#"
experiment tiny {
  data: toy
  vary hidden in [8, 16]
  network: mlp(hidden)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 40
  checks: every 8 iters
  arm pull_down: lambda = steps([0.1, 0.0], each: 20 iters)
{arms}  splits: 2
  seeds: 2
}
"#;

const GRID: &str = "  arm best_fixed: lambda = grid([0.01, 0.0])\n";

type Rows = Vec<BTreeMap<String, String>>;

/// Runs the experiment with these further arms into `tmp/<name>`.
fn run(tmp: &Path, name: &str, arms: &str) -> PathBuf {
    common::run_toy(tmp, name, &SOURCE.replace("{arms}", arms))
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} in {row:?}", row[col]))
}

/// Validation accuracy of a trial's curve at its last check at or before `iter`.
fn val_at(dir: &Path, trial: &str, iter: u64) -> f64 {
    let (_, rows) = common::csv_table(&dir.join("curves").join(format!("{trial}.csv")));
    let row = rows
        .iter()
        .filter(|r| r["iter"].parse::<u64>().unwrap() <= iter)
        .max_by_key(|r| r["iter"].parse::<u64>().unwrap())
        .expect("a check at iteration 0");
    num(row, "val_acc")
}

/// The expected gain of `arm` in `cell` at `iter`: the mean over splits of
/// the mean over seeds of arm − picked constant (`baseline_choices.csv`),
/// the arm's trial named by the same cell, split and seed.
fn expected_gain(dir: &Path, choices: &Rows, cell: &str, arm: &str, iter: u64) -> f64 {
    let mut by_split: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for c in choices.iter().filter(|c| c["cell"] == cell) {
        let base = &c["trial"];
        let cell: usize = c["cell"].parse().unwrap();
        let trial = format!("tiny-c{cell:03}-{arm}-p{}-s{}", c["split"], c["seed"]);
        let d = val_at(dir, &trial, iter) - val_at(dir, base, iter);
        by_split.entry(&c["split"]).or_default().push(d);
    }
    assert_eq!(by_split.len(), 2, "two splits");
    let means: Vec<f64> = by_split
        .values()
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        .collect();
    means.iter().sum::<f64>() / means.len() as f64
}

fn check_along(dir: &Path) {
    let (head, rows) = common::csv_table(&dir.join("along.csv"));
    assert_eq!(
        head.join(","),
        "experiment,cell,hidden,arm,quarter,iter,n,unit,units,df,gain,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family"
    );
    assert_eq!(rows.len(), 2 * 2 * 4, "cells × arms × quarters");
    let (_, choices) = common::csv_table(&dir.join("baseline_choices.csv"));
    for (i, row) in rows.iter().enumerate() {
        let (cell, arm, k) = (i / 8, ["pull_down", "pull_up"][i / 4 % 2], i % 4);
        assert_eq!(
            (row["cell"].as_str(), row["arm"].as_str()),
            (cell.to_string().as_str(), arm)
        );
        assert_eq!(row["hidden"], ["8", "16"][cell]);
        assert_eq!(row["quarter"], ["0.25", "0.5", "0.75", "1"][k]);
        let iter = [10, 20, 30, 40][k];
        assert_eq!(row["iter"], iter.to_string());
        assert_eq!(
            (
                row["n"].as_str(),
                row["unit"].as_str(),
                row["units"].as_str()
            ),
            ("4", "split", "2")
        );
        assert_eq!(row["df"], "1");
        let want = expected_gain(dir, &choices, &row["cell"], arm, iter);
        assert!((num(row, "gain") - want).abs() < 1e-12, "{row:?} vs {want}");
        // Two split means: the exact sign-flip test, p at least 2/4.
        assert_eq!(row["test"], "sign-flip");
        assert!(num(row, "p") >= 0.5, "{row:?}");
        assert!(num(row, "p_adj") >= num(row, "p"));
        assert_eq!(row["verdict"], "no detectable difference");
        assert_eq!(row["family"], "16");
        assert!(num(row, "ci_low") <= want && want <= num(row, "ci_high"));
        assert!(num(row, "sim_ci_low") <= num(row, "ci_low"), "{row:?}");
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains("### tiny: gain along the way (validation accuracy)"),
        "{md}"
    );
    assert!(md.contains("| 8 | pull_down | 25% | 10 | 4 (1) |"), "{md}");
    assert!(md.contains("| 16 | pull_up | 100% | 40 | 4 (1) |"), "{md}");
    assert!(md.contains("Family: 16 tests"), "{md}");
    assert!(md.contains("biased in the baseline's favour"), "{md}");
}

fn check_generated(tmp: &Path, with: &Path, without: &Path) {
    let runs = common::reproduction_runs(
        tmp,
        &[
            ("fig4_adaptive_cnn", with),
            ("fig4_adaptive_cnn_overfit", without),
            ("fig12_schedules", with),
        ],
    );
    let block = common::generated_block(tmp, &runs, "fig4_adaptive_cnn");
    let (_, rows) = common::csv_table(&with.join("along.csv"));
    for row in &rows {
        let at = ["25%", "50%", "75%", "100%"][["0.25", "0.5", "0.75", "1"]
            .iter()
            .position(|q| *q == row["quarter"])
            .unwrap()];
        let line = format!(
            "| tiny | hidden {} | {} | {at} | {} | 4 | {:+.2} [{:+.2}, {:+.2}] |",
            row["hidden"],
            row["arm"],
            row["iter"],
            num(row, "gain") * 100.0,
            num(row, "ci_low") * 100.0,
            num(row, "ci_high") * 100.0
        );
        assert!(block.contains(&line), "{line} not in\n{block}");
    }
    for at in ["25%", "100%"] {
        let line = format!("- `tiny` `pull_up` against the validation-picked constant, validation accuracy at {at} of the budget: no detectable difference in 2 cells");
        assert!(block.contains(&line), "{line} not in\n{block}");
    }
    // Not a claim-6 run: the gains, but no table along the way.
    let other = common::generated_block(tmp, &runs, "fig12_schedules");
    assert!(other.contains("| tiny | hidden 8 | pull_down |"), "{other}");
    assert!(!other.contains("of the budget") && !other.contains("| 25% |"));
    // A claim-6 run without along.csv: none either.
    let other = common::generated_block(tmp, &runs, "fig4_adaptive_cnn_overfit");
    assert!(other.contains("trials complete"), "{other}");
    assert!(!other.contains("of the budget") && !other.contains("| 25% |"));
}

#[test]
fn a_grid_baseline_gets_gains_along_the_way_and_the_reproduction_renders_them() {
    let tmp = tempfile::tempdir().unwrap();
    let arms = format!("  arm pull_up: lambda = steps([0.0, 0.1], each: 20 iters)\n{GRID}");
    let with = run(tmp.path(), "with", &arms);
    check_along(&with);
    // No grid arm, no baseline to pair with: neither file nor section.
    let without = run(tmp.path(), "without", "  arm constant: lambda = 0.01\n");
    assert!(!without.join("along.csv").exists(), "no baseline, no file");
    let md = std::fs::read_to_string(without.join("summary.md")).unwrap();
    assert!(!md.contains("gain along the way"), "{md}");
    check_generated(tmp.path(), &with, &without);
}
