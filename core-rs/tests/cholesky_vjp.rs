//! The Cholesky VJP through the C ABI against the textbook formula with dense
//! products and substitutions, at sizes below, at and across the recursion's blocks,
//! and against central differences of the factor.

mod common;
use common::*;
use gpts_core::*;

const SIZES: [usize; 9] = [1, 2, 3, 31, 32, 33, 65, 130, 257];

/// X with L X = B (`trans`: Lᵀ X = B), B n×m, by substitution.
fn solve(l: &[f64], n: usize, b: &[f64], m: usize, trans: bool) -> Vec<f64> {
    let mut x = b.to_vec();
    for c in 0..m {
        if trans {
            for i in (0..n).rev() {
                let mut s = x[i * m + c];
                for k in i + 1..n {
                    s -= l[k * n + i] * x[k * m + c];
                }
                x[i * m + c] = s / l[i * n + i];
            }
        } else {
            for i in 0..n {
                let mut s = x[i * m + c];
                for k in 0..i {
                    s -= l[i * n + k] * x[k * m + c];
                }
                x[i * m + c] = s / l[i * n + i];
            }
        }
    }
    x
}

/// ½ (S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ tril(L̄)) L⁻¹, with dense operations only.
fn reference(l: &[f64], lbar: &[f64], n: usize) -> Vec<f64> {
    let mut lb = lbar.to_vec();
    for i in 0..n {
        for j in i + 1..n {
            lb[i * n + j] = 0.0;
        }
    }
    let mut p = matmul(&transpose(l, n, n), &lb, n, n, n);
    for i in 0..n {
        p[i * n + i] *= 0.5;
        for j in i + 1..n {
            p[i * n + j] = 0.0;
        }
    }
    let x = solve(l, n, &p, n, true); // L⁻ᵀ P
    let st = solve(l, n, &transpose(&x, n, n), n, true); // (X L⁻¹)ᵀ = L⁻ᵀ Xᵀ
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = 0.5 * (st[i * n + j] + st[j * n + i]);
        }
    }
    out
}

fn vjp(l: &[f64], g: &[f64], n: usize) -> Vec<f64> {
    let mut out = g.to_vec();
    let st = unsafe { gpts_cholesky_vjp(l.as_ptr(), n, out.as_mut_ptr()) };
    assert_eq!(st, 0, "n={n}");
    out
}

#[test]
fn cholesky_vjp_matches_the_dense_formula_and_ignores_the_upper_triangles() {
    for (s, &n) in SIZES.iter().enumerate() {
        let l = naive_cholesky(&spd(n, 300 + s as u64), n);
        let lbar = Rng::new(400 + s as u64).vec(n * n);
        let want = reference(&l, &lbar, n);
        let got = vjp(&l, &lbar, n);
        assert!(rel_err(&got, &want) < 1e-12, "n={n}: {}", rel_err(&got, &want));
        for i in 0..n {
            for j in 0..i {
                assert_eq!(got[i * n + j], got[j * n + i], "not symmetric at ({i},{j}), n={n}");
            }
        }
        // Garbage above either diagonal changes nothing.
        let (mut l2, mut g2) = (l.clone(), lbar.clone());
        for i in 0..n {
            for j in i + 1..n {
                l2[i * n + j] = 1e300;
                g2[i * n + j] = -7.0;
            }
        }
        assert_eq!(vjp(&l2, &g2, n), got, "n={n}: an upper triangle was read");
    }
}

#[test]
fn cholesky_vjp_matches_central_differences() {
    let n = 40; // across one level of the recursion
    let a = spd(n, 9);
    let lbar = Rng::new(10).vec(n * n);
    let f = |a: &[f64]| -> f64 {
        let l = naive_cholesky(a, n);
        (0..n).flat_map(|i| (0..=i).map(move |j| (i, j))).map(|(i, j)| lbar[i * n + j] * l[i * n + j]).sum()
    };
    let abar = vjp(&naive_cholesky(&a, n), &lbar, n);
    let mut rng = Rng::new(11);
    for _ in 0..3 {
        let e = random_symmetric(n, &mut rng);
        let h = 1e-6;
        let plus: Vec<f64> = a.iter().zip(&e).map(|(x, d)| x + h * d).collect();
        let minus: Vec<f64> = a.iter().zip(&e).map(|(x, d)| x - h * d).collect();
        let fd = (f(&plus) - f(&minus)) / (2.0 * h);
        let an: f64 = abar.iter().zip(&e).map(|(x, d)| x * d).sum();
        assert!((fd - an).abs() < 1e-6 * an.abs().max(1.0), "fd {fd} vs {an}");
    }
}

#[test]
fn cholesky_vjp_refuses_overlap() {
    let mut g = vec![1.0; 4];
    let st = unsafe { gpts_cholesky_vjp(g.as_ptr(), 2, g.as_mut_ptr()) };
    assert_eq!(st, -5);
}
