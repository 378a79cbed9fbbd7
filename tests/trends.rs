//! End to end: a tiny run with a `vary` axis of two values gets
//! `trends.csv` and a trends section in `summary.md`, whose numbers are the
//! differences of its own gains (arm minus the validation-picked grid
//! constant, per seed) between the axis's two ends; a run whose axis has one
//! value gets neither; and docs/reproduction/generate.py renders the trend
//! table.

mod common;
use regime::results::{ResultsDir, TrialRecord};
use std::collections::BTreeMap;

/// Synthetic data, the axis `each` with `{values}`, three seeds.
const SOURCE: &str = r#"
experiment tiny {
  data: toy
  vary each in [{values}]
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  checks: every 10 iters
  arm pull_down: lambda = steps([0.1, 0.0], each: each)
  arm best_fixed: lambda = grid([0.01, 0.0])
  seeds: 3
}
"#;

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} in {row:?}", row[col]))
}

/// Seed by seed, pull_down's test accuracy minus that of the grid constant
/// with the best validation accuracy (the first of equals), in one cell.
fn gains(records: &[TrialRecord], cell: usize) -> Vec<f64> {
    let test = |r: &TrialRecord| r.finals.unwrap().test_acc;
    (0..3)
        .map(|seed| {
            let of = |arm: &'static str| {
                records.iter().filter(move |r| {
                    r.key.cell == cell && r.key.seed_index == seed && r.key.arm == arm
                })
            };
            let arm = test(of("pull_down").next().unwrap());
            let picked = of("best_fixed")
                .reduce(|b, r| {
                    if b.finals.unwrap().val_acc >= r.finals.unwrap().val_acc {
                        b
                    } else {
                        r
                    }
                })
                .unwrap();
            arm - test(picked)
        })
        .collect()
}

#[test]
fn an_axis_of_two_values_gets_a_tested_trend_and_the_reproduction_renders_it() {
    let tmp = tempfile::tempdir().unwrap();
    let two = common::run_toy(
        tmp.path(),
        "two",
        &SOURCE.replace("{values}", "10 iters, 20 iters"),
    );
    let (head, rows) = common::csv_table(&two.join("trends.csv"));
    assert_eq!(
        head.join(","),
        "experiment,arm,axis,from,to,fixed,n,unit,units,df,diff,ci_low,ci_high,sim_ci_low,sim_ci_high,test,p,p_adj,verdict,mde,family"
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    let fields = [
        "experiment",
        "arm",
        "axis",
        "from",
        "to",
        "fixed",
        "n",
        "family",
    ];
    let got: Vec<&str> = fields.iter().map(|f| row[*f].as_str()).collect();
    assert_eq!(
        got,
        [
            "tiny",
            "pull_down",
            "each",
            "10 iters",
            "20 iters",
            "",
            "3",
            "1"
        ]
    );

    let results = ResultsDir::open(two.clone()).unwrap();
    let records = results.inventory(&results.plan().unwrap()).done;
    let (first, last) = (gains(&records, 0), gains(&records, 1));
    let diffs: Vec<f64> = (0..3).map(|s| last[s] - first[s]).collect();
    let mean = diffs.iter().sum::<f64>() / 3.0;
    assert!(
        (num(row, "diff") - mean).abs() < 1e-12,
        "{row:?} vs {diffs:?}"
    );
    // The per-cell gains of summary.csv are the same gains.
    let (_, summary) = common::csv_table(&two.join("summary.csv"));
    let gain = |cell: &str| {
        let r = summary
            .iter()
            .find(|r| r["cell"] == cell && r["arm"] == "pull_down")
            .unwrap();
        num(r, "gain")
    };
    assert!((gain("1") - gain("0") - mean).abs() < 1e-12);
    // Three units: the exact sign-flip test, which cannot reject.
    assert_eq!(row["test"], "sign-flip");
    assert_eq!(row["verdict"], "no detectable difference");
    assert_eq!(row["mde"], "inf", "{row:?}");

    let md = std::fs::read_to_string(two.join("summary.md")).unwrap();
    assert!(md.contains("### tiny: trends across axes"), "{md}");
    assert!(
        md.contains("| pull_down | each 10 iters → 20 iters | 3 (2) |"),
        "{md}"
    );

    let one = common::run_toy(tmp.path(), "one", &SOURCE.replace("{values}", "10 iters"));
    assert!(!one.join("trends.csv").exists(), "one value, no trend");
    let md = std::fs::read_to_string(one.join("summary.md")).unwrap();
    assert!(!md.contains("trends across axes"), "{md}");

    // The generator, on the run as if it were a reproduction run.
    let runs = common::reproduction_runs(tmp.path(), &[("fig12_schedules", &two)]);
    let block = common::generated_block(tmp.path(), &runs, "fig12_schedules");
    let line = format!(
        "| tiny | pull_down | each 10 iters → 20 iters | 3 | {:+.2} [{:+.2}, {:+.2}] |",
        mean * 100.0,
        num(row, "ci_low") * 100.0,
        num(row, "ci_high") * 100.0
    );
    assert!(block.contains(&line), "{line} not in\n{block}");
    assert!(
        block.contains("- `tiny` `pull_down`, gain at the last `each` minus the first: no detectable difference 1 time"),
        "{block}"
    );
}
