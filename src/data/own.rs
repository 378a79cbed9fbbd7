//! Raw examples from a user's own files (`npz(...)`, `csv(...)`), shaped
//! as the plan says and checked against it: the plan's shape and classes
//! were read from the files at check time, and the files may have changed.

use super::split::Features;
use super::{csv, npz, DataError, FileHash, Raw};
use crate::plan::DataSpec;

/// `npz(...)`: every array read and hashed.
pub(super) fn npz_raw(spec: &DataSpec, path: &str, names: npz::Names) -> Result<Raw, DataError> {
    let mut files = Vec::new();
    let a = npz::load(path, names, &mut files)?;
    own_raw(
        spec,
        path,
        [a.dim, a.dim],
        (a.train_x, a.train_y),
        (a.test_x, a.test_y),
        files,
    )
}

/// `csv(...)`: both files read and hashed.
pub(super) fn csv_raw(
    spec: &DataSpec,
    path: &str,
    label: &str,
    test_path: &str,
) -> Result<Raw, DataError> {
    let mut files = Vec::new();
    let train = csv::load(path, label, &mut files)?;
    let test = csv::load(test_path, label, &mut files)?;
    let origin = format!("{path} + {test_path}");
    own_raw(
        spec,
        &origin,
        [train.dim, test.dim],
        (Features::Floats(train.x), train.y),
        (Features::Floats(test.x), test.y),
        files,
    )
}

/// Raw examples of a user's own files, shaped as the plan says (`shape:` or
/// one row of features). A label the plan has no class for means the file
/// changed since `regime check` counted them.
fn own_raw(
    spec: &DataSpec,
    origin: &str,
    dims: [usize; 2],
    train: (Features, Vec<u8>),
    test: (Features, Vec<u8>),
    files: Vec<FileHash>,
) -> Result<Raw, DataError> {
    if let Some(&d) = dims.iter().find(|&&d| d != spec.input.size()) {
        return Err(DataError::Shape {
            path: origin.to_string(),
            message: format!(
                "{d} features per example, but the plan expects {} (the file changed since `regime check`?)",
                spec.input.size()
            ),
        });
    }
    let labels = train.1.iter().chain(&test.1);
    if let Some((i, &l)) = labels
        .enumerate()
        .find(|(_, &l)| l as usize >= spec.classes)
    {
        return Err(DataError::Label {
            path: origin.to_string(),
            at: format!("example {i} (train, then test)"),
            value: format!(
                "{l} (the plan has {} classes; check the file again)",
                spec.classes
            ),
        });
    }
    Ok(Raw {
        train_x: train.0,
        train_y: train.1,
        test_x: test.0,
        test_y: test.1,
        input: spec.input,
        classes: spec.classes,
        origin: origin.to_string(),
        files,
    })
}
