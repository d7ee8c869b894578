//! `gpts-core`: the float64 dense linear algebra and kernel-program tiles behind
//! gpts, compiled to `wasm32-unknown-unknown` with simd128 and exported as a plain
//! C ABI (pointers into linear memory, lengths, integer status codes). `ABI.md`
//! is the contract; this file is only the glue: it checks every size and pointer,
//! then hands validated views to the modules below.
//!
//! | module | what |
//! | --- | --- |
//! | [`alloc`] | `gpts_alloc` / `gpts_free` |
//! | [`view`] | strided matrix views |
//! | [`microkernel`] | the 4×4 f64x2 GEMM micro-kernel (and its portable twin) |
//! | [`gemm`] | packed, cache-blocked GEMM (`C += αAB`, full or lower triangle) |
//! | [`trsm`] | blocked triangular solves |
//! | [`trmm`] | `B ← L B`, the blocked triangular multiply |
//! | [`tri_tile`] | the register-tiled base case of the triangular solves and multiplies |
//! | [`tri_row`] | its registers: eight columns of a row in four `f64x2` (and the portable twin) |
//! | [`cholesky`] | blocked Cholesky and log-determinant |
//! | [`cholesky_vjp`] | the Cholesky factor's VJP `L̄ ↦ Ā` on triangular blocks (`5n³/6`) |
//! | [`inverse`] | `(LLᵀ)⁻¹` via `trtri` + `lauum` |
//! | [`syr`] | rank-1 update |
//! | [`kernel_program`] | the kernel-program interpreter (values, θ and input derivatives) |
//! | [`abi_cholesky`] | the ABI of the Cholesky factor: factor, log-det, inverse, VJP |
//! | [`abi_gemm_ex`] | the ABI of `C = α·op(A)·op(B) (+ C)`, either operand transposed, full or lower triangle |
//! | [`abi_contractions`] | the ABI of the θ and input contractions over a rectangular `G` and the diagonal |
//! | [`probe_contract`] | `uᵀ (∂K/∂θ) u` for many probe vectors (the fast gradient) |
//! | [`opcodes`] | the kernel program's opcode table |
//! | [`par`] | fork-join over the threads of the shared-memory build |
//! | [`vexp`] | vectorised `exp` for kernel tiles |
//! | [`vfill`] | filling and copying float64 slices 16 bytes at a time (wasm) |

pub mod abi_cholesky;
pub mod abi_contractions;
pub mod abi_gemm_ex;
pub mod alloc;
pub mod blas1;
pub mod cholesky;
pub mod cholesky_vjp;
pub mod gemm;
pub mod inverse;
pub mod kernel_program;
pub mod microkernel;
pub mod opcodes;
pub mod par;
pub mod probe_contract;
pub mod status;
pub mod syr;
pub mod tri_row;
pub mod tri_tile;
pub mod trmm;
pub mod trsm;
pub mod vexp;
pub mod vfill;
mod vexp_table;
pub mod view;

pub use abi_cholesky::*;
pub use abi_contractions::*;
pub use abi_gemm_ex::*;
use par::Par;
use status::{E_NOMEM, E_SIZE, OK};
use view::MatMut;

/// Number of elements of an `r × c` array, if its byte size fits the address space.
#[inline]
fn elems(r: usize, c: usize) -> Option<usize> {
    let n = r.checked_mul(c)?;
    if n.checked_mul(8)? > isize::MAX as usize {
        return None;
    }
    Some(n)
}

/// Whether `p` can address `len` elements of `T` (any pointer when `len == 0`).
#[inline]
fn ptr_ok<T>(p: *const T, len: usize) -> bool {
    len == 0 || (!p.is_null() && (p as usize) % core::mem::align_of::<T>() == 0)
}

/// A slice over `len` elements (empty without touching `p` when `len == 0`).
#[inline]
unsafe fn slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(p, len)
    }
}

#[inline]
unsafe fn slice_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(p, len)
    }
}

/// Whether two element ranges overlap.
#[inline]
fn overlaps(a: *const f64, la: usize, b: *const f64, lb: usize) -> bool {
    let (a0, b0) = (a as usize, b as usize);
    la != 0 && lb != 0 && a0 < b0 + lb * 8 && b0 < a0 + la * 8
}

// ---------------------------------------------------------------- memory

