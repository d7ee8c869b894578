//! Input derivatives of a kernel program: tiles of `∂k(x_i, x'_j)/∂x_{i,c}` (or of
//! `x'_j`, or of both moving together on the diagonal) for every input column `c`
//! the program reads, carried through `SCALE`, `ADD` and `MUL` by the same
//! composition code as the theta derivatives (a stack entry's derivative slots are
//! then input columns instead of theta entries).
//!
//! Every leaf writes its value exactly as [`Program::eval`] does (the same code), then
//! adds its partial derivatives per pair from the formulas below, with
//! `Δ_k = x_{dim_k} − x'_{dim_k}` (for the stationary leaves `∂/∂x' = −∂/∂x`):
//!
//! | leaf | `∂k/∂x_{dim_k}` |
//! | --- | --- |
//! | RBF | `−k · Δ_k / ℓ_k²` |
//! | MATERN, RQ | `−h(s) · Δ_k / ℓ_k²` with `h = −2 dg/ds` (ABI.md); Matern ½ gives 0 at `s = 0` |
//! | PERIODIC | `−k · 4π sin(a_k) cos(a_k) / (ℓ_k p_k)`, `a_k = π Δ_k / p_k` |
//! | LINEAR | `c_k x'_k` (and `∂/∂x'_k = c_k x_k`) |
//! | POLYNOMIAL | `power · (x·x' + c)^{power−1} x'_k` (and the twin) |
//! | COSINE | `−sin(π r / p) · (π / p) · Δ_k / r`, 0 at `r = 0` |
//! | SPECTRAL | product rule over `exp(−2π² Δ_k² s_k²) cos(2π Δ_k m_k)` |
//!
//! A dimension listed twice in one leaf adds both terms to its column.

use super::*;

/// Which argument the input derivatives are taken with respect to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wrt {
    /// `x` (the rows of `x1`).
    X1,
    /// `x'` (the rows of `x2`).
    X2,
    /// Both together (`x = x'`, the total derivative along the diagonal).
    Both,
}

impl Wrt {
    /// The partial the caller wants from `(∂/∂x, ∂/∂x')`.
    #[inline(always)]
    fn pick(self, da: f64, db: f64) -> f64 {
        match self {
            Wrt::X1 => da,
            Wrt::X2 => db,
            Wrt::Both => da + db,
        }
    }
}

/// The input columns a program reads, in order of first use.
pub struct Columns {
    /// Column → derivative slot (`usize::MAX` for a column the program never reads).
    pub slot: Vec<usize>,
    /// Derivative slot → column.
    pub cols: Vec<usize>,
}

impl Program<'_> {
    /// The input columns (of `d`) this program reads.
    pub fn columns(&self, d: usize) -> Result<Columns, i32> {
        let mut slot = try_vec(d, UNUSED)?;
        let mut cols = Vec::new();
        for ins in &self.code {
            let (dims, n_dims) = match *ins {
                Instr::Rbf { dims, n_dims, .. }
                | Instr::Matern { dims, n_dims, .. }
                | Instr::Rq { dims, n_dims, .. }
                | Instr::Periodic { dims, n_dims, .. }
                | Instr::Linear { dims, n_dims, .. }
                | Instr::Polynomial { dims, n_dims, .. }
                | Instr::Cosine { dims, n_dims, .. }
                | Instr::Spectral { dims, n_dims, .. } => (dims, n_dims),
                Instr::Scale { .. } | Instr::Add | Instr::Mul => continue,
            };
            for k in 0..n_dims {
                let c = self.op(dims + k);
                if slot[c] == UNUSED {
                    cols.try_reserve(1).map_err(|_| E_NOMEM)?;
                    slot[c] = cols.len();
                    cols.push(c);
                }
            }
        }
        Ok(Columns { slot, cols })
    }

    /// Evaluates the program on one tile with input-derivative tiles: `st` must come
    /// from [`Stack::with_slots`] with `cols.cols.len()` slots. The result is entry 0:
    /// its value tile, and `deriv(s)` the derivative with respect to column
    /// `cols.cols[s]` of the argument(s) `wrt`.
    pub fn eval_input(&self, st: &mut Stack, inp: &TileInputs, geom: Geom, wrt: Wrt, cols: &Columns) {
        let mut top = 0;
        for ins in &self.code {
            match *ins {
                Instr::Scale { s } => scale_input(self.theta[s], st.entry(top - 1), geom),
                Instr::Add => {
                    let (a, b) = st.pair(top - 2);
                    add(a, b, geom);
                    top -= 1;
                }
                Instr::Mul => {
                    let (a, b) = st.pair(top - 2);
                    mul(a, b, geom);
                    top -= 1;
                }
                leaf => {
                    let e = st.entry(top);
                    // The value, by the same code as `eval` (no theta tiles).
                    self.leaf(leaf, Entry { tiles: &mut e.tiles[..TT], deps: &mut [] }, inp, geom);
                    leaf_input(self, leaf, e, inp, geom, wrt, &cols.slot);
                    top += 1;
                }
            }
        }
    }
}

