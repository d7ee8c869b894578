//! Serial triangular routines on one workspace: the solves with many right-hand
//! sides and the triangular multiply `B ← Lᵀ B` (for `lauum`, [`crate::inverse`]);
//! [`crate::par`] splits them over threads. The solves: `B ← T⁻¹ B` for a lower or an
//! upper triangular `T` given as a strided view (so `Lᵀ` is just `L.t()`, and a
//! right-side solve `X ← X T⁻¹` is a left-side solve on `Xᵀ`).
//!
//! Recursive blocking: split `T` in two, solve the first half, update the second
//! half's right-hand sides with one [`gemm`] (almost all of the flops), solve the
//! second half. Below [`TRSM_BASE`] rows an unblocked substitution takes over: the
//! register tiles of [`crate::tri_tile`] when the rows of `B` are contiguous, column
//! dot products otherwise. One right-hand side (the solve for α, a posterior mean)
//! skips the blocking: packing a triangle that is read once costs as much as using it,
//! so a substitution along whichever direction of `T` is contiguous is faster.

use crate::blas1::{axpy, dot, scal};
use crate::gemm::{gemm, Tri, Workspace};
use crate::tri_tile::{base_case, Op, Part};
use crate::view::{split, MatMut, MatRef};

/// Rows of `T` below which the solve is unblocked.
pub const TRSM_BASE: usize = crate::tri_tile::TILE_ROWS;

/// Rows of `L` below which the multiply is unblocked (as `inverse::INV_BASE`).
pub const TRMM_BASE: usize = crate::tri_tile::TILE_ROWS;

/// `B ← L⁻¹ B` with `L` (n×n) lower triangular, `B` n×m.
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `L`.
pub unsafe fn trsm_left_lower(ws: &mut Workspace, l: MatRef, b: MatMut) {
    let n = l.rows;
    if n == 0 || b.cols == 0 {
        return;
    }
    if b.cols == 1 && (l.cs == 1 || l.rs == 1) {
        return vector_lower(l, b);
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
    if b.cols == 1 && (u.cs == 1 || u.rs == 1) {
        return vector_upper(u, b);
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

/// Forward substitution for one right-hand side, reading `L` along its contiguous
/// direction: dot products over rows, or axpys down columns.
unsafe fn vector_lower(l: MatRef, b: MatMut) {
    let n = l.rows;
    let x = b.ptr_at(0, 0);
    if l.cs == 1 {
        for i in 0..n {
            let s = dot(i, l.ptr_at(i, 0), 1, x as *const f64, b.rs);
            b.set(i, 0, (b.at(i, 0) - s) / l.at(i, i));
        }
    } else {
        for k in 0..n {
            let xk = b.at(k, 0) / l.at(k, k);
            b.set(k, 0, xk);
            if k + 1 < n {
                axpy(n - k - 1, -xk, l.ptr_at(k + 1, k), l.rs, b.ptr_at(k + 1, 0), b.rs);
            }
        }
    }
}

/// Back substitution for one right-hand side (see [`vector_lower`]).
unsafe fn vector_upper(u: MatRef, b: MatMut) {
    let n = u.rows;
    if u.cs == 1 {
        for i in (0..n).rev() {
            let s = if i + 1 < n {
                dot(n - i - 1, u.ptr_at(i, i + 1), 1, b.ptr_at(i + 1, 0), b.rs)
            } else {
                0.0
            };
            b.set(i, 0, (b.at(i, 0) - s) / u.at(i, i));
        }
    } else {
        for k in (0..n).rev() {
            let xk = b.at(k, 0) / u.at(k, k);
            b.set(k, 0, xk);
            axpy(k, -xk, u.ptr_at(0, k), u.rs, b.ptr_at(0, 0), b.rs);
        }
    }
}

/// Forward substitution.
unsafe fn unblocked_lower(l: MatRef, b: MatMut) {
    let (n, m) = (l.rows, b.cols);
    if b.cs == 1 {
        // Row form: B_i ← (B_i − Σ_{k<i} L_ik B_k) / L_ii, contiguous rows, by tiles.
        base_case(Op::Solve, Part::Below, l, b);
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
        base_case(Op::Solve, Part::Above, u, b);
    } else {
        for c in 0..m {
            for i in (0..n).rev() {
                let s = dot(n - i - 1, u.ptr_at(i, i + 1), u.cs, b.ptr_at(i + 1, c), b.rs);
                b.set(i, c, (b.at(i, c) - s) / u.at(i, i));
            }
        }
    }
}

/// `B ← Lᵀ B` in place, with `L` (n×n) lower triangular and `B` n×m.
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `L`.
pub unsafe fn trmm_left_lower_trans(ws: &mut Workspace, l: MatRef, b: MatMut) {
    let n = l.rows;
    if n == 0 || b.cols == 0 {
        return;
    }
    if n <= TRMM_BASE && b.cs == 1 {
        return base_case(Op::Multiply, Part::Above, l.t(), b);
    }
    if n <= TRMM_BASE {
        // Row i of Lᵀ B = Σ_{k≥i} L_ki B_k: ascending i only reads rows not yet written.
        let m = b.cols;
        for i in 0..n {
            let bi = b.ptr_at(i, 0);
            scal(m, l.at(i, i), bi, b.cs);
            for k in i + 1..n {
                axpy(m, l.at(k, i), b.ptr_at(k, 0), b.cs, bi, b.cs);
            }
        }
        return;
    }
    // Lᵀ = [L11ᵀ L21ᵀ; 0 L22ᵀ]
    let n1 = split(n);
    let n2 = n - n1;
    let (b1, b2) = (b.sub(0, 0, n1, b.cols), b.sub(n1, 0, n2, b.cols));
    trmm_left_lower_trans(ws, l.sub(0, 0, n1, n1), b1);
    gemm(ws, 1.0, l.sub(n1, 0, n2, n1).t(), b2.rb(), b1, Tri::Full);
    trmm_left_lower_trans(ws, l.sub(n1, n1, n2, n2), b2);
}
