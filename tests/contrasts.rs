//! End to end: a tiny run with two scheduled arms and a grid baseline gets
//! `contrasts.csv` and a contrasts section in `summary.md`, whose numbers
//! are the differences of its own trial records paired by seed; a run with
//! one scheduled arm gets neither; and docs/reproduction/generate.py renders
//! the contrast table from a run that has the file and nothing for one that
//! has not.

mod common;
use regime::results::{ResultsDir, TrialRecord};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Synthetic data, a duration axis of two cells, three seeds; `{arms}` are
/// the arms besides the grid baseline.
const SOURCE: &str = r#"
experiment tiny {
  data: toy
  vary each in [10 iters, 20 iters]
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  checks: every 10 iters
{arms}  arm best_fixed: lambda = grid([0.01, 0.0])
  seeds: 3
}
"#;

const TWO_ARMS: &str = "  arm pull_down: lambda = steps([0.1, 0.0], each: each)\n  arm pull_up: lambda = steps([0.0, 0.1], each: each)\n";

/// Runs the experiment with these arms into `tmp/<name>`.
fn run(tmp: &Path, name: &str, arms: &str) -> PathBuf {
    common::run_toy(tmp, name, &SOURCE.replace("{arms}", arms))
}

fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    common::csv_table(path)
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} in {row:?}", row[col]))
}

/// test_acc of (arm, seed index) in one cell, from the records themselves.
fn finals(records: &[TrialRecord], cell: usize, arm: &str) -> BTreeMap<u32, f64> {
    records
        .iter()
        .filter(|r| r.key.cell == cell && r.key.arm == arm)
        .map(|r| (r.key.seed_index, r.finals.unwrap().test_acc))
        .collect()
}

/// The exact two-sided sign-flip p of differences, by enumeration.
fn sign_flip(d: &[f64]) -> f64 {
    let observed = d.iter().sum::<f64>().abs();
    let all = 1u32 << d.len();
    let extreme = (0..all)
        .filter(|mask| {
            let s: f64 = d
                .iter()
                .enumerate()
                .map(|(i, x)| if mask >> i & 1 == 1 { -x } else { *x })
                .sum();
            s.abs() >= observed - 1e-12
        })
        .count();
    extreme as f64 / all as f64
}

fn check_contrasts(dir: &Path) {
    let (head, rows) = table(&dir.join("contrasts.csv"));
    assert_eq!(
        head.join(","),
        "experiment,cell,each,each_unit,arm_a,arm_b,n,unit,units,df,diff,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family"
    );
    assert_eq!(rows.len(), 2, "one pair of arms in each of two cells");
    let results = ResultsDir::open(dir.to_path_buf()).unwrap();
    let records = results.inventory(&results.plan().unwrap()).done;
    let (_, summary) = table(&dir.join("summary.csv"));
    for (cell, row) in rows.iter().enumerate() {
        assert_eq!(row["cell"], cell.to_string());
        assert_eq!(
            (row["arm_a"].as_str(), row["arm_b"].as_str()),
            ("pull_down", "pull_up")
        );
        assert_eq!(
            (row["n"].as_str(), row["unit"].as_str(), row["df"].as_str()),
            ("3", "seed", "2")
        );
        let (a, b) = (
            finals(&records, cell, "pull_down"),
            finals(&records, cell, "pull_up"),
        );
        let diffs: Vec<f64> = (0..3).map(|s| a[&s] - b[&s]).collect();
        let mean = diffs.iter().sum::<f64>() / 3.0;
        assert!(
            (num(row, "diff") - mean).abs() < 1e-12,
            "{row:?} vs {diffs:?}"
        );
        // The gains' pairing too: both gains are paired with the same
        // baseline trial of each seed, so their difference is the contrast.
        let gain = |arm: &str| {
            let r = summary
                .iter()
                .find(|r| r["cell"] == row["cell"] && r["arm"] == arm)
                .unwrap();
            num(r, "gain")
        };
        assert!((gain("pull_down") - gain("pull_up") - mean).abs() < 1e-12);
        // Three units: the exact sign-flip test, which cannot reach 0.05.
        assert_eq!(row["test"], "sign-flip");
        assert_eq!(num(row, "p"), sign_flip(&diffs), "{row:?}");
        assert!(num(row, "p_adj") >= num(row, "p"));
        assert_eq!(row["verdict"], "no detectable difference");
        assert_eq!(row["family"], "2");
        // Simultaneous over the family of two: at least as wide.
        assert!(num(row, "ci_low") <= mean && mean <= num(row, "ci_high"));
        assert!(num(row, "sim_ci_low") <= num(row, "ci_low"), "{row:?}");
        // ... so no effect is detectable with these units.
        assert_eq!(row["mde"], "inf", "{row:?}");
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("### tiny: contrasts between arms"), "{md}");
    assert!(
        md.contains("| 10 iters | pull_down − pull_up | 3 (2) |"),
        "{md}"
    );
    assert!(md.contains("Family: 2 contrasts"), "{md}");
}

#[test]
fn two_scheduled_arms_get_paired_contrasts_and_the_reproduction_renders_them() {
    let tmp = tempfile::tempdir().unwrap();
    let two = run(tmp.path(), "two", TWO_ARMS);
    check_contrasts(&two);
    let one = run(
        tmp.path(),
        "one",
        "  arm pull_down: lambda = steps([0.1, 0.0], each: each)\n",
    );
    assert!(
        !one.join("contrasts.csv").exists(),
        "no pair of arms, no file"
    );
    let md = std::fs::read_to_string(one.join("summary.md")).unwrap();
    assert!(!md.contains("contrasts between arms"), "{md}");

    // The generator, on the two runs as if they were reproduction runs.
    let runs = common::reproduction_runs(
        tmp.path(),
        &[("fig12_schedules", &two), ("fig12_schedules_overfit", &one)],
    );
    let with = common::generated_block(tmp.path(), &runs, "fig12_schedules");
    let (_, rows) = table(&two.join("contrasts.csv"));
    for row in &rows {
        let each = if row["cell"] == "0" { 10 } else { 20 };
        let line = format!(
            "| tiny | each {each} iters | pull_down − pull_up | 3 | {:+.2} [{:+.2}, {:+.2}] |",
            num(row, "diff") * 100.0,
            num(row, "ci_low") * 100.0,
            num(row, "ci_high") * 100.0
        );
        assert!(with.contains(&line), "{line} not in\n{with}");
    }
    assert!(
        with.contains("- `tiny` `pull_down` − `pull_up`, paired within (split, seed): no detectable difference in 2 cells"),
        "{with}"
    );
    let without = common::generated_block(tmp.path(), &runs, "fig12_schedules_overfit");
    assert!(
        without.contains("| tiny | each 10 iters | pull_down |"),
        "{without}"
    );
    assert!(!without.contains(" − "), "{without}");
}
