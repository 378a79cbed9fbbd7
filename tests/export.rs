//! `regime export` against the real tools: TensorBoard's EventAccumulator
//! reads the event files, a real `mlflow server` (sqlite store, free
//! loopback port, started and stopped here) receives the runs and its
//! Python client reads them back; and every way an export can fail is a
//! diagnostic with its code.

#[path = "interop/fixture.rs"]
mod fixture;
#[path = "interop/python.rs"]
mod python;

use fixture::{flat, ok, regime, Tiny};
use regime::results::{CurveRow, ResultsDir, TrialRecord};
use serde_json::Value;
use std::path::Path;

fn finished(dir: &Path) -> Vec<(TrialRecord, Vec<CurveRow>)> {
    let results = ResultsDir::open(dir.to_path_buf()).unwrap();
    let records = results.inventory(&results.plan().unwrap()).done;
    records
        .into_iter()
        .map(|r| {
            let c = results.read_curve(&r.key.id).unwrap();
            (r, c)
        })
        .collect()
}

/// `[[step, value], ...]` of one scalar as (step, f32).
fn series(v: &Value) -> Vec<(u64, f32)> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a series: {v}"))
        .iter()
        .map(|p| (p[0].as_u64().unwrap(), p[1].as_f64().unwrap() as f32))
        .collect()
}

/// What a trial's curve says a scalar should be, at the steps it exists.
fn expected(curve: &[CurveRow], get: fn(&CurveRow) -> f64) -> Vec<(u64, f32)> {
    curve
        .iter()
        .filter(|c| get(c).is_finite())
        .map(|c| (c.iter, get(c) as f32))
        .collect()
}

/// Checks one exported trial's scalars (`metrics`: name → series).
fn check_scalars(rec: &TrialRecord, curve: &[CurveRow], metrics: &Value) {
    let f = rec.finals.unwrap();
    let checks: [(&str, regime::report::export::Read); 5] = [
        ("val_acc", |c| c.val_acc),
        ("train_loss", |c| c.train_loss),
        ("data_loss", |c| c.data_loss),
        ("gap", |c| c.train_acc - c.val_acc),
        ("lambda", |c| c.lambda),
    ];
    for (name, get) in checks {
        assert_eq!(
            series(&metrics[name]),
            expected(curve, get),
            "{} {name}",
            rec.key.id
        );
    }
    assert_eq!(
        series(&metrics["data_loss"])[0].0,
        10,
        "no data_loss before a step"
    );
    assert_eq!(
        series(&metrics["test_acc"]),
        [(rec.iters, f.test_acc as f32)]
    );
}

/// Every scalar an export writes, sorted.
const SCALAR_NAMES: [&str; 13] = [
    "data_loss",
    "gap",
    "lambda",
    "lr",
    "reg_loss",
    "sparsity",
    "test_acc",
    "test_loss",
    "train_acc",
    "train_loss",
    "val_acc",
    "val_loss",
    "weight_norm",
];

const TENSORBOARD_READ: &str = r#"
import json, os, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
out = {}
for run in sorted(os.listdir(sys.argv[1])):
    acc = EventAccumulator(os.path.join(sys.argv[1], run), size_guidance={"scalars": 0})
    acc.Reload()
    out[run] = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}
print(json.dumps(out))
"#;

#[test]
fn tensorboard_reads_every_trial_with_its_scalars() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny::default().run(tmp.path(), "out");
    let logdir = tmp.path().join("tb");
    ok(regime()
        .arg("export")
        .arg(&dir)
        .args(["--to", "tensorboard", "--out"])
        .arg(&logdir));
    let out = python::script(TENSORBOARD_READ, &[logdir.as_os_str()], tmp.path());
    let runs: Value = serde_json::from_str(&out).unwrap();
    let trials = finished(&dir);
    assert_eq!(runs.as_object().unwrap().len(), trials.len());
    for (rec, curve) in &trials {
        let scalars = &runs[&rec.key.id];
        let mut tags: Vec<&str> = scalars
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        tags.sort();
        assert_eq!(tags, SCALAR_NAMES);
        check_scalars(rec, curve, scalars);
    }
    // Without --out: DIR/tensorboard, and a second export replaces the first.
    for _ in 0..2 {
        ok(regime()
            .arg("export")
            .arg(&dir)
            .args(["--to", "tensorboard"]));
    }
    let one = dir.join("tensorboard").join(&trials[0].0.key.id);
    let files: Vec<_> = std::fs::read_dir(&one).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

/// A `mlflow server` on a free loopback port with a sqlite store in a
/// temporary directory; stopped (its whole process group) when dropped,
/// so a failing test stops it too.
struct MlflowServer {
    child: std::process::Child,
    uri: String,
    dir: tempfile::TempDir,
}

