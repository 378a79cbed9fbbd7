//! IDX files (MNIST, Fashion-MNIST): `00 00 08 ndim`, big-endian u32 dims, then
//! unsigned bytes. Gzipped or raw; every malformation is a `DataError` naming
//! the byte offset (in the decompressed stream for `.gz` files).

use super::error::DataError;
use std::io::Read;

/// A decoded unsigned-byte IDX tensor.
#[derive(Debug, Clone)]
pub struct Idx {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// Gunzip `raw` if it is a gzip stream (magic 1f 8b), else return it as is.
pub fn gunzip_if_needed(path: &str, raw: Vec<u8>) -> Result<Vec<u8>, DataError> {
    if raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
        let mut out = Vec::with_capacity(raw.len() * 4);
        let mut dec = flate2::read::MultiGzDecoder::new(&raw[..]);
        if let Err(e) = dec.read_to_end(&mut out) {
            return Err(DataError::Gzip {
                path: path.to_string(),
                offset: out.len() as u64,
                message: e.to_string(),
            });
        }
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parse IDX bytes; `want_ndim` is 3 for images and 1 for labels. The data
/// stays in `bytes` (the header is cut off in place, not copied out).
pub fn parse(path: &str, mut bytes: Vec<u8>, want_ndim: u8) -> Result<Idx, DataError> {
    if bytes.len() < 4 {
        return Err(DataError::Truncated {
            path: path.into(),
            offset: bytes.len() as u64,
            expected: 4,
            found: bytes.len() as u64,
        });
    }
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != want_ndim {
        return Err(DataError::BadMagic {
            path: path.into(),
            offset: 0,
            expected: format!("00 00 08 {want_ndim:02x}"),
            found: format!(
                "{:02x} {:02x} {:02x} {:02x}",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
        });
    }
    let ndim = want_ndim as usize;
    let header = 4 + 4 * ndim;
    if bytes.len() < header {
        return Err(DataError::Truncated {
            path: path.into(),
            offset: bytes.len() as u64,
            expected: header as u64,
            found: bytes.len() as u64,
        });
    }
    let mut dims = Vec::with_capacity(ndim);
    let mut total: u64 = 1;
    for k in 0..ndim {
        let o = 4 + 4 * k;
        let d = u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        if d == 0 {
            return Err(DataError::Corrupt {
                path: path.into(),
                offset: o as u64,
                message: format!("dimension {k} is zero"),
            });
        }
        dims.push(d as usize);
        total = total.saturating_mul(d as u64);
    }
    // Saturating like `total`: dimensions past 2⁶⁴ bytes are a truncation.
    let expected = (header as u64).saturating_add(total);
    let found = bytes.len() as u64;
    if found < expected {
        return Err(DataError::Truncated {
            path: path.into(),
            offset: found,
            expected,
            found,
        });
    }
    if found > expected {
        return Err(DataError::Corrupt {
            path: path.into(),
            offset: expected,
            message: format!("{} unexpected bytes after the data", found - expected),
        });
    }
    bytes.drain(..header);
    Ok(Idx { dims, data: bytes })
}

/// Pixels, labels, count, height, width.
pub type Pair = (Vec<u8>, Vec<u8>, usize, usize, usize);

/// Load an image file and its label file, checking that they agree.
pub fn load_pair(
    images_path: &str,
    images_bytes: Vec<u8>,
    labels_path: &str,
    labels_bytes: Vec<u8>,
    classes: usize,
) -> Result<Pair, DataError> {
    let images = parse(images_path, images_bytes, 3)?;
    let labels = parse(labels_path, labels_bytes, 1)?;
    if labels.dims[0] != images.dims[0] {
        return Err(DataError::CountMismatch {
            labels: labels_path.into(),
            images: images_path.into(),
            offset: 4,
            label_count: labels.dims[0] as u64,
            image_count: images.dims[0] as u64,
        });
    }
    if let Some(pos) = labels.data.iter().position(|&l| l as usize >= classes) {
        return Err(DataError::Corrupt {
            path: labels_path.into(),
            offset: 8 + pos as u64,
            message: format!(
                "label {} is out of range for {classes} classes",
                labels.data[pos]
            ),
        });
    }
    Ok((
        images.data,
        labels.data,
        images.dims[0],
        images.dims[1],
        images.dims[2],
    ))
}
