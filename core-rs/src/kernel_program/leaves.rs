//! The leaf evaluators: one tile function per kernel (value and theta-derivative
//! formulas over [`for_pairs`]), as listed in ABI.md.

use super::*;

/// RBF: `v = exp(-½ Σ_k (Δ_k/ℓ_k)²)`, `∂v/∂ℓ = v · Σ_{k: ℓ_k = ℓ} Δ_k² / ℓ³`.
///
/// With `post = Some((c, slot))` it also performs the `SCALE` by `c = theta[t]`
/// (`slot = p.slot[t]`) that follows it, in the same passes and with the same roundings
/// as [`super::tile::scale`]; `Program::eval` fuses only when `t` is none of the RBF's
/// lengthscales (so the scale slot starts as a copy of the value).
#[allow(clippy::too_many_arguments)]
pub(super) fn rbf(
    p: &Program,
    mut e: Entry,
    inp: &TileInputs,
    geom: Geom,
    dims: usize,
    n_dims: usize,
    ls: usize,
    n_ls: usize,
    post: Option<(f64, usize)>,
) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_ls).map(|k| p.op(ls + k)), false);
    let (v, d) = e.tiles.split_at_mut(TT);
    scaled_squares(p, inp, geom, dims, n_dims, ls, n_ls, derivs, v, d);
    match (post, derivs) {
        (Some((c, _)), false) => crate::vexp::exp_scaled_mul_inplace(&mut v[..len], -0.5, c),
        _ => crate::vexp::exp_scaled_inplace(&mut v[..len], -0.5),
    }
    if derivs {
        let c = post.map_or(1.0, |(c, _)| c);
        for s in 0..e.deps.len() {
            if e.deps[s] {
                let inv_l = 1.0 / p.theta[p.used[s]];
                let ds = &mut d[s * TT..s * TT + len];
                if post.is_some() {
                    for (x, &vi) in ds.iter_mut().zip(v[..len].iter()) {
                        *x = *x * vi * inv_l * c;
                    }
                } else {
                    for (x, &vi) in ds.iter_mut().zip(v[..len].iter()) {
                        *x = *x * vi * inv_l;
                    }
                }
            }
        }
        if let Some((c, slot)) = post {
            debug_assert!(!e.deps[slot]);
            e.deps[slot] = true;
            for (x, vi) in d[slot * TT..slot * TT + len].iter_mut().zip(v[..len].iter_mut()) {
                *x = *vi;
                *vi *= c;
            }
        }
    }
}

/// The radial leaves' common start: `v[i] = Σ_k (Δ_k/ℓ_k)²` over the pairs, and with
/// `derivs` each lengthscale's derivative tile `Σ_{k: ℓ_k = ℓ} (Δ_k/ℓ_k)²` (scaled by the
/// caller once `v` is known). Overwrites: no tile needs clearing first (the first term
/// of each sum is stored, not added to 0, which gives the same numbers).
#[allow(clippy::too_many_arguments)]
pub(super) fn scaled_squares(
    p: &Program,
    inp: &TileInputs,
    geom: Geom,
    dims: usize,
    n_dims: usize,
    ls: usize,
    n_ls: usize,
    derivs: bool,
    v: &mut [f64],
    d: &mut [f64],
) {
    let theta_of = |k: usize| p.op(if n_ls == 1 { ls } else { ls + k });
    if n_dims == 0 {
        vfill::zero(&mut v[..geom.len()]);
    }
    for k in 0..n_dims {
        let t = theta_of(k);
        let inv = 1.0 / p.theta[t];
        let (xi, xj) = inp.gather(p.op(dims + k));
        let first = k == 0;
        if derivs {
            let s = p.slot[t];
            let first_d = (0..k).all(|q| theta_of(q) != t);
            let dk = &mut d[s * TT..s * TT + TT];
            match (first, first_d) {
                (true, _) => squares::<true, true>(geom, &xi, &xj, inv, v, Some(dk)),
                (false, true) => squares::<false, true>(geom, &xi, &xj, inv, v, Some(dk)),
                (false, false) => squares::<false, false>(geom, &xi, &xj, inv, v, Some(dk)),
            }
        } else if first {
            squares::<true, true>(geom, &xi, &xj, inv, v, None);
        } else {
            squares::<false, false>(geom, &xi, &xj, inv, v, None);
        }
    }
}

