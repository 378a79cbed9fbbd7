//! Whether the address space has room for a pool's threads, asked before
//! the pool is built.
//!
//! Why: under an address-space limit (`ulimit -v`, a Slurm memory cap) a
//! pool that runs out of room fails in one of two places. If a thread's
//! stack cannot be mapped, rayon returns an error, which regime reports as
//! `regime::threads`. If the stack fits but the small signal stack the new
//! thread maps next does not, the standard library aborts the process. Which
//! of the two happens depends on a few kilobytes, so the same command could
//! get a diagnostic once and an abort the next time. Reserving room for
//! every stack plus a margin first, and giving it back at once, makes the
//! refusal happen before any thread starts.
//!
//! The kernel also caps the memory mappings of a process
//! (`vm.max_map_count`, 65,530 by default), and every thread adds four
//! (measured: a run with 2,629 threads had 10,601 mappings, one with 4 had 75). Past that cap
//! the signal stack cannot be mapped either: `--threads 100000` aborted a
//! thread and left the run waiting for it forever. So the mappings are
//! counted too.

/// What each thread needs beyond its stack: the signal stack and its guard
/// page, thread-local storage, and the allocator's per-thread arena header.
const MARGIN_PER_THREAD: usize = 256 << 10;

/// Memory mappings a new thread adds: its stack and the stack's guard page,
/// its signal stack and that stack's guard page.
const MAPS_PER_THREAD: usize = 4;
/// Mappings kept free for what the run maps besides thread stacks (the
/// allocator's arenas, buffers, files).
const MAPS_MARGIN: usize = 1024;

/// The stack size std gives a spawned thread (`RUST_MIN_STACK`, else 2 MiB).
fn thread_stack_bytes() -> usize {
    std::env::var("RUST_MIN_STACK")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2 << 20)
}

/// Ok when `threads` new threads fit in the address space and in the
/// kernel's cap on mappings now; else why not.
pub fn room_for_threads(threads: usize) -> Result<(), String> {
    room_in_address_space(threads)?;
    room_in_map_count(threads, map_count_limit(), maps_in_use())
}

/// The kernel's cap on a process's mappings, where it can be read.
fn map_count_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/sys/vm/max_map_count").ok()?;
    text.trim().parse().ok()
}

/// This process's mappings now (one line each in `/proc/self/maps`).
fn maps_in_use() -> Option<usize> {
    let maps = std::fs::read("/proc/self/maps").ok()?;
    Some(maps.iter().filter(|&&b| b == b'\n').count())
}

/// Ok when `threads` threads' mappings, with the margin, fit beside the
/// `used` ones under `limit` (no check where either is unknown).
fn room_in_map_count(
    threads: usize,
    limit: Option<usize>,
    used: Option<usize>,
) -> Result<(), String> {
    let (Some(limit), Some(used)) = (limit, used) else {
        return Ok(());
    };
    let need = threads.saturating_mul(MAPS_PER_THREAD);
    if need.saturating_add(MAPS_MARGIN).saturating_add(used) <= limit {
        return Ok(());
    }
    let most = limit.saturating_sub(used).saturating_sub(MAPS_MARGIN) / MAPS_PER_THREAD;
    Err(format!(
        "{threads} threads need {need} memory mappings, and with the {used} this process has that is past the kernel's limit of {limit} (vm.max_map_count); at most about {most} more fit"
    ))
}

/// Ok when `threads` stacks (and margins) can be reserved now.
fn room_in_address_space(threads: usize) -> Result<(), String> {
    let each = thread_stack_bytes().saturating_add(MARGIN_PER_THREAD);
    let Some(bytes) = each.checked_mul(threads) else {
        return Err(format!(
            "{threads} thread stacks do not fit in an address space"
        ));
    };
    if bytes == 0 {
        return Ok(());
    }
    // SAFETY: a fresh private mapping with no access, unmapped at once; no
    // memory is touched and nothing else refers to it.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            let os = std::io::Error::last_os_error();
            return Err(format!(
                "no room for {threads} thread stacks of {} KiB in the address space ({os})",
                each >> 10
            ));
        }
        libc::munmap(p, bytes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_threads_fit_and_more_than_an_address_space_do_not() {
        assert!(super::room_for_threads(4).is_ok());
        assert!(super::room_for_threads(0).is_ok());
        // 2^40 threads × 2.25 MiB is past any 64-bit address space (2^57).
        let err = super::room_for_threads(1 << 40).unwrap_err();
        assert!(err.contains("thread stacks"), "{err}");
    }

    #[test]
    fn threads_whose_mappings_pass_the_kernels_cap_do_not_fit() {
        use super::room_in_map_count as room;
        assert!(room(10, Some(65530), Some(100)).is_ok());
        assert!(room(100, None, Some(100)).is_ok());
        // 16,000 × 4 + 1,024 + 100 = 65,124 fit; one more thread does not.
        assert!(room(16_000, Some(65530), Some(100)).is_ok());
        let err = room(16_102, Some(65530), Some(100)).unwrap_err();
        assert!(
            err.contains("vm.max_map_count") && err.contains("at most about 16101 more"),
            "{err}"
        );
        assert!(room(usize::MAX, Some(65530), Some(100)).is_err());
        assert!(room(1, Some(100), Some(200)).is_err());
    }

    #[test]
    fn this_machines_cap_is_read_when_it_has_one() {
        if let Some(limit) = super::map_count_limit() {
            let used = super::maps_in_use().expect("a kernel with the cap lists the maps");
            assert!(used > 0 && used < limit, "{used} of {limit}");
            let threads = limit / super::MAPS_PER_THREAD;
            let err = super::room_in_map_count(threads, Some(limit), Some(used)).unwrap_err();
            assert!(err.contains("vm.max_map_count"), "{err}");
        }
    }
}
