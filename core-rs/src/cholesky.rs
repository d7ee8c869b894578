//! Cholesky factorisation `A = L Lᵀ` (lower, in place) and the log-determinant.
//!
//! Recursive blocked algorithm (the level-3 form of LAPACK's `dpotrf`):
//!
//! ```text
//! [A11    ]   L11 = chol(A11)
//! [A21 A22]   L21 = A21 L11⁻ᵀ          (triangular solve, GEMM updates)
//!             A22 ← A22 − L21 L21ᵀ     (symmetric rank-k update: GEMM on the lower triangle)
//!             L22 = chol(A22)
//! ```
//!
//! Below [`CHOL_BASE`] an unblocked Crout loop factors the diagonal block with dot
//! products over contiguous row prefixes. Almost all of the `n³/3` flops end up in
//! the packed GEMM micro-kernel.

use crate::blas1::dot;
use crate::gemm::Tri;
use crate::par::{gemm, trsm_left_lower, Par};
use crate::view::{split, MatMut};

/// Size below which the factorisation is unblocked.
pub const CHOL_BASE: usize = 48;

/// The GEMM-based steps (panel solve, trailing update) run on the threads of `par`.
///
/// Factors the lower triangle of `a` (n×n) in place. `Err(k)` when pivot `k` (0-based,
/// relative to `a`) is not positive or not finite; `a` is then partly factored.
///
/// # Safety
/// `a` must address valid memory.
pub unsafe fn potrf(par: &Par, a: MatMut) -> Result<(), usize> {
    let n = a.rows;
    if n <= CHOL_BASE {
        return unblocked(a);
    }
    let n1 = split(n);
    let n2 = n - n1;
    let a11 = a.sub(0, 0, n1, n1);
    let a21 = a.sub(n1, 0, n2, n1);
    let a22 = a.sub(n1, n1, n2, n2);
    potrf(par, a11)?;
    // L21 = A21 L11⁻ᵀ  ⇔  L21ᵀ = L11⁻¹ A21ᵀ
    trsm_left_lower(par, a11.rb(), a21.t());
    gemm(par, -1.0, a21.rb(), a21.rb().t(), a22, Tri::Lower);
    potrf(par, a22).map_err(|k| k + n1)
}

/// Crout (row-wise, dot-product) Cholesky of a small block.
unsafe fn unblocked(a: MatMut) -> Result<(), usize> {
    let n = a.rows;
    for j in 0..n {
        let rj = a.ptr_at(j, 0);
        let d = a.at(j, j) - dot(j, rj, a.cs, rj, a.cs);
        if !(d > 0.0 && d.is_finite()) {
            return Err(j);
        }
        let ljj = d.sqrt();
        a.set(j, j, ljj);
        for i in j + 1..n {
            let s = dot(j, a.ptr_at(i, 0), a.cs, rj, a.cs);
            a.set(i, j, (a.at(i, j) - s) / ljj);
        }
    }
    Ok(())
}

/// `2 Σ log L_ii` of a row-major n×n factor.
///
/// # Safety
/// `l` must address `n*n` elements.
pub unsafe fn logdet(l: *const f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += (*l.add(i * n + i)).ln();
    }
    2.0 * s
}
