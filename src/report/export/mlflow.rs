//! Export to an MLflow tracking server over its REST API (2.0): every
//! finished trial becomes one run of one MLflow experiment, with the trial's
//! design as params, its scalars as metrics at their iterations, and what
//! made it (plan hash, regime version and commit) as tags.
//!
//! Three calls a trial: `runs/create` (with the tags), `runs/log-batch`
//! (params and metrics, split at MLflow's limits), `runs/update` (status
//! and end time) last, so a run still `RUNNING` was left half-made by an
//! interrupted export. Exporting again skips trials already exported
//! (same trial id and curve hash, status no longer `RUNNING`) and deletes
//! and makes again the half-made ones.

use super::{ExportError, TrialExport};
use crate::report::columns::AxisColumns;
use crate::results::ResultsDir;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// MLflow's limits per `runs/log-batch` request: 1000 entities in all, of
/// which at most 100 params.
const MAX_ENTITIES: usize = 1000;
const MAX_PARAMS: usize = 100;

/// Params every run has, before the axes.
const PARAMS: [&str; 11] = [
    "experiment",
    "arm",
    "cell",
    "seed",
    "split",
    "seed_value",
    "lambda",
    "grid_lambda",
    "iters",
    "budget",
    "status",
];

/// What `export` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub experiment: String,
    pub experiment_id: String,
    pub created: usize,
    /// Trials already exported by an earlier call.
    pub skipped: usize,
}

/// A run an earlier export made.
struct Prior {
    run_id: String,
    /// No longer `RUNNING`: the export finished it.
    complete: bool,
}

/// Earlier runs by trial id and curve hash.
type Priors = HashMap<(String, String), Vec<Prior>>;

/// A tracking server, and how far the export got (for the error messages).
struct Server {
    agent: ureq::Agent,
    uri: String,
    done: usize,
    total: usize,
}

/// The URI if it names a server regime can talk to.
pub fn check_uri(uri: &str) -> Result<String, ExportError> {
    let trimmed = uri.trim().trim_end_matches('/');
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        return Ok(trimmed.to_string());
    }
    Err(ExportError::Target {
        message: format!("`{uri}` is not the address of an MLflow tracking server"),
        help: "regime talks to MLflow over its REST API: start `mlflow server --backend-store-uri sqlite:///mlflow.db --port 5000` and pass `--tracking-uri http://127.0.0.1:5000` (MLflow's file store is in maintenance mode)".into(),
    })
}

impl Server {
    fn new(uri: String, total: usize) -> Server {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Server {
            agent,
            uri,
            done: 0,
            total,
        }
    }

    fn unreachable(&self, e: ureq::Error) -> ExportError {
        ExportError::Unreachable {
            uri: self.uri.clone(),
            reason: e.to_string(),
            done: self.done,
            total: self.total,
        }
    }

    fn refused(&self, call: &str, detail: String) -> ExportError {
        ExportError::Refused {
            uri: self.uri.clone(),
            call: call.to_string(),
            detail,
            done: self.done,
            total: self.total,
        }
    }

    /// One call: the HTTP status and the JSON answer.
    fn call(
        &self,
        endpoint: &str,
        body: Option<&Value>,
        query: &[(&str, &str)],
    ) -> Result<(u16, Value), ExportError> {
        let url = format!("{}/api/2.0/mlflow/{endpoint}", self.uri);
        let answer = match body {
            Some(b) => self.agent.post(&url).send_json(b),
            None => self
                .agent
                .get(&url)
                .query_pairs(query.iter().copied())
                .call(),
        };
        let mut resp = answer.map_err(|e| self.unreachable(e))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(|e| self.unreachable(e))?;
        let value = serde_json::from_str(&text).map_err(|_| {
            let start: String = text.chars().take(200).collect();
            self.refused(
                endpoint,
                format!("HTTP {status}, an answer that is not MLflow's JSON: {start}"),
            )
        })?;
        Ok((status, value))
    }

