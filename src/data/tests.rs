//! Loader tests on files written here in the exact formats, corrupted
//! variants included, plus split, subset and normalisation.

use super::*;
use crate::plan::Normalize;
use std::io::Write;

fn idx_bytes(dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(body);
    v
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Four IDX files of `n` train / `m` test 4×4 images in `dir`.
fn write_fmnist(dir: &std::path::Path, n: u32, m: u32, gzip: bool) {
    let files = [
        (
            "train-images-idx3-ubyte",
            idx_bytes(&[n, 4, 4], &vec![7u8; (n * 16) as usize]),
        ),
        (
            "train-labels-idx1-ubyte",
            idx_bytes(&[n], &(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>()),
        ),
        (
            "t10k-images-idx3-ubyte",
            idx_bytes(&[m, 4, 4], &vec![9u8; (m * 16) as usize]),
        ),
        (
            "t10k-labels-idx1-ubyte",
            idx_bytes(&[m], &(0..m).map(|i| (i % 10) as u8).collect::<Vec<_>>()),
        ),
    ];
    for (name, bytes) in files {
        if gzip {
            std::fs::write(dir.join(format!("{name}.gz")), gz(&bytes)).unwrap();
        } else {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}

fn spec(
    source: DataSource,
    input: Shape,
    val: usize,
    subset: Option<usize>,
    normalize: Normalize,
) -> DataSpec {
    DataSpec {
        name: "d".into(),
        source,
        val,
        subset,
        normalize,
        input,
        classes: 10,
        train_size: 0,
    }
}

fn gray(h: usize, w: usize) -> Shape {
    Shape {
        channels: 1,
        height: h,
        width: w,
    }
}

#[test]
fn idx_files_load_raw_and_gzipped_from_an_explicit_path() {
    for gzip in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        write_fmnist(dir.path(), 30, 10, gzip);
        let p = dir.path().to_str().unwrap().to_string();
        let s = spec(
            DataSource::FashionMnist {
                path: Some(p.clone()),
            },
            gray(4, 4),
            5,
            None,
            Normalize::None,
        );
        let d = load(&s, 1).unwrap();
        assert_eq!((d.train.n, d.val.n, d.test.n, d.train.dim), (25, 5, 10, 16));
        assert_eq!(d.origin, p);
        assert!(
            d.train.features().iter().all(|&v| v == 7.0)
                && d.test.features().iter().all(|&v| v == 9.0)
        );
        let s = spec(
            DataSource::Mnist { path: p },
            gray(4, 4),
            0,
            None,
            Normalize::Unit,
        );
        let d = load(&s, 1).unwrap();
        assert!((d.train.features()[0] - 7.0 / 255.0).abs() < 1e-7);
    }
}

#[test]
fn explicit_path_without_files_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(
        DataSource::FashionMnist {
            path: Some(dir.path().to_str().unwrap().into()),
        },
        gray(28, 28),
        0,
        None,
        Normalize::None,
    );
    let e = load(&s, 0).unwrap_err();
    assert!(matches!(e, DataError::NotFound { .. }), "{e}");
}

#[test]
fn bundled_sample_is_stratified_and_well_formed() {
    let (ti, tl, si, sl) = sample::FILES;
    let raw = idx_raw(("ti", ti), ("tl", tl), ("si", si), ("sl", sl)).unwrap();
    assert_eq!((raw.train_y.len(), raw.test_y.len()), (5000, 1000));
    for c in 0..10u8 {
        assert_eq!(raw.train_y.iter().filter(|&&y| y == c).count(), 500);
        assert_eq!(raw.test_y.iter().filter(|&&y| y == c).count(), 100);
    }
    assert_eq!(raw.input, gray(28, 28));
}

fn parse_err(bytes: &[u8], ndim: u8) -> DataError {
    idx::parse("f", bytes.to_vec(), ndim).unwrap_err()
}

#[test]
fn corrupt_idx_files_name_the_byte_offset() {
    let good = idx_bytes(&[3, 2, 2], &[1; 12]);
    assert!(idx::parse("f", good.clone(), 3).is_ok());
    // Wrong magic.
    let mut bad = good.clone();
    bad[2] = 0x0d;
    assert!(matches!(
        parse_err(&bad, 3),
        DataError::BadMagic { offset: 0, .. }
    ));
    // A label file where images are expected (ndim 1 ≠ 3).
    assert!(matches!(
        parse_err(&idx_bytes(&[3], &[1, 2, 3]), 3),
        DataError::BadMagic { .. }
    ));
    // Truncated body, header, and magic.
    assert!(matches!(
        parse_err(&good[..20], 3),
        DataError::Truncated {
            offset: 20,
            expected: 28,
            ..
        }
    ));
    assert!(matches!(
        parse_err(&good[..9], 3),
        DataError::Truncated { offset: 9, .. }
    ));
    assert!(matches!(
        parse_err(&good[..2], 3),
        DataError::Truncated { offset: 2, .. }
    ));
    // Trailing garbage.
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        parse_err(&long, 3),
        DataError::Corrupt { offset: 28, .. }
    ));
    // Count mismatch between images and labels.
    let labels = idx_bytes(&[4], &[0, 1, 2, 3]);
    let e = idx::load_pair("img", good.clone(), "lab", labels, 10).unwrap_err();
    assert!(
        matches!(
            e,
            DataError::CountMismatch {
                offset: 4,
                label_count: 4,
                image_count: 3,
                ..
            }
        ),
        "{e}"
    );
    // Out-of-range label.
    let labels = idx_bytes(&[3], &[0, 12, 2]);
    let e = idx::load_pair("img", good.clone(), "lab", labels, 10).unwrap_err();
    assert!(matches!(e, DataError::Corrupt { offset: 9, .. }), "{e}");
    // Corrupt gzip stream.
    let mut z = gz(&good);
    let cut = z.len() - 6;
    z.truncate(cut);
    assert!(matches!(
        idx::gunzip_if_needed("f.gz", z),
        Err(DataError::Gzip { .. })
    ));
}

