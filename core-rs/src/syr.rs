//! Symmetric rank-1 update on the full matrix.

/// `A ← A + alpha·x xᵀ` on the full row-major n×n `a`.
pub fn syr(a: &mut [f64], n: usize, alpha: f64, x: &[f64]) {
    for (i, row) in a.chunks_exact_mut(n).enumerate().take(n) {
        let s = alpha * x[i];
        for (aij, &xj) in row.iter_mut().zip(x) {
            *aij += s * xj;
        }
    }
}
