//! Reproduction v2 (docs/REPRODUCTION.md): the document agrees with the
//! records it is generated from, the check that says so can fail, and every
//! figure experiment runs on CIFAR-10 — on generated files in the binary
//! format its authors distribute, since the real data is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn regime(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regime"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("regime starts")
}

fn generator(args: &[&str]) -> Output {
    Command::new("python3")
        .arg(repo().join("docs/reproduction/generate.py"))
        .args(args)
        .output()
        .expect("python3 starts (scripts/install-deps installs it)")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn reproduction_document_matches_its_records() {
    let out = generator(&["--check"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn reproduction_check_fails_on_an_edited_generated_number() {
    let doc = std::fs::read_to_string(repo().join("docs/REPRODUCTION.md")).unwrap();
    let start = doc.find("<!-- gen:status -->").expect("status block");
    let end = doc.find("<!-- /gen:status -->").expect("status block end");
    // Append a row inside the generated block, as a hand edit would.
    let edited = format!(
        "{}| `fig12_schedules` | edited | 720 of 720 |\n{}",
        &doc[..end],
        &doc[end..]
    );
    assert!(edited.len() > doc.len() && start < end);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("REPRODUCTION.md");
    std::fs::write(&copy, edited).unwrap();
    let out = generator(&["--check", "--doc", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("differs from its records"),
        "{}",
        text(&out)
    );
}

/// CIFAR-10's binary layout: per record one label byte and 3,072 pixel
/// bytes (1,024 red, green, blue); five training batches and a test batch.
fn fake_cifar10(dir: &Path, per_batch: usize) {
    let mut state: u32 = 12345;
    let mut byte = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 24) as u8
    };
    let names = [
        "data_batch_1",
        "data_batch_2",
        "data_batch_3",
        "data_batch_4",
        "data_batch_5",
        "test_batch",
    ];
    for name in names {
        let mut bytes = Vec::with_capacity(per_batch * 3073);
        for i in 0..per_batch {
            bytes.push((i % 10) as u8);
            bytes.extend((0..3072).map(|_| byte()));
        }
        std::fs::write(dir.join(format!("{name}.bin")), bytes).unwrap();
    }
}

/// The reproduction's experiment files and the experiments each holds.
fn figure_files() -> Vec<(String, Vec<String>)> {
    let mut files: Vec<String> = std::fs::read_dir(repo().join("experiments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| (n.starts_with("fig") || n.starts_with("appendix")) && n.ends_with(".reg"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "figure files: {files:?}");
    files
        .into_iter()
        .map(|f| {
            let path = format!("experiments/{f}");
            let out = regime(&["plan", &path, "--format", "json"]);
            assert!(out.status.success(), "{}", text(&out));
            let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let names = plan["experiments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect();
            (path, names)
        })
        .collect()
}

/// `--set` arguments that put every experiment of a file on the generated
/// CIFAR-10 (the subset is scaled by `--scale 0.01` like every subset).
fn on_cifar(dir: &Path, experiments: &[String]) -> Vec<String> {
    let data = format!(
        r#"cifar10(path: "{}", val: 20, subset: 10000, normalize: raw_mean_image)"#,
        dir.display()
    );
    let mut args = vec![];
    for e in experiments {
        for set in [
            format!("{e}.data={data}"),
            format!("{e}.splits=1"),
            format!("{e}.batch=20"),
        ] {
            args.push("--set".to_string());
            args.push(set);
        }
    }
    args
}

#[test]
fn every_figure_experiment_compiles_on_cifar10_and_two_run() {
    let data = tempfile::tempdir().unwrap();
    fake_cifar10(data.path(), 30);
    let out_root = tempfile::tempdir().unwrap();
    for (file, experiments) in figure_files() {
        let sets = on_cifar(data.path(), &experiments);
        let mut args: Vec<&str> = vec!["plan", &file, "--scale", "0.01"];
        args.extend(sets.iter().map(String::as_str));
        let out = regime(&args);
        assert!(out.status.success(), "{file} on CIFAR-10:\n{}", text(&out));
        // One two-layer file and the convnet train end to end.
        if file.ends_with("fig12_schedules_overfit.reg") || file.ends_with("fig4_adaptive_cnn.reg")
        {
            let dest = out_root.path().join(Path::new(&file).file_stem().unwrap());
            args[0] = "run";
            let dest = dest.to_string_lossy().into_owned();
            args.extend(["--out", &dest, "-q"]);
            let out = regime(&args);
            assert!(
                out.status.success(),
                "{file} run on CIFAR-10:\n{}",
                text(&out)
            );
            let plan = std::fs::read_to_string(Path::new(&dest).join("plan.yaml")).unwrap();
            assert!(
                plan.contains("channels: 3") && plan.contains("height: 32"),
                "{plan}"
            );
            assert!(Path::new(&dest).join("summary.md").exists());
        }
    }
}
