//! One trial of a results directory, as a Slurm array task runs it
//! (`regime run-trial DIR --index N`): claimed, checked against the data of
//! the finished records, trained with its live curve, and recorded.

use super::data::{check_against_records, trial_data};
use super::runner::{install_ctrlc, RunError, CANCEL};
use super::trial::{run_trial, Outcome};
use crate::data;
use crate::engine::with_gemm_threads;
use crate::plan::Trial;
use crate::results::{ResultsDir, TrialRecord, TrialState};
use std::collections::HashMap;
use std::sync::Arc;

/// Runs the trial at `index` (plan order) of a results directory and writes
/// its record: what one Slurm array task does. The trial is claimed first,
/// so it never runs twice; a trial already done is left as it is. Its GEMMs
/// use the CPUs Slurm gave the task (`SLURM_CPUS_PER_TASK`, else 1); the
/// record does not depend on how many.
pub fn run_one(dir: &std::path::Path, index: usize) -> Result<TrialRecord, RunError> {
    let results = ResultsDir::open_for_task(dir.to_path_buf())?;
    let plan = results.plan()?;
    let all: Vec<(&crate::plan::ExperimentPlan, &Trial)> = plan
        .experiments
        .iter()
        .flat_map(|e| e.trials.iter().map(move |t| (e, t)))
        .collect();
    let Some(&(exp, trial)) = all.get(index) else {
        return Err(RunError::NoSuchTrial {
            dir: dir.display().to_string(),
            index,
            count: all.len(),
        });
    };
    let _claim = crate::results::claim(&results.root, &trial.key.id)?;
    if let TrialState::Done(rec) = results.trial_state(trial) {
        return Ok(*rec);
    }
    let threads = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1);
    let (spec, seed) = trial_data(exp, trial);
    let data = data::load_shared(&spec, seed)?;
    // One finished record of the same data (experiment and split) is enough
    // to refuse other data; verifying the whole directory in every array
    // task would read every record and curve once per task.
    let done: Vec<TrialRecord> = exp
        .trials
        .iter()
        .filter(|t| t.key.split == trial.key.split && t.key.id != trial.key.id)
        .find_map(|t| match results.trial_state(t) {
            TrialState::Done(r) => Some(*r),
            _ => None,
        })
        .into_iter()
        .collect();
    let datasets = HashMap::from([((exp.name.clone(), trial.key.split), Arc::clone(&data))]);
    check_against_records(&results, &plan, &done, &datasets, &|m| eprintln!("{m}"))?;
    install_ctrlc();
    let mut live = results.live_curve(&trial.key.id);
    let outcome = with_gemm_threads(threads, || {
        run_trial(trial, &data, results.meta().scale, &CANCEL, &mut |p| {
            live.append(&p.row)
        })
    });
    if !matches!(outcome, Ok(Ok(Outcome::Finished(..)))) {
        // Stopped or failed: not a result, and its live curve would show it
        // running; the next attempt starts it over.
        results.remove_partial(&trial.key.id);
    }
    let outcome = outcome
        .map_err(|message| RunError::Threads {
            count: threads,
            what: "GEMM",
            message,
            help: "ask Slurm for fewer CPUs per task (`--cpus-per-task`)".into(),
        })?
        .map_err(|source| RunError::Trial {
            trial: trial.key.id.clone(),
            help: source.run_help(),
            source,
        })?;
    if let Some(e) = live.error() {
        eprintln!("warning: {e}; the trial's curve is written when it ends");
    }
    match outcome {
        Outcome::Finished(rec, curve) => Ok(results.write_trial(*rec, &curve)?),
        Outcome::Cancelled => Err(RunError::Interrupted {
            done: 0,
            total: 1,
            dir: dir.display().to_string(),
            file: plan.source.clone(),
        }),
    }
}
