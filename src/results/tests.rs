//! The results store: round trips, verification of record + curve, refusal
//! of existing, foreign and symlinked directories, and plan comparison.

use super::*;
use crate::plan::{AxisValue, GridPoint};
use std::collections::BTreeMap;

fn provenance(plan_hash: String) -> Provenance {
    provenance::example(plan_hash)
}

/// A record of the plan entry `trial`.
fn record(trial: &Trial) -> TrialRecord {
    TrialRecord {
        key: trial.key.clone(),
        status: Status::Stopped {
            rule: "when x: stop".into(),
        },
        iters: 10,
        budget: 20,
        finals: Some(Finals {
            train_acc: 0.9,
            train_loss: 0.3,
            val_acc: 0.8,
            val_loss: 0.5,
            test_acc: 0.79,
            test_loss: 0.55,
        }),
        final_lambda: 1.5,
        wall_seconds: 0.25,
        fired: vec![(5, "when x: stop".into())],
        lambda_path: vec![(0, 1.0), (5, 1.5)],
        data_origin: "synthetic".into(),
        scale: 1.0,
        curve_sha256: String::new(),
        provenance: provenance(plan_hash(trial)),
        record_sha256: None,
    }
}

fn curve() -> Vec<CurveRow> {
    vec![CurveRow {
        iter: 0,
        epoch: 0.0,
        lambda: 1.0,
        lr: 0.1,
        train_acc: 0.1,
        train_loss: 2.3,
        val_acc: 0.1,
        val_loss: 2.3,
        data_loss: 2.3,
        reg_loss: 0.0,
        sparsity: 0.0,
        weight_norm: 1.0,
    }]
}

/// A plan with one trial (from the engine's test fixtures).
fn plan() -> Plan {
    let mut t = crate::engine::testing::trial(
        crate::engine::testing::two_layer(4, 3, 2, crate::plan::Init::He),
        crate::engine::testing::sgd(0.1, 0.0),
        crate::plan::PenaltyKind::L2,
        2,
        0,
    );
    t.key.id = "e-c000-a-s0".into();
    t.key.vary = BTreeMap::from([("hidden".to_string(), AxisValue::Int(50))]);
    t.key.grid = Some(GridPoint {
        index: 1,
        value: 2.0,
    });
    let exp = crate::plan::ExperimentPlan {
        name: "e".into(),
        data: t_data(),
        axes: vec![],
        arms: vec![],
        seeds: 1,
        splits: 1,
        target: None,
        smooth: None,
        measure: crate::plan::Metric::TestAcc,
        trials: vec![t],
    };
    Plan {
        source: "x.reg".into(),
        source_hash: sha256_hex(b"x"),
        overrides: vec![],
        experiments: vec![exp],
    }
}

fn t_data() -> crate::plan::DataSpec {
    crate::plan::DataSpec {
        name: "d".into(),
        source: crate::plan::DataSource::Synthetic {
            train: 10,
            test: 3,
            dim: 4,
            classes: 2,
            seed: 1,
        },
        val: 2,
        subset: None,
        normalize: crate::plan::Normalize::None,
        input: crate::plan::Shape {
            channels: 1,
            height: 1,
            width: 4,
        },
        classes: 2,
        train_size: 8,
    }
}

