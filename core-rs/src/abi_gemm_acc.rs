//! The C ABI of the accumulating GEMM `C += α · op(A) · op(B)` (either operand read
//! transposed in place, optionally only the lower triangle of `C`): what a streamed
//! product over chunks of columns needs (SGPR's `K_Zx K_xZ`, a SYRK when `B = Aᵀ`),
//! without copying a transpose or a partial sum out of WASM memory.

use crate::gemm::Tri;
use crate::par::{self, Par};
use crate::status::{E_NOMEM, E_SIZE, OK};
use crate::view::{MatMut, MatRef};
use crate::{elems, overlaps, ptr_ok};

/// `C += alpha · op(A) · op(B)` with `op(A)` m×k, `op(B)` k×n, `C` m×n (row-major).
/// `trans_a = 1` reads `A` stored k×m as its transpose (else `A` is m×k); likewise
/// `trans_b = 1` reads `B` stored n×k. `lower = 1` (needs `m == n`) updates only
/// `C[i][j]` with `i ≥ j`. `C` must not overlap `A` or `B`; `A` and `B` may be the same.
///
/// # Safety
/// Each pointer must address the number of elements its sizes imply.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn gpts_gemm_acc(
    a: *const f64,
    b: *const f64,
    c: *mut f64,
    m: usize,
    k: usize,
    n: usize,
    trans_a: i32,
    trans_b: i32,
    alpha: f64,
    lower: i32,
) -> i32 {
    let (la, lb, lc) = match (elems(m, k), elems(k, n), elems(m, n)) {
        (Some(x), Some(y), Some(z)) => (x, y, z),
        _ => return E_SIZE,
    };
    let flags_ok = [trans_a, trans_b, lower].iter().all(|&f| f == 0 || f == 1);
    if !flags_ok || (lower == 1 && m != n) {
        return E_SIZE;
    }
    if !ptr_ok(a, la) || !ptr_ok(b, lb) || !ptr_ok(c, lc) || overlaps(a, la, c, lc) || overlaps(b, lb, c, lc) {
        return E_SIZE;
    }
    if lc == 0 || k == 0 {
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
