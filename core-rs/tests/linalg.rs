//! Dense linear algebra through the C ABI, at sizes below, at and across the block
//! sizes (the recursion, the GEMM micro-tile edges and the cache blocks).

mod common;
use common::*;
use gpts_core::*;

const SIZES: [usize; 10] = [1, 2, 3, 7, 31, 64, 65, 130, 257, 500];

fn chol(a: &[f64], n: usize) -> (Vec<f64>, i32) {
    let mut l = a.to_vec();
    let st = unsafe { gpts_cholesky(l.as_mut_ptr(), n) };
    (l, st)
}

#[test]
fn cholesky_matches_naive_and_reconstructs() {
    for (s, &n) in SIZES.iter().enumerate() {
        let a = spd(n, 100 + s as u64);
        let (l, st) = chol(&a, n);
        assert_eq!(st, 0, "n={n}");
        let r = naive_cholesky(&a, n);
        assert!(rel_err(&l, &r) < 1e-12, "n={n} vs naive: {}", rel_err(&l, &r));
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(l[i * n + j], 0.0, "upper not zeroed at ({i},{j}), n={n}");
            }
        }
        let llt = matmul(&l, &transpose(&l, n, n), n, n, n);
        assert!(rel_err(&llt, &a) < 1e-13, "n={n} reconstruction: {}", rel_err(&llt, &a));
    }
}

#[test]
fn cholesky_reads_only_the_lower_triangle() {
    let n = 130;
    let a = spd(n, 7);
    let mut b = a.clone();
    for i in 0..n {
        for j in i + 1..n {
            b[i * n + j] = f64::NAN;
        }
    }
    let (la, _) = chol(&a, n);
    let (lb, st) = chol(&b, n);
    assert_eq!(st, 0);
    assert_eq!(la, lb);
}

#[test]
fn cholesky_reports_first_bad_pivot() {
    for &n in &[1usize, 5, 48, 49, 97, 300] {
        for &k in &[0usize, n / 2, n - 1] {
            let mut a = spd(n, 3 + n as u64);
            // Make the leading (k+1)×(k+1) block singular-indefinite at pivot k only:
            // shift row/column k so that its Schur complement is negative.
            a[k * n + k] = -1.0 - a[k * n + k];
            let (_, st) = chol(&a, n);
            assert_eq!(st, k as i32 + 1, "n={n} k={k}");
        }
        let mut a = spd(n, 9);
        a[(n - 1) * n] = f64::NAN;
        a[n - 1] = f64::NAN;
        let (_, st) = chol(&a, n);
        if n > 1 {
            assert_eq!(st, n as i32, "NaN in last row, n={n}");
        }
        let mut a = spd(n, 9);
        a[0] = f64::INFINITY;
        assert_eq!(chol(&a, n).1, 1, "inf pivot n={n}");
    }
}

#[test]
fn cholesky_of_a_singular_matrix_fails_at_the_rank() {
    // rank-r PSD matrix: pivot r is (numerically) zero or negative.
    let (n, r) = (120, 70);
    let mut g = Rng::new(5);
    let m = g.vec(n * r);
    let a = matmul(&m, &transpose(&m, n, r), n, r, n);
    let (_, st) = chol(&a, n);
    assert!(st > 0 && st as usize >= r - 1, "status {st}");
}

#[test]
fn trsm_solves_both_ways() {
    for (s, &n) in SIZES.iter().enumerate() {
        for &m in &[1usize, 3, 33, 129] {
            let a = spd(n, 200 + s as u64);
            let (l, _) = chol(&a, n);
            let b = Rng::new(300 + (n * m) as u64).vec(n * m);
            // trans = 0: L X = B
            let mut x = b.clone();
            assert_eq!(unsafe { gpts_trsm_lower(l.as_ptr(), n, x.as_mut_ptr(), m, 0) }, 0);
            let lx = matmul(&l, &x, n, n, m);
            assert!(rel_err(&lx, &b) < 1e-12, "n={n} m={m} L: {}", rel_err(&lx, &b));
            // trans = 1: Lᵀ X = B
            let mut x = b.clone();
            assert_eq!(unsafe { gpts_trsm_lower(l.as_ptr(), n, x.as_mut_ptr(), m, 1) }, 0);
            let ltx = matmul(&transpose(&l, n, n), &x, n, n, m);
            assert!(rel_err(&ltx, &b) < 1e-12, "n={n} m={m} Lᵀ: {}", rel_err(&ltx, &b));
        }
    }
}

