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
}

/// Set OpenBLAS's thread count for the whole process (trials run side by side
/// use 1 each; a single run may use every core).
pub fn set_blas_threads(n: usize) {
    // SAFETY: a plain setter in the linked OpenBLAS.
    unsafe { openblas_set_num_threads(n.max(1) as std::os::raw::c_int) }
}