/// `v ← u²` (`SET_V`) or `v += u²`, and likewise into `dk` (`SET_D`), `u = (x − x′)·inv`,
/// in row loops over fixed-size rows (which LLVM vectorises, without bounds checks).
#[inline(always)]
fn squares<const SET_V: bool, const SET_D: bool>(
    geom: Geom,
    xi: &[f64; TILE],
    xj: &[f64; TILE],
    inv: f64,
    v: &mut [f64],
    dk: Option<&mut [f64]>,
) {
    #[inline(always)]
    fn put<const SET: bool>(o: &mut f64, x: f64) {
        *o = if SET { x } else { *o + x };
    }
    match (geom, dk) {
        (Geom::Block, Some(dk)) => {
            for (a, (vr, dr)) in v[..TT].chunks_exact_mut(TILE).zip(dk[..TT].chunks_exact_mut(TILE)).enumerate() {
                let x = xi[a];
                for ((o, q), &y) in vr.iter_mut().zip(dr.iter_mut()).zip(xj.iter()) {
                    let u = (x - y) * inv;
                    let u2 = u * u;
                    put::<SET_V>(o, u2);
                    put::<SET_D>(q, u2);
                }
            }
        }
        (Geom::Block, None) => {
            for (a, vr) in v[..TT].chunks_exact_mut(TILE).enumerate() {
                let x = xi[a];
                for (o, &y) in vr.iter_mut().zip(xj.iter()) {
                    let u = (x - y) * inv;
                    put::<SET_V>(o, u * u);
                }
            }
        }
        (Geom::Diag, dk) => {
            let mut dk = dk;
            for a in 0..TILE {
                let u = (xi[a] - xj[a]) * inv;
                let u2 = u * u;
                put::<SET_V>(&mut v[a], u2);
                if let Some(dk) = dk.as_deref_mut() {
                    put::<SET_D>(&mut dk[a], u2);
                }
            }
        }
    }
}

/// Starts a leaf entry: clears the dependency flags, then marks each theta index in
/// `thetas` as a dependency; with `zero`, clears the value tile and those derivative
/// tiles (leaves that overwrite them pass `false`). Returns whether derivative tiles
/// are wanted.
pub(super) fn leaf_begin(p: &Program, e: &mut Entry, len: usize, thetas: impl Iterator<Item = usize>, zero: bool) -> bool {
    let derivs = !e.deps.is_empty();
    e.deps.iter_mut().for_each(|f| *f = false);
    if zero {
        vfill::zero(&mut e.tiles[..len]);
    }
    if derivs {
        for t in thetas {
            let s = p.slot[t];
            if !e.deps[s] {
                e.deps[s] = true;
                if zero {
                    vfill::zero(&mut e.tiles[(1 + s) * TT..(1 + s) * TT + len]);
                }
            }
        }
    }
    derivs
}

/// Derivative tiles `a` and `b` (distinct slots) of `d`, both mutable.
pub(super) fn two_tiles(d: &mut [f64], a: usize, b: usize) -> (&mut [f64], &mut [f64]) {
    debug_assert!(a != b);
    if a < b {
        let (lo, hi) = d.split_at_mut(b * TT);
        (&mut lo[a * TT..(a + 1) * TT], &mut hi[..TT])
    } else {
        let (lo, hi) = d.split_at_mut(a * TT);
        (&mut hi[..TT], &mut lo[b * TT..(b + 1) * TT])
    }
}

