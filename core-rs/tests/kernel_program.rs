//! Kernel programs through the C ABI against a scalar reference interpreter (one
//! pair at a time, no tiles), the diagonal, the gradient contraction against central
//! finite differences, and the status codes of malformed programs.

mod common;
use common::kernel_cases::*;
use common::*;
use gpts_core::*;

/// Scalar reference: evaluates the postfix program on one pair.
fn reference(ops: &[i32], theta: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut st: Vec<f64> = Vec::new();
    let mut pc = 0;
    while pc < ops.len() {
        match ops[pc] {
            1 => {
                let nd = ops[pc + 1] as usize;
                let dims = &ops[pc + 2..pc + 2 + nd];
                let nl = ops[pc + 2 + nd] as usize;
                let ls = &ops[pc + 3 + nd..pc + 3 + nd + nl];
                let mut r = 0.0;
                for k in 0..nd {
                    let l = theta[ls[if nl == 1 { 0 } else { k }] as usize];
                    let dlt = x[dims[k] as usize] / l - y[dims[k] as usize] / l;
                    r += dlt * dlt;
                }
                st.push((-0.5 * r).exp());
                pc += 3 + nd + nl;
            }
            5 | 6 | 7 | 8 | 9 | 10 | 11 => {
                let (v, next) = reference_leaf(ops, pc, theta, x, y);
                st.push(v);
                pc = next;
            }
            2 => {
                let v = st.pop().unwrap();
                st.push(theta[ops[pc + 1] as usize] * v);
                pc += 2;
            }
            3 | 4 => {
                let b = st.pop().unwrap();
                let a = st.pop().unwrap();
                st.push(if ops[pc] == 3 { a + b } else { a * b });
                pc += 1;
            }
            _ => unreachable!(),
        }
    }
    st[0]
}

/// The leaves added after RBF, one pair at a time, straight from the formulas in ABI.md.
fn reference_leaf(ops: &[i32], pc: usize, theta: &[f64], x: &[f64], y: &[f64]) -> (f64, usize) {
    use std::f64::consts::PI;
    let op = ops[pc];
    let at = if op == 5 || op == 9 { pc + 2 } else { pc + 1 };
    let nd = ops[at] as usize;
    let dims: Vec<usize> = ops[at + 1..at + 1 + nd].iter().map(|&v| v as usize).collect();
    let after = at + 1 + nd;
    // a theta list `n, t…` (shared when n = 1) read at `pos`: values per dim, next offset
    let list = |pos: usize| -> (Vec<f64>, usize) {
        let n = ops[pos] as usize;
        let v = (0..nd).map(|k| theta[ops[pos + 1 + if n == 1 { 0 } else { k }] as usize]).collect();
        (v, pos + 1 + n)
    };
    let delta: Vec<f64> = dims.iter().map(|&k| x[k] - y[k]).collect();
    let dot: f64 = dims.iter().map(|&k| x[k] * y[k]).sum();
    match op {
        5 | 6 => {
            let (ls, next) = list(after);
            let s: f64 = (0..nd).map(|k| (x[dims[k]] / ls[k] - y[dims[k]] / ls[k]).powi(2)).sum();
            let r = s.sqrt();
            if op == 6 {
                let a = theta[ops[next] as usize];
                return ((1.0 + s / (2.0 * a)).powf(-a), next + 1);
            }
            let v = match ops[pc + 1] {
                1 => (-r).exp(),
                3 => (1.0 + 3f64.sqrt() * r) * (-(3f64.sqrt()) * r).exp(),
                _ => (1.0 + 5f64.sqrt() * r + 5.0 / 3.0 * r * r) * (-(5f64.sqrt()) * r).exp(),
            };
            (v, next)
        }
        7 => {
            let (ls, next) = list(after);
            let (per, next) = list(next);
            let e: f64 = (0..nd).map(|k| (PI * delta[k].abs() / per[k]).sin().powi(2) / ls[k]).sum();
            ((-2.0 * e).exp(), next)
        }
        8 => {
            let (var, next) = list(after);
            ((0..nd).map(|k| var[k] * x[dims[k]] * y[dims[k]]).sum(), next)
        }
        9 => ((dot + theta[ops[after] as usize]).powi(ops[pc + 1]), after + 1),
        10 => {
            let r = delta.iter().map(|d| d * d).sum::<f64>().sqrt();
            ((PI * r / theta[ops[after] as usize]).cos(), after + 1)
        }
        _ => {
            let mut v = 1.0;
            for k in 0..nd {
                let s = theta[ops[after + k] as usize];
                let m = theta[ops[after + nd + k] as usize];
                v *= (-2.0 * PI * PI * delta[k] * delta[k] * s * s).exp() * (2.0 * PI * delta[k] * m).cos();
            }
            (v, after + 2 * nd)
        }
    }
}

