//! The θ contraction over a rectangular G, the input contractions (wrt x1 and x2) and
//! their diagonal twins, through the C ABI, against central finite differences of
//! `gpts_kernel_matrix` / `gpts_kernel_diag` for every case of `common::kernel_cases`
//! and a few more compositions; Matern ½ at zero distance; status codes.

mod common;
use common::kernel_cases::*;
use common::*;
use gpts_core::*;

/// More compositions over several input columns (ARD d = 3, activeDims).
fn more_cases() -> Vec<Case> {
    vec![
        // scale(rbf(dims 0,2; ARD) + periodic(dim 1)) over d = 3
        Case { name: "scale(rbf ard + periodic)", ops: vec![1, 2, 0, 2, 2, 0, 1, 7, 1, 1, 1, 2, 1, 3, 3, 2, 4], theta: vec![0.6, 1.1, 0.9, 0.7, 1.8], d: 3 },
        // rbf(dim 0) · linear(dims 1,2; ARD) · matern32(dim 2)
        Case { name: "product of three, shared column", ops: vec![1, 1, 0, 1, 0, 8, 2, 1, 2, 2, 1, 2, 4, 5, 3, 1, 2, 1, 3, 4], theta: vec![0.8, 0.6, 1.4, 0.5], d: 3 },
        Case { name: "rq ard 3 dims", ops: vec![6, 3, 0, 1, 2, 3, 0, 1, 2, 3], theta: vec![0.6, 0.9, 1.3, 0.7], d: 3 },
        Case { name: "spectral dims 2,0", ops: vec![11, 2, 2, 0, 0, 1, 2, 3], theta: vec![0.3, 0.2, 0.6, 0.25], d: 3 },
        Case { name: "polynomial 2 dims 2,0 + cosine 3 dims", ops: vec![9, 2, 2, 2, 0, 0, 10, 3, 0, 1, 2, 1, 3], theta: vec![0.4, 2.1], d: 3 },
        Case { name: "rbf with a repeated dim", ops: vec![1, 2, 1, 1, 2, 0, 1], theta: vec![0.7, 1.2], d: 2 },
        Case { name: "periodic ard 3 dims · scale(linear)", ops: vec![7, 3, 0, 1, 2, 1, 0, 3, 1, 2, 3, 8, 1, 1, 1, 4, 2, 5, 4], theta: vec![1.1, 0.8, 1.4, 1.9, 0.6, 1.3], d: 3 },
    ]
}

fn all_cases() -> Vec<Case> {
    let mut v = cases();
    v.extend(more_cases());
    v
}

fn points(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut g = Rng::new(seed);
    (0..n * d).map(|_| g.uniform() * 2.0).collect()
}

fn kmat(c: &Case, theta: &[f64], x1: &[f64], n1: usize, x2: &[f64], n2: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; n1 * n2];
    let st = unsafe {
        gpts_kernel_matrix(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x1.as_ptr(), n1, x2.as_ptr(), n2, c.d, out.as_mut_ptr())
    };
    assert_eq!(st, 0, "{}", c.name);
    out
}

fn kdiag(c: &Case, theta: &[f64], x: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; n];
    let st = unsafe { gpts_kernel_diag(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x.as_ptr(), n, c.d, out.as_mut_ptr()) };
    assert_eq!(st, 0, "{}", c.name);
    out
}

fn cross_theta(c: &Case, theta: &[f64], x1: &[f64], n1: usize, x2: &[f64], n2: usize, g: &[f64]) -> Vec<f64> {
    let mut grad = vec![f64::NAN; theta.len()];
    let st = unsafe {
        gpts_kernel_cross_theta_contract(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x1.as_ptr(), n1, x2.as_ptr(), n2, c.d, g.as_ptr(), grad.as_mut_ptr())
    };
    assert_eq!(st, 0, "{}", c.name);
    grad
}

