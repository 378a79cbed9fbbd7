//! A steady-state training step performs no heap allocation: a counting
//! global allocator (installed for this test binary only) sees none while the
//! two-layer net and the convnet train.

use regime::engine::testing::{random_dataset, sgd, trial, two_layer};
use regime::engine::Trainer;
use regime::plan::{Init, OptimizerSpec, PenaltyKind, Sampling, Shape};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
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
            // Every thread of the pool started (starting one allocates).
            rayon::broadcast(|_| ());
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