    /// A call that must succeed.
    fn ok(
        &self,
        endpoint: &str,
        body: Option<&Value>,
        query: &[(&str, &str)],
    ) -> Result<Value, ExportError> {
        let (status, value) = self.call(endpoint, body, query)?;
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let code = value["error_code"].as_str().unwrap_or("");
        let message = value["message"].as_str().unwrap_or("");
        Err(self.refused(endpoint, format!("HTTP {status} {code}: {message}")))
    }

    fn post(&self, endpoint: &str, body: Value) -> Result<Value, ExportError> {
        self.ok(endpoint, Some(&body), &[])
    }

    /// The id of the experiment called `name`, created when missing.
    fn experiment(&self, name: &str) -> Result<String, ExportError> {
        let (status, v) = self.call(
            "experiments/get-by-name",
            None,
            &[("experiment_name", name)],
        )?;
        if (200..300).contains(&status) {
            if let Some(id) = v["experiment"]["experiment_id"].as_str() {
                return Ok(id.to_string());
            }
        } else if v["error_code"] != "RESOURCE_DOES_NOT_EXIST" {
            let message = v["message"].as_str().unwrap_or("");
            return Err(self.refused(
                "experiments/get-by-name",
                format!("HTTP {status}: {message}"),
            ));
        }
        let created = self.post("experiments/create", json!({ "name": name }))?;
        created["experiment_id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| {
                self.refused(
                    "experiments/create",
                    "no experiment_id in the answer".into(),
                )
            })
    }

    /// Runs of the experiment made from this source, by trial id and curve
    /// hash.
    fn existing(&self, experiment_id: &str, source: &str) -> Result<Priors, ExportError> {
        let mut out = Priors::new();
        let mut token = String::new();
        // A server that hands back a page token it gave before would keep
        // this loop going for ever.
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut body = json!({
                "experiment_ids": [experiment_id],
                "filter": format!("tags.`regime.source_sha256` = '{source}'"),
                "max_results": 1000,
            });
            if !token.is_empty() {
                body["page_token"] = json!(token);
            }
            let page = self.post("runs/search", body)?;
            for run in page["runs"].as_array().into_iter().flatten() {
                let tags: HashMap<&str, &str> = run["data"]["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| Some((t["key"].as_str()?, t["value"].as_str()?)))
                    .collect();
                let (Some(trial), Some(id)) =
                    (tags.get("regime.trial"), run["info"]["run_id"].as_str())
                else {
                    continue;
                };
                let curve = tags.get("regime.curve_sha256").copied().unwrap_or("");
                let complete = run["info"]["status"]
                    .as_str()
                    .is_some_and(|s| s != "RUNNING");
                out.entry((trial.to_string(), curve.to_string()))
                    .or_default()
                    .push(Prior {
                        run_id: id.to_string(),
                        complete,
                    });
            }
            match page["next_page_token"].as_str() {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => return Ok(out),
            }
            if !seen.insert(token.clone()) {
                return Err(self.refused(
                    "runs/search",
                    format!(
                        "page token `{token}` came back a second time: the search does not advance"
                    ),
                ));
            }
        }
    }
}

