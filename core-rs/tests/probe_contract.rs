//! `gpts_kernel_probe_contract` against `gpts_kernel_grad_contract` with the rank-1
//! matrices `G = u_k u_kᵀ` of each probe, over several sizes, probe counts and
//! programs (seeded).

mod common;
use common::*;
use gpts_core::*;

fn run_probe(ops: &[i32], theta: &[f64], x: &[f64], n: usize, d: usize, u: &[f64], m: usize) -> (i32, Vec<f64>) {
    let mut out = vec![f64::NAN; theta.len() * m];
    let s = unsafe {
        gpts_kernel_probe_contract(
            ops.as_ptr(),
            ops.len(),
            theta.as_ptr(),
            theta.len(),
            x.as_ptr(),
            n,
            d,
            u.as_ptr(),
            m,
            out.as_mut_ptr(),
        )
    };
    (s, out)
}

fn grad_contract(ops: &[i32], theta: &[f64], x: &[f64], n: usize, d: usize, g: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; theta.len()];
    let s = unsafe {
        gpts_kernel_grad_contract(
            ops.as_ptr(),
            ops.len(),
            theta.as_ptr(),
            theta.len(),
            x.as_ptr(),
            n,
            d,
            g.as_ptr(),
            out.as_mut_ptr(),
        )
    };
    assert_eq!(s, 0);
    out
}

#[test]
fn probe_contract_equals_rank_one_grad_contracts() {
    let programs: Vec<(Vec<i32>, Vec<f64>, usize)> = vec![
        (vec![1, 1, 0, 1, 0, 2, 1], vec![0.25, 1.7], 1),
        (vec![1, 3, 0, 1, 2, 3, 0, 1, 2], vec![0.5, 1.3, 0.8], 3),
        // scale(rbf · rbf): theta 1 used twice; theta 2 unused (its row must be zero).
        (vec![1, 2, 0, 1, 1, 0, 1, 1, 1, 1, 1, 4, 2, 1], vec![0.4, 0.9, 7.0], 2),
    ];
    let mut rng = Rng::new(5);
    for (ops, theta, d) in &programs {
        for &n in &[1usize, 5, 32, 33, 70] {
            for &m in &[1usize, 3, 8] {
                let x = rng.vec(n * d);
                let u = rng.vec(n * m);
                let (s, out) = run_probe(ops, theta, &x, n, *d, &u, m);
                assert_eq!(s, 0);
                for k in 0..m {
                    let mut g = vec![0.0; n * n];
                    for i in 0..n {
                        for j in 0..n {
                            g[i * n + j] = u[i * m + k] * u[j * m + k];
                        }
                    }
                    let want = grad_contract(ops, theta, &x, n, *d, &g);
                    for p in 0..theta.len() {
                        let got = out[p * m + k];
                        let tol = 1e-12 * (1.0 + want[p].abs()) * n as f64;
                        assert!(
                            (got - want[p]).abs() <= tol,
                            "ops {ops:?} n {n} m {m} probe {k} theta {p}: {got} vs {}",
                            want[p]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn probe_contract_validates_arguments() {
    let (ops, theta) = (vec![1, 1, 0, 1, 0], vec![0.3]);
    let x = [0.0, 1.0];
    let u = [1.0, 2.0];
    // Zero probes: nothing to do.
    assert_eq!(run_probe(&ops, &theta, &x, 2, 1, &u, 0).0, 0);
    // Bad program and null pointer.
    assert_eq!(run_probe(&[99], &theta, &x, 2, 1, &u, 1).0, -1);
    let mut out = [0.0];
    let s = unsafe {
        gpts_kernel_probe_contract(ops.as_ptr(), ops.len(), theta.as_ptr(), 1, x.as_ptr(), 2, 1, core::ptr::null(), 1, out.as_mut_ptr())
    };
    assert_eq!(s, -5);
}
