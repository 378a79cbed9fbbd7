//! Results that cannot silently change (issue 9), end to end through the
//! binary: bit-identical records whatever `--jobs`, thread count, affinity
//! mask or interruption; refusal of stale, edited, mixed and concurrent
//! inputs; damaged trials named and re-run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn regime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regime"))
}

fn sample_dir() -> String {
    format!(
        "{}/src/data/fashion-mnist-sample",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Eight trials on the bundled sample, with products large enough to be cut
/// into tiles (so thread counts matter if anything does).
fn source(iters: u32) -> String {
    format!(
        r#"
data sample = fashion_mnist(path: "{}", val: 200, subset: 600, normalize: mean_image)
network mlp(hidden = 64) {{ dense(hidden) relu dense(10) }}
experiment same {{
  data: sample
  network: mlp(512)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 100
  iters: {iters}
  checks: every 20 iters
  arm fixed: lambda = grid([0.001, 0.0])
  arm decay: lambda = linear(from: 0.01, to: 0, over: {iters} iters)
  arm gap: lambda = 0.001
  seeds: 2
}}
"#,
        sample_dir()
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Records and curves by trial id (see `common`).
fn contents(dir: &Path) -> BTreeMap<String, (serde_json::Value, Vec<u8>)> {
    common::records_and_curves(dir)
}

fn run(file: &Path, out: &Path, extra: &[&str]) -> Output {
    regime()
        .arg("run")
        .arg(file)
        .args(["-q", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn records_are_bit_identical_across_jobs_threads_and_affinity() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(60));
    ok(run(&file, &tmp.path().join("j1"), &["--jobs", "1"]));
    let reference = contents(&tmp.path().join("j1"));
    assert_eq!(reference.len(), 8);
    for (name, args) in [
        ("j2", vec!["--jobs", "2"]),
        ("t1", vec!["--jobs", "1", "--threads", "1"]),
        ("t2", vec!["--jobs", "1", "--threads", "2"]),
        ("t4", vec!["--jobs", "1", "--threads", "4"]),
        ("j2t4", vec!["--jobs", "2", "--threads", "4"]),
    ] {
        ok(run(&file, &tmp.path().join(name), &args));
        let got = contents(&tmp.path().join(name));
        assert!(
            got == reference,
            "{args:?} gave other records than --jobs 1: {}",
            first_difference(&reference, &got)
        );
    }
    // A one-core affinity mask.
    let masked = Command::new("taskset")
        .args(["-c", "0", env!("CARGO_BIN_EXE_regime"), "run"])
        .arg(&file)
        .args(["-q", "--jobs", "1", "--out"])
        .arg(tmp.path().join("mask"))
        .output()
        .unwrap();
    ok(masked);
    assert!(contents(&tmp.path().join("mask")) == reference);
    // Every record names its build, BLAS and data.
    let (rec, _) = reference.values().next().unwrap();
    let p = &rec["provenance"];
    assert!(p["build"]["commit"].as_str().unwrap().len() >= 7, "{p}");
    assert!(
        p["blas"]["library"].as_str().unwrap().contains("OpenBLAS"),
        "{p}"
    );
    assert!(!p["blas"]["kernel"].as_str().unwrap().is_empty());
    let files = p["data"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 4, "{p}");
    assert!(files
        .iter()
        .all(|f| f["sha256"].as_str().unwrap().len() == 64));
    assert_eq!(p["plan_hash"].as_str().unwrap().len(), 64);
    let md = std::fs::read_to_string(tmp.path().join("j1/summary.md")).unwrap();
    assert!(
        md.contains("## Provenance") && md.contains("OpenBLAS"),
        "{md}"
    );
}

/// The first trial whose record or curve differs, with the field that
/// differs (or the curve's first differing line), for a failure message.
fn first_difference(
    want: &BTreeMap<String, (serde_json::Value, Vec<u8>)>,
    got: &BTreeMap<String, (serde_json::Value, Vec<u8>)>,
) -> String {
    for (id, (record, curve)) in want {
        let Some((got_record, got_curve)) = got.get(id) else {
            return format!("{id} missing");
        };
        if let (Some(w), Some(g)) = (record.as_object(), got_record.as_object()) {
            for (field, value) in w {
                if g.get(field) != Some(value) {
                    return format!("{id}.{field}: want {value}, got {:?}", g.get(field));
                }
            }
        }
        if curve != got_curve {
            let (w, g) = (
                String::from_utf8_lossy(curve),
                String::from_utf8_lossy(got_curve),
            );
            let line = w.lines().zip(g.lines()).find(|(a, b)| a != b);
            return format!("{id} curve: {line:?}");
        }
    }
    format!("{} trials instead of {}", got.len(), want.len())
}

/// Finished records in a results directory (0 before it exists).
fn records_done(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("trials"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .count()
        })
        .unwrap_or(0)
}

/// Waits until `child` has finished `target` records in `dir` (or exited),
/// then `extra` longer so the kill lands inside the next trial; true when the
/// child was still running when killed. Driven by progress, not by a guess
/// of how long a run takes, so a loaded machine cannot make it miss.
fn kill_after(child: &mut std::process::Child, dir: &Path, target: usize, extra_ms: u64) -> bool {
    while records_done(dir) < target {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    std::thread::sleep(std::time::Duration::from_millis(extra_ms));
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

/// A run killed with SIGKILL at seeded moments (while starting, inside a
/// trial, just after a record is written), resumed under another `--jobs`,
/// again and again: the records equal an uninterrupted run's.
#[test]
fn kill_9_at_random_moments_then_resume_gives_the_same_records() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(200));
    ok(run(&file, &tmp.path().join("straight"), &["--jobs", "2"]));
    let reference = contents(&tmp.path().join("straight"));
    let dir = tmp.path().join("killed");
    // (records to wait for, then milliseconds more): seeded moments from
    // process start-up to the middle of the sixth of eight trials.
    let moments = [
        (0, 30),
        (1, 0),
        (1, 45),
        (2, 5),
        (3, 80),
        (4, 1),
        (5, 20),
        (6, 0),
    ];
    let mut started = false;
    let mut killed_running = 0;
    for (round, (records, extra_ms)) in moments.iter().enumerate() {
        let mut cmd = regime();
        cmd.arg("run").arg(&file).arg("-q");
        cmd.args(["--jobs", if round % 2 == 0 { "2" } else { "1" }]);
        if started {
            cmd.arg("--resume").arg(&dir);
        } else {
            cmd.arg("--out").arg(&dir);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if kill_after(&mut child, &dir, *records, *extra_ms) {
            killed_running += 1;
        }
        started = started || dir.join("run.json").exists();
    }
    let mut finish = regime();
    finish.arg("run").arg(&file).args(["-q", "--jobs", "2"]);
    if started {
        finish.arg("--resume").arg(&dir);
    } else {
        finish.arg("--out").arg(&dir);
    }
    ok(finish.output().unwrap());
    assert!(
        killed_running >= 3,
        "only {killed_running} rounds were killed mid-run"
    );
    let resumed = contents(&dir);
    assert!(
        resumed == reference,
        "a killed and resumed run differs: {}",
        first_difference(&reference, &resumed)
    );
    let leftovers: Vec<String> = ["", "trials", "curves", "plots"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(dir.join(d))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Live curves of killed trials too: the resume clears them.
        .filter(|n| n.contains(".tmp-") || n.ends_with(".partial.csv"))
        .collect();
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
}

#[test]
fn an_existing_directory_is_refused_unless_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(20));
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    let before = std::fs::read(dir.join("plan.yaml")).unwrap();
    let changed = write(
        tmp.path(),
        "changed.reg",
        &source(20).replace("0.001, 0.0", "0.002, 0.0"),
    );
    let again = run(&changed, &dir, &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("results_exist"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(dir.join("plan.yaml")).unwrap(), before);
    // Resuming with the changed file is refused too.
    let resumed = regime()
        .arg("run")
        .arg(&changed)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!resumed.status.success());
    assert!(
        stderr(&resumed).contains("resume_mismatch"),
        "{}",
        stderr(&resumed)
    );
    // A directory regime did not make.
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "x").unwrap();
    let refused = run(&file, &mine, &[]);
    assert!(
        stderr(&refused).contains("results_not_ours"),
        "{}",
        stderr(&refused)
    );
    // A symlink as --out.
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), &link).unwrap();
    let refused = run(&file, &link, &[]);
    assert!(
        stderr(&refused).contains("results_symlink"),
        "{}",
        stderr(&refused)
    );
    assert!(!tmp.path().join("elsewhere").exists());
}

#[test]
fn an_edited_plan_is_refused_on_resume_naming_the_trial_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(20));
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    let yaml = std::fs::read_to_string(dir.join("plan.yaml")).unwrap();
    std::fs::write(
        dir.join("plan.yaml"),
        yaml.replacen("constant: 0.001", "constant: 5.0", 1),
    )
    .unwrap();
    for t in std::fs::read_dir(dir.join("trials"))
        .unwrap()
        .flatten()
        .take(1)
    {
        std::fs::remove_file(t.path()).unwrap();
    }
    let out = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    // The message as one line (the renderer wraps it).
    let err = stderr(&out).replace("\n  │ ", "");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("plan_mismatch") && err.contains("same-c000-fixed-s1-g0"),
        "{err}"
    );
    assert!(
        err.contains("lambda.constant") && err.contains("5.0"),
        "{err}"
    );
}

