//! The data of a run: which split each trial trains on, loading every
//! (experiment, split) once, and checking finished records against the data
//! loaded now (their file hashes and split) before a resume adds to them.

use super::runner::RunError;
use crate::data::{self, DataError, Dataset};
use crate::plan::{DataSource, DataSpec, ExperimentPlan, Plan, Trial};
use crate::results::{Blas, ResultsDir, ResultsError, TrialRecord};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// The seed of the train/validation split: fixed per data definition and
/// split index, so every trial of a run (and a resumed run) in one split
/// sees the same data; split 0 is the split of an experiment without `splits`.
fn split_seed(spec: &DataSpec, split: u32) -> u64 {
    let base = spec.name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    if split == 0 {
        return base;
    }
    let mut x = base ^ (split as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^ (x >> 31)
}

/// The data a trial trains on: its experiment's data in the trial's split.
/// A split other than 0 also redraws the generator of `synthetic` data.
pub fn trial_data(exp: &ExperimentPlan, trial: &Trial) -> (DataSpec, u64) {
    let mut spec = exp.data.clone();
    let seed = split_seed(&spec, trial.key.split);
    if let (DataSource::Synthetic { seed: g, .. }, true) = (&mut spec.source, trial.key.split > 0) {
        *g ^= seed;
    }
    (spec, seed)
}

/// Loaded data by (experiment, split).
pub type Datasets = HashMap<(String, u32), Arc<Dataset>>;

/// The data of every (experiment, split); each distinct one is read once per
/// process (`data::load_shared` caches it).
pub fn load_data(plan: &Plan, say: &dyn Fn(String)) -> Result<Datasets, DataError> {
    let mut out = HashMap::new();
    for exp in &plan.experiments {
        for trial in &exp.trials {
            let key = (exp.name.clone(), trial.key.split);
            if out.contains_key(&key) {
                continue;
            }
            let t = Instant::now();
            let (spec, seed) = trial_data(exp, trial);
            let d = data::load_shared(&spec, seed)?;
            say(format!(
                "data `{}`{}: {} ({} train / {} val / {} test, ready in {:.1}s)",
                exp.data.name,
                if exp.splits > 1 {
                    format!(" split {}", trial.key.split + 1)
                } else {
                    String::new()
                },
                d.origin,
                d.train.n,
                d.val.n,
                d.test.n,
                t.elapsed().as_secs_f64()
            ));
            out.insert(key, d);
        }
    }
    Ok(out)
}

/// The data a trial runs on, as its records state it.
fn data_provenance(d: &Dataset) -> (Vec<(String, String)>, u64, [usize; 3]) {
    let files = d
        .files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    (files, d.split_seed, [d.train.n, d.val.n, d.test.n])
}

/// Refuses to add trials made on other data to records made on this data;
/// warns when finished records ran on another BLAS kernel.
pub fn check_against_records(
    results: &ResultsDir,
    plan: &Plan,
    done: &[TrialRecord],
    datasets: &Datasets,
    say: &dyn Fn(String),
) -> Result<(), RunError> {
    let here = Blas::current(1).identity();
    let split_of: HashMap<&str, u32> = plan
        .experiments
        .iter()
        .flat_map(|e| &e.trials)
        .map(|t| (t.key.id.as_str(), t.key.split))
        .collect();
    let mut kernels = std::collections::BTreeSet::new();
    for rec in done {
        let split = split_of.get(rec.key.id.as_str()).copied().unwrap_or(0);
        let Some(d) = datasets.get(&(rec.key.experiment.clone(), split)) else {
            continue;
        };
        let p = &rec.provenance.data;
        let recorded: Vec<(String, String)> = p
            .files
            .iter()
            .map(|f| (f.path.clone(), f.sha256.clone()))
            .collect();
        let (files, seed, sizes) = data_provenance(d);
        if (recorded.clone(), p.split_seed, [p.train, p.val, p.test])
            != (files.clone(), seed, sizes)
        {
            let detail = match recorded.iter().zip(&files).find(|(a, b)| a != b) {
                Some((a, b)) => format!(
                    "trial {} read {} (sha256 {}), now {} (sha256 {})",
                    rec.key.id, a.0, a.1, b.0, b.1
                ),
                None => format!(
                    "trial {} ran on {} ({} train / {} val / {} test, split seed {}); the data now is {} ({} train / {} val / {} test, split seed {seed})",
                    rec.key.id, p.origin, p.train, p.val, p.test, p.split_seed, d.origin, sizes[0], sizes[1], sizes[2]
                ),
            };
            return Err(ResultsError::DataChanged {
                dir: results.root.display().to_string(),
                detail,
            }
            .into());
        }
        kernels.insert(rec.provenance.blas.identity());
    }
    for k in kernels.iter().filter(|k| **k != here) {
        say(format!(
            "warning: finished trials of {} ran on {k}; this process runs {here}. Kernels round differently: the records of one directory will not be bit-identical across them",
            results.root.display()
        ));
    }
    Ok(())
}
