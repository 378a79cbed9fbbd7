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

/// What each thread needs beyond its stack: the signal stack and its guard
/// page, thread-local storage, and the allocator's per-thread arena header.
const MARGIN_PER_THREAD: usize = 256 << 10;

/// The stack size std gives a spawned thread (`RUST_MIN_STACK`, else 2 MiB).
fn thread_stack_bytes() -> usize {
    std::env::var("RUST_MIN_STACK")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2 << 20)
}

/// Ok when `threads` new threads fit in the address space now; else why not.
pub fn room_for_threads(threads: usize) -> Result<(), String> {
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
}
