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

use crate::par::{PerThread, SharedMut, PAR_MIN_TILES};
use crate::status::{E_DIM, E_NOMEM, E_OPCODE, E_PROGRAM, E_THETA, OK};

mod contractions;
mod input;

pub use contractions::{cross_theta_contract, diag_input_contract, diag_theta_contract, input_contract};
pub use input::{Columns, Wrt};

/// Side of a tile.
pub const TILE: usize = 32;
const TT: usize = TILE * TILE;
/// Deepest stack a program may use.
pub const MAX_STACK: usize = 32;

const OP_RBF: i32 = 1;
const OP_SCALE: i32 = 2;
const OP_ADD: i32 = 3;
const OP_MUL: i32 = 4;
const OP_MATERN: i32 = 5;
const OP_RQ: i32 = 6;
const OP_PERIODIC: i32 = 7;
const OP_LINEAR: i32 = 8;
const OP_POLYNOMIAL: i32 = 9;
const OP_COSINE: i32 = 10;
const OP_SPECTRAL: i32 = 11;

const PI: f64 = core::f64::consts::PI;

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
    /// Matern with smoothness `nu2 / 2` over the scaled distance (lengthscales as RBF).
    Matern { nu2: i32, dims: usize, n_dims: usize, ls: usize, n_ls: usize },
    /// Rational quadratic with shape `theta[alpha]` (lengthscales as RBF).
    Rq { dims: usize, n_dims: usize, ls: usize, n_ls: usize, alpha: usize },
    /// Periodic: lengthscales at `ops[ls..]` and periods at `ops[per..]`, each one per
    /// dim or one shared.
    Periodic { dims: usize, n_dims: usize, ls: usize, n_ls: usize, per: usize, n_per: usize },
    /// Linear: variances at `ops[var..]`, one per dim or one shared.
    Linear { dims: usize, n_dims: usize, var: usize, n_var: usize },
    /// Polynomial `(x·x′ + theta[offset])^power`.
    Polynomial { power: i32, dims: usize, n_dims: usize, offset: usize },
    /// Cosine `cos(π‖x − x′‖ / theta[period])`.
    Cosine { dims: usize, n_dims: usize, period: usize },
    /// One spectral-mixture component: scales at `ops[scales..]`, means at
    /// `ops[scales + n_dims..]`, one each per dim.
    Spectral { dims: usize, n_dims: usize, scales: usize },
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

/// Reads `nDims, dim_0 … dim_{nDims-1}` at `at`: returns (first dim's offset, nDims).
fn dim_list(ops: &[i32], at: usize, d: usize) -> Result<(usize, usize), i32> {
    let n = operand(ops, at)?;
    if n <= 0 {
        return Err(E_PROGRAM);
    }
    let n = n as usize;
    for k in 0..n {
        let dim = operand(ops, at + 1 + k)?;
        if dim < 0 || dim as usize >= d {
            return Err(E_DIM);
        }
    }
    Ok((at + 1, n))
}

