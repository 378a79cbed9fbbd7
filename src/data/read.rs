//! Reading a data file once: its bytes stream through SHA-256 (for the
//! provenance) and, when it is gzipped, straight into the decompressor, so a
//! file is never held compressed and decompressed at once, and the
//! decompressed buffer is allocated once at its final size (the gzip
//! trailer's ISIZE). Page faults on fresh buffers were a quarter of a
//! trial's start-up on full Fashion-MNIST.

use super::error::DataError;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::os::unix::fs::FileExt;

/// A data file as read: its path, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

impl FileHash {
    pub(super) fn of(path: &str, bytes: &[u8]) -> FileHash {
        FileHash::from_digest(path, Sha256::digest(bytes).as_slice(), bytes.len() as u64)
    }

    fn from_digest(path: &str, digest: &[u8], bytes: u64) -> FileHash {
        FileHash {
            path: path.to_string(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            bytes,
        }
    }
}

/// A reader that hashes what passes through it and remembers a read error
/// (so a failing disk is told apart from a corrupt gzip stream).
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    failed: Option<String>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.bytes += n as u64;
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.failed = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

/// Read chunk: large enough that per-call costs vanish, small enough to stay in L2.
const CHUNK: usize = 256 << 10;
/// Largest capacity taken on a trailer's word (deflate expands at most ~1032×).
const MAX_HINT: u64 = 1 << 32;

/// An empty buffer with room for `hint` bytes (at most [`MAX_HINT`]) when
/// they can be had. The hint is only the file's word: a truncated gzip
/// file's last four bytes are stream data read as ISIZE, and sizing by
/// them under `ulimit -v` aborted the process before the truncation was
/// found; without the room the buffer grows as it is read.
fn reserved(hint: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = out.try_reserve_exact(hint.min(MAX_HINT) as usize);
    out
}

/// Reads a (maybe gzipped) data file, noting its hash in `files`.
pub(super) fn read_hashed(path: &str, files: &mut Vec<FileHash>) -> Result<Vec<u8>, DataError> {
    let io_err = |message: String| DataError::Io {
        path: path.to_string(),
        message,
    };
    let file = File::open(path).map_err(|e| io_err(e.to_string()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut magic = [0u8; 2];
    let gz = len >= 2 && file.read_exact_at(&mut magic, 0).is_ok() && magic == [0x1f, 0x8b];
    let mut reader = BufReader::with_capacity(
        CHUNK,
        Hashing {
            inner: file,
            hasher: Sha256::new(),
            bytes: 0,
            failed: None,
        },
    );
    let out = if gz {
        let mut trailer = [0u8; 4];
        // The smallest gzip member is 18 bytes; its last four hold ISIZE.
        let at_end = len >= 18
            && reader
                .get_ref()
                .inner
                .read_exact_at(&mut trailer, len - 4)
                .is_ok();
        let hint = if at_end {
            (u32::from_le_bytes(trailer) as u64).min(len.saturating_mul(1032))
        } else {
            len.saturating_mul(4)
        };
        let mut out = reserved(hint);
        let decoded = flate2::bufread::MultiGzDecoder::new(&mut reader).read_to_end(&mut out);
        if let Err(e) = decoded {
            return Err(match reader.get_mut().failed.take() {
                Some(m) => io_err(m),
                None => DataError::Gzip {
                    path: path.to_string(),
                    offset: out.len() as u64,
                    message: e.to_string(),
                },
            });
        }
        // Whatever follows the last member is part of the file's hash too.
        io::copy(&mut reader, &mut io::sink()).map_err(|e| io_err(e.to_string()))?;
        out
    } else {
        let mut out = reserved(len);
        reader
            .read_to_end(&mut out)
            .map_err(|e| io_err(e.to_string()))?;
        out
    };
    let h = reader.into_inner();
    files.push(FileHash::from_digest(
        path,
        h.hasher.finalize().as_slice(),
        h.bytes,
    ));
    Ok(out)
}