fn points(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut g = Rng::new(seed);
    (0..n * d).map(|_| g.uniform() * 2.0).collect()
}

fn kmat(c: &Case, theta: &[f64], x1: &[f64], n1: usize, x2: &[f64], n2: usize) -> (Vec<f64>, i32) {
    let mut out = vec![f64::NAN; n1 * n2];
    let st = unsafe {
        gpts_kernel_matrix(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x1.as_ptr(), n1, x2.as_ptr(), n2, c.d, out.as_mut_ptr())
    };
    (out, st)
}

#[test]
fn kernel_matrix_matches_the_reference() {
    for (s, c) in cases().iter().enumerate() {
        for &(n1, n2) in &[(1, 1), (5, 3), (45, 70), (64, 33)] {
            let x1 = points(n1, c.d, 10 + s as u64);
            let x2 = points(n2, c.d, 20 + s as u64);
            let (k, st) = kmat(c, &c.theta, &x1, n1, &x2, n2);
            assert_eq!(st, 0, "{}", c.name);
            for i in 0..n1 {
                for j in 0..n2 {
                    let want = reference(&c.ops, &c.theta, &x1[i * c.d..(i + 1) * c.d], &x2[j * c.d..(j + 1) * c.d]);
                    let got = k[i * n2 + j];
                    // exp(-r) turns an absolute rounding error in r into a relative one.
                    let mut tol = 2e-15 * (1.0 + want.abs().ln().abs()) * want.abs();
                    // sin/cos of arguments up to ~10 (periodic, cosine, spectral) carry an
                    // absolute rounding error of a few ulps of the argument.
                    if ["periodic", "cosine", "spectral", "composite"].iter().any(|t| c.name.contains(t)) {
                        tol = tol.max(2e-14 * want.abs().max(0.1));
                    }
                    assert!((got - want).abs() <= tol, "{} ({i},{j}): {got} vs {want}", c.name);
                }
            }
        }
    }
}

#[test]
fn kernel_matrix_is_exactly_symmetric_when_x1_is_x2() {
    for (s, c) in cases().iter().enumerate() {
        for &n in &[1usize, 31, 32, 33, 70] {
            let x = points(n, c.d, 30 + s as u64);
            let (k, st) = kmat(c, &c.theta, &x, n, &x, n);
            assert_eq!(st, 0);
            // same values as the unsymmetric path (a copy of x defeats the x1 == x2 test)
            let xc = x.clone();
            let (k2, _) = kmat(c, &c.theta, &x, n, &xc, n);
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(k[i * n + j], k[j * n + i], "{} n={n}", c.name);
                    assert!((k[i * n + j] - k2[i * n + j]).abs() <= 1e-15 * k2[i * n + j].abs(), "{}", c.name);
                }
            }
        }
    }
}

#[test]
fn kernel_diag_matches_the_matrix_diagonal() {
    for (s, c) in cases().iter().enumerate() {
        for &n in &[1usize, 32, 77] {
            let x = points(n, c.d, 40 + s as u64);
            let mut diag = vec![f64::NAN; n];
            let st = unsafe {
                gpts_kernel_diag(c.ops.as_ptr(), c.ops.len(), c.theta.as_ptr(), c.theta.len(), x.as_ptr(), n, c.d, diag.as_mut_ptr())
            };
            assert_eq!(st, 0);
            let (k, _) = kmat(c, &c.theta, &x, n, &x, n);
            for i in 0..n {
                assert_eq!(diag[i], k[i * n + i], "{} i={i}", c.name);
            }
        }
    }
}

fn contract(c: &Case, theta: &[f64], x: &[f64], n: usize, g: &[f64]) -> f64 {
    let (k, _) = kmat(c, theta, x, n, x, n);
    k.iter().zip(g).map(|(a, b)| a * b).sum()
}