impl MlflowServer {
    fn start() -> MlflowServer {
        use std::os::unix::process::CommandExt;
        let mlflow = python::bin("mlflow");
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = std::process::Command::new(mlflow)
            .args([
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--workers",
                "1",
            ])
            .arg("--backend-store-uri")
            .arg(format!(
                "sqlite:///{}",
                dir.path().join("mlflow.db").display()
            ))
            .arg("--default-artifact-root")
            .arg(dir.path().join("artifacts"))
            .current_dir(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start mlflow server");
        let mut server = MlflowServer {
            child,
            uri: format!("http://127.0.0.1:{port}"),
            dir,
        };
        server.wait_until_it_answers();
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Polls /health; a server that exits or never answers fails the test
    /// with its log (the bound only keeps a broken install from hanging CI).
    fn wait_until_it_answers(&mut self) {
        let start = std::time::Instant::now();
        let health = format!("{}/health", self.uri);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mlflow server exited ({status}):\n{}", self.log());
            }
            if ureq::get(&health).call().is_ok() {
                return;
            }
            assert!(
                start.elapsed().as_secs() < 300,
                "mlflow server never answered:\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

impl Drop for MlflowServer {
    fn drop(&mut self) {
        let group = -(self.child.id() as i32);
        // SAFETY: kill(2) on the server's own process group, made for it above.
        unsafe { libc::kill(group, libc::SIGTERM) };
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        // SAFETY: as above; whatever of the group is left.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

const MLFLOW_READ: &str = r#"
import json, sys
from mlflow.tracking import MlflowClient
client = MlflowClient(sys.argv[1])
exp = client.get_experiment_by_name(sys.argv[2])
out = {}
for r in client.search_runs([exp.experiment_id], max_results=1000):
    history = {"names": sorted(r.data.metrics)}
    for key in ["val_acc", "train_loss", "data_loss", "gap", "lambda", "test_acc"]:
        points = client.get_metric_history(r.info.run_id, key)
        history[key] = [[m.step, m.value] for m in sorted(points, key=lambda m: m.step)]
    out[r.info.run_name] = {
        "params": r.data.params,
        "tags": {k: v for k, v in r.data.tags.items() if k.startswith("regime.")},
        "status": r.info.status,
        "metrics": history,
    }
print(json.dumps(out))
"#;

#[test]
fn mlflow_server_gets_every_trial_with_params_metrics_and_tags() {
    let tmp = tempfile::tempdir().unwrap();
    let tiny = Tiny {
        seeds: 2,
        values: "10 iters",
        ..Tiny::default()
    };
    let dir = tiny.run(tmp.path(), "out");
    let server = MlflowServer::start();
    let export = || {
        let out = ok(regime().arg("export").arg(&dir).args([
            "--to",
            "mlflow",
            "--experiment",
            "interop",
            "--tracking-uri",
            &server.uri,
        ]));
        flat(&out.stderr)
    };
    let first = export();
    assert!(
        first.contains("6 runs exported to MLflow experiment `interop`"),
        "{first}"
    );
    let read = || {
        let args = [
            std::ffi::OsStr::new(&server.uri),
            std::ffi::OsStr::new("interop"),
        ];
        let out = python::script(MLFLOW_READ, &args, tmp.path());
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let runs = read();
    let trials = finished(&dir);
    assert_eq!(runs.as_object().unwrap().len(), trials.len());
    for (rec, curve) in &trials {
        let run = &runs[&rec.key.id];
        assert_eq!(run["status"], "FINISHED");
        let p = &run["params"];
        assert_eq!(
            (&p["experiment"], &p["arm"]),
            (&Value::from("tiny"), &Value::from(rec.key.arm.as_str()))
        );
        assert_eq!(p["seed"], (rec.key.seed_index + 1).to_string());
        assert_eq!(
            (&p["split"], &p["each"], &p["each_unit"]),
            (&"1".into(), &"10".into(), &"iters".into())
        );
        let lambda: Value = serde_json::from_str(p["lambda"].as_str().unwrap()).unwrap();
        match rec.key.grid {
            Some(g) => assert_eq!(lambda, serde_json::json!({ "constant": g.value })),
            None => assert!(lambda.get("schedule").is_some(), "{lambda}"),
        }
        let t = &run["tags"];
        assert_eq!(t["regime.plan_hash"], rec.provenance.plan_hash);
        assert_eq!(t["regime.version"], rec.provenance.build.version);
        assert_eq!(t["regime.trial"], rec.key.id);
        assert_eq!(run["metrics"]["names"], serde_json::json!(SCALAR_NAMES));
        check_scalars(rec, curve, &run["metrics"]);
    }
    // Exporting again adds nothing: every trial is already there.
    let again = export();
    assert!(
        again.contains("0 runs exported") && again.contains("6 already there, skipped"),
        "{again}"
    );
    assert_eq!(read().as_object().unwrap().len(), trials.len());
}

/// Answers every HTTP request on a loopback port with a web page, like a
/// tracking URI that names some other server.
fn not_mlflow() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = "<html>hello</html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    uri
}

#[test]
fn export_failures_are_diagnostics_with_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Tiny {
        seeds: 1,
        values: "10 iters",
        ..Tiny::default()
    }
    .run(tmp.path(), "out");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["--to", "tensorbord"],
            "regime::export_target",
            "did you mean `--to tensorboard`?",
        ),
        (
            &["--to", "mlflow"],
            "regime::export_target",
            "--to mlflow needs the tracking server's address",
        ),
        (
            &["--to", "mlflow", "--tracking-uri", "file:./mlruns"],
            "regime::export_target",
            "is not the address of an MLflow tracking server",
        ),
        (
            &["--to", "tensorboard", "--experiment", "x"],
            "regime::export_target",
            "--experiment does not apply to --to tensorboard",
        ),
        (
            &["--to", "mlflow", "--tracking-uri", &closed],
            "regime::export_unreachable",
            "0 of 3 trials were exported",
        ),
        (
            &["--to", "mlflow", "--tracking-uri", &not_mlflow()],
            "regime::export_refused",
            "an answer that is not MLflow's JSON",
        ),
    ];
    for (args, code, says) in cases {
        let out = regime()
            .arg("export")
            .arg(&dir)
            .args(args)
            .env_remove("MLFLOW_TRACKING_URI")
            .output()
            .unwrap();
        let err = flat(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(code) && err.contains(says), "{args:?}: {err}");
    }
}
