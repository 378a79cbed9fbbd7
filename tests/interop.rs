//! The tidy files of a results directory read as a researcher reads them:
//! `curves.csv`, `summary.csv` and `baseline_choices.csv` with the `csv`
//! crate and with pandas (docs/interop.md's snippet included), and
//! `regime compare` between tiny runs.

mod common;
#[path = "interop/fixture.rs"]
mod fixture;
#[path = "interop/python.rs"]
mod python;

use fixture::{ok, regime, Tiny};
use regime::results::ResultsDir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    common::csv_table(path)
}

#[test]
fn curves_csv_has_one_row_per_check_in_tidy_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny::default().run(tmp.path(), "out");
    let (head, rows) = table(&dir.join("curves.csv"));
    let want = "experiment,arm,cell,each,each_unit,seed,split,trial,selected,iteration,epoch,train_acc,val_acc,gap,train_loss,val_loss,data_loss,reg_loss,weight_norm,sparsity,lambda,lr,grid_lambda";
    assert_eq!(head.join(","), want);
    let text = std::fs::read_to_string(dir.join("curves.csv")).unwrap();
    assert!(!text.to_lowercase().contains("nan"), "NaN written: {text}");

    let results = ResultsDir::open(dir.clone()).unwrap();
    let records = results.inventory(&results.plan().unwrap()).done;
    assert_eq!(records.len(), 2 * 3 * 3);
    let mut total = 0;
    for rec in &records {
        let curve = results.read_curve(&rec.key.id).unwrap();
        let mine: Vec<_> = rows.iter().filter(|r| r["trial"] == rec.key.id).collect();
        assert_eq!(mine.len(), curve.len(), "{}", rec.key.id);
        total += curve.len();
        for (row, c) in mine.iter().zip(&curve) {
            assert_eq!(row["experiment"], "tiny");
            assert_eq!(row["arm"], rec.key.arm);
            assert_eq!(row["seed"], (rec.key.seed_index + 1).to_string());
            assert_eq!(row["split"], "1");
            assert_eq!(row["each_unit"], "iters");
            assert_eq!(row["iteration"].parse::<u64>().unwrap(), c.iter);
            // Exact: the shortest form reads back to the same float.
            assert_eq!(row["val_acc"].parse::<f64>().unwrap(), c.val_acc);
            assert_eq!(row["lambda"].parse::<f64>().unwrap(), c.lambda);
            assert_eq!(row["lr"].parse::<f64>().unwrap(), c.lr);
            let gap: f64 = row["gap"].parse().unwrap();
            assert_eq!(gap, c.train_acc - c.val_acc);
            if c.iter == 0 {
                assert_eq!(row["data_loss"], "", "no step taken yet");
            } else {
                assert_eq!(row["data_loss"].parse::<f64>().unwrap(), c.data_loss);
            }
            let grid = rec.key.grid.map_or(String::new(), |g| g.value.to_string());
            assert_eq!(
                row["grid_lambda"].parse::<f64>().ok(),
                grid.parse::<f64>().ok()
            );
        }
        let each = if rec.key.cell == 0 { "10" } else { "20" };
        assert!(mine.iter().all(|r| r["each"] == each), "{}", rec.key.id);
    }
    assert_eq!(rows.len(), total);

    // `selected`: every schedule trial, and one grid point per (cell, seed):
    // the one baseline_choices.csv names.
    let (_, choices) = table(&dir.join("baseline_choices.csv"));
    let picked: BTreeSet<&str> = choices.iter().map(|c| c["trial"].as_str()).collect();
    assert_eq!(picked.len(), 2 * 3);
    for row in &rows {
        let want = row["arm"] == "pull_down" || picked.contains(row["trial"].as_str());
        assert_eq!(row["selected"], want.to_string(), "{}", row["trial"]);
    }
}

