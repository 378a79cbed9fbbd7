//! Memory for `regime run --jobs N`, checked before anything trains.
//!
//! `check`'s limit is per trial (`regime::too_large`, 4 GiB); a run holds
//! `--jobs` trials at once plus the data sets they share. This module adds
//! those up from the plan's estimates and compares them with what the
//! process may still use: the tightest of
//!
//! - `MemAvailable` in `/proc/meminfo` (memory the kernel can give without
//!   swapping),
//! - the cgroup's limit minus its usage (v2 `memory.max`/`memory.current`,
//!   v1 `memory.limit_in_bytes`/`memory.usage_in_bytes`, over the process's
//!   cgroup and its ancestors),
//! - `RLIMIT_AS` (`ulimit -v`) minus the address space already mapped
//!   (`VmSize` in `/proc/self/status`).
//!
//! Where none of them can be read (not Linux), nothing is checked.

use crate::plan::{DataSource, DataSpec, Plan};
use miette::Diagnostic;
use thiserror::Error;

/// Address space a job needs besides its trial's buffers: its thread's
/// stack and what the allocator and BLAS keep per thread.
pub const PER_JOB_OVERHEAD: u64 = 16 << 20;

#[derive(Debug, Error, Diagnostic)]
#[error(
    "{jobs} jobs need about {need} of memory ({detail}), but {available} is available ({limit})"
)]
#[diagnostic(code(regime::not_enough_memory), help("{help}"))]
pub struct NotEnoughMemory {
    pub jobs: usize,
    pub need: String,
    pub detail: String,
    pub available: String,
    pub limit: String,
    pub help: String,
}

/// The tightest limit on memory this process may still use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    pub bytes: u64,
    /// Where the limit comes from, e.g. `MemAvailable in /proc/meminfo`.
    pub source: String,
}

/// What a run needs: the data sets once, the largest trials `jobs` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub data: u64,
    /// Per-trial estimates, largest first.
    pub trials: Vec<u64>,
}

impl Need {
    /// Bytes for `jobs` trials side by side.
    pub fn with_jobs(&self, jobs: usize) -> u64 {
        let jobs = jobs.max(1);
        self.trials
            .iter()
            .take(jobs)
            .fold(self.data, |a, t| a.saturating_add(*t))
            .saturating_add(PER_JOB_OVERHEAD.saturating_mul(jobs as u64))
    }

    /// The most jobs that fit in `bytes` (0 when not even one does).
    pub fn jobs_within(&self, bytes: u64) -> usize {
        (1..=self.trials.len())
            .take_while(|&j| self.with_jobs(j) <= bytes)
            .last()
            .unwrap_or(0)
    }
}

/// Examples a data set holds once loaded (train + val + test), and the
/// bytes of their f32 features.
fn data_bytes(spec: &DataSpec) -> u64 {
    let test = match spec.source {
        DataSource::Synthetic { test, .. } => test as u64,
        DataSource::Npz { test_size, .. } | DataSource::Csv { test_size, .. } => test_size as u64,
        // Fashion-MNIST, MNIST and CIFAR-10 ship 10,000 test images.
        _ => 10_000,
    };
    (spec.train_size as u64 + spec.val as u64 + test)
        .saturating_mul(spec.input.size() as u64)
        .saturating_mul(4)
}

/// The memory a plan needs (`Estimate.memory_bytes` per trial).
pub fn need(plan: &Plan) -> Need {
    let mut specs: Vec<&DataSpec> = vec![];
    for e in &plan.experiments {
        if !specs.contains(&&e.data) {
            specs.push(&e.data);
        }
    }
    let mut trials: Vec<u64> = plan
        .experiments
        .iter()
        .flat_map(|e| &e.trials)
        .map(|t| t.estimate.memory_bytes)
        .collect();
    trials.sort_unstable_by(|a, b| b.cmp(a));
    Need {
        data: specs.iter().map(|s| data_bytes(s)).sum(),
        trials,
    }
}

/// `1.2 GiB`, `640 MiB`.
pub fn bytes_text(b: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    const MIB: f64 = (1u64 << 20) as f64;
    let f = b as f64;
    if f >= GIB {
        format!("{:.2} GiB", f / GIB)
    } else {
        format!("{:.0} MiB", (f / MIB).ceil())
    }
}

/// Checks `jobs` trials of `plan` side by side against `available`.
pub fn check_against(
    plan: &Plan,
    jobs: usize,
    available: &Available,
) -> Result<(), NotEnoughMemory> {
    let need = need(plan);
    let jobs = jobs.clamp(1, need.trials.len().max(1));
    let total = need.with_jobs(jobs);
    if total <= available.bytes {
        return Ok(());
    }
    let largest = need.trials.first().copied().unwrap_or(0);
    let fit = need.jobs_within(available.bytes);
    let help = if fit >= 1 {
        format!(
            "run with `--jobs {fit}` (or free memory or raise the limit); `regime plan` shows each trial's estimate"
        )
    } else {
        "not even one trial fits: free memory or raise the limit, or make the network or the batch smaller (`regime plan` shows each trial's estimate)".to_string()
    };
    Err(NotEnoughMemory {
        jobs,
        need: bytes_text(total),
        detail: format!(
            "{} per trial × {jobs} + {} of data + {} per job for its thread",
            bytes_text(largest),
            bytes_text(need.data),
            bytes_text(PER_JOB_OVERHEAD)
        ),
        available: bytes_text(available.bytes),
        limit: available.source.clone(),
        help,
    })
}

