//! Facts about the machine for the bench header, and quiet-machine checks:
//! how much CPU *other* processes use before and during a timed run, read
//! from `/proc/stat` minus this process's and its children's own CPU time
//! (`ps` %CPU is a lifetime average and would not do). Linux only; elsewhere
//! the load columns show "–".

use std::time::{Duration, Instant};

/// CPU model name and the SIMD flags that decide BLAS kernels.
pub fn cpu_summary() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let model = field("model name").unwrap_or_else(|| "unknown CPU".into());
    let flags = field("flags").unwrap_or_default();
    let has: Vec<&str> = ["avx2", "fma", "avx512f", "avx512_bf16", "amx_tile"]
        .into_iter()
        .filter(|f| flags.split_whitespace().any(|x| x == *f))
        .collect();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{model}, {cores} CPUs, flags: {}",
        if has.is_empty() {
            "no avx2".to_string()
        } else {
            has.join(" ")
        }
    )
}

/// A point in time: busy ticks of all CPUs and the CPU seconds used by this
/// process and its waited-for children.
#[derive(Debug, Clone, Copy)]
pub struct Snap {
    at: Instant,
    busy_ticks: Option<u64>,
    own_cpu: f64,
}

fn busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let vals: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let idle = vals.get(3)? + vals.get(4).copied().unwrap_or(0);
    Some(vals.iter().sum::<u64>() - idle)
}

fn own_cpu() -> f64 {
    let secs = |who| {
        // SAFETY: getrusage fills the zeroed struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut ru) };
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
        t(ru.ru_utime) + t(ru.ru_stime)
    };
    secs(libc::RUSAGE_SELF) + secs(libc::RUSAGE_CHILDREN)
}

pub fn snap() -> Snap {
    Snap {
        at: Instant::now(),
        busy_ticks: busy_ticks(),
        own_cpu: own_cpu(),
    }
}

/// Cores used by other processes between two snapshots (0.5 = half a core).
pub fn others_cores(a: &Snap, b: &Snap) -> Option<f64> {
    // SAFETY: a plain getter.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let wall = (b.at - a.at).as_secs_f64().max(1e-6);
    let busy = (b.busy_ticks? as f64 - a.busy_ticks? as f64) / hz;
    Some(((busy - (b.own_cpu - a.own_cpu)) / wall).max(0.0))
}

/// Others' load over `secs` seconds while this process idles.
pub fn sample(secs: f64) -> Option<f64> {
    let a = snap();
    std::thread::sleep(Duration::from_secs_f64(secs));
    others_cores(&a, &snap())
}

/// Names of running compiler/build processes (a cargo build skews timings).
pub fn builders() -> Vec<String> {
    const BUILD: [&str; 8] = [
        "cargo", "rustc", "cc1", "cc1plus", "ld", "rust-lld", "make", "gcc",
    ];
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<String> = dir
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("comm")).ok())
        .map(|c| c.trim().to_string())
        .filter(|c| BUILD.contains(&c.as_str()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Waits until other processes use under `threshold` cores and no build runs,
/// three 1-second samples in a row, or until `max_wait` seconds have passed.
/// Returns whether the machine was quiet.
pub fn wait_quiet(max_wait: f64, threshold: f64) -> bool {
    let start = Instant::now();
    let mut streak = 0;
    let mut said = false;
    loop {
        let load = sample(1.0).unwrap_or(0.0);
        let build = builders();
        if load < threshold && build.is_empty() {
            streak += 1;
            if streak >= 3 {
                return true;
            }
        } else {
            streak = 0;
            if !said {
                eprintln!(
                    "bench: waiting for a quiet machine (others {load:.2} cores{}{})",
                    if build.is_empty() { "" } else { ", building: " },
                    build.join(" ")
                );
                said = true;
            }
        }
        if start.elapsed().as_secs_f64() > max_wait {
            eprintln!("bench: the machine did not get quiet within {max_wait} s; timing anyway");
            return false;
        }
    }
}

/// An exclusive `flock` on a file, held until dropped (`--lock`).
pub struct Held(#[allow(dead_code)] Option<std::fs::File>);

/// Takes the lock other users of the machine take around their builds (for
/// example `flock /tmp/build.lock cargo ...`), so that none starts while a
/// row is timed; waits for the one running, if any.
pub fn hold(path: Option<&std::path::Path>) -> std::io::Result<Held> {
    use std::os::unix::io::AsRawFd;
    let Some(path) = path else {
        return Ok(Held(None));
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    // SAFETY: flock on a descriptor we own; released when `file` is closed.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        eprintln!("bench: waiting for {}", path.display());
        // SAFETY: as above, blocking.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(Held(Some(file)))
}
