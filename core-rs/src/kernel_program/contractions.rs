//! The contractions of a kernel program's derivatives with a weight matrix `G`
//! (n1×n2, every entry read) or a weight vector `g` on the diagonal: the vector-Jacobian
//! products of `K(X1, X2; θ)` and of `diag K(X; θ)` with respect to θ and the inputs.
//!
//! Threads: the θ contraction keeps one partial sum per tile row of `x1`, added in row
//! order; the input contractions give each tile row (wrt `x1`) or tile column (wrt
//! `x2`) its own output rows, summed over the other side's tiles in order. Either way
//! every sum runs in a fixed order, so results do not depend on the thread count. The
//! diagonal ones are O(n) and run on the calling thread.

use super::*;
use crate::par::{PerThread, SharedMut, PAR_MIN_TILES};

/// `Σ_{a<ti, b<tj} w[a*TILE + b] · ds[a*TILE + b]` in a fixed order (four lanes).
#[inline]
fn tile_dot(w: &[f64; TT], ds: &[f64]) -> f64 {
    let mut part = [0.0f64; 4];
    for (wc, dc) in w.chunks_exact(4).zip(ds.chunks_exact(4)) {
        for q in 0..4 {
            part[q] += wc[q] * dc[q];
        }
    }
    (part[0] + part[2]) + (part[1] + part[3])
}

/// [`tile_dot`] of a full tile with `G`'s rows read in place: the same terms in the same
/// order (rows of `TILE` are whole chunks of four).
#[inline]
fn tile_dot_rows(g: &[f64], n2: usize, i0: usize, j0: usize, ds: &[f64]) -> f64 {
    let mut part = [0.0f64; 4];
    for (a, drow) in ds[..TT].chunks_exact(TILE).enumerate() {
        let grow = &g[(i0 + a) * n2 + j0..(i0 + a) * n2 + j0 + TILE];
        for (wc, dc) in grow.chunks_exact(4).zip(drow.chunks_exact(4)) {
            for q in 0..4 {
                part[q] += wc[q] * dc[q];
            }
        }
    }
    (part[0] + part[2]) + (part[1] + part[3])
}

/// `Σ_{b<tj} G[i0+a, j0+b] · ds[a*TILE + b]` for each row `a < ti`, each summed in order of
/// `b`; four rows at a time, so that four independent sums are in flight (same numbers
/// as one row at a time).
fn row_sums(g: &[f64], n2: usize, i0: usize, ti: usize, j0: usize, tj: usize, ds: &[f64]) -> [f64; TILE] {
    let mut out = [0.0f64; TILE];
    let grow = |a: usize| &g[(i0 + a) * n2 + j0..(i0 + a) * n2 + j0 + tj];
    let drow = |a: usize| &ds[a * TILE..a * TILE + tj];
    let mut a = 0;
    while a + 4 <= ti {
        let (g0, g1, g2, g3) = (grow(a), grow(a + 1), grow(a + 2), grow(a + 3));
        let (d0, d1, d2, d3) = (drow(a), drow(a + 1), drow(a + 2), drow(a + 3));
        let mut s = [0.0f64; 4];
        for b in 0..tj {
            s[0] += g0[b] * d0[b];
            s[1] += g1[b] * d1[b];
            s[2] += g2[b] * d2[b];
            s[3] += g3[b] * d3[b];
        }
        out[a..a + 4].copy_from_slice(&s);
        a += 4;
    }
    for (a, o) in out.iter_mut().enumerate().take(ti).skip(a) {
        let mut sa = 0.0;
        for (&gv, &dv) in grow(a).iter().zip(drow(a)) {
            sa += gv * dv;
        }
        *o = sa;
    }
    out
}

