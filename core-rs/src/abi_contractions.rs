//! The C ABI of the kernel program's contractions with a weight matrix or vector
//! (ABI.md, "Kernel programs"): the θ contraction over a rectangular `G`, the input
//! contractions, and their diagonal twins. Like the rest of the glue in `lib.rs`, each
//! function checks every size, pointer, overlap and the program before writing.

use crate::kernel_program::{self, Wrt};
use crate::status::E_SIZE;
use crate::{elems, overlaps, program_slices, ptr_ok, slice, slice_mut};

/// `grad[p] = Σ_ij G_ij ∂k(x1_i, x2_j)/∂theta[p]` for every `p < n_theta`; `g` is
/// n1×n2 (every entry read).
///
/// # Safety
/// Every pointer must address the number of elements its sizes imply; `grad`
/// (`n_theta` elements) must not overlap the inputs.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_cross_theta_contract(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x1: *const f64,
    n1: usize,
    x2: *const f64,
    n2: usize,
    d: usize,
    g: *const f64,
    grad: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let (l1, l2, lg) = match (elems(n1, d), elems(n2, d), elems(n1, n2)) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return E_SIZE,
    };
    if !ptr_ok(x1, l1) || !ptr_ok(x2, l2) || !ptr_ok(g, lg) || !ptr_ok(grad, n_theta) {
        return E_SIZE;
    }
    let inputs = [(x1, l1), (x2, l2), (g, lg), (theta.as_ptr(), n_theta)];
    if inputs.iter().any(|&(p, l)| overlaps(grad, n_theta, p, l)) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::cross_theta_contract(&prog, slice(x1, l1), n1, slice(x2, l2), n2, d, slice(g, lg), slice_mut(grad, n_theta))
}

/// `wrt = 1`: `out[i*d + c] = Σ_j G_ij ∂k(x1_i, x2_j)/∂x1_{i,c}` (`out` n1×d);
/// `wrt = 2`: `out[j*d + c] = Σ_i G_ij ∂k(x1_i, x2_j)/∂x2_{j,c}` (`out` n2×d).
/// Any other `wrt` is `-5`.
///
/// # Safety
/// As for [`gpts_kernel_cross_theta_contract`], with `out` in place of `grad`.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_input_contract(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x1: *const f64,
    n1: usize,
    x2: *const f64,
    n2: usize,
    d: usize,
    g: *const f64,
    wrt: i32,
    out: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let w = match wrt {
        1 => Wrt::X1,
        2 => Wrt::X2,
        _ => return E_SIZE,
    };
    let (l1, l2, lg) = match (elems(n1, d), elems(n2, d), elems(n1, n2)) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return E_SIZE,
    };
    let lo = if w == Wrt::X1 { l1 } else { l2 };
    if !ptr_ok(x1, l1) || !ptr_ok(x2, l2) || !ptr_ok(g, lg) || !ptr_ok(out, lo) {
        return E_SIZE;
    }
    let inputs = [(x1, l1), (x2, l2), (g, lg), (theta.as_ptr(), n_theta)];
    if inputs.iter().any(|&(p, l)| overlaps(out, lo, p, l)) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::input_contract(&prog, slice(x1, l1), n1, slice(x2, l2), n2, d, slice(g, lg), w, slice_mut(out, lo))
}

/// `grad[p] = Σ_i g_i ∂k(x_i, x_i)/∂theta[p]` for every `p < n_theta`; `g` has n
/// entries.
///
/// # Safety
/// As for [`gpts_kernel_cross_theta_contract`].
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_diag_theta_contract(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x: *const f64,
    n: usize,
    d: usize,
    g: *const f64,
    grad: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let lx = match elems(n, d) {
        Some(v) => v,
        None => return E_SIZE,
    };
    if !ptr_ok(x, lx) || !ptr_ok(g, n) || !ptr_ok(grad, n_theta) {
        return E_SIZE;
    }
    let inputs = [(x, lx), (g, n), (theta.as_ptr(), n_theta)];
    if inputs.iter().any(|&(p, l)| overlaps(grad, n_theta, p, l)) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::diag_theta_contract(&prog, slice(x, lx), n, d, slice(g, n), slice_mut(grad, n_theta))
}

/// `out[i*d + c] = g_i · d k(x_i, x_i)/dx_{i,c}` (the total derivative, both arguments
/// moving together; `out` n×d).
///
/// # Safety
/// As for [`gpts_kernel_cross_theta_contract`], with `out` (n·d elements) in place of
/// `grad`.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_diag_input_contract(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x: *const f64,
    n: usize,
    d: usize,
    g: *const f64,
    out: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let lx = match elems(n, d) {
        Some(v) => v,
        None => return E_SIZE,
    };
    if !ptr_ok(x, lx) || !ptr_ok(g, n) || !ptr_ok(out, lx) {
        return E_SIZE;
    }
    let inputs = [(x, lx), (g, n), (theta.as_ptr(), n_theta)];
    if inputs.iter().any(|&(p, l)| overlaps(out, lx, p, l)) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::diag_input_contract(&prog, slice(x, lx), n, d, slice(g, n), slice_mut(out, lx))
}
