//! Contractions of the kernel's derivative matrices with probe vectors, for the
//! stochastic (Hutchinson) trace terms of the fast gradient:
//!
//! `out[p·m + k] = u_kᵀ (∂K/∂θ_p) u_k = Σ_ij ∂k(x_i, x_j)/∂θ_p · U_ik U_jk`
//!
//! for every theta entry `p` and every probe column `k` of `U` (n×m, row-major).
//! Each kernel tile is evaluated once (lower triangle of tiles, off-diagonal tiles
//! counted twice) and contracted with all `m` probes: per tile and derivative,
//! `T = D · U_J` (TILE × m) and then the column dots `Σ_a U_Ia · T_a`. Cost: `n²/2`
//! kernel evaluations plus `2 n² m` flops per derivative, no n×n storage.

use crate::kernel_program::{Geom, Program, Stack, TileInputs, TILE};
use crate::status::{E_NOMEM, OK};

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
    let mut st = match Stack::try_new(prog, true) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let ns = prog.n_slots();
    let (mut acc, mut t) = match (try_zeroed(ns * m), try_zeroed(TILE * m)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    let tiles = (n + TILE - 1) / TILE;
    for bi in 0..tiles {
        let i0 = bi * TILE;
        let ti = TILE.min(n - i0);
        for bj in 0..=bi {
            let j0 = bj * TILE;
            let tj = TILE.min(n - j0);
            let inp = TileInputs { x1: x, x2: x, d, i0, ti, j0, tj };
            prog.eval(&mut st, &inp, Geom::Block);
            // Off-diagonal tiles stand for themselves and their mirror image.
            let w = if bi == bj { 1.0 } else { 2.0 };
            for (s, acc_s) in acc.chunks_exact_mut(m).enumerate() {
                let ds = match st.deriv(s) {
                    Some(ds) => ds,
                    None => continue,
                };
                // T = D[0..ti, 0..tj] · U[j0..j0+tj, :]
                t[..ti * m].iter_mut().for_each(|v| *v = 0.0);
                for a in 0..ti {
                    let trow = &mut t[a * m..(a + 1) * m];
                    let drow = &ds[a * TILE..a * TILE + tj];
                    for (b, &dab) in drow.iter().enumerate() {
                        let urow = &u[(j0 + b) * m..(j0 + b + 1) * m];
                        for (tv, &uv) in trow.iter_mut().zip(urow) {
                            *tv += dab * uv;
                        }
                    }
                }
                for a in 0..ti {
                    let urow = &u[(i0 + a) * m..(i0 + a + 1) * m];
                    let trow = &t[a * m..(a + 1) * m];
                    for ((av, &uv), &tv) in acc_s.iter_mut().zip(urow).zip(trow) {
                        *av += w * uv * tv;
                    }
                }
            }
        }
    }
    for (s, acc_s) in acc.chunks_exact(m).enumerate() {
        let p = prog.slot_theta(s);
        out[p * m..(p + 1) * m].copy_from_slice(acc_s);
    }
    OK
}
