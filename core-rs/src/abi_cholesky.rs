//! The C ABI of the Cholesky factor: factoring in place, `log det`, `(L Lᵀ)⁻¹` (full or its
//! lower triangle) and the factor's vector–Jacobian product. Each call checks its sizes and
//! pointers, then hands views to [`crate::cholesky`], [`crate::inverse`] and
//! [`crate::cholesky_vjp`].

use crate::par::Par;
use crate::status::{E_NOMEM, E_SIZE, OK};
use crate::view::{MatMut, MatRef};
use crate::{alloc, cholesky, cholesky_vjp, elems, inverse, overlaps, ptr_ok};

/// In-place Cholesky of the lower triangle of `a` (n×n); zeros above the diagonal.
/// `0`, `k+1` for the first pivot `k` that is not positive/finite, or `-5`/`-6`.
///
/// # Safety
/// `a` must address `n*n` writable `f64`s.
#[no_mangle]
pub unsafe extern "C" fn gpts_cholesky(a: *mut f64, n: usize) -> i32 {
    let len = match elems(n, n) {
        Some(l) => l,
        None => return E_SIZE,
    };
    if !ptr_ok(a, len) {
        return E_SIZE;
    }
    if n == 0 {
        return OK;
    }
    let par = match Par::try_new(n) {
        Some(p) => p,
        None => return E_NOMEM,
    };
    let r = cholesky::potrf(&par, MatMut::row_major(a, n, n, n));
    for i in 0..n {
        core::ptr::write_bytes(a.add(i * n + i + 1), 0, n - i - 1);
    }
    match r {
        Ok(()) => OK,
        Err(k) => (k + 1) as i32,
    }
}

/// `2 Σ log L_ii`; NaN when the arguments are invalid.
///
/// # Safety
/// `l` must address `n*n` `f64`s.
#[no_mangle]
pub unsafe extern "C" fn gpts_cholesky_logdet(l: *const f64, n: usize) -> f64 {
    match elems(n, n) {
        Some(len) if ptr_ok(l, len) => cholesky::logdet(l, n),
        _ => f64::NAN,
    }
}

/// In place on `g`: the VJP of `L = chol(A)`: on entry the lower triangle of `g` holds
/// `L̄` (the upper one is ignored), on exit `g` is the full symmetric
/// `Ā = ½ (S + Sᵀ)`, `S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹`. `L` n×n lower triangular (upper triangle not
/// read) with a nonzero diagonal; `g` must not overlap `l`.
///
/// # Safety
/// `l` and `g` must address `n*n` `f64`s each.
#[no_mangle]
pub unsafe extern "C" fn gpts_cholesky_vjp(l: *const f64, n: usize, g: *mut f64) -> i32 {
    let par = match factor_and_square(l, n, g) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let bytes = cholesky_vjp::scratch_len(n) * core::mem::size_of::<f64>();
    let scratch = alloc::allocate(bytes) as *mut f64;
    if scratch.is_null() {
        return E_NOMEM;
    }
    let lv = MatRef::row_major(l, n, n, n);
    cholesky_vjp::cholesky_vjp(&par, lv, MatMut::row_major(g, n, n, n), scratch);
    alloc::release(scratch as *mut u8, bytes);
    OK
}

/// Checks an n×n factor `l` and an n×n `out` that must not overlap it, and makes the
/// threads' scratch; `Err(status)` is what the ABI call returns at once (`OK` for n = 0).
unsafe fn factor_and_square(l: *const f64, n: usize, out: *const f64) -> Result<Par, i32> {
    let len = elems(n, n).ok_or(E_SIZE)?;
    if !ptr_ok(l, len) || !ptr_ok(out, len) || overlaps(l, len, out, len) {
        return Err(E_SIZE);
    }
    if n == 0 {
        return Err(OK);
    }
    Par::try_new(n).ok_or(E_NOMEM)
}

/// `out = (L Lᵀ)⁻¹`, full symmetric n×n; `out` must not overlap `l`.
///
/// # Safety
/// `l` and `out` must address `n*n` `f64`s each.
#[no_mangle]
pub unsafe extern "C" fn gpts_cholesky_inverse(l: *const f64, n: usize, out: *mut f64) -> i32 {
    cholesky_inverse_abi(l, n, out, true)
}

/// As [`gpts_cholesky_inverse`], writing only the lower triangle (the upper one of
/// `out` is left as it was): what a contraction that reads the lower triangle needs.
///
/// # Safety
/// As for [`gpts_cholesky_inverse`].
#[no_mangle]
pub unsafe extern "C" fn gpts_cholesky_inverse_lower(l: *const f64, n: usize, out: *mut f64) -> i32 {
    cholesky_inverse_abi(l, n, out, false)
}

unsafe fn cholesky_inverse_abi(l: *const f64, n: usize, out: *mut f64, mirror: bool) -> i32 {
    match factor_and_square(l, n, out) {
        Ok(par) => {
            inverse::cholesky_inverse(&par, l, n, out, mirror);
            OK
        }
        Err(status) => status,
    }
}
