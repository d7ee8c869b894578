//! Triangular solves with many right-hand sides, `B ← T⁻¹ B` for a lower or an
//! upper triangular `T` given as a strided view (so `Lᵀ` is just `L.t()`, and a
//! right-side solve `X ← X T⁻¹` is a left-side solve on `Xᵀ`).
//!
//! Recursive blocking: split `T` in two, solve the first half, update the second
//! half's right-hand sides with one [`gemm`] (almost all of the flops), solve the
//! second half. Below [`TRSM_BASE`] rows an unblocked substitution takes over; it
//! uses row axpys when the rows of `B` are contiguous and column dot products
//! otherwise.

use crate::blas1::{axpy, div, dot};
use crate::gemm::{gemm, Tri, Workspace};
use crate::view::{split, MatMut, MatRef};

/// Rows of `T` below which the solve is unblocked.
pub const TRSM_BASE: usize = 32;

/// `B ← L⁻¹ B` with `L` (n×n) lower triangular, `B` n×m.
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `L`.
pub unsafe fn trsm_left_lower(ws: &mut Workspace, l: MatRef, b: MatMut) {
    let n = l.rows;
    if n == 0 || b.cols == 0 {
        return;
    }
    if n <= TRSM_BASE {
        return unblocked_lower(l, b);
    }
    let n1 = split(n);
    let n2 = n - n1;
    let (b1, b2) = (b.sub(0, 0, n1, b.cols), b.sub(n1, 0, n2, b.cols));
    trsm_left_lower(ws, l.sub(0, 0, n1, n1), b1);
    gemm(ws, -1.0, l.sub(n1, 0, n2, n1), b1.rb(), b2, Tri::Full);
    trsm_left_lower(ws, l.sub(n1, n1, n2, n2), b2);
}

/// `B ← U⁻¹ B` with `U` (n×n) upper triangular, `B` n×m.
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `U`.
pub unsafe fn trsm_left_upper(ws: &mut Workspace, u: MatRef, b: MatMut) {
    let n = u.rows;
    if n == 0 || b.cols == 0 {
        return;
    }
    if n <= TRSM_BASE {
        return unblocked_upper(u, b);
    }
    let n1 = split(n);
    let n2 = n - n1;
    let (b1, b2) = (b.sub(0, 0, n1, b.cols), b.sub(n1, 0, n2, b.cols));
    trsm_left_upper(ws, u.sub(n1, n1, n2, n2), b2);
    gemm(ws, -1.0, u.sub(0, n1, n1, n2), b2.rb(), b1, Tri::Full);
    trsm_left_upper(ws, u.sub(0, 0, n1, n1), b1);
}

/// Forward substitution.
unsafe fn unblocked_lower(l: MatRef, b: MatMut) {
    let (n, m) = (l.rows, b.cols);
    if b.cs == 1 {
        // Row form: B_i ← (B_i − Σ_{k<i} L_ik B_k) / L_ii, contiguous rows.
        for i in 0..n {
            let bi = b.ptr_at(i, 0);
            for k in 0..i {
                axpy(m, -l.at(i, k), b.ptr_at(k, 0), 1, bi, 1);
            }
            div(m, l.at(i, i), bi, 1);
        }
    } else {
        // Column form: one dot product per element, along B's contiguous columns.
        for c in 0..m {
            for i in 0..n {
                let s = dot(i, l.ptr_at(i, 0), l.cs, b.ptr_at(0, c), b.rs);
                b.set(i, c, (b.at(i, c) - s) / l.at(i, i));
            }
        }
    }
}

/// Back substitution.
unsafe fn unblocked_upper(u: MatRef, b: MatMut) {
    let (n, m) = (u.rows, b.cols);
    if b.cs == 1 {
        for i in (0..n).rev() {
            let bi = b.ptr_at(i, 0);
            for k in i + 1..n {
                axpy(m, -u.at(i, k), b.ptr_at(k, 0), 1, bi, 1);
            }
            div(m, u.at(i, i), bi, 1);
        }
    } else {
        for c in 0..m {
            for i in (0..n).rev() {
                let s = dot(n - i - 1, u.ptr_at(i, i + 1), u.cs, b.ptr_at(i + 1, c), b.rs);
                b.set(i, c, (b.at(i, c) - s) / u.at(i, i));
            }
        }
    }
}
