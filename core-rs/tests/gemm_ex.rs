//! `gpts_gemm_ex` through the C ABI: every transpose combination, overwrite and
//! accumulate, the lower-triangle mode, and the argument checks.

mod common;
use common::*;
use gpts_core::*;

fn case(m: usize, k: usize, n: usize, ta: bool, tb: bool, acc: bool, lower: bool, seed: u64) {
    let mut g = Rng::new(seed);
    let (a, b, c0) = (g.vec(m * k), g.vec(k * n), g.vec(m * n));
    let a_store = if ta { transpose(&a, m, k) } else { a.clone() };
    let b_store = if tb { transpose(&b, k, n) } else { b.clone() };
    let mut c = c0.clone();
    let st = unsafe {
        gpts_gemm_ex(a_store.as_ptr(), ta as i32, b_store.as_ptr(), tb as i32, c.as_mut_ptr(), m, k, n, -0.5, acc as i32, lower as i32)
    };
    assert_eq!(st, 0);
    let ab = matmul(&a, &b, m, k, n);
    for i in 0..m {
        for j in 0..n {
            let base = if acc { c0[i * n + j] } else { 0.0 };
            let want = if lower && j > i { base } else { base - 0.5 * ab[i * n + j] };
            let got = c[i * n + j];
            assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()), "m={m} k={k} n={n} ta={ta} tb={tb} acc={acc} lower={lower} ({i},{j}): {got} vs {want}");
        }
    }
}

#[test]
fn every_transpose_mode_and_triangle() {
    let mut seed = 1;
    for &(m, k, n) in &[(1, 1, 1), (5, 3, 7), (33, 65, 20), (130, 257, 97)] {
        for &ta in &[false, true] {
            for &tb in &[false, true] {
                for &acc in &[false, true] {
                    case(m, k, n, ta, tb, acc, false, seed);
                    case(m, k, m, ta, tb, acc, true, seed + 1);
                    seed += 2;
                }
            }
        }
    }
}

#[test]
fn rejects_bad_flags_shapes_and_overlap() {
    let a = vec![1.0; 16];
    let mut c = vec![0.0; 16];
    unsafe {
        assert_eq!(gpts_gemm_ex(a.as_ptr(), 2, a.as_ptr(), 0, c.as_mut_ptr(), 4, 4, 4, 1.0, 0, 0), -5);
        assert_eq!(gpts_gemm_ex(a.as_ptr(), 0, a.as_ptr(), 0, c.as_mut_ptr(), 2, 4, 4, 1.0, 0, 1), -5);
        let p = c.as_mut_ptr();
        assert_eq!(gpts_gemm_ex(p, 0, a.as_ptr(), 0, p, 4, 4, 4, 1.0, 0, 0), -5);
        assert_eq!(gpts_gemm_ex(a.as_ptr(), 0, a.as_ptr(), 0, c.as_mut_ptr(), 4, 0, 4, 1.0, 0, 0), 0);
    }
    assert!(c.iter().all(|&v| v == 0.0));
}

#[test]
fn trmm_lower_is_the_lower_triangle_times_b() {
    for (s, &(n, m)) in [(1, 1), (3, 5), (33, 40), (130, 97), (257, 300)].iter().enumerate() {
        let mut g = Rng::new(50 + s as u64);
        let (b0, l) = (g.vec(n * m), g.vec(n * n));
        let mut tril = l.clone();
        for i in 0..n {
            for j in i + 1..n {
                tril[i * n + j] = 0.0;
            }
        }
        for trans in [0, 1] {
            let op = if trans == 1 { transpose(&tril, n, n) } else { tril.clone() };
            let want = matmul(&op, &b0, n, n, m);
            let mut b = b0.clone();
            assert_eq!(unsafe { gpts_trmm_lower(l.as_ptr(), n, b.as_mut_ptr(), m, trans) }, 0);
            assert!(rel_err(&b, &want) < 1e-13, "n={n} m={m} trans={trans}: {}", rel_err(&b, &want));
        }
    }
    let mut b = vec![1.0; 4];
    let p = b.as_mut_ptr();
    assert_eq!(unsafe { gpts_trmm_lower(p, 2, p, 2, 0) }, -5);
    let l = vec![1.0; 4];
    assert_eq!(unsafe { gpts_trmm_lower(l.as_ptr(), 2, b.as_mut_ptr(), 2, 2) }, -5);
}
