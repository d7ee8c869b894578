//! The kernel-program interpreter: a kernel tree compiled (in TypeScript) to a
//! postfix program, evaluated on tiles of `(x_i, x'_j)` pairs in float64, with
//! forward-mode derivative tiles for the theta entries each stack entry depends on.
//!
//! Layout of a stack entry: one value tile followed by one derivative tile per theta
//! entry that the program uses (compact "slots"), plus a flag per slot saying whether
//! the entry depends on it. Tiles are `TILE × TILE` (a block of pairs) or `TILE`
//! long (the diagonal, pairs `(x_i, x_i)`), always fully computed from zero-padded
//! inputs so every loop is a plain loop over a fixed length.
//!
//! Adding a kernel: give it an opcode in [`parse`] (decode + validate its operands
//! into an [`Instr`] variant), write its tile function next to [`rbf`] (value and
//! derivative formula over [`for_pairs`]), and add one arm to [`Program::eval`].
//! Composition (`SCALE`, `ADD`, `MUL`) is generic and needs no change.

use crate::status::{E_DIM, E_NOMEM, E_OPCODE, E_PROGRAM, E_THETA, OK};

/// Side of a tile.
pub const TILE: usize = 32;
const TT: usize = TILE * TILE;
/// Deepest stack a program may use.
pub const MAX_STACK: usize = 32;

const OP_RBF: i32 = 1;
const OP_SCALE: i32 = 2;
const OP_ADD: i32 = 3;
const OP_MUL: i32 = 4;

const UNUSED: usize = usize::MAX;

/// One decoded instruction. Operand lists stay in `ops` (offsets, lengths).
#[derive(Clone, Copy, Debug)]
enum Instr {
    /// RBF over `n_dims` input columns at `ops[dims..]`; lengthscale indices at
    /// `ops[ls..]`, one per dim (ARD) or one shared (`n_ls = 1`).
    Rbf { dims: usize, n_dims: usize, ls: usize, n_ls: usize },
    /// `theta[s] · k`.
    Scale { s: usize },
    /// `a + b`.
    Add,
    /// `a · b`.
    Mul,
}

/// A validated program bound to its theta values.
pub struct Program<'a> {
    ops: &'a [i32],
    theta: &'a [f64],
    code: Vec<Instr>,
    depth: usize,
    /// theta index → derivative slot (`UNUSED` when the program never reads it).
    slot: Vec<usize>,
    /// derivative slot → theta index.
    used: Vec<usize>,
}

fn try_vec<T: Clone>(len: usize, v: T) -> Result<Vec<T>, i32> {
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| E_NOMEM)?;
    out.resize(len, v);
    Ok(out)
}

/// Reads `ops[at]`, or `E_PROGRAM` when the program is truncated.
#[inline]
fn operand(ops: &[i32], at: usize) -> Result<i32, i32> {
    ops.get(at).copied().ok_or(E_PROGRAM)
}

fn theta_index(v: i32, n_theta: usize) -> Result<usize, i32> {
    if v >= 0 && (v as usize) < n_theta {
        Ok(v as usize)
    } else {
        Err(E_THETA)
    }
}