/// `grad[p] = Σ_ij G_ij ∂k(x1_i, x2_j)/∂theta[p]` for every theta entry (0 where the
/// program does not use it); `g` is n1×n2, row-major.
#[allow(clippy::too_many_arguments)]
pub fn cross_theta_contract(
    prog: &Program,
    x1: &[f64],
    n1: usize,
    x2: &[f64],
    n2: usize,
    d: usize,
    g: &[f64],
    grad: &mut [f64],
) -> i32 {
    let (r1, r2) = (tiles(n1), tiles(n2));
    let parallel = r1 > 1 && r1 * r2 >= PAR_MIN_TILES;
    let st = match PerThread::try_new(parallel, || Stack::try_new(prog, true), E_NOMEM) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let ns = prog.n_slots();
    let mut part = match try_vec(r1 * ns, 0.0f64) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let pp = SharedMut(part.as_mut_ptr());
    st.run(r1, &|bi, tid| {
        // SAFETY: one stack per thread.
        let st = unsafe { st.get(tid) };
        let pp = pp;
        // SAFETY: tile row bi owns part[bi*ns .. (bi+1)*ns].
        let acc = unsafe { core::slice::from_raw_parts_mut(pp.0.add(bi * ns), ns) };
        let mut w = [0.0f64; TT];
        let i0 = bi * TILE;
        let ti = TILE.min(n1 - i0);
        for bj in 0..r2 {
            let j0 = bj * TILE;
            let tj = TILE.min(n2 - j0);
            let full = ti == TILE && tj == TILE;
            if !full {
                // The G tile, zero in the padding (a full tile reads G's rows in place).
                vfill::zero(&mut w);
                for a in 0..ti {
                    let row = &g[(i0 + a) * n2 + j0..(i0 + a) * n2 + j0 + tj];
                    vfill::copy(&mut w[a * TILE..a * TILE + tj], row);
                }
            }
            let inp = TileInputs { x1, x2, d, i0, ti, j0, tj };
            prog.eval(st, &inp, Geom::Block);
            for (s, acc_s) in acc.iter_mut().enumerate() {
                if let Some(ds) = st.deriv(s) {
                    *acc_s += if full { tile_dot_rows(g, n2, i0, j0, ds) } else { tile_dot(&w, ds) };
                }
            }
        }
    });
    grad.iter_mut().for_each(|x| *x = 0.0);
    for s in 0..ns {
        let mut a = 0.0;
        for bi in 0..r1 {
            a += part[bi * ns + s];
        }
        grad[prog.slot_theta(s)] = a;
    }
    OK
}

/// With `wrt = X1`: `out[i*d + c] = Σ_j G_ij ∂k(x1_i, x2_j)/∂x1_{i,c}` (`out` n1×d);
/// with `wrt = X2`: `out[j*d + c] = Σ_i G_ij ∂k(x1_i, x2_j)/∂x2_{j,c}` (`out` n2×d).
/// Columns the program does not read are 0. `g` is n1×n2, row-major.
#[allow(clippy::too_many_arguments)]
pub fn input_contract(
    prog: &Program,
    x1: &[f64],
    n1: usize,
    x2: &[f64],
    n2: usize,
    d: usize,
    g: &[f64],
    wrt: Wrt,
    out: &mut [f64],
) -> i32 {
    let cols = match prog.columns(d) {
        Ok(c) => c,
        Err(c) => return c,
    };
    let (r1, r2) = (tiles(n1), tiles(n2));
    let by_cols = wrt == Wrt::X2;
    let outer = if by_cols { r2 } else { r1 };
    let parallel = outer > 1 && r1 * r2 >= PAR_MIN_TILES;
    let st = match PerThread::try_new(parallel, || Stack::with_slots(prog, cols.cols.len()), E_NOMEM) {
        Ok(s) => s,
        Err(c) => return c,
    };
    vfill::zero(out);
    let o = SharedMut(out.as_mut_ptr());
    let cols = &cols;
    st.run(outer, &|item, tid| {
        // SAFETY: one stack per thread.
        let st = unsafe { st.get(tid) };
        let o = o;
        let mut sum = [0.0f64; TILE];
        for inner in 0..if by_cols { r1 } else { r2 } {
            let (bi, bj) = if by_cols { (inner, item) } else { (item, inner) };
            let (i0, j0) = (bi * TILE, bj * TILE);
            let (ti, tj) = (TILE.min(n1 - i0), TILE.min(n2 - j0));
            let inp = TileInputs { x1, x2, d, i0, ti, j0, tj };
            prog.eval_input(st, &inp, Geom::Block, wrt, cols);
            for (s, &c) in cols.cols.iter().enumerate() {
                let ds = match st.deriv(s) {
                    Some(ds) => ds,
                    None => continue,
                };
                if by_cols {
                    // Column sums of G ∘ D over this tile's rows, then into rows j0 + b.
                    sum.iter_mut().for_each(|x| *x = 0.0);
                    for a in 0..ti {
                        let grow = &g[(i0 + a) * n2 + j0..(i0 + a) * n2 + j0 + tj];
                        for (b, (sb, &gv)) in sum.iter_mut().zip(grow).enumerate() {
                            *sb += gv * ds[a * TILE + b];
                        }
                    }
                    for (b, &sb) in sum.iter().enumerate().take(tj) {
                        // SAFETY: tile column bj owns rows j0..j0+tj of `out`.
                        unsafe { *o.0.add((j0 + b) * d + c) += sb };
                    }
                } else {
                    let row_sums = row_sums(g, n2, i0, ti, j0, tj, ds);
                    for (a, &sa) in row_sums.iter().enumerate().take(ti) {
                        // SAFETY: tile row bi owns rows i0..i0+ti of `out`.
                        unsafe { *o.0.add((i0 + a) * d + c) += sa };
                    }
                }
            }
        }
    });
    OK
}