#[test]
fn a_record_and_its_curve_round_trip_and_are_verified_together() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let trial = &plan.experiments[0].trials[0];
    let dir = ResultsDir::create(
        tmp.path().join("r"),
        "x",
        &plan,
        &RunMeta::new(0.5, None, vec![]),
    )
    .unwrap();
    assert_eq!(dir.meta().scale, 0.5);
    assert_eq!(dir.trial_state(trial), TrialState::Missing);
    let written = dir.write_trial(record(trial), &curve()).unwrap();
    assert_eq!(
        dir.trial_state(trial),
        TrialState::Done(Box::new(written.clone()))
    );
    assert_eq!(dir.read_curve(&trial.key.id).unwrap(), curve());
    // A truncated curve, a deleted curve, an edited record: damaged.
    let cpath = dir.curve_path(&trial.key.id);
    let full = std::fs::read(&cpath).unwrap();
    std::fs::write(&cpath, &full[..full.len() / 2]).unwrap();
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("curve changed"))
    );
    std::fs::remove_file(&cpath).unwrap();
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("curve missing"))
    );
    std::fs::write(&cpath, &full).unwrap();
    // An edited number, the file laid out differently (still the same content).
    let mut edited = written.clone();
    edited.final_lambda += 1e-12;
    std::fs::write(
        dir.trial_path(&trial.key.id),
        serde_json::to_vec(&edited).unwrap(),
    )
    .unwrap();
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("record edited"))
    );
    std::fs::write(
        dir.trial_path(&trial.key.id),
        serde_json::to_vec(&written).unwrap(),
    )
    .unwrap();
    assert_eq!(
        dir.trial_state(trial),
        TrialState::Done(Box::new(written.clone()))
    );
    // Sealed records of another plan entry (copied in): refused all the same.
    let mut other = written.clone();
    other.provenance.plan_hash = "0".repeat(64);
    other.seal().unwrap();
    std::fs::write(
        dir.trial_path(&trial.key.id),
        serde_json::to_vec(&other).unwrap(),
    )
    .unwrap();
    assert!(matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("another plan")));
    let mut moved = written.clone();
    moved.key.arm = "b".into();
    moved.seal().unwrap();
    std::fs::write(
        dir.trial_path(&trial.key.id),
        serde_json::to_vec(&moved).unwrap(),
    )
    .unwrap();
    assert!(matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("key differs")));
    std::fs::write(dir.trial_path(&trial.key.id), b"{").unwrap();
    let inv = dir.inventory(&plan);
    assert_eq!(
        (inv.done.len(), inv.missing.len(), inv.damaged.len()),
        (0, 0, 1)
    );
}

#[test]
fn an_existing_run_a_foreign_directory_and_a_symlink_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let meta = RunMeta::new(1.0, None, vec![]);
    let r = tmp.path().join("r");
    let first = ResultsDir::create(r.clone(), "x", &plan, &meta).unwrap();
    drop(first);
    assert!(matches!(
        ResultsDir::create(r.clone(), "x", &plan, &meta),
        Err(ResultsError::Exists { .. })
    ));
    let foreign = tmp.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "x").unwrap();
    assert!(matches!(
        ResultsDir::create(foreign.clone(), "x", &plan, &meta),
        Err(ResultsError::NotOurs { .. })
    ));
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "x"
    );
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(tmp.path().join("target"), &link).unwrap();
    assert!(matches!(
        ResultsDir::create(link, "x", &plan, &meta),
        Err(ResultsError::Symlink { .. })
    ));
    // An empty existing directory is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    ResultsDir::create(empty, "x", &plan, &meta).unwrap();
}

#[test]
fn resume_refuses_an_edited_plan_naming_the_trial_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let r = tmp.path().join("r");
    drop(ResultsDir::create(r.clone(), "x", &plan, &RunMeta::new(1.0, None, vec![])).unwrap());
    ResultsDir::open_for_resume(r.clone(), &plan).unwrap();
    let yaml = std::fs::read_to_string(r.join("plan.yaml")).unwrap();
    let edited = yaml.replacen("batch: 2", "batch: 5", 1);
    assert_ne!(yaml, edited);
    std::fs::write(r.join("plan.yaml"), edited).unwrap();
    match ResultsDir::open_for_resume(r, &plan) {
        Err(ResultsError::PlanMismatch { detail, .. }) => {
            assert!(
                detail.contains("e-c000-a-s0") && detail.contains("`batch` is 5"),
                "{detail}"
            )
        }
        other => panic!("expected PlanMismatch, got {other:?}"),
    }
}