/// A header whose dimensions multiply past 2⁶⁴ (a damaged or hostile file)
/// is a truncation naming what it promises, not an overflow.
#[test]
fn dimensions_past_two_to_the_64_are_a_truncation() {
    let huge = idx_bytes(&[u32::MAX, u32::MAX, u32::MAX], &[]);
    assert!(matches!(
        parse_err(&huge, 3),
        DataError::Truncated {
            offset: 16,
            expected: u64::MAX,
            found: 16,
            ..
        }
    ));
}

#[test]
fn corrupt_file_on_disk_reports_its_path() {
    let dir = tempfile::tempdir().unwrap();
    write_fmnist(dir.path(), 30, 10, false);
    let p = dir.path().join("t10k-labels-idx1-ubyte");
    std::fs::write(&p, idx_bytes(&[11], &[0; 11])).unwrap();
    let s = spec(
        DataSource::Mnist {
            path: dir.path().to_str().unwrap().into(),
        },
        gray(4, 4),
        0,
        None,
        Normalize::None,
    );
    let e = load(&s, 0).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("t10k-labels-idx1-ubyte") && msg.contains("byte 4"),
        "{msg}"
    );
    let code = miette::Diagnostic::code(&e).unwrap().to_string();
    assert_eq!(code, "regime::data_count_mismatch");
}

fn cifar_records(n: usize, label: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(label(i));
        v.extend((0..3072).map(|j| ((i + j) % 256) as u8));
    }
    v
}

#[test]
fn cifar_loader_reads_records_and_rejects_bad_sizes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("data_batch_1.bin"),
        cifar_records(6, |i| (i % 10) as u8),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("data_batch_2.bin"),
        cifar_records(4, |i| (9 - i) as u8),
    )
    .unwrap();
    std::fs::write(dir.path().join("test_batch.bin"), cifar_records(3, |_| 5)).unwrap();
    let input = Shape {
        channels: 3,
        height: 32,
        width: 32,
    };
    let p = dir.path().to_str().unwrap().to_string();
    let s = spec(
        DataSource::Cifar10 { path: p.clone() },
        input,
        2,
        None,
        Normalize::Standardize,
    );
    let d = load(&s, 3).unwrap();
    assert_eq!((d.train.n, d.val.n, d.test.n, d.train.dim), (8, 2, 3, 3072));
    assert_eq!(d.test.y, vec![5, 5, 5]);
    // Per-channel standardisation: each training channel has mean 0, std 1.
    for c in 0..3 {
        let vals: Vec<f64> = d
            .train
            .features()
            .chunks(3072)
            .flat_map(|r| r[c * 1024..(c + 1) * 1024].iter().map(|&v| v as f64))
            .collect();
        let m = vals.iter().sum::<f64>() / vals.len() as f64;
        let sd = (vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / vals.len() as f64).sqrt();
        assert!(
            m.abs() < 1e-4 && (sd - 1.0).abs() < 1e-3,
            "channel {c}: {m} {sd}"
        );
    }
    // A record cut short.
    let mut short = cifar_records(2, |_| 1);
    short.truncate(3073 + 100);
    std::fs::write(dir.path().join("data_batch_2.bin"), &short).unwrap();
    let e = load(&s, 3).unwrap_err();
    assert!(matches!(e, DataError::Corrupt { offset: 3073, .. }), "{e}");
    assert!(e.to_string().contains("data_batch_2.bin"));
    // A bad label.
    std::fs::write(
        dir.path().join("data_batch_2.bin"),
        cifar_records(2, |i| if i == 1 { 200 } else { 0 }),
    )
    .unwrap();
    assert!(matches!(
        load(&s, 3).unwrap_err(),
        DataError::Corrupt { offset: 3073, .. }
    ));
    // No batches at all.
    let empty = tempfile::tempdir().unwrap();
    let s = spec(
        DataSource::Cifar10 {
            path: empty.path().to_str().unwrap().into(),
        },
        input,
        0,
        None,
        Normalize::None,
    );
    assert!(matches!(
        load(&s, 0).unwrap_err(),
        DataError::NotFound { .. }
    ));
}