/// `grad[p] = Σ_i g_i ∂k(x_i, x_i)/∂theta[p]` for every theta entry (0 where unused).
pub fn diag_theta_contract(prog: &Program, x: &[f64], n: usize, d: usize, g: &[f64], grad: &mut [f64]) -> i32 {
    let mut st = match Stack::try_new(prog, true) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let ns = prog.n_slots();
    let mut acc = match try_vec(ns, 0.0f64) {
        Ok(v) => v,
        Err(c) => return c,
    };
    for b in 0..tiles(n) {
        let i0 = b * TILE;
        let t = TILE.min(n - i0);
        let inp = TileInputs { x1: x, x2: x, d, i0, ti: t, j0: i0, tj: t };
        prog.eval(&mut st, &inp, Geom::Diag);
        for (s, acc_s) in acc.iter_mut().enumerate() {
            if let Some(ds) = st.deriv(s) {
                let mut part = 0.0;
                for (&gv, &dv) in g[i0..i0 + t].iter().zip(&ds[..t]) {
                    part += gv * dv;
                }
                *acc_s += part;
            }
        }
    }
    grad.iter_mut().for_each(|x| *x = 0.0);
    for (s, &a) in acc.iter().enumerate() {
        grad[prog.slot_theta(s)] = a;
    }
    OK
}

/// `out[i*d + c] = g_i · d k(x_i, x_i)/dx_{i,c}`, the total derivative along the
/// diagonal (both arguments moving; 0 for stationary kernels); `out` is n×d.
pub fn diag_input_contract(prog: &Program, x: &[f64], n: usize, d: usize, g: &[f64], out: &mut [f64]) -> i32 {
    let cols = match prog.columns(d) {
        Ok(c) => c,
        Err(c) => return c,
    };
    let mut st = match Stack::with_slots(prog, cols.cols.len()) {
        Ok(s) => s,
        Err(c) => return c,
    };
    vfill::zero(out);
    for b in 0..tiles(n) {
        let i0 = b * TILE;
        let t = TILE.min(n - i0);
        let inp = TileInputs { x1: x, x2: x, d, i0, ti: t, j0: i0, tj: t };
        prog.eval_input(&mut st, &inp, Geom::Diag, Wrt::Both, &cols);
        for (s, &c) in cols.cols.iter().enumerate() {
            if let Some(ds) = st.deriv(s) {
                for a in 0..t {
                    out[(i0 + a) * d + c] = g[i0 + a] * ds[a];
                }
            }
        }
    }
    OK
}