#[test]
fn summary_csv_holds_axis_values_as_numbers_and_choices_are_tidy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny::default().run(tmp.path(), "out");
    let (head, rows) = table(&dir.join("summary.csv"));
    assert_eq!(
        head[..6],
        ["experiment", "cell", "each", "each_unit", "arm", "baseline"]
    );
    assert!(!head.iter().any(|h| h == "chosen"), "{head:?}");
    let each: Vec<&str> = rows.iter().map(|r| r["each"].as_str()).collect();
    assert_eq!(each, ["10", "10", "20", "20"]);
    assert!(rows.iter().all(|r| r["each_unit"] == "iters"));
    // Fractions, and numbers in their shortest exact form.
    for r in &rows {
        let mean: f64 = r["mean"].parse().unwrap();
        assert!((0.0..=1.0).contains(&mean), "{r:?}");
        assert_eq!(r["df"], "2");
    }

    let results = ResultsDir::open(dir.clone()).unwrap();
    let records = results.inventory(&results.plan().unwrap()).done;
    let (head, choices) = table(&dir.join("baseline_choices.csv"));
    assert_eq!(
        head.join(","),
        "experiment,cell,each,each_unit,arm,split,seed,trial,lambda,val_acc,measure,value"
    );
    assert_eq!(choices.len(), 2 * 3);
    for c in &choices {
        let rec = records.iter().find(|r| r.key.id == c["trial"]).unwrap();
        let f = rec.finals.unwrap();
        assert_eq!(c["arm"], "best_fixed");
        assert_eq!(c["seed"], (rec.key.seed_index + 1).to_string());
        assert_eq!(
            c["lambda"].parse::<f64>().unwrap(),
            rec.key.grid.unwrap().value
        );
        assert_eq!(c["val_acc"].parse::<f64>().unwrap(), f.val_acc);
        assert_eq!(
            (c["measure"].as_str(), c["value"].parse::<f64>().unwrap()),
            ("test_acc", f.test_acc)
        );
        // The pick is the grid point with the best final validation accuracy.
        let best = records
            .iter()
            .filter(|r| {
                r.key.arm == "best_fixed"
                    && r.key.cell == rec.key.cell
                    && r.key.seed_index == rec.key.seed_index
            })
            .map(|r| r.finals.unwrap().val_acc)
            .fold(f64::MIN, f64::max);
        assert_eq!(f.val_acc, best);
    }
}

const PANDAS_CHECK: &str = r#"
import json, sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
print(json.dumps({
    "dtypes": {c: str(t) for c, t in df.dtypes.items()},
    "rows": len(df),
    "missing_data_loss": int(df.data_loss.isna().sum()),
    "missing_at": sorted(df[df.data_loss.isna()].iteration.unique().tolist()),
    "mean_val_acc": df.groupby("arm").val_acc.mean().to_dict(),
    "final": df[df.selected].groupby(["each", "arm"]).iteration.max().reset_index().values.tolist(),
}))
"#;

#[test]
fn pandas_reads_curves_csv_and_groups_by_arm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny::default().run(tmp.path(), "out");
    let out = python::script(
        PANDAS_CHECK,
        &[dir.join("curves.csv").as_os_str()],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for (col, dtype) in [
        ("each", "int64"),
        ("seed", "int64"),
        ("iteration", "int64"),
        ("val_acc", "float64"),
        ("data_loss", "float64"),
        ("grid_lambda", "float64"),
        ("selected", "bool"),
    ] {
        assert_eq!(v["dtypes"][col], dtype, "{col}: {}", v["dtypes"]);
    }
    let (_, rows) = table(&dir.join("curves.csv"));
    assert_eq!(v["rows"], rows.len());
    // Row 0 of each of the 18 trials, and nothing else, has no data_loss.
    assert_eq!(v["missing_data_loss"], 18);
    assert_eq!(v["missing_at"], serde_json::json!([0]));
    for arm in ["pull_down", "best_fixed"] {
        let vals: Vec<f64> = rows
            .iter()
            .filter(|r| r["arm"] == arm)
            .map(|r| r["val_acc"].parse().unwrap())
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        let got = v["mean_val_acc"][arm].as_f64().unwrap();
        assert!(
            (got - mean).abs() < 1e-12,
            "{arm}: pandas {got}, here {mean}"
        );
    }
    assert_eq!(
        v["final"],
        serde_json::json!([
            [10, "best_fixed", 20],
            [10, "pull_down", 20],
            [20, "best_fixed", 40],
            [20, "pull_down", 40]
        ])
    );
}

