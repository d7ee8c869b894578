//! Tiles and the stack machine: which pairs a tile holds, the per-thread stack of
//! value and derivative tiles, [`Program::eval`], and the generic composition
//! (`SCALE`, `ADD`, `MUL`) with its forward-mode derivative rules.

use super::*;

/// Which pairs a tile holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Geom {
    /// `TILE × TILE` pairs `(x1[i0 + a], x2[j0 + b])` at `a*TILE + b`.
    Block,
    /// `TILE` pairs `(x1[i0 + a], x2[j0 + a])` at `a`.
    Diag,
}

impl Geom {
    #[inline(always)]
    pub(super) fn len(self) -> usize {
        match self {
            Geom::Block => TT,
            Geom::Diag => TILE,
        }
    }
}

/// The rows a tile reads: `x1[i0 .. i0+ti]` and `x2[j0 .. j0+tj]` (row-major, `d` columns).
#[derive(Clone, Copy)]
pub struct TileInputs<'a> {
    pub x1: &'a [f64],
    pub x2: &'a [f64],
    pub d: usize,
    pub i0: usize,
    pub ti: usize,
    pub j0: usize,
    pub tj: usize,
}

impl TileInputs<'_> {
    /// Column `dim` of the tile's rows of `x1` and of `x2`, zero-padded to `TILE`.
    #[inline]
    pub(super) fn gather(&self, dim: usize) -> ([f64; TILE], [f64; TILE]) {
        let mut a = [0.0; TILE];
        let mut b = [0.0; TILE];
        for (t, v) in a.iter_mut().enumerate().take(self.ti) {
            *v = self.x1[(self.i0 + t) * self.d + dim];
        }
        for (t, v) in b.iter_mut().enumerate().take(self.tj) {
            *v = self.x2[(self.j0 + t) * self.d + dim];
        }
        (a, b)
    }
}

/// Calls `f(e, x, x')` for every pair `e` of the tile (the loop every leaf kernel uses).
#[inline(always)]
pub(super) fn for_pairs(geom: Geom, xi: &[f64; TILE], xj: &[f64; TILE], mut f: impl FnMut(usize, f64, f64)) {
    match geom {
        Geom::Block => {
            for (a, &x) in xi.iter().enumerate() {
                for (b, &y) in xj.iter().enumerate() {
                    f(a * TILE + b, x, y);
                }
            }
        }
        Geom::Diag => {
            for a in 0..TILE {
                f(a, xi[a], xj[a]);
            }
        }
    }
}

/// `o[e] = f(o[e], w[e], x, x')` for every pair `e` of the tile, in loops over
/// fixed-size rows (which LLVM vectorises, without bounds checks); `w` is a tile the
/// formula reads (the value, or a profile derivative).
#[inline(always)]
pub(super) fn for_pairs_rows(
    geom: Geom,
    xi: &[f64; TILE],
    xj: &[f64; TILE],
    w: &[f64],
    o: &mut [f64],
    f: impl Fn(f64, f64, f64, f64) -> f64,
) {
    match geom {
        Geom::Block => {
            for (a, (orow, wrow)) in o[..TT].chunks_exact_mut(TILE).zip(w[..TT].chunks_exact(TILE)).enumerate() {
                let x = xi[a];
                for ((q, &wv), &y) in orow.iter_mut().zip(wrow.iter()).zip(xj.iter()) {
                    *q = f(*q, wv, x, y);
                }
            }
        }
        Geom::Diag => {
            for ((q, &wv), (&x, &y)) in o[..TILE].iter_mut().zip(w[..TILE].iter()).zip(xi.iter().zip(xj.iter())) {
                *q = f(*q, wv, x, y);
            }
        }
    }
}

/// Scratch for one tile evaluation: `depth` entries, each a value tile plus `nd`
/// derivative tiles (`nd = 0` when only values are wanted) and `nd` dependency flags.
pub struct Stack {
    buf: Vec<f64>,
    deps: Vec<bool>,
    nd: usize,
}

/// One stack entry.
pub(super) struct Entry<'a> {
    pub(super) tiles: &'a mut [f64],
    pub(super) deps: &'a mut [bool],
}

