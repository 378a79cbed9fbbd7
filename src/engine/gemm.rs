//! The one GEMM entry point: row-major `cblas_sgemm` on slices, so every layer
//! writes into buffers it owns and nothing is allocated per call.
//!
//! **Determinism.** A trial's numbers must not depend on how many threads
//! ran it. OpenBLAS always runs single-threaded here (its own threading may
//! split a product differently for different thread counts). Parallelism is
//! ours: a product is cut into output tiles whose boundaries depend on the
//! shape alone ([`tiles`]), every tile is one single-threaded `cblas_sgemm`,
//! and the thread count only decides which thread computes which tile. One
//! thread or eight, the same calls with the same operands produce the same
//! bits.

use cblas_sys::{cblas_sgemm, CBLAS_LAYOUT, CBLAS_TRANSPOSE};
use std::cell::{Cell, RefCell};
use std::os::raw::{c_char, c_int};
use std::sync::Arc;

/// Most tiles a product is cut into (a multiple of 2 and 4, so 2 and 4
/// threads share the work evenly).
const MAX_TILES: usize = 4;
/// Least multiply-adds per tile of [`sgemm`]: below it a cut costs more
/// than it gains when the product is one of many in a loop (the convnet's
/// per-example products, where the layer itself splits the examples).
const MIN_TILE_WORK: usize = 1 << 23;
/// Least multiply-adds per tile of [`sgemm_alone`]: a product that runs on
/// its own between other steps (a dense layer's output layer, 200×10·1000)
/// is 2M multiply-adds at a kernel's worst shape, so left whole it is a
/// serial stretch of the step; cut in two it costs one rayon join. A round
/// million, so 2,000,000 multiply-adds make two tiles (2²⁰ would make one).
const MIN_ALONE_WORK: usize = 1_000_000;
/// Tile edges fall on multiples of this: OpenBLAS's unroll along either
/// dimension of row-major C (16 lanes × 4), so no tile edge splits a
/// micro-tile; finer than 32 so a cut lands near the middle (1000 columns:
/// 496 | 504 instead of 480 | 520).
const TILE_ALIGN: usize = 16;

/// Which output dimension a product is cut along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Rows of C (m).
    Rows,
    /// Columns of C (n).
    Cols,
}

/// The tiles of an `m×n` (inner `k`) product: the dimension cut and the tile
/// count, from the shape alone — never from the thread count.
pub fn tiles(m: usize, n: usize, k: usize) -> (Cut, usize) {
    tiles_with(m, n, k, MIN_TILE_WORK)
}

/// [`tiles`] with `min_work` multiply-adds at least per tile.
pub fn tiles_with(m: usize, n: usize, k: usize, min_work: usize) -> (Cut, usize) {
    let (cut, len) = if n >= m {
        (Cut::Cols, n)
    } else {
        (Cut::Rows, m)
    };
    let by_work = (m * n * k) / min_work;
    let by_len = len / TILE_ALIGN;
    (cut, by_work.min(by_len).clamp(1, MAX_TILES))
}

/// Start of tile `i` of `count` over `len`: the multiple of [`TILE_ALIGN`]
/// nearest to `len·i/count`, so the tiles (and the halves two threads take)
/// are as even as the alignment allows.
fn tile_start(i: usize, count: usize, len: usize) -> usize {
    if i >= count {
        return len;
    }
    ((len * i + count * TILE_ALIGN / 2) / (count * TILE_ALIGN) * TILE_ALIGN).min(len)
}

thread_local! {
    /// True on the threads of a pool made by [`with_gemm_threads`]: only
    /// there are tiles computed in parallel (elsewhere, e.g. on the threads
    /// that run trials side by side, they run one after the other).
    static IN_GEMM_POOL: Cell<bool> = const { Cell::new(false) };

    /// The GEMM pool this thread made, kept for its next trial. A pool per
    /// trial spawned all its threads again each time while the last pool's
    /// were still exiting (`--threads 201`: 2,600 threads alive at once).
    static GEMM_POOL: RefCell<Option<Arc<rayon::ThreadPool>>> = const { RefCell::new(None) };
}

/// Runs `f` with `threads` threads for its GEMMs (1: on this thread alone).
/// Results are bit-identical for every `threads`.
pub fn with_gemm_threads<R: Send>(
    threads: usize,
    f: impl FnOnce() -> R + Send,
) -> Result<R, String> {
    ensure_blas_kernel();
    if threads <= 1 {
        return Ok(f());
    }
    Ok(gemm_pool(threads)?.install(f))
}