/// A 16-byte aligned block of `bytes` bytes; `0` when memory cannot grow.
#[no_mangle]
pub extern "C" fn gpts_alloc(bytes: usize) -> *mut u8 {
    alloc::allocate(bytes)
}

/// Releases a block from `gpts_alloc` (same byte length). `0` is ignored.
///
/// # Safety
/// `ptr` must come from `gpts_alloc(bytes)` and not have been released.
#[no_mangle]
pub unsafe extern "C" fn gpts_free(ptr: *mut u8, bytes: usize) {
    alloc::release(ptr, bytes)
}

// ---------------------------------------------------------------- threads

/// Threads (main thread included) the next calls may use, clamped to `1..=64`; in
/// the single-thread build every call runs on the calling thread whatever this says.
/// Returns the value in force.
#[no_mangle]
pub extern "C" fn gpts_threads_set(threads: u32) -> u32 {
    par::set_threads(threads as usize);
    par::threads() as u32
}

/// Worker `id` (`1 ≤ id < 64`) parks here and works on the main thread's jobs; it
/// returns `0` after `idle_ms` without a job or once `gpts_threads_quit(1)`, `-5` in
/// the single-thread build or for a bad id. Threaded build, worker threads only.
#[no_mangle]
pub extern "C" fn gpts_threads_worker(id: u32, idle_ms: u32) -> i32 {
    par::worker_loop(id as usize, idle_ms)
}

/// `1`: parked workers leave [`gpts_threads_worker`]; `0`: they may stay again.
#[no_mangle]
pub extern "C" fn gpts_threads_quit(on: u32) {
    par::set_quit(on != 0)
}

/// Address of the `alive` flags (one `i32` per worker id, `1` while inside
/// [`gpts_threads_worker`]), for the pool to see which workers are parked.
#[no_mangle]
pub extern "C" fn gpts_threads_alive() -> *const u32 {
    par::CTL_alive_ptr()
}

// ---------------------------------------------------------------- dense linear algebra

/// `B ← L⁻¹ B` (`trans = 0`) or `B ← L⁻ᵀ B` (`trans = 1`); `L` n×n lower, `B` n×m.
///
/// # Safety
/// `l` must address `n*n` and `b` `n*m` `f64`s, not overlapping.
#[no_mangle]
pub unsafe extern "C" fn gpts_trsm_lower(l: *const f64, n: usize, b: *mut f64, m: usize, trans: i32) -> i32 {
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
    let lv = view::MatRef::row_major(l, n, n, n);
    let bv = MatMut::row_major(b, n, m, m);
    if trans == 0 {
        par::trsm_left_lower(&par, lv, bv);
    } else {
        par::trsm_left_upper(&par, lv.t(), bv);
    }
    OK
}

/// `C = A · B` with `A` m×k, `B` k×n, `C` m×n (row-major, `C` overwritten, not
/// overlapping `A` or `B`). An addition to the ABI for the engine's predictive paths.
///
/// # Safety
/// Each pointer must address the number of elements its sizes imply.
#[no_mangle]
pub unsafe extern "C" fn gpts_gemm(a: *const f64, b: *const f64, c: *mut f64, m: usize, k: usize, n: usize) -> i32 {
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
    // 16 bytes a store (the single-thread build has no bulk-memory `memory.fill`).
    crate::vfill::zero(core::slice::from_raw_parts_mut(c, lc));
    if k == 0 {
        return OK;
    }
    let par = match Par::try_new(m.max(n).max(k)) {
        Some(p) => p,
        None => return E_NOMEM,
    };
    par::gemm(
        &par,
        1.0,
        view::MatRef::row_major(a, m, k, k),
        view::MatRef::row_major(b, k, n, n),
        MatMut::row_major(c, m, n, n),
        gemm::Tri::Full,
    );
    OK
}

/// `A ← A + alpha·x xᵀ` on the full n×n `a`; `x` must not overlap `a`.
///
/// # Safety
/// `a` must address `n*n` and `x` `n` `f64`s.
#[no_mangle]
pub unsafe extern "C" fn gpts_syr(a: *mut f64, n: usize, alpha: f64, x: *const f64) -> i32 {
    let len = match elems(n, n) {
        Some(v) => v,
        None => return E_SIZE,
    };
    if !ptr_ok(a, len) || !ptr_ok(x, n) || overlaps(a, len, x, n) {
        return E_SIZE;
    }
    syr::syr(slice_mut(a, len), n, alpha, slice(x, n));
    OK
}