fn input(c: &Case, x1: &[f64], n1: usize, x2: &[f64], n2: usize, g: &[f64], wrt: i32) -> Vec<f64> {
    let mut out = vec![f64::NAN; if wrt == 1 { n1 } else { n2 } * c.d];
    let st = unsafe {
        gpts_kernel_input_contract(c.ops.as_ptr(), c.ops.len(), c.theta.as_ptr(), c.theta.len(), x1.as_ptr(), n1, x2.as_ptr(), n2, c.d, g.as_ptr(), wrt, out.as_mut_ptr())
    };
    assert_eq!(st, 0, "{}", c.name);
    out
}

fn weights(n: usize, seed: u64) -> Vec<f64> {
    Rng::new(seed).vec(n)
}

/// `|got − fd| ≤ 1e-6 · (|fd| + scale)`, `scale` the size of the summed terms.
fn close(got: f64, fd: f64, scale: f64, what: &str) {
    assert!((got - fd).abs() <= 1e-6 * (fd.abs() + scale), "{what}: {got} vs fd {fd}");
}

#[test]
fn cross_theta_contract_matches_central_differences() {
    for (s, c) in all_cases().iter().enumerate() {
        for &(n1, n2) in &[(1usize, 1usize), (37, 35), (5, 70)] {
            let (x1, x2) = (points(n1, c.d, 100 + s as u64), points(n2, c.d, 200 + s as u64));
            let g = weights(n1 * n2, 300 + s as u64);
            let mut theta = c.theta.clone();
            theta.push(123.0); // an unused entry: its gradient is 0
            let grad = cross_theta(c, &theta, &x1, n1, &x2, n2, &g);
            assert_eq!(grad[theta.len() - 1], 0.0);
            let k = kmat(c, &theta, &x1, n1, &x2, n2);
            let scale: f64 = k.iter().zip(&g).map(|(a, b)| (a * b).abs()).sum::<f64>() + 1e-3;
            for p in 0..c.theta.len() {
                let h = 1e-6 * theta[p];
                let f = |t: f64| {
                    let mut tt = theta.clone();
                    tt[p] = t;
                    kmat(c, &tt, &x1, n1, &x2, n2).iter().zip(&g).map(|(a, b)| a * b).sum::<f64>()
                };
                let fd = (f(theta[p] + h) - f(theta[p] - h)) / (2.0 * h);
                close(grad[p], fd, scale / theta[p], &format!("{} {n1}×{n2} θ{p}", c.name));
            }
        }
    }
}

#[test]
fn cross_theta_contract_on_a_symmetric_g_equals_grad_contract() {
    for (s, c) in all_cases().iter().enumerate() {
        let n = 45;
        let x = points(n, c.d, 400 + s as u64);
        let mut g = weights(n * n, 500 + s as u64);
        for i in 0..n {
            for j in 0..i {
                g[j * n + i] = g[i * n + j];
            }
        }
        let cross = cross_theta(c, &c.theta, &x, n, &x, n, &g);
        let mut sym = vec![f64::NAN; c.theta.len()];
        let st = unsafe {
            gpts_kernel_grad_contract(c.ops.as_ptr(), c.ops.len(), c.theta.as_ptr(), c.theta.len(), x.as_ptr(), n, c.d, g.as_ptr(), sym.as_mut_ptr())
        };
        assert_eq!(st, 0);
        for p in 0..c.theta.len() {
            assert!((cross[p] - sym[p]).abs() <= 1e-12 * (1.0 + sym[p].abs()) * n as f64, "{} θ{p}: {} vs {}", c.name, cross[p], sym[p]);
        }
    }
}