#[test]
fn grad_contract_matches_central_differences() {
    for (s, c) in cases().iter().enumerate() {
        for &n in &[1usize, 20, 45] {
            let x = points(n, c.d, 50 + s as u64);
            let mut rg = Rng::new(60 + s as u64);
            let g = random_symmetric(n, &mut rg);
            // Only the lower triangle may be read.
            let mut g_lower = g.clone();
            for i in 0..n {
                for j in i + 1..n {
                    g_lower[i * n + j] = f64::NAN;
                }
            }
            let nt = c.theta.len() + 1; // one extra, unused entry: its gradient is 0
            let mut theta = c.theta.clone();
            theta.push(123.0);
            let mut grad = vec![f64::NAN; nt];
            let st = unsafe {
                gpts_kernel_grad_contract(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), nt, x.as_ptr(), n, c.d, g_lower.as_ptr(), grad.as_mut_ptr())
            };
            assert_eq!(st, 0, "{}", c.name);
            assert_eq!(grad[nt - 1], 0.0);
            for p in 0..c.theta.len() {
                let h = 2e-6 * theta[p];
                let mut tp = theta.clone();
                tp[p] += h;
                let mut tm = theta.clone();
                tm[p] -= h;
                let fd = (contract(c, &tp, &x, n, &g) - contract(c, &tm, &x, n, &g)) / (2.0 * h);
                let scale = (n * n) as f64;
                assert!((grad[p] - fd).abs() <= 1e-7 * fd.abs().max(1e-3 * scale), "{} n={n} p={p}: {} vs fd {}", c.name, grad[p], fd);
            }
        }
    }
}

fn status(ops: &[i32], n_theta: usize, d: usize) -> [i32; 3] {
    let theta = vec![1.0; n_theta.max(1)];
    let x = vec![0.5; 4 * d.max(1)];
    let mut out = vec![-7.0; 16];
    let mut grad = vec![-7.0; n_theta.max(1)];
    let g = vec![1.0; 16];
    let r = unsafe {
        [
            gpts_kernel_matrix(ops.as_ptr(), ops.len(), theta.as_ptr(), n_theta, x.as_ptr(), 4, x.as_ptr(), 4, d, out.as_mut_ptr()),
            gpts_kernel_diag(ops.as_ptr(), ops.len(), theta.as_ptr(), n_theta, x.as_ptr(), 4, d, out.as_mut_ptr()),
            gpts_kernel_grad_contract(ops.as_ptr(), ops.len(), theta.as_ptr(), n_theta, x.as_ptr(), 4, d, g.as_ptr(), grad.as_mut_ptr()),
        ]
    };
    if r[0] < 0 {
        assert!(out.iter().all(|&v| v == -7.0), "output written before an error");
        assert!(grad.iter().all(|&v| v == -7.0), "grad written before an error");
    }
    r
}