/// PERIODIC: `v = exp(−2 Σ_k sin²(π Δ_k / p_k) / ℓ_k)`;
/// `∂v/∂ℓ_k = v · 2 sin²(a_k) / ℓ_k²`, `∂v/∂p_k = v · 4 a_k sin(a_k) cos(a_k) / (ℓ_k p_k)`
/// with `a_k = π Δ_k / p_k` (summed over k sharing a theta index).
#[allow(clippy::too_many_arguments)]
pub(super) fn periodic(
    p: &Program,
    mut e: Entry,
    inp: &TileInputs,
    geom: Geom,
    dims: usize,
    n_dims: usize,
    ls: usize,
    n_ls: usize,
    per: usize,
    n_per: usize,
) {
    let len = geom.len();
    let thetas = (0..n_ls).map(|k| p.op(ls + k)).chain((0..n_per).map(|k| p.op(per + k)));
    let derivs = leaf_begin(p, &mut e, len, thetas, true);
    let (v, d) = e.tiles.split_at_mut(TT);
    for k in 0..n_dims {
        let tl = p.op(if n_ls == 1 { ls } else { ls + k });
        let tp = p.op(if n_per == 1 { per } else { per + k });
        let inv_l = 1.0 / p.theta[tl];
        let period = p.theta[tp];
        let c = PI / period;
        let (xi, xj) = inp.gather(p.op(dims + k));
        if derivs {
            let (dl, dp) = two_tiles(d, p.slot[tl], p.slot[tp]);
            let cp = 4.0 * inv_l / period;
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let t = (a - b) * c;
                let (sn, cs) = (t.sin(), t.cos());
                let s2 = sn * sn * inv_l;
                v[i] += s2;
                dl[i] += 2.0 * s2 * inv_l;
                dp[i] += cp * t * sn * cs;
            });
        } else {
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let sn = ((a - b) * c).sin();
                v[i] += sn * sn * inv_l;
            });
        }
    }
    for x in v[..len].iter_mut() {
        *x = (-2.0 * *x).exp();
    }
    scale_deps_by_value(&e.deps, v, d, len);
}

/// Multiplies every derivative tile the entry depends on by the value tile.
pub(super) fn scale_deps_by_value(deps: &[bool], v: &[f64], d: &mut [f64], len: usize) {
    for (s, &dep) in deps.iter().enumerate() {
        if dep {
            for (x, &vi) in d[s * TT..s * TT + len].iter_mut().zip(v[..len].iter()) {
                *x *= vi;
            }
        }
    }
}

/// LINEAR: `v = Σ_k c_k x_k x′_k`; `∂v/∂c = Σ_{k: c_k = c} x_k x′_k`.
#[allow(clippy::too_many_arguments)]
pub(super) fn linear(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, var: usize, n_var: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_var).map(|k| p.op(var + k)), true);
    let (v, d) = e.tiles.split_at_mut(TT);
    for k in 0..n_dims {
        let t = p.op(if n_var == 1 { var } else { var + k });
        let c = p.theta[t];
        let (xi, xj) = inp.gather(p.op(dims + k));
        if derivs {
            let s = p.slot[t];
            let dk = &mut d[s * TT..s * TT + TT];
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let q = a * b;
                v[i] += c * q;
                dk[i] += q;
            });
        } else {
            for_pairs(geom, &xi, &xj, |i, a, b| v[i] += c * (a * b));
        }
    }
}

/// POLYNOMIAL: `v = (Σ_k x_k x′_k + c)^power`; `∂v/∂c = power · (Σ_k x_k x′_k + c)^(power−1)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn polynomial(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, power: i32, dims: usize, n_dims: usize, offset: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, core::iter::once(offset), true);
    let (v, d) = e.tiles.split_at_mut(TT);
    for k in 0..n_dims {
        let (xi, xj) = inp.gather(p.op(dims + k));
        for_pairs(geom, &xi, &xj, |i, a, b| v[i] += a * b);
    }
    let c = p.theta[offset];
    let pw = power as f64;
    if derivs {
        let s = p.slot[offset];
        for (x, dv) in v[..len].iter_mut().zip(d[s * TT..s * TT + len].iter_mut()) {
            let b = *x + c;
            let lower = b.powi(power - 1);
            *dv = pw * lower;
            *x = lower * b;
        }
    } else {
        for x in v[..len].iter_mut() {
            *x = (*x + c).powi(power);
        }
    }
}

