//! The register-tiled base case of the triangular routines against the row axpys it
//! replaced: the same bits, for every row count up to the base size, widths below, at
//! and across the tile width, `T` given by rows or by columns, and `B` a block of a
//! wider matrix (whose other elements it must not touch).

mod common;
use common::*;
use gpts_core::tri_tile::{base_case, Op, Part, TILE_ROWS, TW};
use gpts_core::view::{MatMut, MatRef};

/// The reference: row `i` is one chain over the rows it reads, `k` ascending, in the
/// order that reads only rows already solved (a solve) or not yet written (a multiply).
fn reference(op: Op, part: Part, t: &[f64], n: usize, b: &mut [f64], m: usize) {
    let solve = op == Op::Solve;
    let ascending = (part == Part::Below) == solve;
    for step in 0..n {
        let i = if ascending { step } else { n - 1 - step };
        let ks = if part == Part::Below { 0..i } else { i + 1..n };
        for c in 0..m {
            let mut v = b[i * m + c];
            if !solve {
                v *= t[i * n + i];
            }
            for k in ks.clone() {
                let tik = t[i * n + k];
                v += if solve { -tik } else { tik } * b[k * m + c];
            }
            if solve {
                v /= t[i * n + i];
            }
            b[i * m + c] = v;
        }
    }
}

#[test]
fn base_case_gives_the_row_axpys_bits() {
    let widths = [1, 3, TW - 1, TW, TW + 1, 2 * TW + 5, 70];
    let mut g = Rng::new(7);
    for n in (1..=TILE_ROWS).filter(|&n| n <= 5 || n % 7 == 3 || n >= TILE_ROWS - 1) {
        for &m in &widths {
            // T with a diagonal away from zero; both triangles filled (only one is read).
            let mut t = g.vec(n * n);
            for i in 0..n {
                t[i * n + i] = 1.0 + g.uniform();
            }
            let tt = transpose(&t, n, n);
            let b0 = g.vec(n * m);
            for op in [Op::Solve, Op::Multiply] {
                for part in [Part::Below, Part::Above] {
                    let mut want = b0.clone();
                    reference(op, part, &t, n, &mut want, m);
                    // B as columns 2..2+m of a wider matrix, with sentinels around it.
                    let ld = m + 5;
                    for by_columns in [false, true] {
                        let mut wide = vec![f64::NAN; n * ld];
                        for i in 0..n {
                            wide[i * ld + 2..i * ld + 2 + m].copy_from_slice(&b0[i * m..(i + 1) * m]);
                        }
                        let tv = if by_columns {
                            MatRef::row_major(tt.as_ptr(), n, n, n).t()
                        } else {
                            MatRef::row_major(t.as_ptr(), n, n, n)
                        };
                        let bv = MatMut::row_major(wide.as_mut_ptr(), n, ld, ld).sub(0, 2, n, m);
                        unsafe { base_case(op, part, tv, bv) };
                        for i in 0..n {
                            for c in 0..ld {
                                let got = wide[i * ld + c];
                                if (2..2 + m).contains(&c) {
                                    let w = want[i * m + c - 2];
                                    assert_eq!(
                                        got.to_bits(),
                                        w.to_bits(),
                                        "{op:?} {part:?} n={n} m={m} cols={by_columns} ({i},{c}): {got} vs {w}"
                                    );
                                } else {
                                    assert!(got.is_nan(), "{op:?} {part:?} n={n} m={m}: wrote outside B at ({i},{c})");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