#[test]
fn split_is_deterministic_by_seed_and_subset_applies() {
    let src = DataSource::Synthetic {
        train: 200,
        test: 20,
        dim: 5,
        classes: 3,
        seed: 1,
    };
    let s = spec(src.clone(), gray(1, 5), 30, Some(100), Normalize::None);
    let a = load(&s, 7).unwrap();
    let b = load(&s, 7).unwrap();
    let c = load(&s, 8).unwrap();
    assert_eq!((a.train.n, a.val.n, a.test.n), (100, 30, 20));
    assert_eq!(a.train.features(), b.train.features());
    assert_eq!(a.val.y, b.val.y);
    assert_ne!(a.val.features(), c.val.features());
    // Val too large is an error, not a panic.
    let s = spec(src, gray(1, 5), 200, None, Normalize::None);
    assert!(matches!(load(&s, 0).unwrap_err(), DataError::Split { .. }));
}

#[test]
fn mean_image_normalisations() {
    let dir = tempfile::tempdir().unwrap();
    write_fmnist(dir.path(), 20, 5, true);
    let p = dir.path().to_str().unwrap().to_string();
    // Constant images: the mean image is the image, so training becomes 0 and
    // the test set becomes (9 − 7) in raw units or that over 255.
    let s = spec(
        DataSource::Mnist { path: p.clone() },
        gray(4, 4),
        2,
        None,
        Normalize::RawMeanImage,
    );
    let d = load(&s, 0).unwrap();
    assert!(
        d.train.features().iter().all(|&v| v == 0.0) && d.test.features().iter().all(|&v| v == 2.0)
    );
    let s = spec(
        DataSource::Mnist { path: p.clone() },
        gray(4, 4),
        2,
        None,
        Normalize::MeanImage,
    );
    let d = load(&s, 0).unwrap();
    assert!(d
        .test
        .features()
        .iter()
        .all(|&v| (v - 2.0 / 255.0).abs() < 1e-6));
    // A declared shape that does not match the files.
    let s = spec(
        DataSource::Mnist { path: p },
        gray(28, 28),
        2,
        None,
        Normalize::None,
    );
    assert!(matches!(load(&s, 0).unwrap_err(), DataError::Split { .. }));
}

#[test]
fn synthetic_source_is_learnable_and_seeded() {
    let src = DataSource::Synthetic {
        train: 100,
        test: 10,
        dim: 8,
        classes: 4,
        seed: 3,
    };
    let s = spec(src, gray(1, 8), 10, None, Normalize::None);
    let d = load(&s, 0).unwrap();
    assert_eq!(d.classes, 10); // the spec's class count wins when larger
    assert!(d.train.y.iter().all(|&y| y < 4));
    let distinct: std::collections::BTreeSet<u8> = d.train.y.iter().copied().collect();
    assert!(distinct.len() > 1);
}

