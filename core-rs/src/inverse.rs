//! `(L Lᵀ)⁻¹` from a Cholesky factor, in `2n³/3` flops:
//!
//! 1. `W = L⁻¹` in place (recursive `trtri`: two triangular solves per level);
//! 2. `Wᵀ W` on the lower triangle in place (recursive `lauum`: a symmetric GEMM
//!    update and a triangular multiply per level);
//! 3. mirror the lower triangle to the upper one.
//!
//! Every level's off-diagonal work is GEMM-based (through [`trsm_left_lower`],
//! [`trsm_left_upper`] and [`gemm`]); small diagonal blocks are done unblocked.

use crate::blas1::{dot, scal};
use crate::gemm::Tri;
use crate::par::Par;
use crate::view::{split, MatMut};

/// Size below which `trtri` and `lauum` are unblocked (the serial TRMM in
/// [`crate::trsm`] uses the same base size).
pub const INV_BASE: usize = 32;

/// Inverts the lower triangle of `a` (n×n) in place. The diagonal must be nonzero.
///
/// # Safety
/// `a` must address valid memory.
pub unsafe fn trtri_lower(par: &Par, a: MatMut) {
    let n = a.rows;
    if n <= INV_BASE {
        return trtri_unblocked(a);
    }
    // [A 0; B C]⁻¹ = [A⁻¹ 0; −C⁻¹ B A⁻¹  C⁻¹]
    let n1 = split(n);
    let n2 = n - n1;
    let a11 = a.sub(0, 0, n1, n1);
    let b = a.sub(n1, 0, n2, n1);
    let c = a.sub(n1, n1, n2, n2);
    // B ← B A⁻¹  ⇔  Bᵀ ← A⁻ᵀ Bᵀ
    crate::par::trsm_left_upper(par, a11.rb().t(), b.t());
    // B ← −C⁻¹ B
    crate::par::trsm_left_lower(par, c.rb(), b);
    for i in 0..n2 {
        scal(n1, -1.0, b.ptr_at(i, 0), b.cs);
    }
    trtri_lower(par, a11);
    trtri_lower(par, c);
}

unsafe fn trtri_unblocked(a: MatMut) {
    let n = a.rows;
    // Column j of the inverse from the already inverted trailing block (LAPACK dtrti2).
    for j in (0..n).rev() {
        let ajj = 1.0 / a.at(j, j);
        a.set(j, j, ajj);
        // x = A[j+1.., j] ← T x with T = A[j+1.., j+1..] (inverted), bottom-up in place.
        for i in (j + 1..n).rev() {
            let s = dot(i - j, a.ptr_at(i, j + 1), a.cs, a.ptr_at(j + 1, j), a.rs);
            a.set(i, j, -ajj * s);
        }
    }
}

/// Lower triangle of `Wᵀ W` in place, where `W` is the lower triangle of `a`.
///
/// # Safety
/// `a` must address valid memory.
pub unsafe fn lauum_lower(par: &Par, a: MatMut) {
    let n = a.rows;
    if n <= INV_BASE {
        return lauum_unblocked(a);
    }
    // W = [A 0; B C]:  WᵀW = [AᵀA + BᵀB, ·; CᵀB, CᵀC]
    let n1 = split(n);
    let n2 = n - n1;
    let a11 = a.sub(0, 0, n1, n1);
    let b = a.sub(n1, 0, n2, n1);
    let c = a.sub(n1, n1, n2, n2);
    lauum_lower(par, a11);
    crate::par::gemm(par, 1.0, b.rb().t(), b.rb(), a11, Tri::Lower);
    crate::par::trmm_left_lower_trans(par, c.rb(), b);
    lauum_lower(par, c);
}

unsafe fn lauum_unblocked(a: MatMut) {
    let n = a.rows;
    // (WᵀW)_ij = Σ_{k≥i} W_ki W_kj for j ≤ i. Row i only needs rows ≥ i of W, and
    // W_ii is overwritten last (j = i), after every j < i has used it.
    for i in 0..n {
        for j in 0..=i {
            let s = dot(n - i, a.ptr_at(i, i), a.rs, a.ptr_at(i, j), a.rs);
            a.set(i, j, s);
        }
    }
}

/// `out = (L Lᵀ)⁻¹`, `l` and `out` row-major n×n, not aliased: the full symmetric
/// matrix with `mirror`, else only its lower triangle (the upper one is left as it
/// was; the mirror's strided writes cost a few percent at n = 1000).
///
/// # Safety
/// Both must address `n*n` elements.
pub unsafe fn cholesky_inverse(par: &Par, l: *const f64, n: usize, out: *mut f64, mirror: bool) {
    for i in 0..n {
        core::ptr::copy_nonoverlapping(l.add(i * n), out.add(i * n), i + 1);
    }
    let o = MatMut::row_major(out, n, n, n);
    trtri_lower(par, o);
    lauum_lower(par, o);
    if !mirror {
        return;
    }
    for i in 0..n {
        for j in 0..i {
            *out.add(j * n + i) = *out.add(i * n + j);
        }
    }
}
