//! Decoding and validating a program: opcodes and operand lists into [`Instr`]s, the
//! theta entries it reads into compact derivative slots, the stack depth it needs.

use super::*;
use crate::opcodes::*;
use crate::status::{E_DIM, E_OPCODE, E_PROGRAM, E_THETA};

/// One decoded instruction. Operand lists stay in `ops` (offsets, lengths).
#[derive(Clone, Copy, Debug)]
pub(super) enum Instr {
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
    pub(super) ops: &'a [i32],
    pub(super) theta: &'a [f64],
    pub(super) code: Vec<Instr>,
    pub(super) depth: usize,
    /// theta index → derivative slot (`UNUSED` when the program never reads it).
    pub(super) slot: Vec<usize>,
    /// derivative slot → theta index.
    pub(super) used: Vec<usize>,
}

pub(super) fn try_vec<T: Clone>(len: usize, v: T) -> Result<Vec<T>, i32> {
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| E_NOMEM)?;
    out.resize(len, v);
    Ok(out)
}

/// Reads `ops[at]`, or `E_PROGRAM` when the program is truncated.
#[inline]
pub(super) fn operand(ops: &[i32], at: usize) -> Result<i32, i32> {
    ops.get(at).copied().ok_or(E_PROGRAM)
}

pub(super) fn theta_index(v: i32, n_theta: usize) -> Result<usize, i32> {
    if v >= 0 && (v as usize) < n_theta {
        Ok(v as usize)
    } else {
        Err(E_THETA)
    }
}

/// Reads `nDims, dim_0 … dim_{nDims-1}` at `at`: returns (first dim's offset, nDims).
pub(super) fn dim_list(ops: &[i32], at: usize, d: usize) -> Result<(usize, usize), i32> {
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
pub(super) fn theta_list(ops: &[i32], at: usize, n_dims: usize, n_theta: usize) -> Result<(usize, usize), i32> {
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
pub(super) fn parse_leaf(ops: &[i32], pc: usize, d: usize, n_theta: usize) -> Result<(Instr, usize, Vec<usize>), i32> {
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
