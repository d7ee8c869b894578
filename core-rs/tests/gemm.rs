//! The packed GEMM directly, across its cache blocks (KC, MC, NC), with strided and
//! transposed views and the lower-triangle mode.

mod common;
use common::*;
use gpts_core::gemm::{gemm, Tri, Workspace, KC, MC, NC};
use gpts_core::view::{MatMut, MatRef};

fn check(m: usize, n: usize, k: usize, ta: bool, tb: bool, tc: bool, tri: Tri, seed: u64) {
    let mut g = Rng::new(seed);
    let a = g.vec(m * k);
    let b = g.vec(k * n);
    let c0 = g.vec(m * n);
    // Storage: A as m×k (or its transpose k×m), same for B and C.
    let a_store = if ta { transpose(&a, m, k) } else { a.clone() };
    let av = if ta { MatRef::row_major(a_store.as_ptr(), k, m, m).t() } else { MatRef::row_major(a_store.as_ptr(), m, k, k) };
    let b_store = if tb { transpose(&b, k, n) } else { b.clone() };
    let bv = if tb { MatRef::row_major(b_store.as_ptr(), n, k, k).t() } else { MatRef::row_major(b_store.as_ptr(), k, n, n) };
    let mut c_store = if tc { transpose(&c0, m, n) } else { c0.clone() };
    let cv = if tc {
        MatMut::row_major(c_store.as_mut_ptr(), n, m, m).t()
    } else {
        MatMut::row_major(c_store.as_mut_ptr(), m, n, n)
    };
    let mut ws = Workspace::try_new(m.max(n).max(k)).unwrap();
    unsafe { gemm(&mut ws, -0.5, av, bv, cv, tri) };
    let got = if tc { transpose(&c_store, n, m) } else { c_store };
    let ab = matmul(&a, &b, m, k, n);
    for i in 0..m {
        for j in 0..n {
            let want = if tri == Tri::Lower && i < j { c0[i * n + j] } else { c0[i * n + j] - 0.5 * ab[i * n + j] };
            let e = (got[i * n + j] - want).abs();
            assert!(e < 1e-12 * (k as f64).max(1.0), "m={m} n={n} k={k} ta={ta} tb={tb} tc={tc} {tri:?} at ({i},{j}): {e}");
        }
    }
}

#[test]
fn gemm_matches_naive_across_blocks() {
    let mut seed = 1;
    for &(m, n, k) in &[(1, 1, 1), (3, 5, 2), (4, 4, 4), (7, 9, 13), (MC + 5, 17, KC + 3), (2 * MC + 1, 2 * MC + 3, 2 * KC + 1)] {
        for &ta in &[false, true] {
            for &tb in &[false, true] {
                for &tc in &[false, true] {
                    check(m, n, k, ta, tb, tc, Tri::Full, seed);
                    seed += 1;
                }
            }
        }
    }
}

#[test]
fn gemm_lower_touches_only_the_lower_triangle() {
    for (s, &(m, k)) in [(1, 3), (5, 2), (33, 7), (MC + 7, KC + 9), (300, 40)].iter().enumerate() {
        check(m, m, k, false, true, false, Tri::Lower, 50 + s as u64);
        check(m, m, k, true, false, false, Tri::Lower, 60 + s as u64);
        // rectangular C with the diagonal starting at (0, 0)
        check(m + 9, m, k, false, false, false, Tri::Lower, 70 + s as u64);
    }
}

#[test]
fn gemm_wider_than_one_column_block() {
    check(9, NC + 13, 5, false, false, false, Tri::Full, 99);
    check(NC + 13, NC + 13, 3, false, true, false, Tri::Lower, 98);
}

#[test]
fn gemm_with_few_columns_reads_a_in_place_and_gives_the_packed_bits() {
    // Row-major A takes the in-place path (at most SKINNY columns of B); the same A
    // stored transposed goes through the packed path. Same blocks, same arithmetic.
    use gpts_core::gemm::SKINNY;
    for &(m, n, k) in &[(1, 1, 1), (5, 3, 7), (MC + 3, 17, 2 * KC + 5), (130, SKINNY, KC)] {
        let mut g = Rng::new((m * n * k) as u64);
        let (a, b) = (g.vec(m * k), g.vec(k * n));
        let at = transpose(&a, m, k);
        let mut ws = Workspace::try_new(m.max(n).max(k)).unwrap();
        let (mut c1, mut c2) = (vec![0.0; m * n], vec![0.0; m * n]);
        let bv = MatRef::row_major(b.as_ptr(), k, n, n);
        unsafe {
            gemm(&mut ws, 1.0, MatRef::row_major(a.as_ptr(), m, k, k), bv, MatMut::row_major(c1.as_mut_ptr(), m, n, n), Tri::Full);
            gemm(&mut ws, 1.0, MatRef::row_major(at.as_ptr(), k, m, m).t(), bv, MatMut::row_major(c2.as_mut_ptr(), m, n, n), Tri::Full);
        }
        assert!(c1.iter().zip(&c2).all(|(x, y)| x.to_bits() == y.to_bits()), "m={m} n={n} k={k}");
        let ab = matmul(&a, &b, m, k, n);
        assert!(rel_err(&c1, &ab) < 1e-13, "m={m} n={n} k={k}: {}", rel_err(&c1, &ab));
    }
}