#[test]
fn input_contract_matches_central_differences() {
    for (s, c) in all_cases().iter().enumerate() {
        for &(n1, n2) in &[(1usize, 1usize), (37, 35), (70, 5)] {
            let (x1, x2) = (points(n1, c.d, 600 + s as u64), points(n2, c.d, 700 + s as u64));
            let g = weights(n1 * n2, 800 + s as u64);
            let k = kmat(c, &c.theta, &x1, n1, &x2, n2);
            let o1 = input(c, &x1, n1, &x2, n2, &g, 1);
            let o2 = input(c, &x1, n1, &x2, n2, &g, 2);
            let h = 1e-6;
            for i in 0..n1 {
                let scale: f64 = (0..n2).map(|j| (g[i * n2 + j] * (1.0 + k[i * n2 + j].abs())).abs()).sum();
                for col in 0..c.d {
                    // Σ_j G_ij k(x1_i, x2_j) as x1_{i,col} moves.
                    let f = |v: f64| {
                        let mut xi = x1[i * c.d..(i + 1) * c.d].to_vec();
                        xi[col] = v;
                        kmat(c, &c.theta, &xi, 1, &x2, n2).iter().zip(&g[i * n2..(i + 1) * n2]).map(|(a, b)| a * b).sum::<f64>()
                    };
                    let x = x1[i * c.d + col];
                    let fd = (f(x + h) - f(x - h)) / (2.0 * h);
                    close(o1[i * c.d + col], fd, scale, &format!("{} wrt x1 ({i},{col})", c.name));
                }
            }
            for j in 0..n2 {
                let scale: f64 = (0..n1).map(|i| (g[i * n2 + j] * (1.0 + k[i * n2 + j].abs())).abs()).sum();
                for col in 0..c.d {
                    let f = |v: f64| {
                        let mut xj = x2[j * c.d..(j + 1) * c.d].to_vec();
                        xj[col] = v;
                        let kc = kmat(c, &c.theta, &x1, n1, &xj, 1);
                        (0..n1).map(|i| kc[i] * g[i * n2 + j]).sum::<f64>()
                    };
                    let x = x2[j * c.d + col];
                    let fd = (f(x + h) - f(x - h)) / (2.0 * h);
                    close(o2[j * c.d + col], fd, scale, &format!("{} wrt x2 ({j},{col})", c.name));
                }
            }
        }
    }
}

#[test]
fn diag_contractions_match_central_differences() {
    for (s, c) in all_cases().iter().enumerate() {
        for &n in &[1usize, 45] {
            let x = points(n, c.d, 900 + s as u64);
            let g = weights(n, 1000 + s as u64);
            let kd = kdiag(c, &c.theta, &x, n);
            let mut theta = c.theta.clone();
            theta.push(7.0);
            let mut grad = vec![f64::NAN; theta.len()];
            let mut out = vec![f64::NAN; n * c.d];
            let st = unsafe {
                [
                    gpts_kernel_diag_theta_contract(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x.as_ptr(), n, c.d, g.as_ptr(), grad.as_mut_ptr()),
                    gpts_kernel_diag_input_contract(c.ops.as_ptr(), c.ops.len(), theta.as_ptr(), theta.len(), x.as_ptr(), n, c.d, g.as_ptr(), out.as_mut_ptr()),
                ]
            };
            assert_eq!(st, [0, 0], "{}", c.name);
            assert_eq!(grad[theta.len() - 1], 0.0);
            let scale: f64 = kd.iter().zip(&g).map(|(a, b)| (a * b).abs()).sum::<f64>() + 1e-3;
            for p in 0..c.theta.len() {
                let h = 1e-6 * theta[p];
                let f = |t: f64| {
                    let mut tt = theta.clone();
                    tt[p] = t;
                    kdiag(c, &tt, &x, n).iter().zip(&g).map(|(a, b)| a * b).sum::<f64>()
                };
                let fd = (f(theta[p] + h) - f(theta[p] - h)) / (2.0 * h);
                close(grad[p], fd, scale / theta[p], &format!("{} diag θ{p}", c.name));
            }
            for i in 0..n {
                for col in 0..c.d {
                    let f = |v: f64| {
                        let mut xi = x[i * c.d..(i + 1) * c.d].to_vec();
                        xi[col] = v;
                        g[i] * kdiag(c, &c.theta, &xi, 1)[0]
                    };
                    let (xv, h) = (x[i * c.d + col], 1e-6);
                    let fd = (f(xv + h) - f(xv - h)) / (2.0 * h);
                    close(out[i * c.d + col], fd, g[i].abs() * (1.0 + kd[i].abs()), &format!("{} diag x ({i},{col})", c.name));
                }
            }
        }
    }
}

