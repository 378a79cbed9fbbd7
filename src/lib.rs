//! regime: a language for regularization experiments, a checker with rich
//! diagnostics, and a BLAS-backed trainer that runs them.

// `!(x > 0.0)` is used on purpose: it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// Diagnostics are large values, and errors are the rare path.
#![allow(clippy::result_large_err)]

// Linking OpenBLAS needs this crate named somewhere in the final artifact.
extern crate blas_src;

#[cfg(test)]
mod blas_smoke {
    #[test]
    fn ndarray_dot_goes_through_blas() {
        let a = ndarray::Array2::<f32>::from_shape_fn((64, 64), |(i, j)| (i + j) as f32);
        let b = ndarray::Array2::<f32>::eye(64);
        assert_eq!(a.dot(&b), a);
    }
}

pub mod builtins;
pub mod check;
pub mod cli;
pub mod compile;
pub mod data;
pub mod diagnostics;
pub mod engine;
pub mod fmt;
pub mod lsp;
pub mod plan;
pub mod report;
pub mod results;
pub mod run;
pub mod source;
pub mod syntax;