/// Decodes and validates `ops` against `n_theta` parameters and `d` input columns.
/// Errors are the ABI's negative status codes, reported for the first bad instruction.
pub fn parse<'a>(ops: &'a [i32], theta: &'a [f64], d: usize) -> Result<Program<'a>, i32> {
    let n_theta = theta.len();
    let mut code = Vec::new();
    code.try_reserve_exact(ops.len()).map_err(|_| E_NOMEM)?;
    let mut slot = try_vec(n_theta, UNUSED)?;
    let mut used = Vec::new();
    let mut use_theta = |t: usize, used: &mut Vec<usize>| -> Result<(), i32> {
        if slot[t] == UNUSED {
            used.try_reserve(1).map_err(|_| E_NOMEM)?;
            slot[t] = used.len();
            used.push(t);
        }
        Ok(())
    };
    let (mut pc, mut depth, mut max_depth) = (0usize, 0usize, 0usize);
    while pc < ops.len() {
        let pushes;
        match ops[pc] {
            OP_RBF => {
                let n_dims = operand(ops, pc + 1)?;
                if n_dims <= 0 {
                    return Err(E_PROGRAM);
                }
                let n_dims = n_dims as usize;
                let dims = pc + 2;
                for k in 0..n_dims {
                    let dim = operand(ops, dims + k)?;
                    if dim < 0 || dim as usize >= d {
                        return Err(E_DIM);
                    }
                }
                let n_ls = operand(ops, dims + n_dims)?;
                if n_ls != 1 && n_ls as usize != n_dims {
                    return Err(E_PROGRAM);
                }
                let n_ls = n_ls as usize;
                let ls = dims + n_dims + 1;
                for k in 0..n_ls {
                    let t = theta_index(operand(ops, ls + k)?, n_theta)?;
                    use_theta(t, &mut used)?;
                }
                code.push(Instr::Rbf { dims, n_dims, ls, n_ls });
                pc = ls + n_ls;
                pushes = true;
            }
            OP_SCALE => {
                let s = theta_index(operand(ops, pc + 1)?, n_theta)?;
                if depth < 1 {
                    return Err(E_PROGRAM);
                }
                use_theta(s, &mut used)?;
                code.push(Instr::Scale { s });
                pc += 2;
                pushes = false;
            }
            OP_ADD | OP_MUL => {
                if depth < 2 {
                    return Err(E_PROGRAM);
                }
                depth -= 1;
                code.push(if ops[pc] == OP_ADD { Instr::Add } else { Instr::Mul });
                pc += 1;
                pushes = false;
            }
            _ => return Err(E_OPCODE),
        }
        if pushes {
            depth += 1;
            if depth > MAX_STACK {
                return Err(E_PROGRAM);
            }
            max_depth = max_depth.max(depth);
        }
    }
    if depth != 1 {
        return Err(E_PROGRAM);
    }
    Ok(Program { ops, theta, code, depth: max_depth, slot, used })
}

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
    fn len(self) -> usize {
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
    fn gather(&self, dim: usize) -> ([f64; TILE], [f64; TILE]) {
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
fn for_pairs(geom: Geom, xi: &[f64; TILE], xj: &[f64; TILE], mut f: impl FnMut(usize, f64, f64)) {
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

/// Scratch for one tile evaluation: `depth` entries, each a value tile plus `nd`
/// derivative tiles (`nd = 0` when only values are wanted) and `nd` dependency flags.
pub struct Stack {
    buf: Vec<f64>,
    deps: Vec<bool>,
    nd: usize,
}

/// One stack entry.
struct Entry<'a> {
    tiles: &'a mut [f64],
    deps: &'a mut [bool],
}

impl Stack {
    /// Scratch for `prog`, with derivative tiles when `derivs`.
    pub fn try_new(prog: &Program, derivs: bool) -> Result<Stack, i32> {
        let nd = if derivs { prog.used.len() } else { 0 };
        let per = (1 + nd).checked_mul(TT).and_then(|v| v.checked_mul(prog.depth)).ok_or(E_NOMEM)?;
        Ok(Stack { buf: try_vec(per, 0.0)?, deps: try_vec(prog.depth * nd, false)?, nd })
    }

    #[inline]
    fn per(&self) -> usize {
        (1 + self.nd) * TT
    }

    #[inline]
    fn entry(&mut self, k: usize) -> Entry<'_> {
        let per = self.per();
        let nd = self.nd;
        Entry { tiles: &mut self.buf[k * per..(k + 1) * per], deps: &mut self.deps[k * nd..(k + 1) * nd] }
    }

    /// Entries `k` and `k + 1`.
    #[inline]
    fn pair(&mut self, k: usize) -> (Entry<'_>, Entry<'_>) {
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
    fn op(&self, at: usize) -> usize {
        // Validated by `parse`: every operand read here is a non-negative index.
        self.ops[at] as usize
    }

    /// Evaluates the program on one tile; the result is entry 0 of `st`.
    pub fn eval(&self, st: &mut Stack, inp: &TileInputs, geom: Geom) {
        let mut top = 0;
        for ins in &self.code {
            match *ins {
                Instr::Rbf { dims, n_dims, ls, n_ls } => {
                    let e = st.entry(top);
                    rbf(self, e, inp, geom, dims, n_dims, ls, n_ls);
                    top += 1;
                }
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
            }
        }
    }
}

/// RBF: `v = exp(-½ Σ_k (Δ_k/ℓ_k)²)`, `∂v/∂ℓ = v · Σ_{k: ℓ_k = ℓ} Δ_k² / ℓ³`.
#[allow(clippy::too_many_arguments)]
fn rbf(p: &Program, e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, ls: usize, n_ls: usize) {
    let len = geom.len();
    let derivs = !e.deps.is_empty();
    e.deps.iter_mut().for_each(|f| *f = false);
    let (v, d) = e.tiles.split_at_mut(TT);
    v[..len].iter_mut().for_each(|x| *x = 0.0);
    if derivs {
        for k in 0..n_ls {
            let s = p.slot[p.op(ls + k)];
            if !e.deps[s] {
                e.deps[s] = true;
                d[s * TT..s * TT + len].iter_mut().for_each(|x| *x = 0.0);
            }
        }
    }
    for k in 0..n_dims {
        let t = p.op(if n_ls == 1 { ls } else { ls + k });
        let inv = 1.0 / p.theta[t];
        let (xi, xj) = inp.gather(p.op(dims + k));
        if derivs {
            let s = p.slot[t];
            let dk = &mut d[s * TT..s * TT + TT];
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let u = (a - b) * inv;
                let u2 = u * u;
                v[i] += u2;
                dk[i] += u2;
            });
        } else {
            for_pairs(geom, &xi, &xj, |i, a, b| {
                let u = (a - b) * inv;
                v[i] += u * u;
            });
        }
    }
    crate::vexp::exp_scaled_inplace(&mut v[..len], -0.5);
    if derivs {
        for s in 0..e.deps.len() {
            if e.deps[s] {
                let inv_l = 1.0 / p.theta[p.used[s]];
                let ds = &mut d[s * TT..s * TT + len];
                for (x, &vi) in ds.iter_mut().zip(v[..len].iter()) {
                    *x = *x * vi * inv_l;
                }
            }
        }
    }
}

