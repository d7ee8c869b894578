//! The C ABI of the general product `C = α·op(A)·op(B) (+ C)`: either operand read
//! transposed through a strided view (no copy), the result accumulated or overwritten,
//! and optionally only its lower triangle written (a SYRK-shaped product such as
//! `A·D·Aᵀ` costs half). The autograd's VJPs are made of such products.

use crate::gemm::Tri;
use crate::par::{self, Par};
use crate::status::{E_NOMEM, E_SIZE, OK};
use crate::view::{MatMut, MatRef};
use crate::{elems, overlaps, ptr_ok};

/// `C = alpha · op(A) · op(B)` (`accumulate = 0`: `C` overwritten, every element) or
/// `C += alpha · op(A) · op(B)` (`accumulate = 1`), with `op(A)` m×k (`A` stored m×k
/// row-major, or k×m when `trans_a = 1`) and `op(B)` k×n (`B` k×n, or n×k when
/// `trans_b = 1`). `lower = 1` writes only the elements `i ≥ j` of the square `C` (the
/// others are zeroed when overwriting, left alone when accumulating). Flags other than
/// 0 or 1, a non-square `C` with `lower`, or `C` overlapping `A` or `B` are `-5`.
///
/// # Safety
/// Each pointer must address the number of elements its sizes imply.
#[no_mangle]
pub unsafe extern "C" fn gpts_gemm_ex(
    a: *const f64,
    trans_a: i32,
    b: *const f64,
    trans_b: i32,
    c: *mut f64,
    m: usize,
    k: usize,
    n: usize,
    alpha: f64,
    accumulate: i32,
    lower: i32,
) -> i32 {
    let flags = [trans_a, trans_b, accumulate, lower];
    if flags.iter().any(|&f| f != 0 && f != 1) || (lower == 1 && m != n) {
        return E_SIZE;
    }
    let (la, lb, lc) = match (elems(m, k), elems(k, n), elems(m, n)) {
        (Some(x), Some(y), Some(z)) => (x, y, z),
        _ => return E_SIZE,
    };
    if !ptr_ok(a, la) || !ptr_ok(b, lb) || !ptr_ok(c, lc) || overlaps(a, la, c, lc) || overlaps(b, lb, c, lc) {
        return E_SIZE;
    }
    if lc == 0 {
        return OK;
    }
    if accumulate == 0 {
        // 16 bytes a store (the single-thread build has no bulk-memory `memory.fill`).
        crate::vfill::zero(core::slice::from_raw_parts_mut(c, lc));
    }
    if k == 0 || alpha == 0.0 {
        return OK;
    }
    let par = match Par::try_new(m.max(n).max(k)) {
        Some(p) => p,
        None => return E_NOMEM,
    };
    let av = if trans_a == 1 { MatRef::row_major(a, k, m, m).t() } else { MatRef::row_major(a, m, k, k) };
    let bv = if trans_b == 1 { MatRef::row_major(b, n, k, k).t() } else { MatRef::row_major(b, k, n, n) };
    let tri = if lower == 1 { Tri::Lower } else { Tri::Full };
    par::gemm(&par, alpha, av, bv, MatMut::row_major(c, m, n, n), tri);
    OK
}

/// `B ← L B` (`trans = 0`) or `B ← Lᵀ B` (`trans = 1`) in place, with `L` (n×n,
/// row-major) lower triangular (its upper triangle is not read) and `B` n×m row-major:
/// a product with a triangular factor at half a GEMM's flops (`Rᵀ A` and `R Ū` of a
/// whitened predictive with Cholesky root R). A flag other than 0 or 1, or overlap, is `-5`.
///
/// # Safety
/// `l` must address `n*n` and `b` `n*m` `f64`s.
#[no_mangle]
pub unsafe extern "C" fn gpts_trmm_lower(l: *const f64, n: usize, b: *mut f64, m: usize, trans: i32) -> i32 {
    let (ll, lb) = match (elems(n, n), elems(n, m)) {
        (Some(x), Some(y)) => (x, y),
        _ => return E_SIZE,
    };
    if !ptr_ok(l, ll) || !ptr_ok(b, lb) || overlaps(l, ll, b, lb) || !(trans == 0 || trans == 1) {
        return E_SIZE;
    }
    if n == 0 || m == 0 {
        return OK;
    }
    let par = match Par::try_new(n.max(m)) {
        Some(p) => p,
        None => return E_NOMEM,
    };
    let (lv, bv) = (MatRef::row_major(l, n, n, n), MatMut::row_major(b, n, m, m));
    if trans == 1 {
        par::trmm_left_lower_trans(&par, lv, bv);
    } else {
        crate::trmm::par_trmm_left_lower(&par, lv, bv);
    }
    OK
}