/// `SCALE` without theta derivatives: `v ← c·v`, `∂ ← c·∂`.
fn scale_input(c: f64, e: Entry, geom: Geom) {
    let len = geom.len();
    let (v, d) = e.tiles.split_at_mut(TT);
    for (s, &dep) in e.deps.iter().enumerate() {
        if dep {
            d[s * TT..s * TT + len].iter_mut().for_each(|x| *x *= c);
        }
    }
    v[..len].iter_mut().for_each(|x| *x *= c);
}

/// The input-derivative tiles of one leaf whose value tile is already in `e`.
fn leaf_input(p: &Program, ins: Instr, e: Entry, inp: &TileInputs, geom: Geom, wrt: Wrt, cs: &[usize]) {
    let len = geom.len();
    let (dims, n_dims) = match ins {
        Instr::Rbf { dims, n_dims, .. }
        | Instr::Matern { dims, n_dims, .. }
        | Instr::Rq { dims, n_dims, .. }
        | Instr::Periodic { dims, n_dims, .. }
        | Instr::Linear { dims, n_dims, .. }
        | Instr::Polynomial { dims, n_dims, .. }
        | Instr::Cosine { dims, n_dims, .. }
        | Instr::Spectral { dims, n_dims, .. } => (dims, n_dims),
        Instr::Scale { .. } | Instr::Add | Instr::Mul => return,
    };
    let (v, d) = e.tiles.split_at_mut(TT);
    e.deps.iter_mut().for_each(|f| *f = false);
    // RBF / MATERN / RQ store their first term into each column's tile (`0 + g`: the same
    // numbers as adding it to a cleared tile); the other leaves add into cleared tiles.
    let stationary = matches!(ins, Instr::Rbf { .. } | Instr::Matern { .. } | Instr::Rq { .. });
    for k in 0..n_dims {
        let s = cs[p.op(dims + k)];
        if !e.deps[s] {
            e.deps[s] = true;
            if !stationary {
                vfill::zero(&mut d[s * TT..s * TT + len]);
            }
        }
    }
    // Whether dim k is the first of the leaf's dims on its column.
    let first = |k: usize| (0..k).all(|q| p.op(dims + q) != p.op(dims + k));
    // The column's derivative tile and its gathered inputs, for dim k of the leaf.
    let col = |k: usize| -> (usize, [f64; TILE], [f64; TILE]) {
        let c = p.op(dims + k);
        let (xi, xj) = inp.gather(c);
        (cs[c] * TT, xi, xj)
    };
    match ins {
        Instr::Rbf { ls, n_ls, .. } => {
            for k in 0..n_dims {
                let inv = 1.0 / p.theta[p.op(if n_ls == 1 { ls } else { ls + k })];
                let (o, xi, xj) = col(k);
                add_stationary(geom, &xi, &xj, v, &mut d[o..o + TT], wrt, first(k), |vi, a, b| -vi * ((a - b) * inv) * inv);
            }
        }
        Instr::Matern { .. } | Instr::Rq { .. } => {
            let (g, ls, n_ls) = match ins {
                Instr::Matern { nu2, ls, n_ls, .. } => (Radial::matern(nu2), ls, n_ls),
                Instr::Rq { ls, n_ls, alpha, .. } => (Radial::Rq(p.theta[alpha]), ls, n_ls),
                _ => return,
            };
            let mut h = [0.0f64; TT];
            scaled_squares(p, inp, geom, dims, n_dims, ls, n_ls, false, &mut h, &mut []);
            match (ins, g) {
                (Instr::Matern { nu2, .. }, _) => matern_h_tile(nu2, &mut h, len),
                (_, g) => h[..len].iter_mut().for_each(|x| *x = g.eval(*x).1),
            }
            for k in 0..n_dims {
                let inv = 1.0 / p.theta[p.op(if n_ls == 1 { ls } else { ls + k })];
                let (o, xi, xj) = col(k);
                add_stationary(geom, &xi, &xj, &h, &mut d[o..o + TT], wrt, first(k), |hi, a, b| -hi * ((a - b) * inv) * inv);
            }
        }
        Instr::Periodic { ls, n_ls, per, n_per, .. } => {
            for k in 0..n_dims {
                let inv_l = 1.0 / p.theta[p.op(if n_ls == 1 { ls } else { ls + k })];
                let c = PI / p.theta[p.op(if n_per == 1 { per } else { per + k })];
                let q = 4.0 * inv_l * c;
                let (o, xi, xj) = col(k);
                let dk = &mut d[o..o + TT];
                for_pairs(geom, &xi, &xj, |i, a, b| {
                    let t = (a - b) * c;
                    let g = -v[i] * q * t.sin() * t.cos();
                    dk[i] += wrt.pick(g, -g);
                });
            }
        }
        Instr::Linear { var, n_var, .. } => {
            for k in 0..n_dims {
                let c = p.theta[p.op(if n_var == 1 { var } else { var + k })];
                let (o, xi, xj) = col(k);
                let dk = &mut d[o..o + TT];
                for_pairs(geom, &xi, &xj, |i, a, b| dk[i] += wrt.pick(c * b, c * a));
            }
        }
        Instr::Polynomial { power, offset, .. } => {
            let mut q = [0.0f64; TT];
            for k in 0..n_dims {
                let (_, xi, xj) = col(k);
                for_pairs(geom, &xi, &xj, |i, a, b| q[i] += a * b);
            }
            let (c, pw) = (p.theta[offset], power as f64);
            for x in q[..len].iter_mut() {
                *x = pw * (*x + c).powi(power - 1);
            }
            for k in 0..n_dims {
                let (o, xi, xj) = col(k);
                let dk = &mut d[o..o + TT];
                for_pairs(geom, &xi, &xj, |i, a, b| dk[i] += wrt.pick(q[i] * b, q[i] * a));
            }
        }
        Instr::Cosine { period, .. } => {
            let mut q = [0.0f64; TT];
            for k in 0..n_dims {
                let (_, xi, xj) = col(k);
                for_pairs(geom, &xi, &xj, |i, a, b| {
                    let dl = a - b;
                    q[i] += dl * dl;
                });
            }
            let c = PI / p.theta[period];
            for x in q[..len].iter_mut() {
                let r = x.sqrt();
                // d cos(c r)/dr · 1/r; the limit Δ/r · (…) → 0 at r = 0 (GPyTorch's too).
                *x = if r > 0.0 { -(c * r).sin() * c / r } else { 0.0 };
            }
            for k in 0..n_dims {
                let (o, xi, xj) = col(k);
                let dk = &mut d[o..o + TT];
                for_pairs(geom, &xi, &xj, |i, a, b| {
                    let g = q[i] * (a - b);
                    dk[i] += wrt.pick(g, -g);
                });
            }
        }
        Instr::Spectral { scales, .. } => spectral_input(p, e.deps, v, d, len, geom, n_dims, scales, wrt, &col),
        Instr::Scale { .. } | Instr::Add | Instr::Mul => {}
    }
}