/// This thread's pool of `threads` GEMM threads: the one it made before
/// when that has as many threads, else a new one (the old one goes first).
fn gemm_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>, String> {
    GEMM_POOL.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(pool) = slot.as_ref() {
            if pool.current_num_threads() == threads {
                return Ok(Arc::clone(pool));
            }
        }
        *slot = None;
        super::threads::room_for_threads(threads)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("regime-gemm-{i}"))
            .start_handler(|_| IN_GEMM_POOL.with(|p| p.set(true)))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Arc::clone(slot.insert(Arc::new(pool))))
    })
}

/// The threads GEMMs on this thread use: the pool's size inside
/// [`with_gemm_threads`], else 1.
pub fn gemm_threads() -> usize {
    if IN_GEMM_POOL.with(|p| p.get()) {
        rayon::current_num_threads()
    } else {
        1
    }
}

/// Raw operands of one product, shared by the tiles (each tile writes a
/// disjoint block of C).
#[derive(Clone, Copy)]
struct Operands {
    a: *const f32,
    b: *const f32,
    c: *mut f32,
}
// SAFETY: the pointers come from slices borrowed for the whole product
// (`sgemm`'s arguments), tiles only read `a`/`b` and write disjoint blocks
// of `c`, and every tile finishes before `sgemm` returns.
unsafe impl Send for Operands {}
unsafe impl Sync for Operands {}

/// `C (m×n) = alpha · op(A) · op(B) + beta · C`, all row-major and packed
/// (leading dimensions are the row lengths of the stored matrices).
/// `op(A)` is m×k: A is stored m×k, or k×m when `ta`.
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    sgemm_tiled(MIN_TILE_WORK, ta, tb, m, n, k, alpha, a, b, beta, c)
}

/// [`sgemm`] for a product that runs on its own, not in a loop of many:
/// cut into tiles of a million multiply-adds or more (see [`MIN_ALONE_WORK`]).
#[allow(clippy::too_many_arguments)]
pub fn sgemm_alone(
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    sgemm_tiled(MIN_ALONE_WORK, ta, tb, m, n, k, alpha, a, b, beta, c)
}

#[allow(clippy::too_many_arguments)]
fn sgemm_tiled(
    min_work: usize,
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    // invariant: callers size buffers from the same shapes; a mismatch is a bug
    // in the engine, and checking here keeps the unsafe calls in bounds. The
    // dimensions must also fit BLAS's 32-bit integers.
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    assert!(
        m.max(n).max(k) <= i32::MAX as usize,
        "GEMM dimension over i32"
    );
    ensure_blas_kernel();
    if m == 0 || n == 0 {
        return;
    }
    let ops = Operands {
        a: a.as_ptr(),
        b: b.as_ptr(),
        c: c.as_mut_ptr(),
    };
    let (cut, count) = tiles_with(m, n, k, min_work);
    let len = if cut == Cut::Rows { m } else { n };
    let run = |i: usize| {
        let (lo, hi) = (tile_start(i, count, len), tile_start(i + 1, count, len));
        // SAFETY: tiles partition [0, len) and write disjoint blocks of C.
        unsafe { tile(ops, ta, tb, m, n, k, alpha, beta, cut, lo, hi) }
    };
    if count > 1 && gemm_threads() > 1 {
        use rayon::prelude::*;
        (0..count).into_par_iter().for_each(run);
    } else {
        (0..count).for_each(run);
    }
}

/// One tile: rows (or columns) `lo..hi` of C, as one single-threaded call.
///
/// # Safety
/// `ops` must point to operands of the shapes given, and no other thread may
/// write the same block of C at the same time.
#[allow(clippy::too_many_arguments)]
unsafe fn tile(
    ops: Operands,
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    beta: f32,
    cut: Cut,
    lo: usize,
    hi: usize,
) {
    if hi <= lo {
        return;
    }
    let lda = if ta { m } else { k };
    let ldb = if tb { k } else { n };
    // Row-major: row r of op(A) starts at a + r·lda, or at a + r when A is
    // stored transposed; column j of op(B) at b + j, or b + j·ldb.
    let (a, b, c, rows, cols) = match cut {
        Cut::Rows => {
            let a_off = if ta { lo } else { lo * lda };
            (ops.a.add(a_off), ops.b, ops.c.add(lo * n), hi - lo, n)
        }
        Cut::Cols => {
            let b_off = if tb { lo * ldb } else { lo };
            (ops.a, ops.b.add(b_off), ops.c.add(lo), m, hi - lo)
        }
    };
    let t = |x: bool| {
        if x {
            CBLAS_TRANSPOSE::CblasTrans
        } else {
            CBLAS_TRANSPOSE::CblasNoTrans
        }
    };
    cblas_sgemm(
        CBLAS_LAYOUT::CblasRowMajor,
        t(ta),
        t(tb),
        rows as i32,
        cols as i32,
        k as i32,
        alpha,
        a,
        lda.max(1) as i32,
        b,
        ldb.max(1) as i32,
        beta,
        c,
        n.max(1) as i32,
    );
}