#[test]
fn trsm_rejects_bad_arguments() {
    let l = vec![1.0; 4];
    let mut b = vec![1.0; 2];
    unsafe {
        assert_eq!(gpts_trsm_lower(l.as_ptr(), 2, b.as_mut_ptr(), 1, 2), -5);
        assert_eq!(gpts_trsm_lower(core::ptr::null(), 2, b.as_mut_ptr(), 1, 0), -5);
        assert_eq!(gpts_trsm_lower(l.as_ptr(), usize::MAX / 2, b.as_mut_ptr(), 1, 0), -5);
        let mut ab = vec![1.0, 0.0, 0.0, 1.0, 5.0, 6.0];
        let p = ab.as_mut_ptr();
        assert_eq!(gpts_trsm_lower(p, 2, p.add(2), 2, 0), -5, "overlap");
        assert_eq!(gpts_trsm_lower(p, 0, p, 0, 0), 0, "empty");
    }
}

#[test]
fn inverse_times_a_is_identity() {
    for (s, &n) in SIZES.iter().enumerate() {
        let a = spd(n, 400 + s as u64);
        let (l, _) = chol(&a, n);
        let mut inv = vec![f64::NAN; n * n];
        assert_eq!(unsafe { gpts_cholesky_inverse(l.as_ptr(), n, inv.as_mut_ptr()) }, 0);
        for i in 0..n {
            for j in 0..i {
                assert_eq!(inv[i * n + j], inv[j * n + i], "symmetric n={n}");
            }
        }
        let p = matmul(&inv, &a, n, n, n);
        let mut eye = vec![0.0; n * n];
        for i in 0..n {
            eye[i * n + i] = 1.0;
        }
        assert!(rel_err(&p, &eye) < 1e-11, "n={n}: {}", rel_err(&p, &eye));
        // The lower-triangle variant: the same lower triangle, the upper one untouched.
        let mut low = vec![f64::NAN; n * n];
        assert_eq!(unsafe { gpts_cholesky_inverse_lower(l.as_ptr(), n, low.as_mut_ptr()) }, 0);
        for i in 0..n {
            for j in 0..n {
                if j <= i {
                    assert_eq!(low[i * n + j], inv[i * n + j], "lower n={n}");
                } else {
                    assert!(low[i * n + j].is_nan(), "upper written n={n}");
                }
            }
        }
    }
}

#[test]
fn logdet_is_twice_the_log_diagonal_sum() {
    for &n in &SIZES {
        let a = spd(n, 500 + n as u64);
        let (l, _) = chol(&a, n);
        let want: f64 = 2.0 * (0..n).map(|i| l[i * n + i].ln()).sum::<f64>();
        let got = unsafe { gpts_cholesky_logdet(l.as_ptr(), n) };
        assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0));
    }
    // diag(2, 3) → log 36
    let l = [2.0, 0.0, 0.5, 3.0];
    let ld = unsafe { gpts_cholesky_logdet(l.as_ptr(), 2) };
    assert!((ld - 36f64.ln()).abs() < 1e-15);
    assert!(unsafe { gpts_cholesky_logdet(core::ptr::null(), 3) }.is_nan());
    assert_eq!(unsafe { gpts_cholesky_logdet(core::ptr::null(), 0) }, 0.0);
}

#[test]
fn syr_adds_a_rank_one_term() {
    let n = 37;
    let mut g = Rng::new(11);
    let a0 = g.vec(n * n);
    let x = g.vec(n);
    let mut a = a0.clone();
    assert_eq!(unsafe { gpts_syr(a.as_mut_ptr(), n, -0.75, x.as_ptr()) }, 0);
    for i in 0..n {
        for j in 0..n {
            assert!((a[i * n + j] - (a0[i * n + j] - 0.75 * x[i] * x[j])).abs() < 1e-15);
        }
    }
    unsafe {
        assert_eq!(gpts_syr(a.as_mut_ptr(), n, 1.0, a.as_ptr().add(3)), -5, "x inside a");
    }
}

