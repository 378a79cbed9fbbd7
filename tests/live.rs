//! Live progress: a running trial's curve grows on disk as it is measured,
//! `status` shows the trial running with its latest point, `status --watch`
//! redraws until the run ends (finished or stopped), and no live curve is
//! left behind or mistaken for a result.

use regime::results::ResultsDir;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn regime() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_regime"));
    c.env("NO_COLOR", "1");
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One experiment on the bundled sample; `arms` and `iters` as given.
fn source(dir: &Path, iters: u32, arms: &str, seeds: u32) -> PathBuf {
    let text = format!(
        r#"
data sample = fashion_mnist(path: "{}/src/data/fashion-mnist-sample", val: 200, subset: 400)
network mlp(hidden = 16) {{ dense(hidden) relu dense(10) }}
experiment live {{
  data: sample
  network: mlp(16)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: {iters}
  checks: every 10 iters
  {arms}
  seeds: {seeds}
}}
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    let p = dir.join("live.reg");
    std::fs::write(&p, text).unwrap();
    p
}

/// Polls `ready` every 10 ms; a test that waits 120 s has failed.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < Duration::from_secs(120), "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The lines `child` prints, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Everything `rx` gets until the sender ends (the process exited).
fn rest(rx: &mpsc::Receiver<String>) -> Vec<String> {
    let mut got = vec![];
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => got.push(l),
            Err(mpsc::RecvTimeoutError::Disconnected) => return got,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("no end after 120 s: {got:?}"),
        }
    }
}

fn partials(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("curves"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial.csv"))
        .collect()
}

/// A long trial, stopped with Ctrl-C once it has measured a few checks:
/// its curve is readable while it runs, `status` shows it running, and
/// `--watch`, started while it runs, ends when the run stops.
#[test]
fn a_running_trial_is_seen_live_and_watch_ends_when_the_run_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let file = source(
        tmp.path(),
        50_000,
        "arm decay: lambda = linear(from: 0.01, to: 0, over: 50000 iters)",
        1,
    );
    let dir = tmp.path().join("r");
    let mut run = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "1", "--out"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let id = "live-c000-decay-s1";
    let live = dir.join(format!("curves/{id}.partial.csv"));
    wait_until("three checks in the live curve", || {
        std::fs::read_to_string(&live).is_ok_and(|t| t.lines().count() >= 4)
    });
    let results = ResultsDir::open(dir.clone()).unwrap();
    let p = results.latest_point(id).unwrap();
    assert!(p.iter >= 20 && p.iter.is_multiple_of(10), "{p:?}");
    assert!((0.0..=1.0).contains(&p.val_acc) && p.lambda < 0.01, "{p:?}");
    assert!(!results.is_done(&results.plan().unwrap().experiments[0].trials[0]));

    let status = ok(regime().arg("status").arg(&dir).output().unwrap());
    let line = status.lines().find(|l| l.starts_with(id)).unwrap();
    assert!(
        line.starts_with(&format!("{id}\trunning\titer ")),
        "{status}"
    );
    assert!(line.contains("/50000  val_acc 0."), "{status}");
    assert!(
        status.contains("1 trials: 1 running; ETA when a trial has finished"),
        "{status}"
    );
    let table = status.lines().find(|l| l.starts_with("decay ")).unwrap();
    assert!(table.contains("/50000, seed 0"), "{status}");

    let mut watch = regime()
        .arg("status")
        .arg(&dir)
        .args(["--watch", "--interval", "0.2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut watch);
    // Its first view, drawn while the trial runs.
    let mut first = vec![];
    while !first
        .last()
        .is_some_and(|l: &String| l.starts_with("1 trials:"))
    {
        first.push(rx.recv_timeout(Duration::from_secs(120)).unwrap());
    }
    assert!(first.last().unwrap().contains("1 running"), "{first:?}");
    Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(run.wait().unwrap().code(), Some(130));
    let after = rest(&rx);
    assert!(watch.wait().unwrap().success());
    assert_eq!(
        after.last().map(String::as_str),
        Some("1 trials: 1 missing"),
        "{after:?}"
    );
    // A stopped trial's live curve goes: it is not a result.
    assert!(partials(&dir).is_empty(), "{:?}", partials(&dir));
}

/// `--watch` on a run that finishes: it ends with the run, last showing
/// every trial done; `status` then shows the totals (`-q`) or every
/// trial's numbers (`-v`).
#[test]
fn watch_follows_a_run_to_its_end() {
    let tmp = tempfile::tempdir().unwrap();
    let arms = "arm fixed: lambda = grid([0.001, 0])\n  arm none: lambda = 0";
    let file = source(tmp.path(), 100, arms, 2);
    let dir = tmp.path().join("r");
    let mut run = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "2", "--out"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the results directory", || dir.join("run.json").exists());
    let mut watch = regime()
        .arg("status")
        .arg(&dir)
        .args(["--watch", "--interval", "0.2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut watch);
    let shown = rest(&rx);
    assert!(watch.wait().unwrap().success());
    assert!(run.wait().unwrap().success());
    assert_eq!(
        shown.last().map(String::as_str),
        Some("6 trials: 6 done"),
        "{shown:?}"
    );
    let last_block: Vec<&String> = shown.iter().rev().take(3).collect();
    assert!(
        last_block[2].starts_with("fixed ") && last_block[2].contains("final, seed"),
        "{shown:?}"
    );
    assert!(
        last_block[1].starts_with("none ") && last_block[1].contains("final, seed"),
        "{shown:?}"
    );
    assert!(partials(&dir).is_empty(), "{:?}", partials(&dir));

    let quiet = ok(regime().arg("status").arg(&dir).arg("-q").output().unwrap());
    assert_eq!(quiet, "6 trials: 6 done\n");
    let verbose = ok(regime().arg("status").arg(&dir).arg("-v").output().unwrap());
    let line = verbose
        .lines()
        .find(|l| l.starts_with("live-c000-none-s2"))
        .unwrap();
    assert!(
        line.contains("\tdone\tval_acc 0.") && line.contains("test_acc 0."),
        "{verbose}"
    );
}

/// `--watch --interval` longer than a duration holds (1e300 s) is a usage
/// error, given before anything is read. It was a panic at the first
/// redraw's sleep, which comes while a run holds the directory (as here:
/// this process holds its lock, one trial still to run).
#[test]
fn a_watch_interval_longer_than_a_duration_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = source(tmp.path(), 10, "arm a: lambda = grid([0.001, 0.0])", 1);
    let dir = tmp.path().join("run");
    ok(regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--out"])
        .arg(&dir)
        .output()
        .unwrap());
    let first = std::fs::read_dir(dir.join("trials"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(first).unwrap();
    let plan = ResultsDir::open(dir.clone()).unwrap().plan().unwrap();
    let _held = ResultsDir::open_for_resume(dir.clone(), &plan).unwrap();
    let out = regime()
        .arg("status")
        .arg(&dir)
        .args(["--watch", "--interval", "1e300"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--interval must be a positive number of seconds"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