#[test]
fn a_damaged_trial_is_named_by_report_and_status_and_rerun_by_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(40));
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    let reference = contents(&dir);
    let truncated = dir.join("curves/same-c000-decay-s1.csv");
    let full = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    std::fs::remove_file(dir.join("curves/same-c000-gap-s2.csv")).unwrap();
    // A better test accuracy typed into a record (its curve untouched).
    let edited = dir.join("trials/same-c000-fixed-s1-g0.json");
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&edited).unwrap()).unwrap();
    rec["finals"]["test_acc"] = 0.99.into();
    std::fs::write(&edited, serde_json::to_vec_pretty(&rec).unwrap()).unwrap();
    let report = ok(regime().arg("report").arg(&dir).output().unwrap());
    let err = stderr(&report);
    assert!(
        err.contains("same-c000-decay-s1") && err.contains("same-c000-gap-s2"),
        "{err}"
    );
    assert!(
        err.contains("same-c000-fixed-s1-g0: record edited"),
        "{err}"
    );
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains("5 of 8 complete") && md.contains("3 damaged"),
        "{md}"
    );
    let status = ok(regime().arg("status").arg(&dir).output().unwrap());
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(out.contains("same-c000-decay-s1\tdamaged"), "{out}");
    let resumed = ok(regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap());
    assert!(
        stderr(&resumed).contains("3 trials run, 5 reused"),
        "{}",
        stderr(&resumed)
    );
    assert!(contents(&dir) == reference);
}

