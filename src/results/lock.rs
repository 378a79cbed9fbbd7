//! Who may write into a results directory. A local run (or resume) holds an
//! exclusive lock on `DIR/.lock` for its whole life; Slurm array tasks hold it
//! shared, and each claims its trial by creating `claims/<id>` exclusively,
//! so no trial ever runs twice into one directory. The lock file names its
//! holder, so a refused process can say who has the directory.

use super::ResultsError;
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// A held lock on a results directory; released when dropped (or when the
/// process dies, however it dies).
#[derive(Debug)]
pub struct DirLock {
    _file: std::fs::File,
}

/// `host:pid` of this process, as written into lock and claim files.
pub fn holder() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let host = if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "unknown-host".into()
    };
    format!("{host}:{}", std::process::id())
}

/// Takes the lock of `root`: exclusive for a run, shared for an array task.
/// Fails (after at most [`LOCK_GRACE`]) when another process holds it.
pub fn lock_dir(root: &Path, exclusive: bool) -> Result<DirLock, ResultsError> {
    let path = root.join(".lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags_nofollow()
        .open(&path)
        .map_err(|source| ResultsError::write(&path, source))?;
    let mode = if exclusive {
        libc::LOCK_EX
    } else {
        libc::LOCK_SH
    };
    if !try_flock(&file, mode) {
        let mut who = String::new();
        let _ = file.read_to_string(&mut who);
        return Err(ResultsError::Locked {
            dir: root.display().to_string(),
            holder: who.trim().to_string(),
        });
    }
    if exclusive {
        // Only the exclusive holder names itself (shared holders are many).
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = writeln!(file, "{} (regime run)", holder());
    }
    Ok(DirLock { _file: file })
}

/// How long a held lock is retried before it is reported as held. A lock
/// dropped by this process can still be held for a moment by a child another
/// thread is spawning: the child inherits the descriptor (and so the lock)
/// from fork until its exec closes it. Another regime process holds a lock
/// for its whole life, so a short grace never hides a real conflict.
pub const LOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// `flock(mode)` without blocking, retried for up to [`LOCK_GRACE`].
fn try_flock(file: &std::fs::File, mode: libc::c_int) -> bool {
    let start = std::time::Instant::now();
    loop {
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) } == 0 {
            return true;
        }
        if start.elapsed() >= LOCK_GRACE {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

trait NoFollow {
    fn custom_flags_nofollow(&mut self) -> &mut Self;
}
impl NoFollow for std::fs::OpenOptions {
    fn custom_flags_nofollow(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_NOFOLLOW)
    }
}

/// A trial claimed by this process; the claim file goes when dropped.
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Claims trial `id` of `root` for this process. An existing claim by a dead
/// process of this host is taken over; a live one is refused.
pub fn claim(root: &Path, id: &str) -> Result<Claim, ResultsError> {
    let dir = root.join("claims");
    super::atomic::ensure_real_dir(root, &dir)?;
    let path = dir.join(id);
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags_nofollow()
            .open(&path)
        {
            Ok(mut f) => {
                let _ = writeln!(f, "{}", holder());
                return Ok(Claim { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let who = std::fs::read_to_string(&path).unwrap_or_default();
                if !holder_is_dead(who.trim()) {
                    return Err(ResultsError::Claimed {
                        trial: id.to_string(),
                        holder: who.trim().to_string(),
                    });
                }
                let _ = std::fs::remove_file(&path);
            }
            Err(source) => return Err(ResultsError::write(&path, source)),
        }
    }
    Err(ResultsError::Claimed {
        trial: id.to_string(),
        holder: "another process".into(),
    })
}

/// True when `host:pid` names a process of this host that no longer runs.
fn holder_is_dead(who: &str) -> bool {
    let me = holder();
    let (Some((host, pid)), Some((my_host, _))) = (who.rsplit_once(':'), me.rsplit_once(':'))
    else {
        return false;
    };
    let Ok(pid) = pid.parse::<i32>() else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    host == my_host && unsafe { libc::kill(pid, 0) } != 0
}

/// Whether a process holds `root`'s lock exclusively: a run (or resume)
/// is writing trials into it. Read from `/proc/locks` rather than by trying
/// the lock, which for that moment would make a run starting then fail;
/// where `/proc/locks` cannot be read, from the holder the lock file names
/// (a live process of this host).
pub fn run_in_progress(root: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let path = root.join(".lock");
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return false;
    };
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        let who = std::fs::read_to_string(&path).unwrap_or_default();
        let who = who.split_whitespace().next().unwrap_or("");
        return !who.is_empty() && !holder_is_dead(who);
    };
    let dev = meta.dev();
    let id = format!(
        "{:02x}:{:02x}:{}",
        libc::major(dev),
        libc::minor(dev),
        meta.ino()
    );
    locks.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        // `N: FLOCK ADVISORY WRITE pid dev:inode ...`; waiters have `->`.
        f.len() >= 6 && f[1] == "FLOCK" && f[3] == "WRITE" && f[5] == id
    })
}

/// Removes every claim: called by a run that holds the exclusive lock, when
/// no other process can be running a trial here.
pub fn clear_claims(root: &Path) {
    let _ = std::fs::remove_dir_all(root.join("claims"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_exclusive_lock_is_refused_and_names_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let held = lock_dir(tmp.path(), true).unwrap();
        // flock locks belong to the open file description: a second open in
        // the same process conflicts like another process would.
        match lock_dir(tmp.path(), true) {
            Err(ResultsError::Locked { holder: h, .. }) => assert!(h.contains(&holder()), "{h}"),
            other => panic!("expected Locked, got {other:?}"),
        }
        assert!(lock_dir(tmp.path(), false).is_err());
        drop(held);
        let a = lock_dir(tmp.path(), false).unwrap();
        let _b = lock_dir(tmp.path(), false).unwrap();
        assert!(lock_dir(tmp.path(), true).is_err());
        drop(a);
    }

    #[test]
    fn a_run_in_progress_is_seen_without_taking_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!run_in_progress(tmp.path()));
        let held = lock_dir(tmp.path(), true).unwrap();
        assert!(run_in_progress(tmp.path()));
        // Seeing it did not take it: the holder is still the only one.
        assert!(lock_dir(tmp.path(), false).is_err());
        drop(held);
        assert!(!run_in_progress(tmp.path()));
        // Array tasks hold it shared: that is not a local run.
        let _task = lock_dir(tmp.path(), false).unwrap();
        assert!(!run_in_progress(tmp.path()));
    }

    #[test]
    fn a_trial_is_claimed_once_and_a_dead_claim_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let c = claim(tmp.path(), "t1").unwrap();
        // This process is alive: a second claim is refused.
        assert!(matches!(
            claim(tmp.path(), "t1"),
            Err(ResultsError::Claimed { .. })
        ));
        drop(c);
        assert!(!tmp.path().join("claims/t1").exists());
        // A claim by a process that is gone is stale.
        let host = holder().rsplit_once(':').unwrap().0.to_string();
        std::fs::write(tmp.path().join("claims/t2"), format!("{host}:999999999\n")).unwrap();
        claim(tmp.path(), "t2").unwrap();
    }
}
