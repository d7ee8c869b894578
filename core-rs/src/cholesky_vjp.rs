//! The vector–Jacobian product of the Cholesky factor, `L̄ ↦ Ā` for `A = L Lᵀ`
//! (Murray 2016): `Ā = ½ (S + Sᵀ)`, `S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹`, where `Φ` keeps the lower
//! triangle and halves the diagonal.
//!
//! Every factor but the last is triangular, and the blocking uses it: `P = Φ(Lᵀ L̄)` and
//! `Y = P L⁻¹` are both lower triangular and each costs `n³/6` multiply–adds (a dense
//! product or solve would cost `n³/2`), and only `S = L⁻ᵀ Y` is a full solve (`n³/2`):
//! `5n³/6` in all instead of the `3n³/2` of one GEMM and two solves. Each level of the
//! recursion puts its off-diagonal work into one GEMM, triangular multiply or solve of
//! [`crate::par`], so threads split the big blocks as in the other routines and the
//! result does not depend on the thread count.

use crate::gemm::Tri;
use crate::par::{self, Par};
use crate::view::{split, MatMut, MatRef};

/// Rows below which the triangular–triangular steps are unblocked.
const VJP_BASE: usize = 32;

/// Elements of scratch that [`cholesky_vjp`] needs for an `n × n` factor: two
/// `n2 × n1` blocks of the top level (the largest ones).
pub fn scratch_len(n: usize) -> usize {
    if n <= VJP_BASE {
        return 0;
    }
    let n1 = split(n);
    2 * n1 * (n - n1)
}

/// `g ← Ā = ½ (S + Sᵀ)`, `S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹`, where on entry the lower triangle of `g`
/// holds `L̄` (its upper triangle is ignored) and on exit `g` is the full symmetric `Ā`.
///
/// # Safety
/// `l` and `g` are `n × n` views of valid, non-overlapping memory; `scratch` holds
/// [`scratch_len`]`(n)` writable elements that overlap neither. The diagonal of `L` is
/// nonzero.
pub unsafe fn cholesky_vjp(par: &Par, l: MatRef, g: MatMut, scratch: *mut f64) {
    let n = l.rows;
    zero_upper(g);
    lower_lt_times(par, l, g);
    for i in 0..n {
        g.set(i, i, 0.5 * g.at(i, i));
    }
    // Neither triangular step writes above the diagonal, so Y's upper triangle is still zero.
    right_solve_lower(par, l, g, scratch);
    par::trsm_left_upper(par, l.t(), g);
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (g.at(i, j) + g.at(j, i));
            g.set(i, j, v);
            g.set(j, i, v);
        }
    }
}

unsafe fn zero_upper(g: MatMut) {
    for i in 0..g.rows {
        for j in i + 1..g.cols {
            g.set(i, j, 0.0);
        }
    }
}

/// The lower triangle of `b` ← `tril(Lᵀ B)` for lower triangular `L` and `B` (`B`'s
/// upper triangle is neither read nor written).
unsafe fn lower_lt_times(par: &Par, l: MatRef, b: MatMut) {
    let n = l.rows;
    if n <= VJP_BASE {
        // P_ij = Σ_{k ≥ i} L_ki B_kj: ascending i only reads rows not yet written.
        for j in 0..n {
            for i in j..n {
                let mut s = 0.0;
                for k in i..n {
                    s += l.at(k, i) * b.at(k, j);
                }
                b.set(i, j, s);
            }
        }
        return;
    }
    // Lᵀ B = [L11ᵀB11 + L21ᵀB21, ·; L22ᵀB21, L22ᵀB22] on the lower triangle.
    let n1 = split(n);
    let n2 = n - n1;
    let (l21, l22) = (l.sub(n1, 0, n2, n1), l.sub(n1, n1, n2, n2));
    let (b11, b21, b22) = (b.sub(0, 0, n1, n1), b.sub(n1, 0, n2, n1), b.sub(n1, n1, n2, n2));
    lower_lt_times(par, l.sub(0, 0, n1, n1), b11);
    par::gemm(par, 1.0, l21.t(), b21.rb(), b11, Tri::Lower);
    par::trmm_left_lower_trans(par, l22, b21);
    lower_lt_times(par, l22, b22);
}

/// The lower triangle of `p` ← `Y` with `Y L = P`, for lower triangular `L` and `P`
/// (so `Y` is lower triangular too; `p`'s upper triangle is neither read nor written).
unsafe fn right_solve_lower(par: &Par, l: MatRef, p: MatMut, scratch: *mut f64) {
    let n = l.rows;
    if n <= VJP_BASE {
        // Row i: y_ij = (p_ij − Σ_{j<k≤i} y_ik L_kj) / L_jj, from the diagonal leftwards.
        for i in 0..n {
            for j in (0..=i).rev() {
                let mut s = p.at(i, j);
                for k in j + 1..=i {
                    s -= p.at(i, k) * l.at(k, j);
                }
                p.set(i, j, s / l.at(j, j));
            }
        }
        return;
    }
    // [Y11 0; Y21 Y22] L = P:  Y22 = P22 L22⁻¹,  Y21 = (P21 − Y22 L21) L11⁻¹,  Y11 = P11 L11⁻¹.
    let n1 = split(n);
    let n2 = n - n1;
    let (l11, l21) = (l.sub(0, 0, n1, n1), l.sub(n1, 0, n2, n1));
    let (p11, p21, p22) = (p.sub(0, 0, n1, n1), p.sub(n1, 0, n2, n1), p.sub(n1, n1, n2, n2));
    right_solve_lower(par, l.sub(n1, n1, n2, n2), p22, scratch);
    // t = Y22 L21 (n2 × n1), then r = (P21 − t)ᵀ (n1 × n2, contiguous rows for the solve).
    let t = MatMut::row_major(scratch, n2, n1, n1);
    let r = MatMut::row_major(scratch.add(n2 * n1), n1, n2, n2);
    for i in 0..n2 {
        for j in 0..n1 {
            t.set(i, j, l21.at(i, j));
        }
    }
    crate::trmm::par_trmm_left_lower(par, p22.rb(), t);
    for i in 0..n2 {
        for j in 0..n1 {
            r.set(j, i, p21.at(i, j) - t.at(i, j));
        }
    }
    // Y21 L11 = R ⇔ L11ᵀ Y21ᵀ = Rᵀ.
    par::trsm_left_upper(par, l11.t(), r);
    for i in 0..n2 {
        for j in 0..n1 {
            p21.set(i, j, r.at(j, i));
        }
    }
    right_solve_lower(par, l11, p11, scratch);
}
