//! Contractions of the kernel's derivative matrices with probe vectors, for the
//! stochastic (Hutchinson) trace terms of the fast gradient:
//!
//! `out[p·m + k] = u_kᵀ (∂K/∂θ_p) u_k = Σ_ij ∂k(x_i, x_j)/∂θ_p · U_ik U_jk`
//!
//! for every theta entry `p` and every probe column `k` of `U` (n×m, row-major).
//! Each kernel tile is evaluated once (lower triangle of tiles, off-diagonal tiles
//! counted twice) and contracted with all `m` probes: per tile and derivative,
//! `T = D · U_J` (TILE × m, an f64x2 register-blocked product over 8 probe columns
//! at a time) and then the column dots `Σ_a U_Ia · T_a`. Cost: `n²/2` kernel
//! evaluations plus `n² m` multiply-adds per derivative; `n × m` scratch, no n×n.

use crate::kernel_program::{Geom, Program, Stack, TileInputs, TILE};
use crate::par::{PerThread, SharedMut, PAR_MIN_TILES};
use crate::status::{E_NOMEM, OK};

/// Probe columns handled together (four f64x2 accumulators per tile row).
const CW: usize = 8;

/// `t[a*mp + c] = Σ_{b<tj} ds[a*TILE + b] · up[b*mp + c]` for `a < ti`, every column
/// `c < mp` (`mp` a multiple of [`CW`]); `up` holds the tile's probe rows, padded.
#[inline(never)]
fn tile_times_probes(ds: &[f64], up: &[f64], mp: usize, ti: usize, tj: usize, t: &mut [f64]) {
    assert!(ds.len() >= TILE * TILE && up.len() >= tj * mp && t.len() >= ti * mp && mp % CW == 0);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    unsafe {
        use core::arch::wasm32::*;
        for a in 0..ti {
            let drow = ds.as_ptr().add(a * TILE);
            for c0 in (0..mp).step_by(CW) {
                let z = f64x2_splat(0.0);
                let (mut t0, mut t1, mut t2, mut t3) = (z, z, z, z);
                let mut u = up.as_ptr().add(c0);
                for b in 0..tj {
                    let d = f64x2_splat(*drow.add(b));
                    t0 = f64x2_add(t0, f64x2_mul(d, v128_load(u as *const v128)));
                    t1 = f64x2_add(t1, f64x2_mul(d, v128_load(u.add(2) as *const v128)));
                    t2 = f64x2_add(t2, f64x2_mul(d, v128_load(u.add(4) as *const v128)));
                    t3 = f64x2_add(t3, f64x2_mul(d, v128_load(u.add(6) as *const v128)));
                    u = u.add(mp);
                }
                let o = t.as_mut_ptr().add(a * mp + c0);
                v128_store(o as *mut v128, t0);
                v128_store(o.add(2) as *mut v128, t1);
                v128_store(o.add(4) as *mut v128, t2);
                v128_store(o.add(6) as *mut v128, t3);
            }
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for a in 0..ti {
        for c0 in (0..mp).step_by(CW) {
            let mut acc = [0.0f64; CW];
            for b in 0..tj {
                let d = ds[a * TILE + b];
                for (q, v) in acc.iter_mut().enumerate() {
                    *v += d * up[b * mp + c0 + q];
                }
            }
            t[a * mp + c0..a * mp + c0 + CW].copy_from_slice(&acc);
        }
    }
}

fn try_zeroed(len: usize) -> Result<Vec<f64>, i32> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| E_NOMEM)?;
    v.resize(len, 0.0);
    Ok(v)
}

/// `out[p*m + k] = Σ_ij ∂k(x_i,x_j)/∂θ_p U_ik U_jk` (zero for theta entries the
/// program does not use). `u` is n×m row-major, `out` has `n_theta · m` entries.
pub fn probe_contract(prog: &Program, x: &[f64], n: usize, d: usize, u: &[f64], m: usize, out: &mut [f64]) -> i32 {
    out.iter_mut().for_each(|v| *v = 0.0);
    if n == 0 || m == 0 {
        return OK;
    }
    let ns = prog.n_slots();
    // Probe rows padded to a multiple of CW columns (zeros contribute nothing).
    let mp = (m + CW - 1) / CW * CW;
    let rows = (n + TILE - 1) / TILE;
    let parallel = rows > 1 && rows * (rows + 1) / 2 >= PAR_MIN_TILES;
    // Per thread: a tile stack and the T = D · U_J scratch.
    let scratch = match PerThread::try_new(
        parallel,
        || Ok((Stack::try_new(prog, true)?, try_zeroed(TILE * mp)?)),
        E_NOMEM,
    ) {
        Ok(s) => s,
        Err(c) => return c,
    };
    // One partial sum per tile row (ns × mp each), added in row order at the end, so
    // the result does not depend on the thread count.
    let (mut part, mut up) = match (try_zeroed(rows * ns * mp), try_zeroed(n * mp)) {
        (Ok(a), Ok(c)) => (a, c),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    for i in 0..n {
        up[i * mp..i * mp + m].copy_from_slice(&u[i * m..(i + 1) * m]);
    }
    let up = &up[..];
    let pp = SharedMut(part.as_mut_ptr());
    scratch.run(rows, &|item, tid| {
        // Longest tile rows first.
        let bi = rows - 1 - item;
        // SAFETY: one scratch per thread; tile row bi owns its partial sums.
        let (st, t) = unsafe { scratch.get(tid) };
        let pp = pp;
        let acc = unsafe { core::slice::from_raw_parts_mut(pp.0.add(bi * ns * mp), ns * mp) };
        let i0 = bi * TILE;
        let ti = TILE.min(n - i0);
        for bj in 0..=bi {
            let j0 = bj * TILE;
            let tj = TILE.min(n - j0);
            let inp = TileInputs { x1: x, x2: x, d, i0, ti, j0, tj };
            prog.eval(st, &inp, Geom::Block);
            // Off-diagonal tiles stand for themselves and their mirror image.
            let w = if bi == bj { 1.0 } else { 2.0 };
            for (s, acc_s) in acc.chunks_exact_mut(mp).enumerate() {
                let ds = match st.deriv(s) {
                    Some(ds) => ds,
                    None => continue,
                };
                // T = D[0..ti, 0..tj] · U[j0..j0+tj, :], then Σ_a U[i0+a, k] T[a, k].
                tile_times_probes(ds, &up[j0 * mp..(j0 + tj) * mp], mp, ti, tj, t);
                for a in 0..ti {
                    let urow = &up[(i0 + a) * mp..(i0 + a + 1) * mp];
                    let trow = &t[a * mp..(a + 1) * mp];
                    for ((av, &uv), &tv) in acc_s.iter_mut().zip(urow).zip(trow) {
                        *av += w * uv * tv;
                    }
                }
            }
        }
    });
    let mut acc = match try_zeroed(ns * mp) {
        Ok(a) => a,
        Err(c) => return c,
    };
    for bi in 0..rows {
        for (av, &pv) in acc.iter_mut().zip(&part[bi * ns * mp..(bi + 1) * ns * mp]) {
            *av += pv;
        }
    }
    for (s, acc_s) in acc.chunks_exact(mp).enumerate() {
        let p = prog.slot_theta(s);
        out[p * m..(p + 1) * m].copy_from_slice(&acc_s[..m]);
    }
    OK
}
