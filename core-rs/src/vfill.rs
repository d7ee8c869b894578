//! Filling and copying float64 slices two lanes at a time on wasm32 + simd128.
//!
//! Without bulk-memory (the single-thread build), `slice::fill` and `copy_from_slice`
//! become calls to compiler-builtins' `memset` / `memcpy`, or inlined loops, that move
//! four bytes at a time: on kernel tiles (a few KiB, cleared and copied many times a
//! tile) that costs more than the arithmetic. These loops move 16 bytes at a time.
//! Natively they are the standard library's, with the same results.

/// `dst[i] = 0` for every element.
#[inline]
pub fn zero(dst: &mut [f64]) {
    fill(dst, 0.0);
}

/// `dst[i] = v` for every element.
#[inline]
pub fn fill(dst: &mut [f64], v: f64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        // (Read through a volatile load, so that LLVM cannot turn the loop back into
        // a call to `memset`.)
        let s = f64x2_splat(unsafe { core::ptr::read_volatile(&v) });
        let pairs = dst.len() / 2;
        let p = dst.as_mut_ptr();
        for i in 0..pairs {
            // SAFETY: 2i + 1 < dst.len(); unaligned v128 stores are allowed.
            unsafe { v128_store(p.add(2 * i) as *mut v128, s) };
        }
        if dst.len() % 2 == 1 {
            dst[2 * pairs] = v;
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    dst.fill(v);
}

/// `dst.copy_from_slice(src)` (the lengths must agree).
#[inline]
pub fn copy(dst: &mut [f64], src: &[f64]) {
    assert_eq!(dst.len(), src.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let pairs = dst.len() / 2;
        let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
        for i in 0..pairs {
            // SAFETY: 2i + 1 < len for both (checked above); distinct borrows, so the
            // slices do not overlap.
            unsafe { v128_store(d.add(2 * i) as *mut v128, v128_load(s.add(2 * i) as *const v128)) };
        }
        if dst.len() % 2 == 1 {
            dst[2 * pairs] = src[2 * pairs];
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    dst.copy_from_slice(src);
}

/// Copies `n` values from `src` to `dst` (raw pointers, for output rows shared
/// between threads).
///
/// # Safety
/// `src` valid for `n` reads, `dst` for `n` writes, the two not overlapping.
#[inline]
pub unsafe fn copy_raw(dst: *mut f64, src: *const f64, n: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let pairs = n / 2;
        for i in 0..pairs {
            v128_store(dst.add(2 * i) as *mut v128, v128_load(src.add(2 * i) as *const v128));
        }
        if n % 2 == 1 {
            *dst.add(2 * pairs) = *src.add(2 * pairs);
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    core::ptr::copy_nonoverlapping(src, dst, n);
}