/// An experiment's `seeds` and `splits` in plan.yaml are covered by no
/// hash: edited past what its trials hold (every (split, seed) unit has a
/// trial), they are a read error naming the file, instead of `report`,
/// `status` and `compare` looping over four billion units.
#[test]
fn an_edited_plan_with_more_units_than_trials_is_a_read_error() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let r = tmp.path().join("r");
    drop(ResultsDir::create(r.clone(), "x", &plan, &RunMeta::new(1.0, None, vec![])).unwrap());
    let dir = ResultsDir::open(r.clone()).unwrap();
    assert_eq!(dir.plan().unwrap(), plan);
    let yaml = std::fs::read_to_string(r.join("plan.yaml")).unwrap();
    for (edit, field) in [
        ("  seeds: 4294967295\n", "seeds: 4294967295"),
        ("  seeds: 1\n  splits: 65536\n", "splits: 65536"),
    ] {
        let edited = yaml.replacen("  seeds: 1\n", edit, 1);
        assert_ne!(yaml, edited);
        std::fs::write(r.join("plan.yaml"), edited).unwrap();
        match dir.plan() {
            Err(ResultsError::Read { path, message }) => {
                assert!(path.ends_with("plan.yaml"), "{path}");
                assert!(message.contains("experiment `e`"), "{message}");
                assert!(message.contains(field), "{message}");
            }
            other => panic!("expected a read error, got {other:?}"),
        }
    }
}

#[test]
fn a_directory_in_use_is_refused_while_its_run_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let r = tmp.path().join("r");
    let running =
        ResultsDir::create(r.clone(), "x", &plan, &RunMeta::new(1.0, None, vec![])).unwrap();
    assert!(matches!(
        ResultsDir::open_for_resume(r.clone(), &plan),
        Err(ResultsError::Locked { .. })
    ));
    drop(running);
    ResultsDir::open_for_resume(r, &plan).unwrap();
}

#[test]
fn a_live_curve_is_read_while_it_grows_and_never_counts_as_done() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let trial = &plan.experiments[0].trials[0];
    let r = tmp.path().join("r");
    let dir = ResultsDir::create(r.clone(), "x", &plan, &RunMeta::new(1.0, None, vec![])).unwrap();
    assert_eq!(dir.latest_point(&trial.key.id), None);
    let mut rows = curve();
    rows.push(CurveRow {
        iter: 10,
        val_acc: 0.5,
        lambda: 0.25,
        ..rows[0]
    });
    let mut live = dir.live_curve(&trial.key.id);
    live.append(&rows[0]);
    assert_eq!(dir.latest_point(&trial.key.id), Some(rows[0]));
    live.append(&rows[1]);
    assert_eq!(dir.latest_point(&trial.key.id), Some(rows[1]));
    assert!(live.error().is_none());
    // A row still being written is not read.
    let partial = dir.partial_curve_path(&trial.key.id);
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes.extend_from_slice(b"20,0.5,0.1");
    std::fs::write(&partial, &bytes).unwrap();
    assert_eq!(dir.latest_point(&trial.key.id), Some(rows[1]));
    // Without a record the trial is not done, whatever its live curve holds.
    assert_eq!(dir.trial_state(trial), TrialState::Missing);
    // The record and final curve replace it.
    dir.write_trial(record(trial), &rows).unwrap();
    assert!(!partial.exists());
    assert!(dir.is_done(trial));
    assert_eq!(dir.read_curve(&trial.key.id).unwrap(), rows);
    // A stopped attempt's live curve is removed by a resume.
    std::fs::remove_file(dir.trial_path(&trial.key.id)).unwrap();
    dir.live_curve(&trial.key.id).append(&rows[0]);
    drop(dir);
    let resumed = ResultsDir::open_for_resume(r, &plan).unwrap();
    assert!(!partial.exists());
    // A symlink planted at the live curve is not followed: the live curve
    // is off, the trial goes on.
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, &partial).unwrap();
    let mut live = resumed.live_curve(&trial.key.id);
    live.append(&rows[0]);
    assert!(
        live.error().unwrap().contains("partial.csv"),
        "{:?}",
        live.error()
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
}