#[test]
fn fashion_mnist_resolution_order() {
    let explicit = tempfile::tempdir().unwrap();
    let env = tempfile::tempdir().unwrap();
    let system = tempfile::tempdir().unwrap();
    write_fmnist(explicit.path(), 11, 3, true);
    std::fs::create_dir(env.path().join("fashion-mnist")).unwrap();
    write_fmnist(&env.path().join("fashion-mnist"), 12, 3, false);
    write_fmnist(system.path(), 13, 3, true);
    let s = |p: &tempfile::TempDir| p.path().to_str().unwrap().to_string();
    let n = |r: Raw| r.train_y.len();
    // An explicit path wins, then $REGIME_DATA (or its fashion-mnist/), then
    // the system directory, then the bundled sample.
    let r = resolve_fashion_mnist(Some(&s(&explicit)), Some(&s(&env)), &s(&system)).unwrap();
    assert_eq!((r.origin.clone(), n(r)), (s(&explicit), 11));
    let r = resolve_fashion_mnist(None, Some(&s(&env)), &s(&system)).unwrap();
    assert_eq!(n(r), 12);
    let r = resolve_fashion_mnist(None, None, &s(&system)).unwrap();
    assert_eq!(n(r), 13);
    let r = resolve_fashion_mnist(None, None, "/nonexistent").unwrap();
    assert!(r.origin.starts_with("bundled"), "{}", r.origin);
    assert_eq!(n(r), 5000);
    // An empty $REGIME_DATA counts as unset.
    let r = resolve_fashion_mnist(None, Some(""), &s(&system)).unwrap();
    assert_eq!(n(r), 13);
    // An explicit path that holds nothing is an error, not a silent fallback.
    let empty = tempfile::tempdir().unwrap();
    assert!(resolve_fashion_mnist(Some(&s(&empty)), None, &s(&system)).is_err());
}

#[test]
fn shared_loads_are_cached_per_spec_and_seed() {
    let src = DataSource::Synthetic {
        train: 50,
        test: 5,
        dim: 4,
        classes: 2,
        seed: 11,
    };
    let s = spec(src, gray(1, 4), 5, None, Normalize::None);
    let a = load_shared(&s, 1).unwrap();
    let b = load_shared(&s, 1).unwrap();
    let c = load_shared(&s, 2).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    assert!(!std::sync::Arc::ptr_eq(&a, &c));
}

#[test]
fn a_regime_data_without_the_files_is_an_error_naming_the_variable_and_file() {
    let system = tempfile::tempdir().unwrap();
    write_fmnist(system.path(), 13, 3, true);
    let system = system.path().to_str().unwrap();
    // Pointing at nothing: no fall-back to the system directory or the sample.
    let err = |env: Option<&str>| match resolve_fashion_mnist(None, env, system) {
        Ok(r) => panic!("loaded {}", r.origin),
        Err(e) => e,
    };
    let e = err(Some("/nonexistent/fm"));
    let text = e.to_string();
    assert!(matches!(e, DataError::EnvMissing { .. }), "{e:?}");
    assert!(text.contains("$REGIME_DATA"), "{text}");
    assert!(
        text.contains("/nonexistent/fm (no such directory)"),
        "{text}"
    );
    // A folder missing one file: that file is named.
    let env = tempfile::tempdir().unwrap();
    write_fmnist(env.path(), 12, 3, false);
    std::fs::remove_file(env.path().join("t10k-labels-idx1-ubyte")).unwrap();
    let e = err(env.path().to_str());
    let text = e.to_string();
    assert!(text.contains("$REGIME_DATA"), "{text}");
    assert!(text.contains("t10k-labels-idx1-ubyte"), "{text}");
    assert!(!text.contains("train-images"), "{text}");
    // Its fashion-mnist/ subdirectory, when there is one, is what is described.
    std::fs::create_dir(env.path().join("fashion-mnist")).unwrap();
    let e = err(env.path().to_str());
    assert!(
        e.to_string()
            .contains("fashion-mnist/train-images-idx3-ubyte"),
        "{e}"
    );
}

#[test]
fn test_images_of_another_size_are_a_shape_error() {
    let dir = tempfile::tempdir().unwrap();
    write_fmnist(dir.path(), 30, 10, false);
    std::fs::write(
        dir.path().join("t10k-images-idx3-ubyte"),
        idx_bytes(&[10, 5, 5], &[9u8; 250]),
    )
    .unwrap();
    let s = spec(
        DataSource::FashionMnist {
            path: Some(dir.path().to_str().unwrap().into()),
        },
        gray(4, 4),
        5,
        None,
        Normalize::None,
    );
    let e = load(&s, 0).unwrap_err();
    assert!(matches!(e, DataError::Shape { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("test images are 5×5 but training images are 4×4"),
        "{e}"
    );
}