/// Reads `nT, t_0 … t_{nT-1}` at `at` where `nT` must be 1 or `n_dims`: returns
/// (first index's offset, nT).
fn theta_list(ops: &[i32], at: usize, n_dims: usize, n_theta: usize) -> Result<(usize, usize), i32> {
    let n = operand(ops, at)?;
    if n != 1 && n as usize != n_dims {
        return Err(E_PROGRAM);
    }
    let n = n as usize;
    for k in 0..n {
        theta_index(operand(ops, at + 1 + k)?, n_theta)?;
    }
    Ok((at + 1, n))
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
            OP_MATERN | OP_RQ | OP_PERIODIC | OP_LINEAR | OP_POLYNOMIAL | OP_COSINE | OP_SPECTRAL => {
                let (ins, next, thetas) = parse_leaf(ops, pc, d, n_theta)?;
                for t in thetas {
                    use_theta(t, &mut used)?;
                }
                code.push(ins);
                pc = next;
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

/// Decodes one of the leaf kernels added after RBF at `ops[pc]`: the instruction, the
/// offset of the next one, and the theta indices it reads (in a fresh `Vec`).
fn parse_leaf(ops: &[i32], pc: usize, d: usize, n_theta: usize) -> Result<(Instr, usize, Vec<usize>), i32> {
    let th = |at: usize| -> Result<usize, i32> { theta_index(operand(ops, at)?, n_theta) };
    let list = |at: usize, n: usize| -> Result<Vec<usize>, i32> { (0..n).map(|k| th(at + k)).collect() };
    match ops[pc] {
        OP_MATERN => {
            let nu2 = operand(ops, pc + 1)?;
            if nu2 != 1 && nu2 != 3 && nu2 != 5 {
                return Err(E_PROGRAM);
            }
            let (dims, n_dims) = dim_list(ops, pc + 2, d)?;
            let (ls, n_ls) = theta_list(ops, dims + n_dims, n_dims, n_theta)?;
            Ok((Instr::Matern { nu2, dims, n_dims, ls, n_ls }, ls + n_ls, list(ls, n_ls)?))
        }
        OP_RQ => {
            let (dims, n_dims) = dim_list(ops, pc + 1, d)?;
            let (ls, n_ls) = theta_list(ops, dims + n_dims, n_dims, n_theta)?;
            let alpha = th(ls + n_ls)?;
            let mut t = list(ls, n_ls)?;
            // The shape's derivative tile is separate from the lengthscales'.
            if t.contains(&alpha) {
                return Err(E_PROGRAM);
            }
            t.push(alpha);
            Ok((Instr::Rq { dims, n_dims, ls, n_ls, alpha }, ls + n_ls + 1, t))
        }
        OP_PERIODIC => {
            let (dims, n_dims) = dim_list(ops, pc + 1, d)?;
            let (ls, n_ls) = theta_list(ops, dims + n_dims, n_dims, n_theta)?;
            let (per, n_per) = theta_list(ops, ls + n_ls, n_dims, n_theta)?;
            let mut t = list(ls, n_ls)?;
            let p = list(per, n_per)?;
            if p.iter().any(|v| t.contains(v)) {
                return Err(E_PROGRAM);
            }
            t.extend(p);
            Ok((Instr::Periodic { dims, n_dims, ls, n_ls, per, n_per }, per + n_per, t))
        }
        OP_LINEAR => {
            let (dims, n_dims) = dim_list(ops, pc + 1, d)?;
            let (var, n_var) = theta_list(ops, dims + n_dims, n_dims, n_theta)?;
            Ok((Instr::Linear { dims, n_dims, var, n_var }, var + n_var, list(var, n_var)?))
        }
        OP_POLYNOMIAL => {
            let power = operand(ops, pc + 1)?;
            if power < 1 {
                return Err(E_PROGRAM);
            }
            let (dims, n_dims) = dim_list(ops, pc + 2, d)?;
            let offset = th(dims + n_dims)?;
            Ok((Instr::Polynomial { power, dims, n_dims, offset }, dims + n_dims + 1, vec![offset]))
        }
        OP_COSINE => {
            let (dims, n_dims) = dim_list(ops, pc + 1, d)?;
            let period = th(dims + n_dims)?;
            Ok((Instr::Cosine { dims, n_dims, period }, dims + n_dims + 1, vec![period]))
        }
        _ => {
            // OP_SPECTRAL
            let (dims, n_dims) = dim_list(ops, pc + 1, d)?;
            let scales = dims + n_dims;
            let t = list(scales, 2 * n_dims)?;
            // Scales and means need their own derivative tiles: all distinct.
            for (k, a) in t.iter().enumerate() {
                if t[..k].contains(a) {
                    return Err(E_PROGRAM);
                }
            }
            Ok((Instr::Spectral { dims, n_dims, scales }, scales + 2 * n_dims, t))
        }
    }
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
        Stack::with_slots(prog, if derivs { prog.used.len() } else { 0 })
    }

    /// Scratch for `prog` with `nd` derivative tiles an entry (theta slots, or the
    /// input columns of [`Program::eval_input`]).
    pub fn with_slots(prog: &Program, nd: usize) -> Result<Stack, i32> {
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
    fn leaf(&self, ins: Instr, e: Entry, inp: &TileInputs, geom: Geom) {
        match ins {
            Instr::Rbf { dims, n_dims, ls, n_ls } => rbf(self, e, inp, geom, dims, n_dims, ls, n_ls),
            Instr::Matern { nu2, dims, n_dims, ls, n_ls } => {
                radial(self, e, inp, geom, Radial::matern(nu2), dims, n_dims, ls, n_ls, None)
            }
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

/// RBF: `v = exp(-½ Σ_k (Δ_k/ℓ_k)²)`, `∂v/∂ℓ = v · Σ_{k: ℓ_k = ℓ} Δ_k² / ℓ³`.
#[allow(clippy::too_many_arguments)]
fn rbf(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, ls: usize, n_ls: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_ls).map(|k| p.op(ls + k)));
    let (v, d) = e.tiles.split_at_mut(TT);
    scaled_squares(p, inp, geom, dims, n_dims, ls, n_ls, derivs, v, d);
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

/// The radial leaves' common start: `v[i] += Σ_k (Δ_k/ℓ_k)²` over the pairs, and with
/// `derivs` each term also into its lengthscale's derivative tile (scaled by the caller
/// once `v` is known).
#[allow(clippy::too_many_arguments)]
fn scaled_squares(
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
}

/// Starts a leaf entry: zeroes the value tile, clears the dependency flags, then marks
/// each theta index in `thetas` as a dependency with a zeroed derivative tile.
/// Returns whether derivative tiles are wanted.
fn leaf_begin(p: &Program, e: &mut Entry, len: usize, thetas: impl Iterator<Item = usize>) -> bool {
    let derivs = !e.deps.is_empty();
    e.deps.iter_mut().for_each(|f| *f = false);
    e.tiles[..len].iter_mut().for_each(|x| *x = 0.0);
    if derivs {
        for t in thetas {
            let s = p.slot[t];
            if !e.deps[s] {
                e.deps[s] = true;
                e.tiles[(1 + s) * TT..(1 + s) * TT + len].iter_mut().for_each(|x| *x = 0.0);
            }
        }
    }
    derivs
}

/// Derivative tiles `a` and `b` (distinct slots) of `d`, both mutable.
fn two_tiles(d: &mut [f64], a: usize, b: usize) -> (&mut [f64], &mut [f64]) {
    debug_assert!(a != b);
    if a < b {
        let (lo, hi) = d.split_at_mut(b * TT);
        (&mut lo[a * TT..(a + 1) * TT], &mut hi[..TT])
    } else {
        let (lo, hi) = d.split_at_mut(a * TT);
        (&mut hi[..TT], &mut lo[b * TT..(b + 1) * TT])
    }
}

/// Profiles of the stationary kernels that depend on the squared scaled distance
/// `s = Σ_k (Δ_k/ℓ_k)²` only.
#[derive(Clone, Copy)]
enum Radial {
    Matern12,
    Matern32,
    Matern52,
    /// Rational quadratic with shape α.
    Rq(f64),
}

impl Radial {
    /// The Matern profile for `nu2 = 2ν` ∈ {1, 3, 5} (validated by `parse`).
    #[inline(always)]
    fn matern(nu2: i32) -> Radial {
        match nu2 {
            1 => Radial::Matern12,
            3 => Radial::Matern32,
            _ => Radial::Matern52,
        }
    }

    /// `(g(s), h(s))` with `h = −2 g′(s)`, so that `∂k/∂ℓ_k = h · Δ_k² / ℓ_k³`.
    #[inline(always)]
    fn eval(self, s: f64) -> (f64, f64) {
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
fn radial(
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
    let derivs = leaf_begin(p, &mut e, len, (0..n_ls).map(|k| p.op(ls + k)).chain(shape));
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
            ds.copy_from_slice(&da[..len]);
        } else {
            let inv_l = 1.0 / p.theta[p.used[s]];
            for (x, &hv) in ds.iter_mut().zip(h[..len].iter()) {
                *x = *x * hv * inv_l;
            }
        }
    }
}

/// PERIODIC: `v = exp(−2 Σ_k sin²(π Δ_k / p_k) / ℓ_k)`;
/// `∂v/∂ℓ_k = v · 2 sin²(a_k) / ℓ_k²`, `∂v/∂p_k = v · 4 a_k sin(a_k) cos(a_k) / (ℓ_k p_k)`
/// with `a_k = π Δ_k / p_k` (summed over k sharing a theta index).
#[allow(clippy::too_many_arguments)]
fn periodic(
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
    let derivs = leaf_begin(p, &mut e, len, thetas);
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
fn scale_deps_by_value(deps: &[bool], v: &[f64], d: &mut [f64], len: usize) {
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
fn linear(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, var: usize, n_var: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..n_var).map(|k| p.op(var + k)));
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
fn polynomial(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, power: i32, dims: usize, n_dims: usize, offset: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, core::iter::once(offset));
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
fn cosine(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, period: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, core::iter::once(period));
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
fn spectral(p: &Program, mut e: Entry, inp: &TileInputs, geom: Geom, dims: usize, n_dims: usize, scales: usize) {
    let len = geom.len();
    let derivs = leaf_begin(p, &mut e, len, (0..2 * n_dims).map(|k| p.op(scales + k)));
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
                unsafe {
                    core::ptr::copy_nonoverlapping(v.as_ptr().add(a * TILE), o.0.add((i0 + a) * n2 + j0), cols);
                }
            }
            if symmetric {
                let upto = |a: usize| if bi == bj { a } else { tj };
                for a in 0..ti {
                    for b in 0..upto(a) {
                        // SAFETY: as above.
                        unsafe { *o.0.add((j0 + b) * n2 + i0 + a) = v[a * TILE + b] };
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
        out[i0..i0 + t].copy_from_slice(&st.value()[..t]);
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
