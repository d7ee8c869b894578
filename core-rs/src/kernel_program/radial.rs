//! The radial leaves MATERN and RQ: profiles `g(s)` of the squared scaled distance
//! `s = Σ_k (Δ_k/ℓ_k)²`. Matern runs row by row with the vector `exp`
//! ([`crate::vexp`]); RQ (`log1p`, `exp` of a product) pair by pair.

use super::*;
use crate::vexp::exp_scaled_inplace;

/// Profiles of the stationary kernels that depend on the squared scaled distance
/// `s = Σ_k (Δ_k/ℓ_k)²` only.
#[derive(Clone, Copy)]
pub(super) enum Radial {
    Matern12,
    Matern32,
    Matern52,
    /// Rational quadratic with shape α.
    Rq(f64),
}

impl Radial {
    /// The Matern profile for `nu2 = 2ν` ∈ {1, 3, 5} (validated by `parse`).
    #[inline(always)]
    pub(super) fn matern(nu2: i32) -> Radial {
        match nu2 {
            1 => Radial::Matern12,
            3 => Radial::Matern32,
            _ => Radial::Matern52,
        }
    }

    /// `(g(s), h(s))` with `h = −2 g′(s)`, so that `∂k/∂ℓ_k = h · Δ_k² / ℓ_k³`.
    #[inline(always)]
    pub(super) fn eval(self, s: f64) -> (f64, f64) {
        match self {
            // g = e^{-r}, r = √s; h = e^{-r}/r (the r = 0 pairs have Δ = 0: no derivative)
            Radial::Matern12 => {
                let r = s.sqrt();
                let e = (-r).exp();
                (e, if r > 0.0 { e / r } else { 0.0 })
            }
            // g = (1 + √3 r) e^{-√3 r}; h = 3 e^{-√3 r}
            Radial::Matern32 => {
                let r = (3.0 * s).sqrt();
                let e = (-r).exp();
                ((1.0 + r) * e, 3.0 * e)
            }
            // g = (1 + √5 r + 5r²/3) e^{-√5 r}; h = 5/3 (1 + √5 r) e^{-√5 r}
            Radial::Matern52 => {
                let r = (5.0 * s).sqrt();
                let e = (-r).exp();
                ((1.0 + r + (5.0 / 3.0) * s) * e, (5.0 / 3.0) * (1.0 + r) * e)
            }
            // g = (1 + s/(2α))^{-α}; h = g / (1 + s/(2α))
            Radial::Rq(a) => {
                let t = s / (2.0 * a);
                let g = (-a * t.ln_1p()).exp();
                (g, g / (1.0 + t))
            }
        }
    }
}

/// MATERN and RQ: `v = g(s)`, `s = Σ_k (Δ_k/ℓ_k)²`; `∂v/∂ℓ = h(s) · Σ_{k: ℓ_k = ℓ} Δ_k² / ℓ³`;
/// for RQ `∂v/∂α = g · (t/(1+t) − log(1+t))`, `t = s/(2α)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn radial(
    p: &Program,
    mut e: Entry,
    inp: &TileInputs,
    geom: Geom,
    g: Radial,
    dims: usize,
    n_dims: usize,
    ls: usize,
    n_ls: usize,
    shape: Option<usize>,
) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_ls).map(|k| p.op(ls + k)).chain(shape), false);
    let (v, d) = e.tiles.split_at_mut(TT);
    scaled_squares(p, inp, geom, dims, n_dims, ls, n_ls, derivs, v, d);
    if !derivs {
        for x in v[..len].iter_mut() {
            *x = g.eval(*x).0;
        }
        return;
    }
    let mut h = [0.0f64; TT];
    let mut da = [0.0f64; TT];
    for i in 0..len {
        let s = v[i];
        let (gv, hv) = g.eval(s);
        if let Radial::Rq(a) = g {
            let t = s / (2.0 * a);
            da[i] = gv * (t / (1.0 + t) - t.ln_1p());
        }
        v[i] = gv;
        h[i] = hv;
    }
    let shape_slot = shape.map(|t| p.slot[t]);
    for s in 0..e.deps.len() {
        if !e.deps[s] {
            continue;
        }
        let ds = &mut d[s * TT..s * TT + len];
        if Some(s) == shape_slot {
            vfill::copy(ds, &da[..len]);
        } else {
            let inv_l = 1.0 / p.theta[p.used[s]];
            for (x, &hv) in ds.iter_mut().zip(h[..len].iter()) {
                *x = *x * hv * inv_l;
            }
        }
    }
}