extern "C" {
    fn openblas_set_num_threads(n: c_int);
    fn openblas_get_num_threads() -> c_int;
    fn openblas_get_corename() -> *const c_char;
    fn openblas_get_config() -> *const c_char;
}

fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return "unknown".into();
    }
    // SAFETY: OpenBLAS returns pointers to static NUL-terminated strings.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .trim()
        .to_string()
}

/// The kernel family OpenBLAS dispatches to (e.g. `SkylakeX`, `Haswell`).
pub fn blas_core() -> String {
    // SAFETY: a getter of the linked OpenBLAS.
    c_text(unsafe { openblas_get_corename() })
}

/// OpenBLAS's build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
///
/// Read once per process: `openblas_get_config` assembles its answer in one
/// static buffer with `strcpy`/`strcat`, so two threads asking at once (two
/// trials writing their records) could read `MAX_THREADS=64 MAX_THREADS=64`.
/// The kernel is fixed at load time, so the first answer stays true.
pub fn blas_config() -> String {
    static CONFIG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CONFIG
        // SAFETY: a getter of the linked OpenBLAS; OnceLock runs it once, on
        // one thread.
        .get_or_init(|| c_text(unsafe { openblas_get_config() }))
        .clone()
}

/// OpenBLAS's own thread count (1 once [`ensure_blas_kernel`] has run).
pub fn blas_threads() -> usize {
    // SAFETY: a getter of the linked OpenBLAS.
    unsafe { openblas_get_num_threads() }.max(1) as usize
}

/// The environment variable in which the `regime` binary hands the kernel
/// choice (`<pid>:<reason>`) to the process it re-executes (see `cli::blas`).
pub const CHOICE_VAR: &str = "REGIME_BLAS_KERNEL_CHOICE";

/// Why this process runs the kernel it runs, as the binary decided it; the
/// library's own choice when regime did not decide (e.g. used as a library).
pub fn blas_choice() -> String {
    let mine = std::env::var(CHOICE_VAR).ok().and_then(|v| {
        let (pid, reason) = v.split_once(':')?;
        (pid == std::process::id().to_string()).then(|| reason.to_string())
    });
    mine.unwrap_or_else(|| format!("{} (OpenBLAS's own choice)", blas_core()))
}

/// The OpenBLAS variables `main` changes before re-executing; their values
/// as regime was started are kept as `REGIME_ORIGINAL_<NAME>` (or
/// `REGIME_UNSET_<NAME>=1`), so children can get them back.
pub const MANAGED_VARS: &[&str] = &[
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
];

/// Gives a child process (a reference trainer, sbatch) the OpenBLAS
/// environment regime was started with, not the one regime runs under.
pub fn restore_original_env(cmd: &mut std::process::Command) {
    cmd.env_remove(CHOICE_VAR);
    for v in MANAGED_VARS {
        match std::env::var(format!("REGIME_ORIGINAL_{v}")) {
            Ok(x) => {
                cmd.env(v, x);
            }
            Err(_) if std::env::var_os(format!("REGIME_UNSET_{v}")).is_some() => {
                cmd.env_remove(v);
            }
            Err(_) => {}
        }
        cmd.env_remove(format!("REGIME_ORIGINAL_{v}"));
        cmd.env_remove(format!("REGIME_UNSET_{v}"));
    }
}

static KERNEL: std::sync::Once = std::sync::Once::new();

