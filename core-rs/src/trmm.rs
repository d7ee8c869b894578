//! `B ← L B` in place for a lower triangular `L` (the twin of
//! [`crate::trsm::trmm_left_lower_trans`], `B ← Lᵀ B`), recursively blocked so that almost
//! all of its flops run in one [`gemm`]: half the flops of a dense product.

use crate::blas1::{axpy, scal};
use crate::gemm::{gemm, Tri, Workspace};
use crate::tri_tile::{base_case, Op, Part};
use crate::trsm::TRMM_BASE;
use crate::view::{split, MatMut, MatRef};

/// `B ← L B` in place, with `L` (n×n) lower triangular (its upper triangle not read) and
/// `B` n×m.
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `L`.
pub unsafe fn trmm_left_lower(ws: &mut Workspace, l: MatRef, b: MatMut) {
    let n = l.rows;
    if n == 0 || b.cols == 0 {
        return;
    }
    if n <= TRMM_BASE && b.cs == 1 {
        return base_case(Op::Multiply, Part::Below, l, b);
    }
    if n <= TRMM_BASE {
        // Row i of L B = Σ_{k≤i} L_ik B_k: descending i only reads rows not yet written.
        let m = b.cols;
        for i in (0..n).rev() {
            let bi = b.ptr_at(i, 0);
            scal(m, l.at(i, i), bi, b.cs);
            for k in 0..i {
                axpy(m, l.at(i, k), b.ptr_at(k, 0), b.cs, bi, b.cs);
            }
        }
        return;
    }
    // L = [L11 0; L21 L22]: B2 ← L22 B2 + L21 B1 before B1 ← L11 B1.
    let n1 = split(n);
    let n2 = n - n1;
    let (b1, b2) = (b.sub(0, 0, n1, b.cols), b.sub(n1, 0, n2, b.cols));
    trmm_left_lower(ws, l.sub(n1, n1, n2, n2), b2);
    gemm(ws, 1.0, l.sub(n1, 0, n2, n1), b1.rb(), b2, Tri::Full);
    trmm_left_lower(ws, l.sub(0, 0, n1, n1), b1);
}

/// Parallel [`trmm_left_lower`] (split over the columns of `B`).
///
/// # Safety
/// As for [`trmm_left_lower`].
pub unsafe fn par_trmm_left_lower(par: &crate::par::Par, l: MatRef, b: MatMut) {
    let flops = l.rows as f64 * l.rows as f64 * b.cols as f64;
    crate::par::by_columns(par, b, flops, &|ws, bb| trmm_left_lower(ws, l, bb));
}
