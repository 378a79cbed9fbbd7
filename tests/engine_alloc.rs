//! A steady-state training step performs no heap allocation: a counting
//! global allocator (installed for this test binary only) sees none while the
//! two-layer net and the convnet train.

use regime::engine::testing::{random_dataset, sgd, trial, two_layer};
use regime::engine::Trainer;
use regime::plan::{Init, OptimizerSpec, PenaltyKind, Sampling, Shape};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations count: only the training threads'
    /// do. The test harness's own threads (reporting the other test's
    /// result, printing) allocate at moments of their choosing, which a
    /// loaded machine moves into the measured window.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count_this_thread() {
    COUNTED.with(|c| c.set(true));
}

fn counts() {
    // `try_with`: a thread being torn down has no thread-locals left.
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counts();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counts();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Counts the allocations of this thread and of every thread of the rayon
/// pool it runs in (where the GEMMs and the convolution's parts run).
fn count_training_threads() {
    count_this_thread();
    rayon::broadcast(|_| count_this_thread());
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The count is global: the tests take turns so neither sees the other's
/// allocations.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn steady_state_step_allocates_nothing() {
    let _turn = turn();
    count_training_threads();
    let input = Shape {
        channels: 1,
        height: 1,
        width: 784,
    };
    let data = random_dataset(input, 10, 1000, 10, 10, 1);
    let adam = OptimizerSpec::Adam {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        decay: None,
    };
    for (opt, pen, sampling) in [
        (sgd(1e-2, 0.9), PenaltyKind::L2, Sampling::Replacement),
        (sgd(1e-2, 0.9), PenaltyKind::L2, Sampling::Shuffle),
        (adam, PenaltyKind::L1 { proximal: true }, Sampling::Shuffle),
    ] {
        let mut t = trial(two_layer(784, 100, 10, Init::He), opt, pen, 200, 1);
        t.sampling = sampling;
        let mut tr = Trainer::new(&t, &data).unwrap();
        // Warm up: the first steps may touch lazily initialised state
        // (OpenBLAS's own buffers are not Rust allocations either way).
        for _ in 0..3 {
            tr.step(1e-3, 1e-2).unwrap();
        }
        let before = ALLOCS.load(Ordering::SeqCst);
        for _ in 0..20 {
            tr.step(1e-3, 1e-2).unwrap();
        }
        let after = ALLOCS.load(Ordering::SeqCst);
        assert_eq!(
            after - before,
            0,
            "{opt:?} {pen:?} {sampling:?}: {} allocations in 20 steps",
            after - before
        );
    }
}

/// The convnet's step allocates nothing either, on one thread and on two
/// (the stride-1 passes' scratch is sized for the batch when the layer is
/// built, and their parts run on the pool's threads).
#[test]
fn steady_state_convnet_step_allocates_nothing_on_one_or_two_threads() {
    let _turn = turn();
    use regime::engine::testing::convnet;
    use regime::engine::with_gemm_threads;
    let input = Shape {
        channels: 3,
        height: 24,
        width: 24,
    };
    let data = random_dataset(input, 4, 200, 10, 10, 1);
    for threads in [1, 2] {
        let t = trial(
            convnet(input, 12, 5, 40, 4, Init::He),
            sgd(1e-2, 0.9),
            PenaltyKind::L2,
            16,
            1,
        );
        let allocs = with_gemm_threads(threads, || {
            // Every thread of the pool started (starting one allocates),
            // and counted from here on.
            count_training_threads();
            let mut tr = Trainer::new(&t, &data).unwrap();
            for _ in 0..3 {
                tr.step(1e-3, 1e-2).unwrap();
            }
            let before = ALLOCS.load(Ordering::SeqCst);
            for _ in 0..10 {
                tr.step(1e-3, 1e-2).unwrap();
            }
            ALLOCS.load(Ordering::SeqCst) - before
        })
        .unwrap();
        assert_eq!(
            allocs, 0,
            "{threads} threads: {allocs} allocations in 10 steps"
        );
    }
}
