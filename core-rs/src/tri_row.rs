//! [`Row8`]: eight consecutive `f64` of one row of a triangular base case's tile, held
//! in four `f64x2` registers in the wasm32 + simd128 build ([`crate::tri_tile`]). Every
//! other target runs the portable twin below: the same operations on each element, so
//! the two give the same bits and the tile logic is tested natively.

/// Columns of a [`Row8`].
pub const RW: usize = 8;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type V = core::arch::wasm32::v128;

/// Four `f64x2` registers (named fields, not an array, so that they stay registers).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub struct Row8(V, V, V, V);

/// Applies `$body` to each register `$v` (with its index `$j`) of a [`Row8`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
macro_rules! each {
    ($a:expr, |$v:ident, $j:ident| $body:expr) => {{
        let a = $a;
        {
            let ($v, $j) = (&mut a.0, 0usize);
            $body
        }
        {
            let ($v, $j) = (&mut a.1, 1usize);
            $body
        }
        {
            let ($v, $j) = (&mut a.2, 2usize);
            $body
        }
        {
            let ($v, $j) = (&mut a.3, 3usize);
            $body
        }
    }};
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Row8 {
    /// `p[0..8]`.
    #[inline(always)]
    pub unsafe fn load(p: *const f64) -> Row8 {
        use core::arch::wasm32::*;
        let p = p as *const V;
        Row8(v128_load(p), v128_load(p.add(1)), v128_load(p.add(2)), v128_load(p.add(3)))
    }
    /// `self ← self · d`.
    #[inline(always)]
    pub unsafe fn scale(&mut self, d: f64) {
        use core::arch::wasm32::*;
        let d = f64x2_splat(d);
        each!(self, |v, _j| *v = f64x2_mul(*v, d));
    }
    /// `self ← self + c · x[0..8]`.
    #[inline(always)]
    pub unsafe fn axpy(&mut self, c: f64, x: *const f64) {
        use core::arch::wasm32::*;
        let c = f64x2_splat(c);
        let x = x as *const V;
        each!(self, |v, j| *v = f64x2_add(*v, f64x2_mul(c, v128_load(x.add(j)))));
    }
    /// `self ← self + c · x`.
    #[inline(always)]
    pub unsafe fn axpy_row(&mut self, c: f64, x: &Row8) {
        use core::arch::wasm32::*;
        let c = f64x2_splat(c);
        self.0 = f64x2_add(self.0, f64x2_mul(c, x.0));
        self.1 = f64x2_add(self.1, f64x2_mul(c, x.1));
        self.2 = f64x2_add(self.2, f64x2_mul(c, x.2));
        self.3 = f64x2_add(self.3, f64x2_mul(c, x.3));
    }
    /// `self ← self / d` (a true division).
    #[inline(always)]
    pub unsafe fn div(&mut self, d: f64) {
        use core::arch::wasm32::*;
        let d = f64x2_splat(d);
        each!(self, |v, _j| *v = f64x2_div(*v, d));
    }
    /// `p[0..8] ← self`.
    #[inline(always)]
    pub unsafe fn store(&mut self, p: *mut f64) {
        use core::arch::wasm32::*;
        let p = p as *mut V;
        each!(self, |v, j| v128_store(p.add(j), *v));
    }
}

/// Portable [`Row8`] (the same operations, element by element).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub struct Row8([f64; RW]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl Row8 {
    /// `p[0..8]`.
    #[inline(always)]
    pub unsafe fn load(p: *const f64) -> Row8 {
        Row8(core::array::from_fn(|j| *p.add(j)))
    }
    /// `self ← self · d`.
    #[inline(always)]
    pub unsafe fn scale(&mut self, d: f64) {
        for v in self.0.iter_mut() {
            *v *= d;
        }
    }
    /// `self ← self + c · x[0..8]`.
    #[inline(always)]
    pub unsafe fn axpy(&mut self, c: f64, x: *const f64) {
        for (j, v) in self.0.iter_mut().enumerate() {
            *v += c * *x.add(j);
        }
    }
    /// `self ← self + c · x`.
    #[inline(always)]
    pub unsafe fn axpy_row(&mut self, c: f64, x: &Row8) {
        for (v, xj) in self.0.iter_mut().zip(x.0.iter()) {
            *v += c * *xj;
        }
    }
    /// `self ← self / d` (a true division).
    #[inline(always)]
    pub unsafe fn div(&mut self, d: f64) {
        for v in self.0.iter_mut() {
            *v /= d;
        }
    }
    /// `p[0..8] ← self`.
    #[inline(always)]
    pub unsafe fn store(&mut self, p: *mut f64) {
        for (j, v) in self.0.iter().enumerate() {
            *p.add(j) = *v;
        }
    }
}