/// Matern's `(g, h)` (as [`Radial::eval`]) on one row of squared scaled distances `s`,
/// `2ν = NU2`, with the `exp` of the whole row in one vector call; `g` and `h` only where
/// wanted.
#[inline(always)]
pub(super) fn matern_row<const NU2: i32>(s: &[f64; TILE], g: Option<&mut [f64; TILE]>, h: Option<&mut [f64; TILE]>) {
    let mut r = [0.0f64; TILE];
    for (rv, &sv) in r.iter_mut().zip(s.iter()) {
        *rv = match NU2 {
            1 => sv.sqrt(),
            3 => (3.0 * sv).sqrt(),
            _ => (5.0 * sv).sqrt(),
        };
    }
    let mut e = r;
    exp_scaled_inplace(&mut e, -1.0);
    if let Some(g) = g {
        for ((gv, &sv), (&rv, &ev)) in g.iter_mut().zip(s.iter()).zip(r.iter().zip(e.iter())) {
            *gv = match NU2 {
                1 => ev,
                3 => (1.0 + rv) * ev,
                _ => (1.0 + rv + (5.0 / 3.0) * sv) * ev,
            };
        }
    }
    if let Some(h) = h {
        for (hv, (&rv, &ev)) in h.iter_mut().zip(r.iter().zip(e.iter())) {
            *hv = match NU2 {
                1 => {
                    if rv > 0.0 {
                        ev / rv
                    } else {
                        0.0
                    }
                }
                3 => 3.0 * ev,
                _ => (5.0 / 3.0) * (1.0 + rv) * ev,
            };
        }
    }
}

/// Row `a` of a tile, as a fixed-size array.
#[inline(always)]
pub(super) fn row(t: &mut [f64], a: usize) -> &mut [f64; TILE] {
    (&mut t[a * TILE..(a + 1) * TILE]).try_into().unwrap()
}

/// `h` of Matern `2ν = nu2` on every pair of a tile of squared scaled distances (in place).
pub(super) fn matern_h_tile(nu2: i32, t: &mut [f64], len: usize) {
    for a in 0..len / TILE {
        let s = *row(t, a);
        let h = Some(row(t, a));
        match nu2 {
            1 => matern_row::<1>(&s, None, h),
            3 => matern_row::<3>(&s, None, h),
            _ => matern_row::<5>(&s, None, h),
        }
    }
}

/// MATERN: `v = g(s)`; `∂v/∂ℓ = h(s) · Σ_{k: ℓ_k = ℓ} Δ_k² / ℓ³`, row by row.
#[allow(clippy::too_many_arguments)]
pub(super) fn matern(p: &Program, e: Entry, inp: &TileInputs, geom: Geom, nu2: i32, dims: usize, n_dims: usize, ls: usize, n_ls: usize) {
    match nu2 {
        1 => matern_nu::<1>(p, e, inp, geom, dims, n_dims, ls, n_ls),
        3 => matern_nu::<3>(p, e, inp, geom, dims, n_dims, ls, n_ls),
        _ => matern_nu::<5>(p, e, inp, geom, dims, n_dims, ls, n_ls),
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn matern_nu<const NU2: i32>(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, ls: usize, n_ls: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_ls).map(|k| p.op(ls + k)), false);
    let (v, d) = e.tiles.split_at_mut(TT);
    scaled_squares(p, inp, geom, dims, n_dims, ls, n_ls, derivs, v, d);
    for a in 0..len / TILE {
        let s = *row(v, a);
        if !derivs {
            matern_row::<NU2>(&s, Some(row(v, a)), None);
            continue;
        }
        let mut h = [0.0f64; TILE];
        matern_row::<NU2>(&s, Some(row(v, a)), Some(&mut h));
        for (sl, &dep) in e.deps.iter().enumerate() {
            if dep {
                let inv_l = 1.0 / p.theta[p.used[sl]];
                for (x, &hv) in row(&mut d[sl * TT..(sl + 1) * TT], a).iter_mut().zip(h.iter()) {
                    *x = *x * hv * inv_l;
                }
            }
        }
    }
}