#[test]
fn alloc_is_aligned_and_reusable() {
    for &bytes in &[0usize, 1, 8, 24, 4096, 1 << 20] {
        let p = gpts_alloc(bytes);
        assert!(!p.is_null());
        assert_eq!(p as usize % 16, 0);
        unsafe {
            core::ptr::write_bytes(p, 0xAB, bytes);
            gpts_free(p, bytes);
        }
    }
    unsafe { gpts_free(core::ptr::null_mut(), 8) };
    assert!(gpts_alloc(usize::MAX - 8).is_null());
}

#[test]
fn cholesky_rejects_bad_arguments() {
    unsafe {
        assert_eq!(gpts_cholesky(core::ptr::null_mut(), 3), -5);
        assert_eq!(gpts_cholesky(core::ptr::null_mut(), 0), 0);
        assert_eq!(gpts_cholesky(8 as *mut f64, usize::MAX / 4), -5);
        let mut v = vec![4.0f64; 3];
        assert_eq!(gpts_cholesky((v.as_mut_ptr() as *mut u8).add(1) as *mut f64, 1), -5, "misaligned");
    }
}

#[test]
fn gemm_abi_overwrites_c_with_a_times_b() {
    for &(m, k, n) in &[(1, 1, 1), (5, 0, 3), (13, 7, 29), (130, 257, 65)] {
        let mut g = Rng::new((m * k * n) as u64 + 1);
        let a = g.vec(m * k);
        let b = g.vec(k * n);
        let mut c = vec![f64::NAN; m * n];
        assert_eq!(unsafe { gpts_gemm(a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), m, k, n) }, 0);
        let want = matmul(&a, &b, m, k, n);
        assert!(rel_err(&c, &want) < 1e-13, "{m}x{k}x{n}");
    }
    let mut c = vec![0.0; 4];
    let p = c.as_mut_ptr();
    assert_eq!(unsafe { gpts_gemm(p, p, p, 2, 2, 2) }, -5, "overlap");
}

#[test]
fn one_right_hand_side_solves_along_either_direction_of_the_triangle() {
    // The vector substitution reads T by rows (dot products) or by columns (axpys),
    // whichever is contiguous: L and Lᵀ, each given row-major and column-major.
    use gpts_core::trsm::{trsm_left_lower, trsm_left_upper};
    use gpts_core::view::{MatMut, MatRef};
    for (s, &n) in SIZES.iter().enumerate() {
        let (l, _) = chol(&spd(n, 400 + s as u64), n);
        let lt = transpose(&l, n, n);
        let b = Rng::new(500 + n as u64).vec(n);
        let mut ws = gpts_core::gemm::Workspace::try_new(n).unwrap();
        // (T as a view, T's dense row-major copy, lower?)
        let cases: [(MatRef, &[f64], bool); 4] = [
            (MatRef::row_major(l.as_ptr(), n, n, n), &l, true),
            (MatRef::row_major(lt.as_ptr(), n, n, n).t(), &l, true),
            (MatRef::row_major(lt.as_ptr(), n, n, n), &lt, false),
            (MatRef::row_major(l.as_ptr(), n, n, n).t(), &lt, false),
        ];
        for (c, (t, dense, lower)) in cases.into_iter().enumerate() {
            let mut x = b.clone();
            let xv = MatMut::row_major(x.as_mut_ptr(), n, 1, 1);
            unsafe {
                if lower {
                    trsm_left_lower(&mut ws, t, xv);
                } else {
                    trsm_left_upper(&mut ws, t, xv);
                }
            }
            let tx = matmul(dense, &x, n, n, 1);
            assert!(rel_err(&tx, &b) < 1e-12, "n={n} case {c}: {}", rel_err(&tx, &b));
        }
    }
}
