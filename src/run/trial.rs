//! One trial from start to finish: steps on the engine, λ and lr from the
//! controller, metrics at every check, and the record of how it ended.

use super::controller::Controller;
use super::policy::Snapshot;
use crate::data::Dataset;
use crate::engine::{EngineError, Split, Trainer};
use crate::plan::{Metric, Trial};
use crate::results::{
    plan_hash, Blas, Build, CurveRow, DataFile, DataProvenance, Finals, Provenance, Status,
    TrialRecord, MAX_PATH,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What a running trial reports at every check (the first, at iteration
/// 0, included): to the progress display, and its curve row to the live
/// curve of the results directory.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub iter: u64,
    pub budget: u64,
    pub lambda: f64,
    pub val_acc: f64,
    /// The row this check added to the curve.
    pub row: CurveRow,
}

/// How a trial run ended.
#[derive(Debug)]
pub enum Outcome {
    Finished(Box<TrialRecord>, Vec<CurveRow>),
    /// Interrupted (Ctrl-C): nothing is recorded, `--resume` re-runs it.
    Cancelled,
}

fn measure(trainer: &mut Trainer, last_data_loss: f64, lambda: f64) -> (Snapshot, CurveRow) {
    let train = trainer.evaluate(Split::TrainSample);
    let val = trainer.evaluate(Split::Val);
    let reg = trainer.reg_loss(lambda as f32);
    let mut s = Snapshot::default();
    let row = CurveRow {
        iter: trainer.iter(),
        epoch: trainer.epoch(),
        lambda,
        lr: f64::NAN,
        train_acc: train.acc,
        train_loss: train.loss,
        val_acc: val.acc,
        val_loss: val.loss,
        data_loss: last_data_loss,
        reg_loss: reg,
        sparsity: trainer.sparsity(),
        weight_norm: trainer.weight_norm(),
    };
    s.set(Metric::TrainAcc, row.train_acc);
    s.set(Metric::TrainLoss, row.train_loss);
    s.set(Metric::ValAcc, row.val_acc);
    s.set(Metric::ValLoss, row.val_loss);
    s.set(Metric::DataLoss, row.data_loss);
    s.set(Metric::RegLoss, row.reg_loss);
    s.set(Metric::Iter, row.iter as f64);
    s.set(Metric::Epoch, row.epoch);
    s.set(Metric::WeightNorm, row.weight_norm);
    s.set(Metric::Sparsity, row.sparsity);
    (s, row)
}

/// Trains `trial` on `data`. A diverging loss is an outcome, not an error: the
/// trial is recorded as diverged and the run goes on.
pub fn run_trial(
    trial: &Trial,
    data: &Dataset,
    scale: f64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, EngineError> {
    let start = Instant::now();
    let mut trainer = Trainer::new(trial, data)?;
    let mut ctrl = Controller::new(trial);
    let budget = trial.iters;
    let mut curve = Vec::new();
    let mut status = Status::Ok;
    let mut last_data_loss;
    let mut path: Vec<(u64, f64)> = Vec::new();

    let mut check = |trainer: &mut Trainer, ctrl: &mut Controller, t: u64, dl: f64| {
        let (snap, mut row) = measure(trainer, dl, ctrl.lambda(t));
        let out = ctrl.on_check(t, snap);
        // λ and lr from here on, after the policy had its say.
        row.lambda = ctrl.lambda(t);
        row.lr = ctrl.lr(t);
        curve.push(row);
        (out, row)
    };
    let report = |progress: &mut dyn FnMut(Progress), row: CurveRow| {
        progress(Progress {
            iter: row.iter,
            budget,
            lambda: row.lambda,
            val_acc: row.val_acc,
            row,
        })
    };
    let (_, first) = check(&mut trainer, &mut ctrl, 0, f64::NAN);
    report(progress, first);
    for t in 0..budget {
        if cancel.load(Ordering::Relaxed) {
            return Ok(Outcome::Cancelled);
        }
        let lambda = ctrl.lambda(t);
        if path.last().is_none_or(|&(_, l)| l != lambda) {
            path.push((t, lambda));
        }
        match trainer.step(lambda as f32, ctrl.lr(t) as f32) {
            Ok(s) => last_data_loss = s.data_loss,
            Err(e @ EngineError::Diverged { .. }) => {
                status = Status::Diverged {
                    message: e.to_string(),
                };
                break;
            }
            Err(e) => return Err(e),
        }
        let done = t + 1;
        if ctrl.is_check(done, budget) {
            let (out, row) = check(&mut trainer, &mut ctrl, done, last_data_loss);
            report(progress, row);
            if let Some(rule) = out.stop {
                status = Status::Stopped { rule };
                break;
            }
        }
    }
    let iters = trainer.iter();
    path.push((iters, ctrl.lambda(iters)));
    let finals = match status {
        Status::Diverged { .. } => None,
        _ => Some(final_evaluation(&mut trainer)),
    };
    let record = TrialRecord {
        key: trial.key.clone(),
        status,
        iters,
        budget,
        finals,
        final_lambda: ctrl.lambda(iters),
        wall_seconds: start.elapsed().as_secs_f64(),
        fired: ctrl.fired.clone(),
        lambda_path: thin(path, MAX_PATH),
        data_origin: data.origin.clone(),
        scale,
        // Filled in by the results store when the curve is written.
        curve_sha256: String::new(),
        provenance: provenance(trial, data),
        record_sha256: None,
    };
    Ok(Outcome::Finished(Box::new(record), curve))
}

/// Accuracy and loss on the training sample, validation and test sets at
/// the end of a trial that did not diverge.
fn final_evaluation(trainer: &mut Trainer) -> Finals {
    let train = trainer.evaluate(Split::TrainSample);
    let val = trainer.evaluate(Split::Val);
    let test = trainer.evaluate(Split::Test);
    Finals {
        train_acc: train.acc,
        train_loss: train.loss,
        val_acc: val.acc,
        val_loss: val.loss,
        test_acc: test.acc,
        test_loss: test.loss,
    }
}

/// What made this record: the build, the BLAS, the data and the plan entry.
fn provenance(trial: &Trial, data: &Dataset) -> Provenance {
    Provenance {
        build: Build::current(),
        blas: Blas::current(crate::engine::gemm_threads()),
        data: DataProvenance {
            origin: data.origin.clone(),
            files: data
                .files
                .iter()
                .map(|f| DataFile {
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes,
                })
                .collect(),
            split_seed: data.split_seed,
            train: data.train.n,
            val: data.val.n,
            test: data.test.n,
        },
        plan_hash: plan_hash(trial),
    }
}

/// Keeps at most `max` points of a path, evenly spread, first and last kept.
fn thin(path: Vec<(u64, f64)>, max: usize) -> Vec<(u64, f64)> {
    if path.len() <= max || max < 2 {
        return path;
    }
    let n = path.len();
    (0..max).map(|i| path[i * (n - 1) / (max - 1)]).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn thinning_keeps_ends_and_bounds_the_length() {
        let p: Vec<(u64, f64)> = (0..5000).map(|i| (i, i as f64)).collect();
        let t = super::thin(p, 1000);
        assert_eq!(t.len(), 1000);
        assert_eq!(t[0], (0, 0.0));
        assert_eq!(t[999], (4999, 4999.0));
        assert_eq!(super::thin(vec![(0, 1.0)], 1000), vec![(0, 1.0)]);
    }
}
