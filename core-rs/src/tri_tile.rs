//! The unblocked base case of the triangular solves and multiplies ([`crate::trsm`],
//! [`crate::trmm`]) for a right-hand side `B` with contiguous rows, one tile of
//! [`TW`] columns at a time.
//!
//! Row `i` of the result is one chain over the rows `k` of `B` that it reads:
//! a solve computes `x_i = (b_i + Σ_k (−T_ik)·x_k) / T_ii`, a multiply
//! `y_i = T_ii·b_i + Σ_k T_ik·b_k`, with `k` ascending either way, exactly the
//! operations (and order) of the row axpys this replaces, so the results are the
//! same bits. What changes is where the operands live: the tile's rows of `B` are
//! copied into a contiguous panel of `n × TW` that stays in L1 (rows `m` apart would
//! collide in a few cache sets), the row being computed stays in registers for its
//! whole chain (eight `f64x2` in the wasm32 + simd128 build) and `T` is read from a
//! packed copy. Every other target runs a portable twin with the same operations.

use crate::view::{MatMut, MatRef};

/// Columns of a tile: one row of it is eight `f64x2` registers.
pub const TW: usize = 16;

/// The most rows of `T` a base case has (the blocked routines' base size).
pub const TILE_ROWS: usize = 32;

/// What a base case computes with the triangle `T`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    /// `B ← T⁻¹ B`.
    Solve,
    /// `B ← T B`.
    Multiply,
}

/// Which triangle of `T` holds its off-diagonal entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    /// Lower: row `i` reads `k < i`.
    Below,
    /// Upper: row `i` reads `k > i`.
    Above,
}

/// `B ← T⁻¹ B` or `B ← T B` for `T` (n×n, `n ≤ TILE_ROWS`, only the diagonal and
/// `part` read) and `B` n×m with unit column stride.
///
/// Rows are computed in the order that reads only rows not yet written (a multiply)
/// or already solved (a solve).
///
/// # Safety
/// Views must address valid memory; `B` must not overlap `T`; `b.cs == 1`.
pub unsafe fn base_case(op: Op, part: Part, t: MatRef, b: MatMut) {
    let n = t.rows;
    debug_assert!(n <= TILE_ROWS && t.cols == n && b.rows == n && b.cs == 1);
    let solve = op == Op::Solve;
    // Coefficients by row in the order the chain reads them, negated for a solve
    // (negation is exact, so `acc + (−t)·x` is the axpy's own operation).
    let mut coef = [0.0f64; TILE_ROWS * TILE_ROWS];
    let mut diag = [0.0f64; TILE_ROWS];
    for i in 0..n {
        diag[i] = t.at(i, i);
        for k in reads(part == Part::Below, i, n) {
            coef[i * n + k] = if solve { -t.at(i, k) } else { t.at(i, k) };
        }
    }
    let mut panel = [0.0f64; TILE_ROWS * TW];
    let tri = Tri { n, coef: coef.as_ptr(), diag: diag.as_ptr(), pan: panel.as_mut_ptr() };
    let mut c0 = 0;
    while c0 < b.cols {
        let w = TW.min(b.cols - c0);
        let bt = b.sub(0, c0, n, w);
        match (op, part) {
            (Op::Solve, Part::Below) => tile::<true, true>(&tri, bt),
            (Op::Solve, Part::Above) => tile::<true, false>(&tri, bt),
            (Op::Multiply, Part::Below) => tile::<false, true>(&tri, bt),
            (Op::Multiply, Part::Above) => tile::<false, false>(&tri, bt),
        }
        c0 += TW;
    }
}

/// What every tile of one base case shares: the packed triangle and the panel.
struct Tri {
    n: usize,
    /// `coef[i*n + k]`: row `i`'s coefficient of row `k`.
    coef: *const f64,
    diag: *const f64,
    /// `n × TW`, row `i` at `pan + i*TW`.
    pan: *mut f64,
}

