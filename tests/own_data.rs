//! Your own data: `npz(...)` (an archive, or a directory of `.npy` files)
//! and `csv(...)` run a tiny experiment end to end, with every file's
//! SHA-256 in the trial's provenance; and each fault a file can have is a
//! runtime code naming the file when the loader meets it (the checker's
//! side is in the UI cases `tests/ui/bad_data_file*.reg`).

use regime::data::{load, DataError};
use regime::plan::{DataSource, DataSpec, Normalize, Shape};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// An `.npy` file: magic, version 1.0, the header dict padded to 64 bytes.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let comma = if shape.len() == 1 { "," } else { "" };
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({}{comma}), }}",
        dims.join(", ")
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn i64s(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `n` examples of `dim` features in two separable classes (alternating).
fn examples(n: usize, dim: usize) -> (Vec<f32>, Vec<i64>) {
    let x = (0..n * dim)
        .map(|i| (i % 7) as f32 * 0.1 + if (i / dim) % 2 == 1 { 3.0 } else { 0.0 })
        .collect();
    let y = (0..n).map(|i| (i % 2) as i64).collect();
    (x, y)
}

fn npz(path: &Path, arrays: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in arrays {
        zip.start_file(
            format!("{name}.npy"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn standard_arrays(dim: usize) -> Vec<(&'static str, Vec<u8>)> {
    let (x, y) = examples(40, dim);
    let (tx, ty) = examples(10, dim);
    vec![
        ("x_train", npy("<f4", &[40, dim], &f32s(&x))),
        ("y_train", npy("<i8", &[40], &i64s(&y))),
        ("x_test", npy("<f4", &[10, dim], &f32s(&tx))),
        ("y_test", npy("<i8", &[10], &i64s(&ty))),
    ]
}

fn csv_file(path: &Path, n: usize) {
    let (x, y) = examples(n, 2);
    let mut text = String::from("a,b,label\n");
    for i in 0..n {
        text.push_str(&format!("{},{},{}\n", x[2 * i], x[2 * i + 1], y[i]));
    }
    std::fs::write(path, text).unwrap();
}

fn experiment(data: &str, network: &str) -> String {
    format!(
        "data d = {data}\nnetwork net {{ {network} }}\nexperiment e {{\n  data: d\n  network: net\n  \
         optimizer: sgd(lr: 0.05)\n  batch: 8\n  iters: 20\n  checks: every 10 iters\n  \
         arm a: lambda = 0.001\n  seeds: 1\n}}\n"
    )
}

/// Run `source` in `dir`; the trial record, which must hold `hashes`.
fn run(dir: &Path, source: &str, hashed: &[&Path]) -> String {
    let file = dir.join("e.reg");
    std::fs::write(&file, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_regime"))
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = std::fs::read_to_string(dir.join("out/trials/e-c000-a-s1.json")).unwrap();
    assert!(record.contains("\"test_acc\""), "{record}");
    for f in hashed {
        let sha: String = Sha256::digest(std::fs::read(f).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            record.contains(&sha),
            "{} not hashed: {record}",
            f.display()
        );
    }
    record
}

#[test]
fn an_npz_archive_with_a_shape_trains_a_convnet_and_is_fingerprinted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.npz");
    npz(&file, &standard_arrays(12));
    let data = "npz(path: \"d.npz\", x: \"x_train\", y: \"y_train\", test_x: \"x_test\", \
                test_y: \"y_test\", shape: [3, 2, 2], normalize: standardize)";
    run(
        tmp.path(),
        &experiment(data, "conv(4, 1, 1, 0) relu dense(2)"),
        &[&file],
    );
}

#[test]
fn a_directory_of_npy_files_with_float64_and_uint8_labels_trains() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("arrays");
    std::fs::create_dir(&dir).unwrap();
    let (x, y) = examples(30, 5);
    let x64: Vec<u8> = x.iter().flat_map(|v| (*v as f64).to_le_bytes()).collect();
    let y8: Vec<u8> = y.iter().map(|v| *v as u8).collect();
    std::fs::write(dir.join("x.npy"), npy("<f8", &[30, 5], &x64)).unwrap();
    std::fs::write(dir.join("y.npy"), npy("|u1", &[30], &y8)).unwrap();
    std::fs::write(dir.join("tx.npy"), npy("<f8", &[30, 5], &x64)).unwrap();
    std::fs::write(dir.join("ty.npy"), npy("|u1", &[30], &y8)).unwrap();
    let data = "npz(path: \"arrays\", x: \"x\", y: \"y\", test_x: \"tx\", test_y: \"ty\")";
    let files: Vec<_> = ["x", "y", "tx", "ty"]
        .iter()
        .map(|n| dir.join(format!("{n}.npy")))
        .collect();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    run(
        tmp.path(),
        &experiment(data, "dense(8) relu dense(2)"),
        &refs,
    );
}

#[test]
fn a_csv_pair_trains_and_both_files_are_fingerprinted() {
    let tmp = tempfile::tempdir().unwrap();
    let (train, test) = (tmp.path().join("train.csv"), tmp.path().join("test.csv"));
    csv_file(&train, 30);
    csv_file(&test, 8);
    let data = "csv(path: \"train.csv\", label: \"label\", test: \"test.csv\")";
    run(
        tmp.path(),
        &experiment(data, "dense(8) relu dense(2)"),
        &[&train, &test],
    );
}

#[test]
fn the_shipped_example_checks() {
    let report = regime::compile::check_path(Path::new("tests/data/own_data.reg"));
    assert_eq!(report.error_count(), 0, "{}", report.render(false, 80));
}

// ------------------------------------------------------ runtime faults

fn csv_spec(train: &Path, test: &Path, dim: usize, classes: usize) -> DataSpec {
    DataSpec {
        name: "d".into(),
        source: DataSource::Csv {
            path: train.display().to_string(),
            label: "label".into(),
            test_path: test.display().to_string(),
            test_size: 1,
        },
        val: 1,
        subset: None,
        normalize: Normalize::None,
        input: Shape {
            channels: 1,
            height: 1,
            width: dim,
        },
        classes,
        train_size: 2,
    }
}

fn npz_spec(path: &Path, dim: usize) -> DataSpec {
    DataSpec {
        source: DataSource::Npz {
            path: path.display().to_string(),
            x: "x_train".into(),
            y: "y_train".into(),
            test_x: "x_test".into(),
            test_y: "y_test".into(),
            test_size: 10,
        },
        ..csv_spec(path, path, dim, 2)
    }
}

/// Load `spec`; its error, whose message must name `file` and `detail`.
fn fault(spec: &DataSpec, file: &Path, detail: &str) -> DataError {
    let e = load(spec, 0).expect_err("a bad file must not load");
    let msg = e.to_string();
    assert!(msg.contains(&file.display().to_string()), "{msg}");
    assert!(msg.contains(detail), "{msg}");
    e
}

#[test]
fn csv_faults_are_runtime_codes_with_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let ok = tmp.path().join("ok.csv");
    std::fs::write(&ok, "a,b,label\n1,2,0\n3,4,1\n5,6,1\n").unwrap();
    let bad = tmp.path().join("bad.csv");
    let spec = csv_spec(&bad, &ok, 2, 2);

    std::fs::write(&bad, "a,b,label\n1,2,0\n3,4\n").unwrap();
    let e = fault(&spec, &bad, "line 3 has 2 fields");
    assert!(matches!(e, DataError::Ragged { line: 3, .. }), "{e:?}");

    std::fs::write(&bad, "a,b,label\n1,x,0\n").unwrap();
    let e = fault(
        &spec,
        &bad,
        "line 2, column `b`: `x` is not a finite number",
    );
    assert!(matches!(e, DataError::Value { .. }), "{e:?}");

    // Numbers that parse but would make every loss NaN are refused too.
    for value in ["nan", "NaN", "inf", "-inf", "1e39"] {
        std::fs::write(&bad, format!("a,b,label\n1,2,0\n{value},4,1\n")).unwrap();
        let detail = format!("line 3, column `a`: `{value}` is not a finite number");
        let e = fault(&spec, &bad, &detail);
        assert!(matches!(e, DataError::Value { .. }), "{e:?}");
    }

    // A header with only the label column leaves examples with no features.
    std::fs::write(&bad, "label\n0\n1\n").unwrap();
    let e = fault(&spec, &bad, "only the label column `label`");
    assert!(matches!(e, DataError::Shape { .. }), "{e:?}");

    std::fs::write(&bad, "a,b,label\n1,2,-1\n").unwrap();
    let e = fault(&spec, &bad, "label `-1` at line 2");
    assert!(matches!(e, DataError::Label { .. }), "{e:?}");

    std::fs::write(&bad, "a,b,label\n1,2,256\n").unwrap();
    assert!(matches!(load(&spec, 0), Err(DataError::Label { .. })));

    // A label within 0–255 but beyond the classes the plan was checked with.
    std::fs::write(&bad, "a,b,label\n1,2,0\n1,2,5\n1,2,1\n").unwrap();
    let e = fault(&spec, &bad, "the plan has 2 classes");
    assert!(matches!(e, DataError::Label { .. }), "{e:?}");

    std::fs::write(&bad, "a,b,kind\n1,2,0\n").unwrap();
    let e = fault(&spec, &bad, "no column `label` (it has: a, b, kind)");
    assert!(matches!(e, DataError::MissingName { .. }), "{e:?}");

    // A column more than the plan's input: the file changed since check.
    std::fs::write(&bad, "a,b,c,label\n1,2,3,0\n1,2,3,1\n1,2,3,1\n").unwrap();
    assert!(matches!(load(&spec, 0), Err(DataError::Shape { .. })));
}

#[test]
fn npz_faults_are_runtime_codes_naming_the_array() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.npz");
    let spec = npz_spec(&file, 3);
    let mut arrays = standard_arrays(3);

    arrays[0].1 = npy("<f2", &[40, 3], &[0u8; 240]);
    npz(&file, &arrays);
    let e = fault(&spec, &file, "dtype <f2");
    assert!(matches!(e, DataError::Dtype { .. }), "{e:?}");

    arrays = standard_arrays(3);
    arrays[1].1 = npy("<f4", &[40], &f32s(&[0.0; 40]));
    npz(&file, &arrays);
    let e = fault(&spec, &file, "integer labels");
    assert!(matches!(e, DataError::Dtype { .. }), "{e:?}");

    arrays = standard_arrays(3);
    arrays[1].1 = npy("<i8", &[39], &i64s(&[0; 39]));
    npz(&file, &arrays);
    let e = fault(
        &spec,
        &file,
        "`x_train` has 40 examples but `y_train` has 39 labels",
    );
    assert!(matches!(e, DataError::Lengths { .. }), "{e:?}");

    arrays = standard_arrays(3);
    let mut labels = vec![0i64; 40];
    labels[7] = 300;
    arrays[1].1 = npy("<i8", &[40], &i64s(&labels));
    npz(&file, &arrays);
    let e = fault(&spec, &file, "label `300` at index 7");
    assert!(matches!(e, DataError::Label { .. }), "{e:?}");

    // Values that would make every loss NaN, float32 and float64 (where
    // 1e39 fits but would become `inf` as f32), named by example and feature.
    for (descr, bytes, shown) in [
        ("<f4", f32s(&[f32::NAN]), "NaN"),
        ("<f4", f32s(&[f32::NEG_INFINITY]), "-inf"),
        ("<f8", 1e39f64.to_le_bytes().to_vec(), "1e39"),
    ] {
        let (x, _) = examples(40, 3);
        let width = bytes.len();
        let mut data: Vec<u8> = x
            .iter()
            .flat_map(|&v| match width {
                4 => v.to_le_bytes().to_vec(),
                _ => f64::from(v).to_le_bytes().to_vec(),
            })
            .collect();
        data[(7 * 3 + 2) * width..][..width].copy_from_slice(&bytes);
        arrays = standard_arrays(3);
        arrays[0].1 = npy(descr, &[40, 3], &data);
        npz(&file, &arrays);
        let detail = format!("example 7, feature 2: `{shown}` is not a finite number");
        let e = fault(&spec, &file, &detail);
        assert!(matches!(e, DataError::Value { .. }), "{e:?}");
    }

    // A zero-width feature axis: examples with nothing to learn from.
    arrays = standard_arrays(3);
    arrays[2].1 = npy("<f4", &[10, 0], &[]);
    npz(&file, &arrays);
    let e = fault(
        &spec,
        &file,
        "the shape [10, 0] holds no values per example",
    );
    assert!(matches!(e, DataError::Shape { .. }), "{e:?}");

    arrays = standard_arrays(3);
    arrays.remove(3);
    npz(&file, &arrays);
    let e = fault(
        &spec,
        &file,
        "no array `y_test` (it has: x_test, x_train, y_train)",
    );
    assert!(matches!(e, DataError::MissingName { .. }), "{e:?}");
}

#[test]
fn the_checker_reads_sizes_and_classes_from_the_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.npz");
    npz(&file, &standard_arrays(6));
    let p = regime::data::npz::probe(
        &file.display().to_string(),
        regime::data::npz::Names {
            x: "x_train",
            y: "y_train",
            test_x: "x_test",
            test_y: "y_test",
        },
    )
    .unwrap();
    assert_eq!((p.train, p.test, p.dim, p.classes), (40, 10, 6, 2));
}

/// A header whose shape multiplies past 2⁶⁴ (a damaged or hostile file) is
/// a shape error naming the shape, for the checker and for the loader: not
/// an overflow, which wrapped to a wrong number of features (0 here).
#[test]
fn a_shape_past_two_to_the_64_is_a_shape_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.npz");
    let mut arrays = standard_arrays(3);
    arrays[0].1 = npy("<f4", &[40, 1 << 32, 1 << 32], &[0u8; 64]);
    npz(&file, &arrays);
    let names = regime::data::npz::Names {
        x: "x_train",
        y: "y_train",
        test_x: "x_test",
        test_y: "y_test",
    };
    let e = regime::data::npz::probe(&file.display().to_string(), names).unwrap_err();
    assert!(matches!(e, DataError::Shape { .. }), "{e:?}");
    assert!(
        e.to_string().contains("[40, 4294967296, 4294967296]"),
        "{e}"
    );
    let e = fault(&npz_spec(&file, 3), &file, "[40, 4294967296, 4294967296]");
    assert!(matches!(e, DataError::Shape { .. }), "{e:?}");
}
