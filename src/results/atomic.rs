//! The one way regime writes a file: atomically, never through a symlink,
//! and never leaving a half-written file or a temporary behind.
//!
//! A write creates a temporary beside the target with a unique name
//! (`O_CREAT | O_EXCL | O_NOFOLLOW`, so a planted file or symlink at that name
//! is never opened), writes and fsyncs it, renames it over the target (a
//! rename replaces a symlink at the target itself, never what it points to)
//! and fsyncs the directory. On any error the temporary is removed, the
//! target keeps its previous content, and the error names the target file.

use super::ResultsError;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporaries made by one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name no other writer (process or thread) uses.
fn temp_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let unique = format!("{}-{n}-{nanos:x}", std::process::id());
    target.with_file_name(format!(".{name}.tmp-{unique}"))
}

/// Fails when `dir` (or any directory between `root` and it) is a symlink or
/// not a directory, so nothing regime writes under a results directory
/// escapes it. Missing directories are created.
pub fn ensure_real_dir(root: &Path, dir: &Path) -> Result<(), ResultsError> {
    let rel = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let mut at = root.to_path_buf();
    let parts = std::iter::once(None).chain(rel.components().map(Some));
    for part in parts {
        if let Some(p) = part {
            at.push(p);
        }
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(ResultsError::Symlink {
                    path: at.display().to_string(),
                })
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(ResultsError::write(
                    &at,
                    std::io::Error::other("exists and is not a directory"),
                ))
            }
            Err(_) => std::fs::create_dir(&at).or_else(|e| {
                // Another thread may have made it in between.
                if e.kind() == std::io::ErrorKind::AlreadyExists && at.is_dir() {
                    Ok(())
                } else {
                    Err(ResultsError::write(&at, e))
                }
            })?,
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (see the module doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    write_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`], with the content produced by `fill` (e.g. a plot
/// backend writing into the file).
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), ResultsError> {
    let err = |source| ResultsError::write(path, source);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    if let Ok(m) = std::fs::symlink_metadata(dir) {
        if m.file_type().is_symlink() {
            return Err(ResultsError::Symlink {
                path: dir.display().to_string(),
            });
        }
    }
    let tmp = temp_name(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(err)?;
    let written = fill(&mut file)
        .and_then(|()| file.flush())
        .and_then(|()| file.sync_all());
    drop(file);
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    // The rename is durable once the directory is.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes temporaries a killed writer left in `dir` (names `.X.tmp-…`).
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(".tmp-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes a file the user named (`compare --csv`, `bench --out`). A regular
/// file, new or old, is written atomically, through a symlink to it (the
/// link stays a link). Anything else that can be written — a device such as
/// `/dev/null`, `/dev/stdout`, a fifo — is written through: renaming a file
/// over it would destroy it (`--csv /dev/null` replaced the device).
pub fn write_user_file(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| ResultsError::write(path, e)),
        Ok(m) if m.is_file() => {
            let target = path
                .canonicalize()
                .map_err(|e| ResultsError::write(path, e))?;
            write_atomic(&target, bytes)
        }
        _ => write_atomic(path, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_symlink_at_the_temporary_or_target_is_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let target = tmp.path().join("out.txt");
        // A symlink at the target: replaced, the victim untouched.
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&target)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // Temporary names are unpredictable: two writes never share one.
        assert_ne!(temp_name(&target), temp_name(&target));
    }

    #[test]
    fn a_failing_writer_leaves_the_old_file_and_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("summary.csv");
        write_atomic(&target, b"old").unwrap();
        let e = write_with(&target, |f| {
            f.write_all(b"partial")?;
            Err(std::io::Error::other("No space left on device"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("summary.csv"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "a temporary was left behind");
    }

    #[test]
    fn a_symlinked_directory_inside_the_results_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("r");
        std::fs::create_dir(&root).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("plots")).unwrap();
        assert!(matches!(
            ensure_real_dir(&root, &root.join("plots")),
            Err(ResultsError::Symlink { .. })
        ));
        ensure_real_dir(&root, &root.join("trials")).unwrap();
        assert!(root.join("trials").is_dir());
    }

    #[test]
    fn a_file_the_user_names_is_written_through_a_fifo_and_a_symlink() {
        use std::os::unix::fs::FileTypeExt;
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("pipe");
        crate::results::tests::fifo_at(&fifo);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        super::write_user_file(&fifo, b"a,b\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"a,b\n");
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());

        let target = tmp.path().join("table.csv");
        std::fs::write(&target, "old").unwrap();
        let link = tmp.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        super::write_user_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let fresh = tmp.path().join("fresh.csv");
        super::write_user_file(&fresh, b"x").unwrap();
        assert_eq!(std::fs::read(&fresh).unwrap(), b"x");
    }
}