/// `dk += wrt.pick(g, −g)` over the pairs for a stationary leaf's `g = ∂k/∂x = f(w, x, x′)`
/// (`w` a tile `f` reads), with `wrt` resolved outside the loop so that it vectorises;
/// with `first`, `dk = 0 + wrt.pick(g, −g)` (the tile need not be cleared).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_stationary(
    geom: Geom,
    xi: &[f64; TILE],
    xj: &[f64; TILE],
    w: &[f64],
    dk: &mut [f64],
    wrt: Wrt,
    first: bool,
    f: impl Fn(f64, f64, f64) -> f64,
) {
    if first {
        stationary_rows::<true>(geom, xi, xj, w, dk, wrt, f);
    } else {
        stationary_rows::<false>(geom, xi, xj, w, dk, wrt, f);
    }
}

#[inline(always)]
fn stationary_rows<const SET: bool>(
    geom: Geom,
    xi: &[f64; TILE],
    xj: &[f64; TILE],
    w: &[f64],
    dk: &mut [f64],
    wrt: Wrt,
    f: impl Fn(f64, f64, f64) -> f64,
) {
    let put = |q: f64, g: f64| if SET { 0.0 + g } else { q + g };
    match wrt {
        Wrt::X1 => for_pairs_rows(geom, xi, xj, w, dk, |q, wv, a, b| put(q, f(wv, a, b))),
        Wrt::X2 => for_pairs_rows(geom, xi, xj, w, dk, |q, wv, a, b| put(q, -f(wv, a, b))),
        Wrt::Both => for_pairs_rows(geom, xi, xj, w, dk, |q, wv, a, b| {
            let g = f(wv, a, b);
            put(q, g + -g)
        }),
    }
}

