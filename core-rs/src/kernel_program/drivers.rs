//! The drivers of the original ABI: the kernel matrix (one triangle when symmetric),
//! its diagonal, and the θ contraction with a symmetric `G`. Tile rows run on the
//! threads of [`crate::par`].

use super::*;
use crate::par::{PerThread, SharedMut, PAR_MIN_TILES};

#[inline]
pub(super) fn tiles(n: usize) -> usize {
    (n + TILE - 1) / TILE
}

/// `out[i*n2 + j] = k(x1_i, x2_j)`; with `symmetric` (`x1 == x2`), only tiles on or
/// below the diagonal are evaluated and mirrored. Tile rows run on the threads of
/// [`crate::par`] (each element is written by exactly one tile, so the result does not
/// depend on the thread count).
pub fn kernel_matrix(
    prog: &Program,
    x1: &[f64],
    n1: usize,
    x2: &[f64],
    n2: usize,
    d: usize,
    out: &mut [f64],
    symmetric: bool,
) -> i32 {
    let rows = tiles(n1);
    let parallel = rows > 1 && rows * tiles(n2) >= PAR_MIN_TILES;
    assert!(out.len() >= n1 * n2);
    let st = match PerThread::try_new(parallel, || Stack::try_new(prog, false), E_NOMEM) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let o = SharedMut(out.as_mut_ptr());
    // Longest tile rows first (symmetric: row bi has bi + 1 tiles).
    st.run(rows, &|item, tid| {
        let bi = rows - 1 - item;
        // SAFETY: one stack per thread; tile row bi writes rows i0..i0+ti and (mirrored)
        // columns i0..i0+ti of the rows above, which no other tile row writes.
        let st = unsafe { st.get(tid) };
        let o = o;
        let i0 = bi * TILE;
        let ti = TILE.min(n1 - i0);
        let bj_end = if symmetric { bi + 1 } else { tiles(n2) };
        for bj in 0..bj_end {
            let j0 = bj * TILE;
            let tj = TILE.min(n2 - j0);
            let inp = TileInputs { x1, x2, d, i0, ti, j0, tj };
            prog.eval(st, &inp, Geom::Block);
            let v = st.value();
            for a in 0..ti {
                let cols = if symmetric && bi == bj { a + 1 } else { tj };
                // SAFETY: in bounds (checked above), written by this tile only.
                unsafe { vfill::copy_raw(o.0.add((i0 + a) * n2 + j0), v.as_ptr().add(a * TILE), cols) };
            }
            if symmetric {
                // The mirror, one output row at a time (contiguous stores; the strided
                // reads stay in the tile). On the diagonal tile only a > b.
                for b in 0..tj {
                    let from = if bi == bj { b + 1 } else { 0 };
                    let dst = (j0 + b) * n2 + i0;
                    for a in from..ti {
                        // SAFETY: as above.
                        unsafe { *o.0.add(dst + a) = v[a * TILE + b] };
                    }
                }
            }
        }
    });
    OK
}

/// `out[i] = k(x_i, x_i)`.
pub fn kernel_diag(prog: &Program, x: &[f64], n: usize, d: usize, out: &mut [f64]) -> i32 {
    let mut st = match Stack::try_new(prog, false) {
        Ok(s) => s,
        Err(c) => return c,
    };
    for b in 0..tiles(n) {
        let i0 = b * TILE;
        let t = TILE.min(n - i0);
        let inp = TileInputs { x1: x, x2: x, d, i0, ti: t, j0: i0, tj: t };
        prog.eval(&mut st, &inp, Geom::Diag);
        vfill::copy(&mut out[i0..i0 + t], &st.value()[..t]);
    }
    OK
}

/// `grad[p] = Σ_ij G_ij ∂k(x_i, x_j)/∂theta[p]` from the lower triangle of the
/// symmetric `g` (n×n): off-diagonal pairs count twice. Tile rows run on the threads
/// of [`crate::par`]; each keeps its own partial sums, added in row order at the end,
/// so the result does not depend on the thread count.
pub fn grad_contract(prog: &Program, x: &[f64], n: usize, d: usize, g: &[f64], grad: &mut [f64]) -> i32 {
    let rows = tiles(n);
    let parallel = rows > 1 && rows * (rows + 1) / 2 >= PAR_MIN_TILES;
    let st = match PerThread::try_new(parallel, || Stack::try_new(prog, true), E_NOMEM) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let ns = prog.n_slots();
    let mut part = match try_vec(rows * ns, 0.0f64) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let pp = SharedMut(part.as_mut_ptr());
    st.run(rows, &|item, tid| {
        let bi = rows - 1 - item;
        // SAFETY: one stack per thread.
        let st = unsafe { st.get(tid) };
        let pp = pp;
        // SAFETY: tile row bi owns part[bi*ns .. (bi+1)*ns].
        let acc = unsafe { core::slice::from_raw_parts_mut(pp.0.add(bi * ns), ns) };
        let mut w = [0.0f64; TT];
        let i0 = bi * TILE;
        let ti = TILE.min(n - i0);
        for bj in 0..=bi {
            let j0 = bj * TILE;
            let tj = TILE.min(n - j0);
            // Weighted G tile: 2 below the diagonal, 1 on it, 0 above and in the padding.
            vfill::zero(&mut w);
            // (The upper triangle of G is never read: it may hold anything.)
            for a in 0..ti {
                let cols = if bi == bj { a + 1 } else { tj };
                let row = &g[(i0 + a) * n + j0..(i0 + a) * n + j0 + cols];
                for (b, &gv) in row.iter().enumerate() {
                    w[a * TILE + b] = if bi == bj && a == b { gv } else { 2.0 * gv };
                }
            }
            let inp = TileInputs { x1: x, x2: x, d, i0, ti, j0, tj };
            prog.eval(st, &inp, Geom::Block);
            for (s, acc_s) in acc.iter_mut().enumerate() {
                if let Some(ds) = st.deriv(s) {
                    let mut part = [0.0f64; 4];
                    for (wc, dc) in w.chunks_exact(4).zip(ds.chunks_exact(4)) {
                        for q in 0..4 {
                            part[q] += wc[q] * dc[q];
                        }
                    }
                    *acc_s += (part[0] + part[2]) + (part[1] + part[3]);
                }
            }
        }
    });
    grad.iter_mut().for_each(|x| *x = 0.0);
    for s in 0..ns {
        let mut a = 0.0;
        for bi in 0..rows {
            a += part[bi * ns + s];
        }
        grad[prog.slot_theta(s)] = a;
    }
    OK
}
