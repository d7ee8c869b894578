//! The parallel dense routines: GEMM split into independent column (or row) blocks,
//! and the triangular solves and multiply split over the right-hand sides' columns.
//! Each block runs the serial routine on its own workspace, so the result does not
//! depend on the thread count.

use super::runtime::MAX_THREADS;
use super::scratch::Par;
use crate::gemm::{gemm as gemm_serial, Tri, Workspace};
use crate::microkernel::{MR, NR};
use crate::tri_tile::TW;
use crate::view::{MatMut, MatRef};

/// Flops below which a dense routine stays on the calling thread.
const PAR_MIN_FLOPS: f64 = 1.0e6;

/// Boundaries `0 = c_0 < … < c_p = n` splitting `n` columns (or rows) into about
/// `parts` pieces (multiples of `unit` except the last) of about equal `weight`.
fn splits(
    n: usize,
    parts: usize,
    unit: usize,
    weight: impl Fn(usize) -> f64,
    out: &mut [usize; 2 * MAX_THREADS + 1],
) -> usize {
    let parts = parts.clamp(1, 2 * MAX_THREADS);
    let total: f64 = (0..n).map(&weight).sum();
    let mut cnt = 0;
    out[0] = 0;
    let mut acc = 0.0;
    let mut j = 0;
    while j < n && cnt + 1 < parts {
        acc += weight(j);
        j += 1;
        if acc >= total * (cnt + 1) as f64 / parts as f64 && j % unit == 0 && j < n {
            cnt += 1;
            out[cnt] = j;
        }
    }
    cnt += 1;
    out[cnt] = n;
    cnt
}

/// How many pieces to cut a job of `flops` over `cols` columns into.
fn pieces(par: &Par, flops: f64, cols: usize) -> usize {
    if par.threads() <= 1 || flops < PAR_MIN_FLOPS {
        return 1;
    }
    // Two pieces a thread (dynamic claiming evens out a busy core), at least 16 columns each.
    (2 * par.threads()).min(cols / 16).max(1)
}

/// Parallel [`gemm_serial`]: `C += alpha · A · B` (`tri = Lower`: only `i ≥ j`),
/// split into independent column blocks of `C`.
///
/// # Safety
/// As for [`gemm_serial`]; the workspaces of `par` must fit the dimensions.
pub unsafe fn gemm(par: &Par, alpha: f64, a: MatRef, b: MatRef, c: MatMut, tri: Tri) {
    let (m, n, k) = (c.rows, c.cols, a.cols);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    if tri == Tri::Full && c.cs != 1 && c.rs == 1 {
        return gemm(par, alpha, b.t(), a.t(), c.t(), Tri::Full);
    }
    let lower = tri == Tri::Lower;
    let flops = 2.0 * m as f64 * n as f64 * k as f64 * if lower { 0.5 } else { 1.0 };
    if crate::gemm::reads_a_in_place(a, c, tri) {
        // Too few columns to split: split the rows (each streams its own rows of A).
        let p = pieces(par, flops, m);
        if p <= 1 {
            return gemm_serial(par.ws(0), alpha, a, b, c, tri);
        }
        let mut cuts = [0usize; 2 * MAX_THREADS + 1];
        let cnt = splits(m, p, MR, |_| 1.0, &mut cuts);
        return par.run(cnt, &|i, tid| {
            let (r0, r1) = (cuts[i], cuts[i + 1]);
            gemm_serial(par.ws(tid), alpha, a.sub(r0, 0, r1 - r0, k), b, c.sub(r0, 0, r1 - r0, n), tri);
        });
    }
    let p = pieces(par, flops, n);
    if p <= 1 {
        return gemm_serial(par.ws(0), alpha, a, b, c, tri);
    }
    let mut cuts = [0usize; 2 * MAX_THREADS + 1];
    let cnt = if lower {
        splits(n, p, NR, |j| m.saturating_sub(j) as f64, &mut cuts)
    } else {
        splits(n, p, NR, |_| 1.0, &mut cuts)
    };
    par.run(cnt, &|i, tid| {
        let (c0, c1) = (cuts[i], cuts[i + 1]);
        let w = c1 - c0;
        if lower {
            if c0 < m {
                gemm_serial(par.ws(tid), alpha, a.sub(c0, 0, m - c0, k), b.sub(0, c0, k, w), c.sub(c0, c0, m - c0, w), tri);
            }
        } else {
            gemm_serial(par.ws(tid), alpha, a, b.sub(0, c0, k, w), c.sub(0, c0, m, w), tri);
        }
    });
}

/// Runs `f(ws, b_cols)` on independent column blocks of `b` (n×m), for routines whose
/// columns do not interact (triangular solves and multiplies): `flops` decides whether
/// to split at all.
///
/// # Safety
/// `f` must only touch its own column block of `b`.
pub unsafe fn by_columns(par: &Par, b: MatMut, flops: f64, f: &(dyn Fn(&mut Workspace, MatMut) + Sync)) {
    let m = b.cols;
    let p = pieces(par, flops, m);
    if p <= 1 {
        return f(par.ws(0), b);
    }
    let mut cuts = [0usize; 2 * MAX_THREADS + 1];
    // Whole tiles of the triangular base case (crate::tri_tile) in every piece but the last.
    let cnt = splits(m, p, TW, |_| 1.0, &mut cuts);
    par.run(cnt, &|i, tid| {
        let (c0, c1) = (cuts[i], cuts[i + 1]);
        f(par.ws(tid), b.sub(0, c0, b.rows, c1 - c0));
    });
}

/// Parallel `B ← L⁻¹ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::trsm::trsm_left_lower`].
pub unsafe fn trsm_left_lower(par: &Par, l: MatRef, b: MatMut) {
    let flops = l.rows as f64 * l.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::trsm::trsm_left_lower(ws, l, bb));
}

/// Parallel `B ← U⁻¹ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::trsm::trsm_left_upper`].
pub unsafe fn trsm_left_upper(par: &Par, u: MatRef, b: MatMut) {
    let flops = u.rows as f64 * u.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::trsm::trsm_left_upper(ws, u, bb));
}

/// Parallel `B ← Lᵀ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::trsm::trmm_left_lower_trans`].
pub unsafe fn trmm_left_lower_trans(par: &Par, l: MatRef, b: MatMut) {
    let flops = l.rows as f64 * l.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::trsm::trmm_left_lower_trans(ws, l, bb));
}