/// One tile (`b` n×w, `w ≤ TW`). Apart from [`base_case`] (and taking pointers, not
/// its arrays) so that LLVM addresses the panel from a plain pointer, with positive
/// load offsets that V8 folds into the loads.
#[inline(never)]
unsafe fn tile<const SOLVE: bool, const BELOW: bool>(t: &Tri, b: MatMut) {
    let (n, w, pan) = (t.n, b.cols, t.pan);
    let edge = w < TW;
    if edge {
        // Padded rows (the padding is computed on, never stored back).
        for i in 0..n {
            let (src, dst) = (b.ptr_at(i, 0), pan.add(i * TW));
            for j in 0..TW {
                *dst.add(j) = if j < w { *src.add(j) } else { 0.0 };
            }
        }
    } else if !SOLVE {
        // A multiply reads original rows: copy them first (in registers, not memcpy).
        for i in 0..n {
            Acc::load(b.ptr_at(i, 0)).store(pan.add(i * TW));
        }
    }
    // The order that reads only rows already solved (a solve) or not yet written (a multiply).
    let ascending = BELOW == SOLVE;
    for step in 0..n {
        let i = if ascending { step } else { n - 1 - step };
        let row = pan.add(i * TW);
        let mut acc = Acc::load(if edge || !SOLVE { row } else { b.ptr_at(i, 0) });
        if !SOLVE {
            acc.scale(*t.diag.add(i));
        }
        let ci = t.coef.add(i * n);
        for k in reads(BELOW, i, n) {
            acc.axpy(*ci.add(k), pan.add(k * TW));
        }
        if SOLVE {
            acc.div(*t.diag.add(i));
        }
        // A solve's later rows read this one; a multiply's never do again.
        if edge || SOLVE {
            acc.store(row);
        }
        if !edge {
            acc.store(b.ptr_at(i, 0));
        }
    }
    if edge {
        for i in 0..n {
            for j in 0..w {
                *b.ptr_at(i, j) = *pan.add(i * TW + j);
            }
        }
    }
}

/// The rows `k` that row `i` of an n-row triangle reads, ascending.
#[inline(always)]
fn reads(below: bool, i: usize, n: usize) -> core::ops::Range<usize> {
    if below {
        0..i
    } else {
        i + 1..n
    }
}

/// One tile row in eight `f64x2` registers (named, not an array: LLVM then addresses
/// the panel with positive offsets, which V8 folds into the loads).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
struct Acc(V, V, V, V, V, V, V, V);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type V = core::arch::wasm32::v128;

/// Applies `$f(register, j)` to each register `j` of an [`Acc`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
macro_rules! each {
    ($a:expr, |$v:ident, $j:ident| $body:expr) => {{
        let a = $a;
        { let ($v, $j) = (&mut a.0, 0usize); $body }
        { let ($v, $j) = (&mut a.1, 1usize); $body }
        { let ($v, $j) = (&mut a.2, 2usize); $body }
        { let ($v, $j) = (&mut a.3, 3usize); $body }
        { let ($v, $j) = (&mut a.4, 4usize); $body }
        { let ($v, $j) = (&mut a.5, 5usize); $body }
        { let ($v, $j) = (&mut a.6, 6usize); $body }
        { let ($v, $j) = (&mut a.7, 7usize); $body }
    }};
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Acc {
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Acc {
        use core::arch::wasm32::*;
        let z = f64x2_splat(0.0);
        let mut a = Acc(z, z, z, z, z, z, z, z);
        let p = p as *const V;
        each!(&mut a, |v, j| *v = v128_load(p.add(j)));
        a
    }
    /// `acc ← acc · d`.
    #[inline(always)]
    unsafe fn scale(&mut self, d: f64) {
        use core::arch::wasm32::*;
        let d = f64x2_splat(d);
        each!(self, |v, _j| *v = f64x2_mul(*v, d));
    }
    /// `acc ← acc + c · x`.
    #[inline(always)]
    unsafe fn axpy(&mut self, c: f64, x: *const f64) {
        use core::arch::wasm32::*;
        let c = f64x2_splat(c);
        let x = x as *const V;
        each!(self, |v, j| *v = f64x2_add(*v, f64x2_mul(c, v128_load(x.add(j)))));
    }
    /// `acc ← acc / d` (a true division).
    #[inline(always)]
    unsafe fn div(&mut self, d: f64) {
        use core::arch::wasm32::*;
        let d = f64x2_splat(d);
        each!(self, |v, _j| *v = f64x2_div(*v, d));
    }
    #[inline(always)]
    unsafe fn store(&mut self, p: *mut f64) {
        use core::arch::wasm32::*;
        let p = p as *mut V;
        each!(self, |v, j| v128_store(p.add(j), *v));
    }
}

/// Portable tile row (same operations, element by element).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
struct Acc([f64; TW]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl Acc {
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Acc {
        Acc(core::array::from_fn(|j| *p.add(j)))
    }
    #[inline(always)]
    unsafe fn scale(&mut self, d: f64) {
        for v in self.0.iter_mut() {
            *v *= d;
        }
    }
    #[inline(always)]
    unsafe fn axpy(&mut self, c: f64, x: *const f64) {
        for (j, v) in self.0.iter_mut().enumerate() {
            *v += c * *x.add(j);
        }
    }
    #[inline(always)]
    unsafe fn div(&mut self, d: f64) {
        for v in self.0.iter_mut() {
            *v /= d;
        }
    }
    #[inline(always)]
    unsafe fn store(&mut self, p: *mut f64) {
        for (j, v) in self.0.iter().enumerate() {
            *p.add(j) = *v;
        }
    }
}
