//! `gpts_gemm_acc` through the C ABI: `C += α·op(A)·op(B)` against the naive product for
//! every transpose and the lower-triangle (SYRK) update, below and across block sizes.

mod common;
use common::*;
use gpts_core::*;

#[test]
fn gemm_acc_adds_alpha_op_a_op_b_for_every_transpose() {
    for &(m, k, n) in &[(1, 1, 1), (5, 3, 1), (13, 7, 29), (130, 257, 65), (40, 300, 1)] {
        for (ta, tb) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let mut g = Rng::new((m * k * n) as u64 + 7 * ta as u64 + 3 * tb as u64);
            let a = g.vec(m * k); // m×k, or k×m when transposed
            let b = g.vec(k * n); // k×n, or n×k when transposed
            let c0 = g.vec(m * n);
            let op_a = if ta == 1 { transpose(&a, k, m) } else { a.clone() };
            let op_b = if tb == 1 { transpose(&b, n, k) } else { b.clone() };
            let prod = matmul(&op_a, &op_b, m, k, n);
            let want: Vec<f64> = c0.iter().zip(&prod).map(|(c, p)| c - 0.5 * p).collect();
            let mut c = c0.clone();
            let st = unsafe { gpts_gemm_acc(a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), m, k, n, ta, tb, -0.5, 0) };
            assert_eq!(st, 0);
            assert!(rel_err(&c, &want) < 1e-13, "{m}x{k}x{n} ta={ta} tb={tb}: {}", rel_err(&c, &want));
        }
    }
}

#[test]
fn gemm_acc_lower_is_a_syrk_that_leaves_the_upper_triangle() {
    for &(m, k) in &[(1, 1), (7, 3), (65, 130), (257, 40)] {
        let mut g = Rng::new((m * k) as u64 + 11);
        let a = g.vec(m * k);
        let mut c = vec![f64::NAN; m * m];
        for i in 0..m {
            for j in 0..=i {
                c[i * m + j] = 1.0;
            }
        }
        let st = unsafe { gpts_gemm_acc(a.as_ptr(), a.as_ptr(), c.as_mut_ptr(), m, k, m, 0, 1, 1.0, 1) };
        assert_eq!(st, 0);
        let aat = matmul(&a, &transpose(&a, m, k), m, k, m);
        for i in 0..m {
            for j in 0..m {
                let v = c[i * m + j];
                if j <= i {
                    let want = 1.0 + aat[i * m + j];
                    assert!((v - want).abs() <= 1e-12 * want.abs().max(1.0), "({i},{j}) m={m} k={k}");
                } else {
                    assert!(v.is_nan(), "upper ({i},{j}) written, m={m} k={k}");
                }
            }
        }
    }
}

#[test]
fn gemm_acc_rejects_bad_flags_a_non_square_lower_and_overlap() {
    let a = vec![1.0; 4];
    let mut c = vec![0.0; 6];
    let (ap, cp) = (a.as_ptr(), c.as_mut_ptr());
    assert_eq!(unsafe { gpts_gemm_acc(ap, ap, cp, 2, 2, 2, 2, 0, 1.0, 0) }, -5, "trans_a = 2");
    assert_eq!(unsafe { gpts_gemm_acc(ap, ap, cp, 2, 1, 3, 0, 0, 1.0, 1) }, -5, "lower, 2×3");
    assert_eq!(unsafe { gpts_gemm_acc(cp, ap, cp, 2, 2, 2, 0, 0, 1.0, 0) }, -5, "overlap");
}