/// The first ```python block of docs/interop.md.
fn documented_snippet() -> String {
    let doc = std::fs::read_to_string("docs/interop.md").unwrap();
    let start = doc
        .find("```python\n")
        .expect("a python block in docs/interop.md")
        + 10;
    let len = doc[start..].find("```").unwrap();
    doc[start..start + len].to_string()
}

#[test]
fn pandas_runs_the_documented_snippet() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny::default().run(tmp.path(), "out");
    let out = python::script(&documented_snippet(), &[], &dir);
    assert!(
        out.contains("pull_down") && out.contains("best_fixed"),
        "{out}"
    );
    let png = std::fs::read(dir.join("val_acc.png")).expect("the snippet's plot");
    assert_eq!(&png[..4], b"\x89PNG");
}

fn compare(a: &Path, b: &Path, csv: &Path) -> String {
    let out = ok(regime().arg("compare").arg(a).arg(b).arg("--csv").arg(csv));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn compare_pairs_trials_with_the_same_id_and_says_what_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = Tiny::default().run(tmp.path(), "a");
    let again = Tiny::default().run(tmp.path(), "again");
    let csv = tmp.path().join("cmp.csv");
    let md = compare(&a, &again, &csv);
    assert!(md.contains("identical plans"), "{md}");
    let (_, rows) = table(&csv);
    assert_eq!(rows.len(), 4);
    for r in &rows {
        // The same trials, bit for bit: every unit pairs and differs by 0.
        assert_eq!(
            (r["paired"].as_str(), r["units"].as_str()),
            ("true", "3"),
            "{r:?}"
        );
        assert_eq!((r["diff"].as_str(), r["p"].as_str()), ("0", "1"), "{r:?}");
        assert_eq!(r["verdict"], "no detectable difference");
    }

    // Another learning rate: still the same ids and seeds, so still paired.
    let faster = Tiny {
        lr: "0.1",
        ..Tiny::default()
    }
    .run(tmp.path(), "faster");
    let md = compare(&a, &faster, &csv);
    assert!(
        md.contains("trials of the same id differ in optimizer"),
        "{md}"
    );
    let (_, rows) = table(&csv);
    for r in &rows {
        assert_eq!(r["paired"], "true", "{r:?}");
        let (a_mean, b_mean, diff): (f64, f64, f64) = (
            r["a_mean"].parse().unwrap(),
            r["b_mean"].parse().unwrap(),
            r["diff"].parse().unwrap(),
        );
        assert!((diff - (b_mean - a_mean)).abs() < 1e-12, "{r:?}");
        assert_eq!(r["test"], "sign-flip");
    }

    // Two splits: other trial ids, so unpaired, and said so.
    let split = Tiny {
        seeds: 2,
        extra: "  splits: 2\n",
        ..Tiny::default()
    }
    .run(tmp.path(), "split");
    let md = compare(&a, &split, &csv);
    assert!(
        md.contains("seeds 3 in A, 2 in B") && md.contains("unpaired (Welch)"),
        "{md}"
    );
    let (_, rows) = table(&csv);
    for r in &rows {
        assert_eq!(
            (r["paired"].as_str(), r["test"].as_str()),
            ("false", "welch"),
            "{r:?}"
        );
        assert!(r["note"].contains("unpaired"), "{r:?}");
    }
}

#[test]
fn compare_refuses_runs_with_nothing_in_common() {
    let tmp = tempfile::tempdir().unwrap();
    let a = Tiny::default().run(tmp.path(), "a");
    let other = Tiny {
        name: "other",
        ..Tiny::default()
    }
    .run(tmp.path(), "other");
    let val = Tiny {
        extra: "  measure: val_acc\n",
        ..Tiny::default()
    }
    .run(tmp.path(), "val");
    for (b, why) in [
        (&other, "they share no experiment (A has tiny; B has other)"),
        (&val, "it measures test_acc in A and val_acc in B"),
    ] {
        let out = regime().arg("compare").arg(&a).arg(b).output().unwrap();
        let err = fixture::flat(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("regime::compare_incomparable"), "{err}");
        assert!(err.contains(why), "{err}");
    }
}