#[test]
fn resume_refuses_other_overrides_and_names_both() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = plan();
    plan.overrides = vec!["seeds=3".into(), "batch=10".into()];
    let r = tmp.path().join("r");
    drop(
        ResultsDir::create(
            r.clone(),
            "x",
            &plan,
            &RunMeta::new(1.0, None, plan.overrides.clone()),
        )
        .unwrap(),
    );
    // The same overrides in another order are the same.
    let mut same = plan.clone();
    same.overrides.reverse();
    drop(ResultsDir::open_for_resume(r.clone(), &same).unwrap());
    let mut other = plan.clone();
    other.overrides = vec!["seeds=4".into(), "batch=10".into()];
    let e = ResultsDir::open_for_resume(r.clone(), &other).unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(e, ResultsError::PlanMismatch { .. })
            && text.contains("`--set seeds=3`")
            && text.contains("`--set seeds=4`"),
        "{text}"
    );
    assert!(
        !text.contains("batch=10"),
        "only the difference is named: {text}"
    );
    other.overrides = vec!["batch=10".into()];
    let text = ResultsDir::open_for_resume(r.clone(), &other)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("started with `--set seeds=3`, which this command does not give"),
        "{text}"
    );
    other.overrides = vec!["seeds=3".into(), "batch=10".into(), "iters=5".into()];
    let text = ResultsDir::open_for_resume(r, &other)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("gives `--set iters=5`, which the run was not started with"),
        "{text}"
    );
}

#[test]
fn a_start_killed_before_run_json_can_be_started_again() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan();
    let meta = RunMeta::new(1.0, None, vec![]);
    let r = tmp.path().join("r");
    drop(ResultsDir::create(r.clone(), "x", &plan, &meta).unwrap());
    // What a SIGKILL just before `run.json` leaves, with a temporary.
    std::fs::remove_file(r.join("run.json")).unwrap();
    std::fs::write(r.join(".run.json.tmp-123"), "{").unwrap();
    let again = ResultsDir::create(r.clone(), "x", &plan, &meta).unwrap();
    drop(again);
    assert!(r.join("run.json").exists());
    assert!(!r.join(".run.json.tmp-123").exists());
    // Once a trial has a record, it is a run: refused, not overwritten.
    std::fs::remove_file(r.join("run.json")).unwrap();
    std::fs::write(r.join("trials/t.json"), "{}").unwrap();
    assert!(matches!(
        ResultsDir::create(r.clone(), "x", &plan, &meta),
        Err(ResultsError::Exists { .. })
    ));
}

/// The key a record shares with its plan entry is written where the
/// record's own identity fields were, in the same order, so records written
/// before it was shared read back; those carry no `split`, which then comes
/// from the plan entry their hash ties them to.
#[test]
fn records_keep_their_field_order_and_older_records_without_a_split_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = plan();
    let json = serde_json::to_string(&record(&plan.experiments[0].trials[0])).unwrap();
    let order = [
        "id",
        "experiment",
        "arm",
        "cell",
        "vary",
        "seed_index",
        "seed",
        "grid",
        "status",
        "iters",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|f| json.find(&format!("\"{f}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
    assert!(!json.contains("\"split\""), "{json}");

    plan.experiments[0].trials[0].key.split = 1;
    let trial = &plan.experiments[0].trials[0];
    // A directory of that time (format 2: records not sealed).
    let mut meta = RunMeta::new(1.0, None, vec![]);
    meta.format = "regime-results/2".into();
    let dir = ResultsDir::create(tmp.path().join("r"), "x", &plan, &meta).unwrap();
    let written = dir.write_trial(record(trial), &curve()).unwrap();
    let mut old: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.trial_path(&trial.key.id)).unwrap()).unwrap();
    assert_eq!(old["split"], 1);
    // Records of that time were not sealed either.
    old.as_object_mut().unwrap().remove("split");
    old.as_object_mut().unwrap().remove("record_sha256");
    std::fs::write(
        dir.trial_path(&trial.key.id),
        serde_json::to_vec_pretty(&old).unwrap(),
    )
    .unwrap();
    match dir.trial_state(trial) {
        TrialState::Done(rec) => {
            assert_eq!(rec.record_sha256, None);
            assert_eq!(rec.deterministic_part(), written.deterministic_part());
        }
        other => panic!("{other:?}"),
    }
}