#[test]
fn two_resumes_at_once_never_run_a_trial_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(400));
    let dir = tmp.path().join("a");
    // Start, then kill at once: a directory with (almost) everything pending.
    let mut first = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "1", "--out"])
        .arg(&dir)
        .spawn()
        .unwrap();
    while !dir.join("run.json").exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The first run holds the directory: a resume beside it is refused and
    // says who holds it.
    let second = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    let _ = first.kill();
    let _ = first.wait();
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("results_locked") && err.contains(&format!(":{}", first.id())),
        "{err}"
    );
}

#[test]
fn a_symlink_planted_in_plots_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(20));
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::remove_dir_all(dir.join("plots")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("plots")).unwrap();
    let out = regime().arg("report").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("results_symlink"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

/// Commands that do no numerics never start BLAS threads: under a 150 MB
/// address-space limit `regime --version` and `regime check` finish at once
/// (OpenBLAS's thread pool used to spin in its shutdown there), and a
/// running regime has a single thread until it trains.
#[test]
fn commands_without_numerics_start_no_blas_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(20));
    for args in [
        vec!["--version".to_string()],
        vec!["check".to_string(), file.display().to_string()],
    ] {
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -v 153600; exec \"{}\" {}",
                env!("CARGO_BIN_EXE_regime"),
                args.join(" ")
            ))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed().as_secs() > 60 {
                let _ = child.kill();
                panic!("regime {args:?} hung under a 150 MB limit");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(
            status.success(),
            "regime {args:?} failed under a 150 MB limit"
        );
    }
    // A regime blocked writing its plan to a pipe nobody reads (200 trials
    // are more than a pipe holds) has one thread: the process that
    // OpenBLAS's loader started threads in was replaced.
    let big = write(
        tmp.path(),
        "big.reg",
        &source(20).replace("seeds: 2", "seeds: 50"),
    );
    let mut child = regime()
        .args(["plan", "--format", "json"])
        .arg(&big)
        .env_remove("OPENBLAS_NUM_THREADS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    let start = std::time::Instant::now();
    let threads = loop {
        let env = std::fs::read(proc_dir.join("environ")).unwrap_or_default();
        let re_executed = env
            .split(|&b| b == 0)
            .any(|v| v == b"OPENBLAS_NUM_THREADS=1");
        let status = std::fs::read_to_string(proc_dir.join("status")).unwrap_or_default();
        let blocked = std::fs::read_to_string(proc_dir.join("wchan")).unwrap_or_default();
        if re_executed && blocked.contains("pipe") || start.elapsed().as_secs() > 20 {
            break status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .map(|n| n.trim().to_string())
                .unwrap_or_default();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    // Let it go: close the pipe (plan ends quietly on a closed pipe).
    drop(child.stdout.take());
    let _ = child.wait();
    assert_eq!(
        threads, "1",
        "regime runs {threads} threads before any numerics"
    );
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot mount a tmpfs (this test needs root)");
        Tmpfs(at.to_path_buf())
    }

    fn resize(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk: a diagnostic naming the file, no half-written file or
/// temporary, every finished trial kept; after space is freed, `--resume`
/// ends with the records of an uninterrupted run.
#[test]
fn a_full_disk_is_a_diagnostic_and_nothing_finished_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(60));
    ok(run(&file, &tmp.path().join("reference"), &["--jobs", "1"]));
    let reference = contents(&tmp.path().join("reference"));
    let disk = Tmpfs::mount(&tmp.path().join("disk"), "96k");
    let dir = disk.0.join("run");
    let full = run(&file, &dir, &["--jobs", "1"]);
    let err = stderr(&full);
    assert_eq!(full.status.code(), Some(1), "{err}");
    assert!(
        err.contains("regime::results_io") && err.contains("No space left"),
        "{err}"
    );
    assert!(err.contains("disk is full"), "{err}");
    let names: Vec<String> = ["", "trials", "curves", "plots"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(dir.join(d))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
    // What is there is whole: no damaged trial.
    let status = ok(regime().arg("status").arg(&dir).output().unwrap());
    let listing = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(!listing.contains("damaged"), "{listing}");
    let kept = contents(&dir);
    assert!(kept.len() < 8, "the disk did not fill up");
    for (id, rec) in &kept {
        assert!(reference[id] == *rec, "{id} differs");
    }
    disk.resize("16m");
    ok(regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap());
    assert!(contents(&dir) == reference);
}

/// Data whose files changed since the finished records were made (here: the
/// same images recompressed, so the bytes and their SHA-256 differ) cannot
/// be resumed into: the diagnostic names the trial and the file.
#[test]
fn resume_refuses_data_whose_files_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("fm");
    std::fs::create_dir(&data).unwrap();
    for f in std::fs::read_dir(sample_dir()).unwrap().flatten() {
        std::fs::copy(f.path(), data.join(f.file_name())).unwrap();
    }
    let file = write(
        tmp.path(),
        "same.reg",
        &source(20).replace(&sample_dir(), &data.display().to_string()),
    );
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    std::fs::remove_file(dir.join("trials/same-c000-gap-s2.json")).unwrap();
    // Recompress one file: the same examples, other bytes.
    let labels = data.join("t10k-labels-idx1-ubyte.gz");
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "gunzip -c '{0}' | gzip -1 -n > '{0}.new' && mv '{0}.new' '{0}'",
            labels.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let out = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = stderr(&out).replace("\n  │ ", "");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("regime::data_changed"), "{err}");
    assert!(err.contains("t10k-labels-idx1-ubyte.gz"), "{err}");
    assert!(!dir.join("trials/same-c000-gap-s2.json").exists());
}