#[test]
fn matern_half_has_zero_input_derivative_at_zero_distance() {
    // x1 = (0.3, 0.7), x2 = (0.3): the pair at distance 0 contributes 0 (GPyTorch's
    // autograd through its clamped distance gives 0 there too).
    let c = Case { name: "matern 1/2", ops: vec![5, 1, 1, 0, 1, 0], theta: vec![0.5], d: 1 };
    let (x1, x2) = ([0.3, 0.7], [0.3]);
    let o1 = input(&c, &x1, 2, &x2, 1, &[1.0, 1.0], 1);
    assert_eq!(o1[0], 0.0);
    let want = -(-0.4f64 / 0.5).exp() / 0.5; // d/dx e^{−|x − 0.3|/ℓ} at x = 0.7
    assert!((o1[1] - want).abs() <= 1e-15, "{} vs {want}", o1[1]);
    let o2 = input(&c, &x1, 2, &x2, 1, &[1.0, 0.0], 2);
    assert_eq!(o2[0], 0.0);
}

#[test]
fn contractions_reject_bad_arguments_before_writing() {
    let ops = [1, 1, 0, 1, 0];
    let theta = [0.5];
    let x = [0.1, 0.2, 0.3];
    let g = [1.0; 9];
    let mut out = [-7.0; 3];
    let (o, t) = (ops.as_ptr(), theta.as_ptr());
    unsafe {
        for wrt in [0, 3, -1] {
            assert_eq!(gpts_kernel_input_contract(o, 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 3, 1, g.as_ptr(), wrt, out.as_mut_ptr()), -5);
        }
        assert_eq!(gpts_kernel_input_contract(o, 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 3, 1, core::ptr::null(), 1, out.as_mut_ptr()), -5);
        assert_eq!(gpts_kernel_cross_theta_contract(o, 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 3, 1, g.as_ptr(), core::ptr::null_mut()), -5);
        assert_eq!(gpts_kernel_diag_input_contract(o, 5, t, 1, x.as_ptr(), 3, 1, g.as_ptr(), x.as_ptr() as *mut f64), -5, "out overlaps x");
        assert_eq!(gpts_kernel_diag_theta_contract(o, 5, t, 1, x.as_ptr(), usize::MAX, 1, g.as_ptr(), out.as_mut_ptr()), -5);
        // malformed programs: their status, nothing written
        let bad = [1, 1, 4, 1, 0];
        assert_eq!(gpts_kernel_input_contract(bad.as_ptr(), 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 3, 1, g.as_ptr(), 2, out.as_mut_ptr()), -4);
        assert_eq!(gpts_kernel_diag_input_contract(bad.as_ptr(), 5, t, 1, x.as_ptr(), 3, 1, g.as_ptr(), out.as_mut_ptr()), -4);
        assert_eq!(gpts_kernel_cross_theta_contract(bad.as_ptr(), 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 3, 1, g.as_ptr(), out.as_mut_ptr()), -4);
        assert_eq!(gpts_kernel_diag_theta_contract(o, 3, t, 1, x.as_ptr(), 3, 1, g.as_ptr(), out.as_mut_ptr()), -2);
        assert_eq!(out, [-7.0; 3]);
        // empty sizes are fine and zero the output
        assert_eq!(gpts_kernel_input_contract(o, 5, t, 1, x.as_ptr(), 3, x.as_ptr(), 0, 1, g.as_ptr(), 1, out.as_mut_ptr()), 0);
        assert_eq!(out, [0.0; 3]);
    }
}
