//! The one GEMM entry point: row-major `cblas_sgemm` on slices, so every layer
//! writes into buffers it owns and nothing is allocated per call.

use cblas_sys::{cblas_sgemm, CBLAS_LAYOUT, CBLAS_TRANSPOSE};

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
    // invariant: callers size buffers from the same shapes; a mismatch is a bug
    // in the engine, and checking here keeps the unsafe call in bounds.
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    ensure_blas_kernel();
    if m == 0 || n == 0 {
        return;
    }
    let lda = if ta { m } else { k };
    let ldb = if tb { k } else { n };
    let t = |x: bool| {
        if x {
            CBLAS_TRANSPOSE::CblasTrans
        } else {
            CBLAS_TRANSPOSE::CblasNoTrans
        }
    };
    // SAFETY: lengths checked above; the pointers are valid for those extents
    // and `c` does not alias `a` or `b` (distinct borrows).
    unsafe {
        cblas_sgemm(
            CBLAS_LAYOUT::CblasRowMajor,
            t(ta),
            t(tb),
            m as i32,
            n as i32,
            k as i32,
            alpha,
            a.as_ptr(),
            lda.max(1) as i32,
            b.as_ptr(),
            ldb.max(1) as i32,
            beta,
            c.as_mut_ptr(),
            n.max(1) as i32,
        );
    }
}

extern "C" {
    fn openblas_set_num_threads(n: std::os::raw::c_int);
    fn openblas_get_corename() -> *const std::os::raw::c_char;
    fn gotoblas_dynamic_init();
    fn gotoblas_dynamic_quit();
}

/// Set OpenBLAS's thread count for the whole process (trials run side by side
/// use 1 each; a single run may use every core).
pub fn set_blas_threads(n: usize) {
    ensure_blas_kernel();
    // SAFETY: a plain setter in the linked OpenBLAS.
    unsafe { openblas_set_num_threads(n.max(1) as std::os::raw::c_int) }
}

/// The kernel family OpenBLAS dispatches to (e.g. `SkylakeX`, `Haswell`).
pub fn blas_core() -> String {
    // SAFETY: OpenBLAS returns a pointer to a static NUL-terminated name.
    unsafe {
        let p = openblas_get_corename();
        if p.is_null() {
            return "unknown".into();
        }
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

static KERNEL: std::sync::Once = std::sync::Once::new();

/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise recent Intel
/// CPUs (e.g. Sapphire Rapids) and falls back to its generic `Prescott` SSE3
/// kernels — about a third of the speed. When that happens and the user has
/// not chosen a kernel with `OPENBLAS_CORETYPE`, re-run OpenBLAS's dispatch
/// with the best family the CPU supports (SkylakeX for AVX-512, Haswell for
/// AVX2+FMA). This runs once, before the first GEMM of the process.
pub fn ensure_blas_kernel() {
    KERNEL.call_once(|| {
        if std::env::var_os("OPENBLAS_CORETYPE").is_some() || blas_core() != "Prescott" {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let core = if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512dq")
            {
                "SkylakeX"
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                "Haswell"
            } else {
                return;
            };
            std::env::set_var("OPENBLAS_CORETYPE", core);
            // SAFETY: no BLAS call has run yet in this process (this is the
            // first one, under a Once); quit clears the dispatch table pointer
            // and init re-selects it from OPENBLAS_CORETYPE and initialises
            // its block sizes.
            unsafe {
                gotoblas_dynamic_quit();
                gotoblas_dynamic_init();
            }
        }
    });
}