/// COSINE: `v = cos(π r / p)`, `r = ‖x − x′‖` over the dims; `∂v/∂p = sin(π r/p) · π r / p²`.
pub(super) fn cosine(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, period: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, core::iter::once(period), true);
    let (v, d) = e.tiles.split_at_mut(TT);
    for k in 0..n_dims {
        let (xi, xj) = inp.gather(p.op(dims + k));
        for_pairs(geom, &xi, &xj, |i, a, b| {
            let dl = a - b;
            v[i] += dl * dl;
        });
    }
    let per = p.theta[period];
    let c = PI / per;
    if derivs {
        let s = p.slot[period];
        for (x, dv) in v[..len].iter_mut().zip(d[s * TT..s * TT + len].iter_mut()) {
            let a = x.sqrt() * c;
            *dv = a.sin() * a / per;
            *x = a.cos();
        }
    } else {
        for x in v[..len].iter_mut() {
            *x = (x.sqrt() * c).cos();
        }
    }
}

/// SPECTRAL (one mixture component, GPyTorch's SpectralMixtureKernel without the
/// weight): `v = exp(−2π² Σ_k Δ_k² s_k²) · Π_k cos(2π Δ_k m_k)`;
/// `∂v/∂s_k = v · (−4π² Δ_k² s_k)`, `∂v/∂m_k = −2π Δ_k sin(2π Δ_k m_k) · v / cos(2π Δ_k m_k)`
/// (computed as a product without the division).
pub(super) fn spectral(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, scales: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..2 * n_dims).map(|k| p.op(scales + k)), true);
    let (v, d) = e.tiles.split_at_mut(TT);
    v[..len].iter_mut().for_each(|x| *x = 1.0);
    let mut ex = [0.0f64; TT];
    let mut c = [0.0f64; TT];
    let mut dc = [0.0f64; TT];
    let two_pi = 2.0 * PI;
    let two_pi2 = 2.0 * PI * PI;
    for k in 0..n_dims {
        let ts = p.op(scales + k);
        let tm = p.op(scales + n_dims + k);
        let (sc, mu) = (p.theta[ts], p.theta[tm]);
        let (xi, xj) = inp.gather(p.op(dims + k));
        if derivs {
            let ss = p.slot[ts];
            let dsk = &mut d[ss * TT..ss * TT + TT];
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let dl = a - b;
                let u = dl * sc;
                ex[i] -= two_pi2 * u * u;
                dsk[i] -= 2.0 * two_pi2 * dl * dl * sc;
                let w = two_pi * dl * mu;
                c[i] = w.cos();
                dc[i] = -two_pi * dl * w.sin();
            });
            // product rule over the cosines: earlier means' tiles × this cosine
            for q in 0..k {
                let s = p.slot[p.op(scales + n_dims + q)];
                for (x, &ci) in d[s * TT..s * TT + len].iter_mut().zip(c[..len].iter()) {
                    *x *= ci;
                }
            }
            let sm = p.slot[tm];
            for i in 0..len {
                d[sm * TT + i] = v[i] * dc[i];
                v[i] *= c[i];
            }
        } else {
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let dl = a - b;
                let u = dl * sc;
                ex[i] -= two_pi2 * u * u;
                c[i] = (two_pi * dl * mu).cos();
            });
            for i in 0..len {
                v[i] *= c[i];
            }
        }
    }
    for i in 0..len {
        c[i] = ex[i].exp();
        v[i] *= c[i];
    }
    if derivs {
        for k in 0..n_dims {
            let ss = p.slot[p.op(scales + k)];
            for (x, &vi) in d[ss * TT..ss * TT + len].iter_mut().zip(v[..len].iter()) {
                *x *= vi;
            }
            let sm = p.slot[p.op(scales + n_dims + k)];
            for (x, &ei) in d[sm * TT..sm * TT + len].iter_mut().zip(c[..len].iter()) {
                *x *= ei;
            }
        }
    }
}