/// `SCALE`: `v ← c·v`, `∂ ← c·∂`, `∂/∂c += v`.
fn scale(c: f64, slot: usize, e: Entry, geom: Geom) {
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
            ds.copy_from_slice(&v[..len]);
            e.deps[slot] = true;
        }
    }
    v[..len].iter_mut().for_each(|x| *x *= c);
}

/// `ADD`: `a ← a + b`, derivatives summed.
fn add(a: Entry, b: Entry, geom: Geom) {
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
                da[r.clone()].copy_from_slice(&db[r]);
                a.deps[s] = true;
            }
            _ => {}
        }
    }
}

/// `MUL`: `a ← a·b`, product rule.
fn mul(a: Entry, b: Entry, geom: Geom) {
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

#[inline]
fn tiles(n: usize) -> usize {
    (n + TILE - 1) / TILE
}

/// `out[i*n2 + j] = k(x1_i, x2_j)`; with `symmetric` (`x1 == x2`), only tiles on or
/// below the diagonal are evaluated and mirrored.
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
    let mut st = match Stack::try_new(prog, false) {
        Ok(s) => s,
        Err(c) => return c,
    };
    for bi in 0..tiles(n1) {
        let i0 = bi * TILE;
        let ti = TILE.min(n1 - i0);
        let bj_end = if symmetric { bi + 1 } else { tiles(n2) };
        for bj in 0..bj_end {
            let j0 = bj * TILE;
            let tj = TILE.min(n2 - j0);
            let inp = TileInputs { x1, x2, d, i0, ti, j0, tj };
            prog.eval(&mut st, &inp, Geom::Block);
            let v = st.value();
            for a in 0..ti {
                let row = &mut out[(i0 + a) * n2 + j0..(i0 + a) * n2 + j0 + tj];
                let src = &v[a * TILE..a * TILE + tj];
                if symmetric && bi == bj {
                    row[..=a].copy_from_slice(&src[..=a]);
                } else {
                    row.copy_from_slice(src);
                }
            }
            if symmetric {
                let upto = |a: usize| if bi == bj { a } else { tj };
                for a in 0..ti {
                    for b in 0..upto(a) {
                        out[(j0 + b) * n2 + i0 + a] = v[a * TILE + b];
                    }
                }
            }
        }
    }
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
        out[i0..i0 + t].copy_from_slice(&st.value()[..t]);
    }
    OK
}

/// `grad[p] = Σ_ij G_ij ∂k(x_i, x_j)/∂theta[p]` from the lower triangle of the
/// symmetric `g` (n×n): off-diagonal pairs count twice.
pub fn grad_contract(prog: &Program, x: &[f64], n: usize, d: usize, g: &[f64], grad: &mut [f64]) -> i32 {
    let mut st = match Stack::try_new(prog, true) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let ns = prog.n_slots();
    let mut acc = match try_vec(ns, 0.0f64) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let mut w = [0.0f64; TT];
    for bi in 0..tiles(n) {
        let i0 = bi * TILE;
        let ti = TILE.min(n - i0);
        for bj in 0..=bi {
            let j0 = bj * TILE;
            let tj = TILE.min(n - j0);
            // Weighted G tile: 2 below the diagonal, 1 on it, 0 above and in the padding.
            w.iter_mut().for_each(|x| *x = 0.0);
            // (The upper triangle of G is never read: it may hold anything.)
            for a in 0..ti {
                let cols = if bi == bj { a + 1 } else { tj };
                let row = &g[(i0 + a) * n + j0..(i0 + a) * n + j0 + cols];
                for (b, &gv) in row.iter().enumerate() {
                    w[a * TILE + b] = if bi == bj && a == b { gv } else { 2.0 * gv };
                }
            }
            let inp = TileInputs { x1: x, x2: x, d, i0, ti, j0, tj };
            prog.eval(&mut st, &inp, Geom::Block);
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
    }
    grad.iter_mut().for_each(|x| *x = 0.0);
    for (s, &a) in acc.iter().enumerate() {
        grad[prog.slot_theta(s)] = a;
    }
    OK
}
