//! Vector helpers for the unblocked base cases (dot products and axpys over
//! strided vectors, with contiguous fast paths that the compiler vectorises).

/// `Σ x[i·incx] · y[i·incy]` for `i < n`.
///
/// # Safety
/// Both vectors must address `n` valid elements.
#[inline]
pub unsafe fn dot(n: usize, x: *const f64, incx: isize, y: *const f64, incy: isize) -> f64 {
    if incx == 1 && incy == 1 {
        let x = core::slice::from_raw_parts(x, n);
        let y = core::slice::from_raw_parts(y, n);
        // Four independent partial sums: lets the compiler use two f64x2 lanes
        // without reassociating a single chain.
        let mut s = [0.0f64; 4];
        let mut xc = x.chunks_exact(4);
        let mut yc = y.chunks_exact(4);
        for (a, b) in (&mut xc).zip(&mut yc) {
            s[0] += a[0] * b[0];
            s[1] += a[1] * b[1];
            s[2] += a[2] * b[2];
            s[3] += a[3] * b[3];
        }
        let mut tail = 0.0;
        for (a, b) in xc.remainder().iter().zip(yc.remainder()) {
            tail += a * b;
        }
        (s[0] + s[2]) + (s[1] + s[3]) + tail
    } else {
        let mut s = 0.0;
        for i in 0..n as isize {
            s += *x.offset(i * incx) * *y.offset(i * incy);
        }
        s
    }
}

/// `y[i·incy] += alpha · x[i·incx]` for `i < n`.
///
/// # Safety
/// Both vectors must address `n` valid elements; they must not overlap.
#[inline]
pub unsafe fn axpy(n: usize, alpha: f64, x: *const f64, incx: isize, y: *mut f64, incy: isize) {
    if incx == 1 && incy == 1 {
        let x = core::slice::from_raw_parts(x, n);
        let y = core::slice::from_raw_parts_mut(y, n);
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    } else {
        for i in 0..n as isize {
            *y.offset(i * incy) += alpha * *x.offset(i * incx);
        }
    }
}

/// `x[i·incx] *= alpha` for `i < n`.
///
/// # Safety
/// The vector must address `n` valid elements.
#[inline]
pub unsafe fn scal(n: usize, alpha: f64, x: *mut f64, incx: isize) {
    if incx == 1 {
        for v in core::slice::from_raw_parts_mut(x, n) {
            *v *= alpha;
        }
    } else {
        for i in 0..n as isize {
            *x.offset(i * incx) *= alpha;
        }
    }
}