/// Before the first GEMM of the process: OpenBLAS runs single-threaded (see
/// the module doc); the threads regime uses come from [`with_gemm_threads`].
pub fn ensure_blas_kernel() {
    KERNEL.call_once(|| {
        // SAFETY: a plain setter of the linked OpenBLAS.
        unsafe { openblas_set_num_threads(1) }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blas_configuration_reads_the_same_from_many_threads_at_once() {
        let answers: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| (0..200).map(|_| blas_config()).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        for a in &answers {
            assert_eq!(a, &answers[0]);
            assert!(a.matches("MAX_THREADS").count() <= 1, "{a}");
        }
    }

    #[test]
    fn tiles_cover_the_output_and_depend_on_the_shape_only() {
        for &(m, n, k) in &[
            (200, 500, 784),
            (784, 500, 200),
            (200, 784, 500),
            (7, 13, 5),
            (33, 65, 17),
            (1000, 33, 4000),
        ] {
            let (cut, count) = tiles(m, n, k);
            assert!((1..=MAX_TILES).contains(&count));
            let len = if cut == Cut::Rows { m } else { n };
            assert_eq!(tile_start(0, count, len), 0);
            assert_eq!(tile_start(count, count, len), len);
            for i in 0..count {
                assert!(tile_start(i, count, len) <= tile_start(i + 1, count, len));
            }
        }
        assert_eq!(tiles(200, 500, 784), (Cut::Cols, 4));
        assert_eq!(tiles(7, 13, 5).1, 1);
        // Two threads take tiles 0–1 and 2–3: about half the columns each.
        assert_eq!(tile_start(2, 4, 1000), 496);
        // The output layer of a 784-1000-10 net: whole for `sgemm`, in two
        // for `sgemm_alone`.
        assert_eq!(tiles(200, 10, 1000), (Cut::Rows, 1));
        assert_eq!(tiles_with(200, 10, 1000, MIN_ALONE_WORK), (Cut::Rows, 2));
    }

    fn product(ta: bool, tb: bool, m: usize, n: usize, k: usize, threads: usize) -> Vec<f32> {
        let (lone, big) = (m * n * k < MIN_TILE_WORK, m * n * k >= MIN_ALONE_WORK);
        assert!(!lone || big, "{m}x{n}x{k} is cut by neither");
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 53 % 97) as f32 - 48.0) / 5.0)
            .collect();
        let mut c: Vec<f32> = (0..m * n).map(|i| (i % 11) as f32).collect();
        with_gemm_threads(threads, || {
            if lone {
                sgemm_alone(ta, tb, m, n, k, 0.5, &a, &b, 0.25, &mut c)
            } else {
                sgemm(ta, tb, m, n, k, 0.5, &a, &b, 0.25, &mut c)
            }
        })
        .unwrap();
        c
    }

    #[test]
    fn tiled_products_are_bit_identical_for_any_thread_count_and_correct() {
        // The last three are cut only by `sgemm_alone` (see `product`).
        for &(m, n, k) in &[
            (200, 500, 784),
            (784, 300, 200),
            (130, 70, 1024),
            (200, 10, 1000),
            (1000, 10, 200),
            (200, 1000, 10),
        ] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let one = product(ta, tb, m, n, k, 1);
                for threads in [2, 3, 4] {
                    let many = product(ta, tb, m, n, k, threads);
                    assert!(
                        one.iter()
                            .zip(&many)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{m}x{n}x{k} ta={ta} tb={tb}: {threads} threads differ from 1"
                    );
                }
                // Against an f64 reference of the same product.
                let a: Vec<f64> = (0..m * k)
                    .map(|i| ((i * 37 % 101) as f64 - 50.0) / 7.0)
                    .collect();
                let b: Vec<f64> = (0..k * n)
                    .map(|i| ((i * 53 % 97) as f64 - 48.0) / 5.0)
                    .collect();
                let at = |r: usize, j: usize| if ta { a[j * m + r] } else { a[r * k + j] };
                let bt = |j: usize, col: usize| if tb { b[col * k + j] } else { b[j * n + col] };
                for &(r, col) in &[(0, 0), (m - 1, n - 1), (m / 2, n / 3), (m - 1, 0)] {
                    let dot: f64 = (0..k).map(|j| at(r, j) * bt(j, col)).sum();
                    let size: f64 = (0..k).map(|j| (at(r, j) * bt(j, col)).abs()).sum();
                    let want = 0.5 * dot + 0.25 * ((r * n + col) % 11) as f64;
                    let got = one[r * n + col] as f64;
                    assert!((got - want).abs() <= 1e-6 * size + 1e-6, "{got} vs {want}");
                }
            }
        }
    }
}
