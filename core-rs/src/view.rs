//! Strided matrix views over raw memory.
//!
//! Every dense routine in this crate works on views `(ptr, rows, cols, rs, cs)`:
//! element `(i, j)` lives at `ptr + i*rs + j*cs`. A transpose is a view with the
//! strides swapped, so one solver serves `L`, `Lᵀ`, left and right sides; only the
//! packing routines of [`crate::gemm`] care about the actual memory order.
//!
//! Views are `Copy` and carry no lifetime: the ABI layer (`lib.rs`) checks sizes
//! and pointers once, and the algorithms below it only ever address elements
//! inside the views they were given.

/// A read-only strided view.
#[derive(Clone, Copy, Debug)]
pub struct MatRef {
    pub ptr: *const f64,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

/// A writable strided view.
#[derive(Clone, Copy, Debug)]
pub struct MatMut {
    pub ptr: *mut f64,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

// SAFETY: views are plain addresses; the routines that share one across threads
// (crate::par) give each thread disjoint elements to write.
unsafe impl Send for MatRef {}
unsafe impl Sync for MatRef {}
unsafe impl Send for MatMut {}
unsafe impl Sync for MatMut {}

impl MatRef {
    /// A row-major `rows × cols` matrix with leading dimension `ld`.
    #[inline]
    pub fn row_major(ptr: *const f64, rows: usize, cols: usize, ld: usize) -> MatRef {
        MatRef { ptr, rows, cols, rs: ld as isize, cs: 1 }
    }

    /// Pointer to element `(i, j)` (no bounds check; may point one past a view edge).
    #[inline(always)]
    pub fn ptr_at(&self, i: usize, j: usize) -> *const f64 {
        self.ptr.wrapping_offset(i as isize * self.rs + j as isize * self.cs)
    }

    /// Element `(i, j)`.
    ///
    /// # Safety
    /// `i < rows`, `j < cols` and the view must address valid memory.
    #[inline(always)]
    pub unsafe fn at(&self, i: usize, j: usize) -> f64 {
        *self.ptr_at(i, j)
    }

    /// The transposed view.
    #[inline]
    pub fn t(self) -> MatRef {
        MatRef { ptr: self.ptr, rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs }
    }

    /// The `rows × cols` block starting at `(i, j)`.
    #[inline]
    pub fn sub(self, i: usize, j: usize, rows: usize, cols: usize) -> MatRef {
        debug_assert!(i + rows <= self.rows && j + cols <= self.cols);
        MatRef { ptr: self.ptr_at(i, j), rows, cols, rs: self.rs, cs: self.cs }
    }
}

impl MatMut {
    /// A row-major `rows × cols` matrix with leading dimension `ld`.
    #[inline]
    pub fn row_major(ptr: *mut f64, rows: usize, cols: usize, ld: usize) -> MatMut {
        MatMut { ptr, rows, cols, rs: ld as isize, cs: 1 }
    }

    /// Pointer to element `(i, j)` (no bounds check; may point one past a view edge).
    #[inline(always)]
    pub fn ptr_at(&self, i: usize, j: usize) -> *mut f64 {
        self.ptr.wrapping_offset(i as isize * self.rs + j as isize * self.cs)
    }

    /// Element `(i, j)`.
    ///
    /// # Safety
    /// `i < rows`, `j < cols` and the view must address valid memory.
    #[inline(always)]
    pub unsafe fn at(&self, i: usize, j: usize) -> f64 {
        *self.ptr_at(i, j)
    }

    /// Writes element `(i, j)`.
    ///
    /// # Safety
    /// As for [`MatMut::at`].
    #[inline(always)]
    pub unsafe fn set(&self, i: usize, j: usize, v: f64) {
        *self.ptr_at(i, j) = v;
    }

    /// The same memory, read-only.
    #[inline]
    pub fn rb(self) -> MatRef {
        MatRef { ptr: self.ptr, rows: self.rows, cols: self.cols, rs: self.rs, cs: self.cs }
    }

    /// The transposed view.
    #[inline]
    pub fn t(self) -> MatMut {
        MatMut { ptr: self.ptr, rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs }
    }

    /// The `rows × cols` block starting at `(i, j)`.
    #[inline]
    pub fn sub(self, i: usize, j: usize, rows: usize, cols: usize) -> MatMut {
        debug_assert!(i + rows <= self.rows && j + cols <= self.cols);
        MatMut { ptr: self.ptr_at(i, j), rows, cols, rs: self.rs, cs: self.cs }
    }
}

/// Where to split a recursive problem of size `n > 1`: about half, rounded to a
/// multiple of 8 once the problem is large, so sub-blocks line up with the GEMM
/// micro-tiles and with 16-byte boundaries.
#[inline]
pub fn split(n: usize) -> usize {
    let h = n / 2;
    if h >= 16 {
        h & !7
    } else {
        h.max(1)
    }
}