/// SPECTRAL: `k = Π_k E_k C_k`, `E_k = exp(−2π² Δ_k² s_k²)`, `C_k = cos(2π Δ_k m_k)`;
/// `∂k/∂Δ_k = k · (−4π² Δ_k s_k²) + Π_j E_j · Π_{j≠k} C_j · (−2π m_k sin(2π Δ_k m_k))`,
/// the second term by the product rule over the cosines (no division).
#[allow(clippy::too_many_arguments)]
fn spectral_input(
    p: &Program,
    deps: &[bool],
    v: &[f64],
    d: &mut [f64],
    len: usize,
    geom: Geom,
    n_dims: usize,
    scales: usize,
    wrt: Wrt,
    col: &impl Fn(usize) -> (usize, [f64; TILE], [f64; TILE]),
) {
    let two_pi = 2.0 * PI;
    let two_pi2 = 2.0 * PI * PI;
    let mut pr = [1.0f64; TT];
    let mut ex = [0.0f64; TT];
    let mut ck = [0.0f64; TT];
    let mut dck = [0.0f64; TT];
    for k in 0..n_dims {
        let (sc, mu) = (p.theta[p.op(scales + k)], p.theta[p.op(scales + n_dims + k)]);
        let (o, xi, xj) = col(k);
        for_pairs(geom, &xi, &xj, |i, a, b| {
            let dl = a - b;
            let u = dl * sc;
            ex[i] -= two_pi2 * u * u;
            let w = two_pi * dl * mu;
            ck[i] = w.cos();
            dck[i] = -two_pi * mu * w.sin();
        });
        for (s, &dep) in deps.iter().enumerate() {
            if dep {
                for (x, &c) in d[s * TT..s * TT + len].iter_mut().zip(ck[..len].iter()) {
                    *x *= c;
                }
            }
        }
        for i in 0..len {
            let g = pr[i] * dck[i];
            d[o + i] += wrt.pick(g, -g);
            pr[i] *= ck[i];
        }
    }
    for x in ex[..len].iter_mut() {
        *x = x.exp();
    }
    for (s, &dep) in deps.iter().enumerate() {
        if dep {
            for (x, &e) in d[s * TT..s * TT + len].iter_mut().zip(ex[..len].iter()) {
                *x *= e;
            }
        }
    }
    for k in 0..n_dims {
        let sc = p.theta[p.op(scales + k)];
        let q = -2.0 * two_pi2 * sc * sc;
        let (o, xi, xj) = col(k);
        let dk = &mut d[o..o + TT];
        for_pairs(geom, &xi, &xj, |i, a, b| {
            let g = q * (a - b) * v[i];
            dk[i] += wrt.pick(g, -g);
        });
    }
}