/// `--jobs 1` means one trial at a time, with any `--threads`: a job that
/// waited for its matrix-product threads used to start other trials
/// meanwhile (dozens at once, each holding its memory, and a finished
/// trial's record written only after all those stacked on it). Live curves
/// exist exactly while a trial trains, so at no moment may two be seen.
#[test]
fn one_job_trains_one_trial_at_a_time_whatever_its_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(200));
    let dir = tmp.path().join("a");
    let mut child = regime()
        .arg("run")
        .arg(&file)
        .args(["-q", "--jobs", "1", "--threads", "2", "--out"])
        .arg(&dir)
        .spawn()
        .unwrap();
    let mut most_live = 0;
    let status = loop {
        let live = std::fs::read_dir(dir.join("curves"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".partial.csv"))
                    .count()
            })
            .unwrap_or(0);
        most_live = most_live.max(live);
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    assert!(status.success());
    assert_eq!(most_live, 1, "trials trained at once");
    assert_eq!(contents(&dir).len(), 8);
}

/// A report rebuilds every output from the records it finds: tables and
/// figures an earlier report wrote that this one does not are removed, not
/// left beside the new summary as if current.
#[test]
fn a_report_leaves_no_table_or_figure_of_an_earlier_report() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "same.reg", &source(20));
    let dir = tmp.path().join("a");
    ok(run(&file, &dir, &[]));
    let figures = |dir: &Path| {
        std::fs::read_dir(dir.join("plots"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
            .count()
    };
    assert!(dir.join("along.csv").exists());
    let before = figures(&dir);
    assert!(before > 0);
    for t in std::fs::read_dir(dir.join("trials")).unwrap().flatten() {
        std::fs::remove_file(t.path()).unwrap();
    }
    ok(regime().arg("report").arg(&dir).output().unwrap());
    assert!(!dir.join("along.csv").exists());
    assert!(figures(&dir) < before, "{before} figures kept");
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("0 of 8 complete"), "{md}");
}