fn kv(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<Value> {
    pairs
        .into_iter()
        .map(|(k, v)| json!({ "key": k, "value": v }))
        .collect()
}

/// The params of one trial: its design and λ specification.
fn params(t: &TrialExport, axes: &AxisColumns) -> Vec<(String, String)> {
    let r = &t.record;
    let lambda = serde_json::to_string(&t.trial.lambda).unwrap_or_default();
    let values = [
        r.key.experiment.clone(),
        r.key.arm.clone(),
        r.key.cell.to_string(),
        (r.key.seed_index + 1).to_string(),
        (t.trial.key.split + 1).to_string(),
        r.key.seed.to_string(),
        lambda,
        r.key.grid.map_or(String::new(), |g| g.value.to_string()),
        r.iters.to_string(),
        r.budget.to_string(),
        r.status.label().to_string(),
    ];
    let mut out: Vec<(String, String)> = PARAMS.iter().map(|k| k.to_string()).zip(values).collect();
    out.extend(axes.headers().into_iter().zip(axes.cells(&r.key.vary)));
    out.retain(|(_, v)| !v.is_empty());
    out
}

fn tags(t: &TrialExport, source: &str) -> Vec<(String, String)> {
    let p = &t.record.provenance;
    [
        ("regime.trial", t.record.key.id.clone()),
        ("regime.plan_hash", p.plan_hash.clone()),
        ("regime.version", p.build.version.clone()),
        ("regime.commit", p.build.commit.clone()),
        ("regime.source_sha256", source.to_string()),
        ("regime.curve_sha256", t.record.curve_sha256.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn millis(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// Creates the run of one trial, logs everything and closes it.
fn export_trial(
    s: &Server,
    experiment_id: &str,
    t: &TrialExport,
    source: &str,
    axes: &AxisColumns,
) -> Result<(), ExportError> {
    let run = s.post(
        "runs/create",
        json!({
            "experiment_id": experiment_id,
            "run_name": t.record.key.id,
            "start_time": millis(t.start),
            "tags": kv(tags(t, source)),
        }),
    )?;
    let Some(run_id) = run["run"]["info"]["run_id"].as_str().map(String::from) else {
        return Err(s.refused("runs/create", "no run_id in the answer".into()));
    };
    let mut params = kv(params(t, axes));
    let mut metrics: Vec<Value> = t
        .points()
        .iter()
        .flat_map(|p| {
            p.values.iter().map(move |(k, v)| {
                json!({ "key": k, "value": v, "timestamp": millis(p.wall_time), "step": p.step })
            })
        })
        .collect();
    while !params.is_empty() || !metrics.is_empty() {
        let p: Vec<Value> = params.drain(..params.len().min(MAX_PARAMS)).collect();
        let m: Vec<Value> = metrics
            .drain(..metrics.len().min(MAX_ENTITIES - p.len()))
            .collect();
        s.post(
            "runs/log-batch",
            json!({ "run_id": run_id, "params": p, "metrics": m }),
        )?;
    }
    let failed = matches!(t.record.status, crate::results::Status::Diverged { .. });
    s.post(
        "runs/update",
        json!({
            "run_id": run_id,
            "status": if failed { "FAILED" } else { "FINISHED" },
            "end_time": millis(t.start + t.record.wall_seconds),
        }),
    )?;
    Ok(())
}

/// Exports every finished trial of `results` as a run of the MLflow
/// experiment `experiment` (created when missing) on the server at `uri`.
pub fn export(results: &ResultsDir, uri: &str, experiment: &str) -> Result<Exported, ExportError> {
    let uri = check_uri(uri)?;
    let (plan, trials) = super::trials(results)?;
    let axes = AxisColumns::new(
        plan.experiments
            .iter()
            .flat_map(|e| &e.axes)
            .flat_map(|a| a.values.iter().map(move |v| (a.name.as_str(), v))),
        &PARAMS,
    );
    let mut s = Server::new(uri, trials.len());
    let experiment_id = s.experiment(experiment)?;
    let existing = s.existing(&experiment_id, &plan.source_hash)?;
    let (mut created, mut skipped) = (0, 0);
    for t in &trials {
        let key = (t.record.key.id.clone(), t.record.curve_sha256.clone());
        let runs = existing.get(&key).map(Vec::as_slice).unwrap_or_default();
        if runs.iter().any(|r| r.complete) {
            skipped += 1;
            s.done += 1;
            continue;
        }
        // Left half-made by an interrupted export: made again.
        for r in runs {
            s.post("runs/delete", json!({ "run_id": r.run_id }))?;
        }
        export_trial(&s, &experiment_id, t, &plan.source_hash, &axes)?;
        created += 1;
        s.done += 1;
    }
    Ok(Exported {
        experiment: experiment.to_string(),
        experiment_id,
        created,
        skipped,
    })
}

#[cfg(test)]
#[path = "mlflow_tests.rs"]
mod tests;