impl Stack {
    /// Scratch for `prog`, with derivative tiles when `derivs`.
    pub fn try_new(prog: &Program, derivs: bool) -> Result<Stack, i32> {
        Stack::with_slots(prog, if derivs { prog.used.len() } else { 0 })
    }

    /// Scratch for `prog` with `nd` derivative tiles an entry (theta slots, or the
    /// input columns of [`Program::eval_input`]).
    pub fn with_slots(prog: &Program, nd: usize) -> Result<Stack, i32> {
        let per = (1 + nd).checked_mul(TT).and_then(|v| v.checked_mul(prog.depth)).ok_or(E_NOMEM)?;
        Ok(Stack { buf: try_vec(per, 0.0)?, deps: try_vec(prog.depth * nd, false)?, nd })
    }

    #[inline]
    pub(super) fn per(&self) -> usize {
        (1 + self.nd) * TT
    }

    #[inline]
    pub(super) fn entry(&mut self, k: usize) -> Entry<'_> {
        let per = self.per();
        let nd = self.nd;
        Entry { tiles: &mut self.buf[k * per..(k + 1) * per], deps: &mut self.deps[k * nd..(k + 1) * nd] }
    }

    /// Entries `k` and `k + 1`.
    #[inline]
    pub(super) fn pair(&mut self, k: usize) -> (Entry<'_>, Entry<'_>) {
        let per = self.per();
        let nd = self.nd;
        let (lo, hi) = self.buf[k * per..(k + 2) * per].split_at_mut(per);
        let (dlo, dhi) = self.deps[k * nd..(k + 2) * nd].split_at_mut(nd);
        (Entry { tiles: lo, deps: dlo }, Entry { tiles: hi, deps: dhi })
    }

    /// The result (entry 0): value tile.
    #[inline]
    pub fn value(&self) -> &[f64] {
        &self.buf[..TT]
    }

    /// The result's derivative tile for `slot`, if the result depends on it.
    #[inline]
    pub fn deriv(&self, slot: usize) -> Option<&[f64]> {
        if slot < self.nd && self.deps[slot] {
            Some(&self.buf[(1 + slot) * TT..(2 + slot) * TT])
        } else {
            None
        }
    }
}

impl Program<'_> {
    /// Number of derivative slots (theta entries the program reads).
    pub fn n_slots(&self) -> usize {
        self.used.len()
    }

    /// The theta index of derivative slot `s`.
    pub fn slot_theta(&self, s: usize) -> usize {
        self.used[s]
    }

    #[inline]
    pub(super) fn op(&self, at: usize) -> usize {
        // Validated by `parse`: every operand read here is a non-negative index.
        self.ops[at] as usize
    }

    /// Evaluates the program on one tile; the result is entry 0 of `st`.
    pub fn eval(&self, st: &mut Stack, inp: &TileInputs, geom: Geom) {
        let mut top = 0;
        let mut pc = 0;
        while pc < self.code.len() {
            let ins = self.code[pc];
            pc += 1;
            // RBF then SCALE (ScaleKernel(RBF)) in one leaf call, unless the scale is
            // also one of its lengthscales.
            if let (Instr::Rbf { dims, n_dims, ls, n_ls }, Some(&Instr::Scale { s })) = (ins, self.code.get(pc)) {
                if (0..n_ls).all(|k| self.op(ls + k) != s) {
                    rbf(self, st.entry(top), inp, geom, dims, n_dims, ls, n_ls, Some((self.theta[s], self.slot[s])));
                    top += 1;
                    pc += 1;
                    continue;
                }
            }
            match ins {
                Instr::Scale { s } => scale(self.theta[s], self.slot[s], st.entry(top - 1), geom),
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
                    self.leaf(leaf, st.entry(top), inp, geom);
                    top += 1;
                }
            }
        }
    }

    /// Evaluates the leaf `ins` into `e` (its value tile, and its theta-derivative
    /// tiles when `e` has any).
    #[inline(always)]
    pub(super) fn leaf(&self, ins: Instr, e: Entry, inp: &TileInputs, geom: Geom) {
        match ins {
            Instr::Rbf { dims, n_dims, ls, n_ls } => rbf(self, e, inp, geom, dims, n_dims, ls, n_ls, None),
            Instr::Matern { nu2, dims, n_dims, ls, n_ls } => matern(self, e, inp, geom, nu2, dims, n_dims, ls, n_ls),
            Instr::Rq { dims, n_dims, ls, n_ls, alpha } => {
                radial(self, e, inp, geom, Radial::Rq(self.theta[alpha]), dims, n_dims, ls, n_ls, Some(alpha))
            }
            Instr::Periodic { dims, n_dims, ls, n_ls, per, n_per } => {
                periodic(self, e, inp, geom, dims, n_dims, ls, n_ls, per, n_per)
            }
            Instr::Linear { dims, n_dims, var, n_var } => linear(self, e, inp, geom, dims, n_dims, var, n_var),
            Instr::Polynomial { power, dims, n_dims, offset } => {
                polynomial(self, e, inp, geom, power, dims, n_dims, offset)
            }
            Instr::Cosine { dims, n_dims, period } => cosine(self, e, inp, geom, dims, n_dims, period),
            Instr::Spectral { dims, n_dims, scales } => spectral(self, e, inp, geom, dims, n_dims, scales),
            // Not leaves: `eval` and `eval_input` handle them.
            Instr::Scale { .. } | Instr::Add | Instr::Mul => {}
        }
    }
}

