//! CIFAR-10 binary format: records of 3073 bytes (one label byte, then 3×32×32
//! pixels, channel-major) in `data_batch_1..5.bin` and `test_batch.bin`.

use super::error::DataError;

pub const RECORD: usize = 1 + 3 * 32 * 32;

/// Parse one batch file; appends pixels and labels. Errors name the byte offset.
pub fn parse_into(
    path: &str,
    bytes: &[u8],
    pixels: &mut Vec<u8>,
    labels: &mut Vec<u8>,
) -> Result<(), DataError> {
    if bytes.is_empty() {
        return Err(DataError::Truncated {
            path: path.into(),
            offset: 0,
            expected: RECORD as u64,
            found: 0,
        });
    }
    let whole = bytes.len() / RECORD;
    let rest = bytes.len() % RECORD;
    if rest != 0 {
        return Err(DataError::Corrupt {
            path: path.into(),
            offset: (whole * RECORD) as u64,
            message: format!(
                "file size {} is not a multiple of the {RECORD}-byte CIFAR-10 record: the last record has {rest} bytes",
                bytes.len()
            ),
        });
    }
    pixels.reserve(whole * (RECORD - 1));
    labels.reserve(whole);
    for (i, rec) in bytes.chunks_exact(RECORD).enumerate() {
        if rec[0] > 9 {
            return Err(DataError::Corrupt {
                path: path.into(),
                offset: (i * RECORD) as u64,
                message: format!("record {i} has label {} (CIFAR-10 labels are 0–9)", rec[0]),
            });
        }
        labels.push(rec[0]);
        pixels.extend_from_slice(&rec[1..]);
    }
    Ok(())
}