#[test]
fn malformed_programs_give_their_status_codes() {
    let deep: Vec<i32> = (0..33).flat_map(|_| [1, 1, 0, 1, 0]).chain((0..32).map(|_| 3)).collect();
    let ok_deep: Vec<i32> = (0..32).flat_map(|_| [1, 1, 0, 1, 0]).chain((0..31).map(|_| 4)).collect();
    let table: Vec<(&str, Vec<i32>, usize, usize, i32)> = vec![
        ("unknown opcode", vec![99], 1, 1, -1),
        ("unknown opcode after a leaf", vec![1, 1, 0, 1, 0, 0], 1, 1, -1),
        ("empty", vec![], 1, 1, -2),
        ("truncated opcode", vec![1], 1, 1, -2),
        ("truncated dims", vec![1, 2, 0], 1, 2, -2),
        ("missing nLs", vec![1, 1, 0], 1, 1, -2),
        ("truncated ls", vec![1, 2, 0, 1, 2, 0], 2, 2, -2),
        ("nLs neither 1 nor nDims", vec![1, 2, 0, 1, 3, 0, 0, 0], 1, 2, -2),
        ("zero dims", vec![1, 0, 1, 0], 1, 1, -2),
        ("negative dims", vec![1, -1, 1, 0], 1, 1, -2),
        ("scale on empty stack", vec![2, 0], 1, 1, -2),
        ("truncated scale", vec![1, 1, 0, 1, 0, 2], 1, 1, -2),
        ("add on one entry", vec![1, 1, 0, 1, 0, 3], 1, 1, -2),
        ("mul on one entry", vec![1, 1, 0, 1, 0, 4], 1, 1, -2),
        ("two results", vec![1, 1, 0, 1, 0, 1, 1, 0, 1, 0], 1, 1, -2),
        ("stack overflow", deep, 1, 1, -2),
        ("lengthscale index out of range", vec![1, 1, 0, 1, 5], 1, 1, -3),
        ("negative lengthscale index", vec![1, 1, 0, 1, -1], 1, 1, -3),
        ("no theta at all", vec![1, 1, 0, 1, 0], 0, 1, -3),
        ("scale index out of range", vec![1, 1, 0, 1, 0, 2, 1], 1, 1, -3),
        ("dim out of range", vec![1, 1, 3, 1, 0], 1, 3, -4),
        ("negative dim", vec![1, 1, -2, 1, 0], 1, 3, -4),
        ("no input columns", vec![1, 1, 0, 1, 0], 1, 0, -4),
        ("deepest allowed stack", ok_deep, 1, 1, 0),
        ("matern nu2 not 1, 3 or 5", vec![5, 2, 1, 0, 1, 0], 1, 1, -2),
        ("matern dim out of range", vec![5, 3, 1, 1, 1, 0], 1, 1, -4),
        ("rq alpha out of range", vec![6, 1, 0, 1, 0, 1], 1, 1, -3),
        ("rq alpha shares a lengthscale", vec![6, 1, 0, 1, 0, 0], 1, 1, -2),
        ("rq truncated", vec![6, 1, 0, 1, 0], 1, 1, -2),
        ("periodic period shares a lengthscale", vec![7, 1, 0, 1, 0, 1, 0], 1, 1, -2),
        ("periodic nP neither 1 nor nDims", vec![7, 2, 0, 1, 1, 0, 3, 1, 1, 1], 2, 2, -2),
        ("linear var out of range", vec![8, 1, 0, 1, 4], 1, 1, -3),
        ("polynomial power 0", vec![9, 0, 1, 0, 0], 1, 1, -2),
        ("cosine period out of range", vec![10, 1, 0, 2], 1, 1, -3),
        ("spectral repeated theta", vec![11, 1, 0, 0, 0], 1, 1, -2),
        ("spectral truncated", vec![11, 2, 0, 0, 0, 1, 2], 4, 1, -2),
    ];
    for (name, ops, nt, d, want) in table {
        assert_eq!(status(&ops, nt, d), [want; 3], "{name}");
    }
}

#[test]
fn bad_sizes_give_minus_five() {
    let ops = [1, 1, 0, 1, 0];
    let theta = [1.0];
    let x = [0.0; 4];
    let mut out = [0.0; 16];
    unsafe {
        assert_eq!(gpts_kernel_matrix(ops.as_ptr(), 5, theta.as_ptr(), 1, core::ptr::null(), 4, x.as_ptr(), 4, 1, out.as_mut_ptr()), -5);
        assert_eq!(gpts_kernel_matrix(ops.as_ptr(), 5, theta.as_ptr(), 1, x.as_ptr(), usize::MAX, x.as_ptr(), 4, 1, out.as_mut_ptr()), -5);
        assert_eq!(gpts_kernel_matrix(core::ptr::null(), 5, theta.as_ptr(), 1, x.as_ptr(), 4, x.as_ptr(), 4, 1, out.as_mut_ptr()), -5);
        assert_eq!(gpts_kernel_diag(ops.as_ptr(), 5, theta.as_ptr(), 1, x.as_ptr(), 4, 1, core::ptr::null_mut()), -5);
        // empty inputs are fine
        assert_eq!(gpts_kernel_matrix(ops.as_ptr(), 5, theta.as_ptr(), 1, x.as_ptr(), 0, x.as_ptr(), 4, 1, out.as_mut_ptr()), 0);
        let mut grad = [7.0];
        assert_eq!(gpts_kernel_grad_contract(ops.as_ptr(), 5, theta.as_ptr(), 1, x.as_ptr(), 0, 1, core::ptr::null(), grad.as_mut_ptr()), 0);
        assert_eq!(grad[0], 0.0);
    }
}
