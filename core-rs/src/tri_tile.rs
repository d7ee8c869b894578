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
//! collide in a few cache sets), the rows being computed stay in registers for their
//! whole chains ([`Row8`]: two rows of eight columns, or one of sixteen, in eight
//! `f64x2`) and `T` is read from a packed copy. Natively, [`Row8`]'s portable twin runs
//! the same operations, so `core-rs/tests/tri_tile.rs` checks the bits.

use crate::tri_row::{Row8, RW};
use crate::view::{MatMut, MatRef};

/// Columns of a tile: two [`Row8`]s.
pub const TW: usize = 2 * RW;

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

impl Tri {
    #[inline(always)]
    unsafe fn c(&self, i: usize, k: usize) -> f64 {
        *self.coef.add(i * self.n + k)
    }
    #[inline(always)]
    unsafe fn d(&self, i: usize) -> f64 {
        *self.diag.add(i)
    }
    /// Columns `h..h + RW` of panel row `k`.
    #[inline(always)]
    unsafe fn x(&self, k: usize, h: usize) -> *mut f64 {
        self.pan.add(k * TW + h)
    }
}

/// Where one tile's rows start from and where they go: `B` itself, or the panel.
struct Io {
    b: MatMut,
    /// Start from the panel (a multiply's originals, the edge tile's padded rows).
    from_panel: bool,
    /// Write the panel (a solve's later rows read it; the edge tile is copied out last).
    to_panel: bool,
    /// Write `B` (every full tile).
    to_b: bool,
}

impl Io {
    #[inline(always)]
    unsafe fn src(&self, t: &Tri, i: usize, h: usize) -> *const f64 {
        if self.from_panel {
            t.x(i, h)
        } else {
            self.b.ptr_at(i, h)
        }
    }
    #[inline(always)]
    unsafe fn put(&self, t: &Tri, i: usize, h: usize, r: &mut Row8) {
        if self.to_panel {
            r.store(t.x(i, h));
        }
        if self.to_b {
            r.store(self.b.ptr_at(i, h));
        }
    }
}

/// One tile (`b` n×w, `w ≤ TW`), apart from [`base_case`] (and on pointers, not its
/// arrays) so that LLVM addresses the panel from a plain pointer, with positive offsets.
///
/// The solve with `T` upper runs one row at a time, all `TW` columns in registers (row
/// `i`'s chain starts with row `i+1`, which must be solved first); the others run two
/// rows at a time over `RW` columns, sharing each load of a row of `B` between both
/// chains: the part of the chains the two rows have in common runs in step, the
/// one term only one of them has comes first or last, where the order puts it.
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
            for h in [0, RW] {
                Row8::load(b.ptr_at(i, h)).store(t.x(i, h));
            }
        }
    }
    let io = Io { b, from_panel: edge || !SOLVE, to_panel: edge || SOLVE, to_b: !edge };
    if SOLVE && !BELOW {
        for i in (0..n).rev() {
            let s = io.src(t, i, 0);
            let (mut lo, mut hi) = (Row8::load(s), Row8::load(s.add(RW)));
            for k in i + 1..n {
                let c = t.c(i, k);
                lo.axpy(c, t.x(k, 0));
                hi.axpy(c, t.x(k, RW));
            }
            lo.div(t.d(i));
            hi.div(t.d(i));
            io.put(t, i, 0, &mut lo);
            io.put(t, i, RW, &mut hi);
        }
    } else {
        // The order that reads only rows already solved (a solve) or not yet written
        // (a multiply).
        let ascending = BELOW == SOLVE;
        for h in [0, RW] {
            for p in 0..n / 2 {
                pair::<SOLVE, BELOW>(t, &io, if ascending { 2 * p } else { n - 2 - 2 * p }, h);
            }
            if n % 2 == 1 {
                single::<SOLVE, BELOW>(t, &io, if ascending { n - 1 } else { 0 }, h);
            }
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

/// Rows `i` and `j = i + 1`, columns `h..h + RW` (not a solve with `T` upper).
#[inline(always)]
unsafe fn pair<const SOLVE: bool, const BELOW: bool>(t: &Tri, io: &Io, i: usize, h: usize) {
    let j = i + 1;
    let mut a = Row8::load(io.src(t, i, h));
    let mut z = Row8::load(io.src(t, j, h));
    if !SOLVE {
        a.scale(t.d(i));
        z.scale(t.d(j));
    }
    if !BELOW {
        // Row i's chain starts with row j (an original row: a multiply).
        a.axpy(t.c(i, j), t.x(j, h));
    }
    for k in reads(BELOW, if BELOW { i } else { j }, t.n) {
        let x = t.x(k, h);
        a.axpy(t.c(i, k), x);
        z.axpy(t.c(j, k), x);
    }
    if BELOW {
        // Row j's chain ends with row i: solved just now, or the original.
        if SOLVE {
            a.div(t.d(i));
            z.axpy_row(t.c(j, i), &a);
            z.div(t.d(j));
        } else {
            z.axpy(t.c(j, i), t.x(i, h));
        }
    }
    io.put(t, i, h, &mut a);
    io.put(t, j, h, &mut z);
}

/// Row `i` alone, columns `h..h + RW` (the odd one out of [`pair`]).
#[inline(always)]
unsafe fn single<const SOLVE: bool, const BELOW: bool>(t: &Tri, io: &Io, i: usize, h: usize) {
    let mut a = Row8::load(io.src(t, i, h));
    if !SOLVE {
        a.scale(t.d(i));
    }
    for k in reads(BELOW, i, t.n) {
        a.axpy(t.c(i, k), t.x(k, h));
    }
    if SOLVE {
        a.div(t.d(i));
    }
    io.put(t, i, h, &mut a);
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
