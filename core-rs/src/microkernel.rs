//! The GEMM micro-kernel: `acc = Ã · B̃` for one `MR × NR` tile, where `Ã` is a
//! packed micro-panel of `MR` rows and `B̃` one of `NR` columns, both stored
//! k-major (`Ã[p*MR + i]`, `B̃[p*NR + j]`).
//!
//! The wasm32 + simd128 build keeps the 4×4 tile in eight `f64x2` registers
//! (wasm has no FMA on this toolchain: one `mul` and one `add` per pair). Every
//! other target runs the portable version below, which has the same tile shape and
//! the same summation order, so the blocking logic is tested natively.

/// Rows of a micro-tile.
pub const MR: usize = 4;
/// Columns of a micro-tile.
pub const NR: usize = 4;

/// `acc[i*NR + j] = Σ_p a[p*MR + i] · b[p*NR + j]` for `p < k`.
///
/// # Safety
/// `a` holds `k*MR` and `b` `k*NR` readable elements.
#[inline(always)]
pub unsafe fn kernel(k: usize, a: *const f64, b: *const f64, acc: &mut [f64; MR * NR]) {
    tile(k, Packed(a), b, acc)
}

/// [`kernel`] with `Ã` read in place: row `i` of the tile is `a[i]` (`k` contiguous
/// elements each), so a product whose `A` is used only a few times needs no packed copy.
/// The operations and their order are [`kernel`]'s, so the results are the same bits.
///
/// # Safety
/// Each of the `MR` rows `a[i]` holds `k` readable elements (repeat a row to pad); `b`
/// holds `k*NR`.
#[inline(always)]
pub unsafe fn kernel_rows(k: usize, a: [*const f64; MR], b: *const f64, acc: &mut [f64; MR * NR]) {
    tile(k, Rows(a), b, acc)
}

/// Where the tile product reads `Ã`: element `i` of the current step, then the next step.
trait Panel {
    unsafe fn get(&self, i: usize) -> f64;
    unsafe fn advance(&mut self);
}

/// A packed micro-panel: one pointer, `MR` elements a step.
struct Packed(*const f64);
impl Panel for Packed {
    #[inline(always)]
    unsafe fn get(&self, i: usize) -> f64 {
        *self.0.add(i)
    }
    #[inline(always)]
    unsafe fn advance(&mut self) {
        self.0 = self.0.add(MR);
    }
}

/// `MR` rows read in place: one pointer a row, one element a step.
struct Rows([*const f64; MR]);
impl Panel for Rows {
    #[inline(always)]
    unsafe fn get(&self, i: usize) -> f64 {
        *self.0[i]
    }
    #[inline(always)]
    unsafe fn advance(&mut self) {
        for r in self.0.iter_mut() {
            *r = r.add(1);
        }
    }
}

/// The tile product itself. The wasm32 + simd128 build keeps the 4×4 tile in eight
/// `f64x2` registers.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn tile(k: usize, mut a: impl Panel, b: *const f64, acc: &mut [f64; MR * NR]) {
    use core::arch::wasm32::*;
    let z = f64x2_splat(0.0);
    let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
    let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
    let mut b = b;
    for _ in 0..k {
        let b0 = v128_load(b as *const v128);
        let b1 = v128_load(b.add(2) as *const v128);
        let a0 = f64x2_splat(a.get(0));
        c00 = f64x2_add(c00, f64x2_mul(a0, b0));
        c01 = f64x2_add(c01, f64x2_mul(a0, b1));
        let a1 = f64x2_splat(a.get(1));
        c10 = f64x2_add(c10, f64x2_mul(a1, b0));
        c11 = f64x2_add(c11, f64x2_mul(a1, b1));
        let a2 = f64x2_splat(a.get(2));
        c20 = f64x2_add(c20, f64x2_mul(a2, b0));
        c21 = f64x2_add(c21, f64x2_mul(a2, b1));
        let a3 = f64x2_splat(a.get(3));
        c30 = f64x2_add(c30, f64x2_mul(a3, b0));
        c31 = f64x2_add(c31, f64x2_mul(a3, b1));
        a.advance();
        b = b.add(NR);
    }
    let o = acc.as_mut_ptr();
    v128_store(o as *mut v128, c00);
    v128_store(o.add(2) as *mut v128, c01);
    v128_store(o.add(4) as *mut v128, c10);
    v128_store(o.add(6) as *mut v128, c11);
    v128_store(o.add(8) as *mut v128, c20);
    v128_store(o.add(10) as *mut v128, c21);
    v128_store(o.add(12) as *mut v128, c30);
    v128_store(o.add(14) as *mut v128, c31);
}

/// Portable tile product (same tile, same order of operations).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn tile(k: usize, mut a: impl Panel, b: *const f64, acc: &mut [f64; MR * NR]) {
    let b = core::slice::from_raw_parts(b, k * NR);
    let mut c = [0.0f64; MR * NR];
    for bp in b.chunks_exact(NR) {
        for i in 0..MR {
            let ai = a.get(i);
            for j in 0..NR {
                c[i * NR + j] += ai * bp[j];
            }
        }
        a.advance();
    }
    *acc = c;
}

/// `c[i*rs + j] += alpha * acc[i*NR + j]` for a full tile over row-major memory.
///
/// # Safety
/// `c` addresses an `MR × NR` block with row stride `rs` and unit column stride.
#[inline(always)]
pub unsafe fn store_full(acc: &[f64; MR * NR], alpha: f64, c: *mut f64, rs: isize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let al = f64x2_splat(alpha);
        let s = acc.as_ptr();
        for i in 0..MR {
            let row = c.offset(i as isize * rs);
            for j in (0..NR).step_by(2) {
                let p = row.add(j) as *mut v128;
                let v = v128_load(s.add(i * NR + j) as *const v128);
                v128_store(p, f64x2_add(v128_load(p), f64x2_mul(al, v)));
            }
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        for i in 0..MR {
            let row = c.offset(i as isize * rs);
            for j in 0..NR {
                *row.add(j) += alpha * acc[i * NR + j];
            }
        }
    }
}