/// Checks `jobs` trials of `plan` against what this process may use now.
pub fn check(plan: &Plan, jobs: usize) -> Result<(), NotEnoughMemory> {
    match available() {
        Some(a) => check_against(plan, jobs, &a),
        None => Ok(()),
    }
}

/// The tightest of the limits that can be read.
pub fn available() -> Option<Available> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let mut limits = vec![];
    if let Some(b) = read("/proc/meminfo").and_then(|t| meminfo_available(&t)) {
        limits.push(Available {
            bytes: b,
            source: "MemAvailable in /proc/meminfo".into(),
        });
    }
    if let Some(a) = read("/proc/self/cgroup").and_then(|t| cgroup_available(&t)) {
        limits.push(a);
    }
    if let Some(a) = address_space_available() {
        limits.push(a);
    }
    limits.into_iter().min_by_key(|a| a.bytes)
}

/// `MemAvailable:  23807508 kB` → bytes.
pub fn meminfo_available(meminfo: &str) -> Option<u64> {
    kib_field(meminfo, "MemAvailable:")
}

/// A `Name:   N kB` line of `/proc/meminfo` or `/proc/self/status`, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// Limits at or above this are "no limit" (cgroup v1 writes 2^63 rounded
/// down to a page).
const UNLIMITED: u64 = 1 << 60;

/// The cgroup (v2, or v1's memory controller) of this process and its
/// ancestors: the smallest limit minus usage.
fn cgroup_available(proc_cgroup: &str) -> Option<Available> {
    let (root, path, files) = cgroup_location(proc_cgroup)?;
    let mut best: Option<Available> = None;
    let mut dir = std::path::PathBuf::from(&path);
    loop {
        let base = std::path::Path::new(root).join(dir.strip_prefix("/").unwrap_or(&dir));
        let read = |f: &str| {
            std::fs::read_to_string(base.join(f))
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
        };
        if let (Some(limit), Some(usage)) = (read(files.0), read(files.1)) {
            if limit < UNLIMITED {
                let free = limit.saturating_sub(usage);
                if best.as_ref().is_none_or(|b| free < b.bytes) {
                    best = Some(Available {
                        bytes: free,
                        source: format!(
                            "the cgroup limit {} in {} minus its usage",
                            bytes_text(limit),
                            base.join(files.0).display()
                        ),
                    });
                }
            }
        }
        if !dir.pop() {
            break;
        }
    }
    best
}

/// Where this process's memory cgroup is: the mount, the path inside it,
/// and the (limit, usage) file names.
fn cgroup_location(
    proc_cgroup: &str,
) -> Option<(&'static str, String, (&'static str, &'static str))> {
    // v1: `4:memory:/path` (the controller list may hold several names).
    for line in proc_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        if controllers.split(',').any(|c| c == "memory") {
            return Some((
                "/sys/fs/cgroup/memory",
                path.to_string(),
                ("memory.limit_in_bytes", "memory.usage_in_bytes"),
            ));
        }
    }
    // v2: `0::/path`.
    let path = proc_cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    Some((
        "/sys/fs/cgroup",
        path.to_string(),
        ("memory.max", "memory.current"),
    ))
}

/// `RLIMIT_AS` minus the address space already mapped, when a limit is set.
fn address_space_available() -> Option<Available> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } != 0 {
        return None;
    }
    if lim.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    // rlim_t is u64 on 64-bit Linux, narrower elsewhere.
    #[allow(clippy::unnecessary_cast)]
    let limit = lim.rlim_cur as u64;
    let used = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| kib_field(&t, "VmSize:"))
        .unwrap_or(0);
    Some(Available {
        bytes: limit.saturating_sub(used),
        source: format!(
            "the address-space limit (`ulimit -v`) of {} minus the {} already mapped",
            bytes_text(limit),
            bytes_text(used)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_are_parsed() {
        let meminfo =
            "MemTotal:       32000000 kB\nMemFree:  100 kB\nMemAvailable:   23807508 kB\n";
        assert_eq!(meminfo_available(meminfo), Some(23807508 * 1024));
        assert_eq!(meminfo_available("MemTotal: 1 kB\n"), None);
        let v1 = "5:devices:/\n4:memory:/process_api/abc\n0::/\n";
        let (root, path, files) = cgroup_location(v1).unwrap();
        assert_eq!(
            (root, path.as_str()),
            ("/sys/fs/cgroup/memory", "/process_api/abc")
        );
        assert_eq!(files.0, "memory.limit_in_bytes");
        let (root, path, files) = cgroup_location("0::/user.slice/x.scope\n").unwrap();
        assert_eq!(
            (root, path.as_str(), files.0),
            ("/sys/fs/cgroup", "/user.slice/x.scope", "memory.max")
        );
        assert_eq!(kib_field("VmSize:\t  2048 kB\n", "VmSize:"), Some(2 << 20));
    }

    #[test]
    fn jobs_multiply_the_largest_trials_and_the_data_counts_once() {
        let n = Need {
            data: 100 << 20,
            trials: vec![600 << 20, 500 << 20, 10 << 20],
        };
        assert_eq!(n.with_jobs(1), (700 << 20) + PER_JOB_OVERHEAD);
        assert_eq!(n.with_jobs(2), (1200 << 20) + 2 * PER_JOB_OVERHEAD);
        assert_eq!(n.jobs_within(1 << 30), 1);
        assert_eq!(n.jobs_within(2 << 30), 3);
        assert_eq!(n.jobs_within(100 << 20), 0);
    }
}