// ---------------------------------------------------------------- kernel programs

/// Checks the program arrays and builds their slices.
unsafe fn program_slices<'a>(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
) -> Result<(&'a [i32], &'a [f64]), i32> {
    if elems(n_ops, 1).is_none() || elems(n_theta, 1).is_none() || !ptr_ok(ops, n_ops) || !ptr_ok(theta, n_theta) {
        return Err(E_SIZE);
    }
    Ok((slice(ops, n_ops), slice(theta, n_theta)))
}

/// `out[i*n2 + j] = k(x1_i, x2_j)`; one triangle computed and mirrored when
/// `x1 == x2` and `n1 == n2`.
///
/// # Safety
/// Every pointer must address the number of elements its sizes imply; `out` must not
/// overlap the inputs.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_matrix(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x1: *const f64,
    n1: usize,
    x2: *const f64,
    n2: usize,
    d: usize,
    out: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let (l1, l2, lo) = match (elems(n1, d), elems(n2, d), elems(n1, n2)) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return E_SIZE,
    };
    if !ptr_ok(x1, l1) || !ptr_ok(x2, l2) || !ptr_ok(out, lo) || overlaps(x1, l1, out, lo) || overlaps(x2, l2, out, lo) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let symmetric = x1 == x2 && n1 == n2;
    kernel_program::kernel_matrix(&prog, slice(x1, l1), n1, slice(x2, l2), n2, d, slice_mut(out, lo), symmetric)
}

/// `out[i] = k(x_i, x_i)`.
///
/// # Safety
/// As for [`gpts_kernel_matrix`].
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_diag(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x: *const f64,
    n: usize,
    d: usize,
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
    if !ptr_ok(x, lx) || !ptr_ok(out, n) || overlaps(x, lx, out, n) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::kernel_diag(&prog, slice(x, lx), n, d, slice_mut(out, n))
}

/// `grad[p] = Σ_ij G_ij ∂k(x_i, x_j)/∂theta[p]` for every `p < n_theta`; `g` (n×n,
/// symmetric) is read on its lower triangle only.
///
/// # Safety
/// As for [`gpts_kernel_matrix`]; `grad` addresses `n_theta` elements.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_grad_contract(
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
    let (lx, lg) = match (elems(n, d), elems(n, n)) {
        (Some(a), Some(b)) => (a, b),
        _ => return E_SIZE,
    };
    if !ptr_ok(x, lx) || !ptr_ok(g, lg) || !ptr_ok(grad, n_theta) {
        return E_SIZE;
    }
    if overlaps(grad, n_theta, x, lx) || overlaps(grad, n_theta, g, lg) || overlaps(grad, n_theta, theta.as_ptr(), n_theta) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    kernel_program::grad_contract(&prog, slice(x, lx), n, d, slice(g, lg), slice_mut(grad, n_theta))
}

/// `out[p*m + k] = Σ_ij ∂k(x_i, x_j)/∂theta[p] · U_ik U_jk` for every `p < n_theta` and
/// probe column `k < m` of `u` (n×m); zero where the program does not use `p`.
///
/// # Safety
/// As for [`gpts_kernel_matrix`]; `u` addresses `n*m` and `out` `n_theta*m` elements,
/// `out` overlapping none of the inputs.
#[no_mangle]
pub unsafe extern "C" fn gpts_kernel_probe_contract(
    ops: *const i32,
    n_ops: usize,
    theta: *const f64,
    n_theta: usize,
    x: *const f64,
    n: usize,
    d: usize,
    u: *const f64,
    m: usize,
    out: *mut f64,
) -> i32 {
    let (ops, theta) = match program_slices(ops, n_ops, theta, n_theta) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let (lx, lu, lo) = match (elems(n, d), elems(n, m), elems(n_theta, m)) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return E_SIZE,
    };
    if !ptr_ok(x, lx) || !ptr_ok(u, lu) || !ptr_ok(out, lo) {
        return E_SIZE;
    }
    if overlaps(out, lo, x, lx) || overlaps(out, lo, u, lu) || overlaps(out, lo, theta.as_ptr(), n_theta) {
        return E_SIZE;
    }
    let prog = match kernel_program::parse(ops, theta, d) {
        Ok(p) => p,
        Err(c) => return c,
    };
    probe_contract::probe_contract(&prog, slice(x, lx), n, d, slice(u, lu), m, slice_mut(out, lo))
}
