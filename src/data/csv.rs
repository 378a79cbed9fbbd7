//! `csv(...)`: a CSV file with a header row; the `label` column holds
//! integer class labels (0–255), every other column is a numeric feature.
//! [`parse`] scans the whole file, so `regime check` (through [`probe`])
//! finds ragged rows, non-numbers and bad labels before a run does.

use super::{read_hashed, DataError, FileHash};

/// One parsed CSV: features row-major, labels, and the sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub x: Vec<f32>,
    pub y: Vec<u8>,
    /// Feature columns (every column but the label).
    pub dim: usize,
    pub n: usize,
}

impl Table {
    /// The largest label plus one.
    pub fn classes(&self) -> usize {
        self.y.iter().map(|&l| l as usize + 1).max().unwrap_or(0)
    }
}

/// Parse CSV `bytes` (named `path` in errors): header, then one example a row.
pub fn parse(path: &str, bytes: &[u8], label: &str) -> Result<Table, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| corrupt(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let Some(li) = header.iter().position(|h| h == label) else {
        return Err(DataError::MissingName {
            path: path.to_string(),
            what: "column".into(),
            name: label.to_string(),
            known: header.join(", "),
        });
    };
    let dim = header.len() - 1;
    if dim == 0 {
        return Err(DataError::Shape {
            path: path.to_string(),
            message: format!(
                "the header has only the label column `{label}`, so an example has no features (are the columns separated by commas?)"
            ),
        });
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.map_err(|e| corrupt(path, e))?;
        // Lines as a text editor counts them: the header is line 1.
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(DataError::Ragged {
                path: path.to_string(),
                line,
                found: record.len(),
                expected: header.len(),
            });
        }
        for (i, field) in record.iter().enumerate() {
            let field = field.trim();
            if i == li {
                y.push(label_value(path, line, field)?);
            } else {
                // `nan`, `inf` and values past f32 (`1e39`) parse, but one
                // such feature turns every loss and gradient into NaN.
                let v = field.parse::<f32>().ok().filter(|v| v.is_finite());
                let v = v.ok_or_else(|| DataError::Value {
                    path: path.to_string(),
                    at: format!("line {line}, column `{}`", header[i]),
                    value: field.to_string(),
                })?;
                x.push(v);
            }
        }
    }
    Ok(Table {
        n: y.len(),
        x,
        y,
        dim,
    })
}

/// A label: a whole number in 0..=255 (`3` and `3.0` both count).
fn label_value(path: &str, line: u64, field: &str) -> Result<u8, DataError> {
    let whole = field
        .parse::<i64>()
        .ok()
        .or_else(|| {
            field
                .parse::<f64>()
                .ok()
                .filter(|v| v.fract() == 0.0 && v.abs() < 1e15)
                .map(|v| v as i64)
        })
        .and_then(|v| u8::try_from(v).ok());
    whole.ok_or_else(|| DataError::Label {
        path: path.to_string(),
        at: format!("line {line}"),
        value: field.to_string(),
    })
}

fn corrupt(path: &str, e: csv::Error) -> DataError {
    let offset = e.position().map_or(0, |p| p.byte());
    DataError::Corrupt {
        path: path.to_string(),
        offset,
        message: format!("not readable as CSV: {e}"),
    }
}

/// The whole file parsed, without hashing (check time).
pub fn probe(path: &str, label: &str) -> Result<Table, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::Io {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    parse(path, &bytes, label)
}

/// The file read, hashed into `files`, and parsed (run time).
pub(super) fn load(path: &str, label: &str, files: &mut Vec<FileHash>) -> Result<Table, DataError> {
    let bytes = read_hashed(path, files)?;
    parse(path, &bytes, label)
}