/// `SCALE`: `v ← c·v`, `∂ ← c·∂`, `∂/∂c += v`.
pub(super) fn scale(c: f64, slot: usize, e: Entry, geom: Geom) {
    let len = geom.len();
    let nd = e.deps.len();
    let (v, d) = e.tiles.split_at_mut(TT);
    for s in 0..nd {
        if e.deps[s] && s != slot {
            d[s * TT..s * TT + len].iter_mut().for_each(|x| *x *= c);
        }
    }
    if nd > 0 {
        let ds = &mut d[slot * TT..slot * TT + len];
        if e.deps[slot] {
            for (x, &vi) in ds.iter_mut().zip(v[..len].iter()) {
                *x = c * *x + vi;
            }
        } else {
            vfill::copy(ds, &v[..len]);
            e.deps[slot] = true;
        }
    }
    v[..len].iter_mut().for_each(|x| *x *= c);
}

/// `ADD`: `a ← a + b`, derivatives summed.
pub(super) fn add(a: Entry, b: Entry, geom: Geom) {
    let len = geom.len();
    let nd = a.deps.len();
    let (va, da) = a.tiles.split_at_mut(TT);
    let (vb, db) = b.tiles.split_at_mut(TT);
    for (x, &y) in va[..len].iter_mut().zip(vb[..len].iter()) {
        *x += y;
    }
    for s in 0..nd {
        let r = s * TT..s * TT + len;
        match (a.deps[s], b.deps[s]) {
            (true, true) => da[r.clone()].iter_mut().zip(db[r].iter()).for_each(|(x, &y)| *x += y),
            (false, true) => {
                vfill::copy(&mut da[r.clone()], &db[r]);
                a.deps[s] = true;
            }
            _ => {}
        }
    }
}

/// `MUL`: `a ← a·b`, product rule.
pub(super) fn mul(a: Entry, b: Entry, geom: Geom) {
    let len = geom.len();
    let nd = a.deps.len();
    let (va, da) = a.tiles.split_at_mut(TT);
    let (vb, db) = b.tiles.split_at_mut(TT);
    let (va, vb) = (&mut va[..len], &vb[..len]);
    for s in 0..nd {
        let r = s * TT..s * TT + len;
        match (a.deps[s], b.deps[s]) {
            (true, true) => {
                for ((x, &y), (&p, &q)) in da[r.clone()].iter_mut().zip(db[r].iter()).zip(va.iter().zip(vb.iter())) {
                    *x = *x * q + p * y;
                }
            }
            (true, false) => {
                da[r].iter_mut().zip(vb.iter()).for_each(|(x, &q)| *x *= q);
            }
            (false, true) => {
                for ((x, &y), &p) in da[r.clone()].iter_mut().zip(db[r].iter()).zip(va.iter()) {
                    *x = p * y;
                }
                a.deps[s] = true;
            }
            (false, false) => {}
        }
    }
    for (x, &y) in va.iter_mut().zip(vb.iter()) {
        *x *= y;
    }
}