proptest::proptest! {
    /// A seal survives any layout and any finite number: the record is read
    /// back to the same f64s (serde_json's `float_roundtrip`), so a sealed
    /// record is never called edited because of how its numbers print.
    #[test]
    fn a_sealed_record_reads_back_sealed_whatever_its_numbers(
        values in proptest::collection::vec(proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO, 10),
        iters in proptest::num::u64::ANY,
    ) {
        let plan = plan();
        let mut rec = record(&plan.experiments[0].trials[0]);
        let f = rec.finals.as_mut().unwrap();
        [f.train_acc, f.train_loss, f.val_acc, f.val_loss, f.test_acc, f.test_loss] =
            [values[0], values[1], values[2], values[3], values[4], values[5]];
        rec.final_lambda = values[6];
        rec.wall_seconds = values[7];
        rec.lambda_path = vec![(iters, values[8]), (0, values[9])];
        rec.iters = iters;
        rec.seal().unwrap();
        for bytes in [serde_json::to_vec_pretty(&rec).unwrap(), serde_json::to_vec(&rec).unwrap()] {
            proptest::prop_assert_eq!(seal::state(&bytes), seal::SealState::Holds);
            let back: TrialRecord = serde_json::from_slice(&bytes).unwrap();
            proptest::prop_assert_eq!(&back, &rec);
        }
    }
}

/// Writes `trial`'s record as JSON edited by `edit` (its curve as written).
fn rewrite_record(dir: &ResultsDir, trial: &Trial, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.trial_path(&trial.key.id);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

/// A new directory (of this build's format) under `tmp` with the one trial
/// of [`plan`] written, and that plan.
fn one_trial_written(tmp: &std::path::Path) -> (Plan, ResultsDir) {
    let plan = plan();
    let meta = RunMeta::new(1.0, None, vec![]);
    let dir = ResultsDir::create(tmp.join("r"), "x", &plan, &meta).unwrap();
    dir.write_trial(record(&plan.experiments[0].trials[0]), &curve())
        .unwrap();
    (plan, dir)
}

#[test]
fn a_seal_covers_fields_this_build_does_not_know_and_cannot_just_be_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, dir) = one_trial_written(tmp.path());
    let trial = &plan.experiments[0].trials[0];
    // Sealed by a later regime with a field this one does not have: still
    // done (the field is ignored when read, but was hashed as found).
    rewrite_record(&dir, trial, |j| {
        j["added_later"] = serde_json::json!({"x": [1.5, 2]});
        j[seal::FIELD] = seal::seal_of(j).into();
    });
    assert!(dir.is_done(trial), "{:?}", dir.trial_state(trial));
    // Removed by hand, in a directory whose records are all sealed.
    rewrite_record(&dir, trial, |j| {
        j.as_object_mut().unwrap().remove(seal::FIELD);
    });
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("seal removed")),
        "{:?}",
        dir.trial_state(trial)
    );
    // In a directory of the format before sealing, the same record is read.
    let mut old_meta = dir.meta();
    old_meta.format = "regime-results/2".into();
    write_atomic(
        &dir.root.join("run.json"),
        &serde_json::to_vec_pretty(&old_meta).unwrap(),
    )
    .unwrap();
    let reopened = ResultsDir::open(dir.root.clone()).unwrap();
    assert!(reopened.is_done(trial), "{:?}", reopened.trial_state(trial));
}

/// Makes a fifo at `path` (after removing what is there).
pub(super) fn fifo_at(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_in_place_of_a_record_curve_or_plan_is_damage_not_a_wait() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, dir) = one_trial_written(tmp.path());
    let trial = &plan.experiments[0].trials[0];
    fifo_at(&dir.curve_path(&trial.key.id));
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("not a regular file")),
        "{:?}",
        dir.trial_state(trial)
    );
    fifo_at(&dir.trial_path(&trial.key.id));
    assert!(
        matches!(dir.trial_state(trial), TrialState::Damaged(w) if w.contains("not a regular file")),
        "{:?}",
        dir.trial_state(trial)
    );
    fifo_at(&dir.root.join("plan.yaml"));
    let err = dir.plan().unwrap_err().to_string();
    assert!(err.contains("plan.yaml"), "{err}");
}
