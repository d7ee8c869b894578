//! Vectorised `exp` for kernel tiles: two lanes at a time on wasm32 + simd128, with a
//! scalar twin that performs the very same float64 operations (so native tests check
//! the exact numbers the wasm build produces, and remainders match the lanes).
//!
//! Method (as in fdlibm / SLEEF, without a table):
//!
//! 1. `x < −745.5` gives 0 (computed on 0 and masked, so no lane takes the slow path
//!    of an underflowing multiply), `x > 710` is clamped to 710 (giving ∞), NaN
//!    passes through;
//! 2. `k = round(x / ln 2)` with the shifter trick `t = x·log₂e + 1.5·2⁵²` (the low
//!    bits of `t` hold `k`), `r = (x − k·ln2_hi) − k·ln2_lo` with `ln2_hi` having 32
//!    trailing zero bits, so `k·ln2_hi` is exact and `|r| ≤ ½ ln 2 + ε`;
//! 3. `p = exp(r) = 1 + r + r²·q(r)`, `q` the Taylor polynomial of degree 11 of
//!    `(eʳ − 1 − r)/r²` in Estrin's form (truncation `< 2⁻⁶⁰` relative), with the
//!    rounding error of `1 + r` carried along (Fast2Sum) so that `p` is rounded once;
//! 4. `exp(x) = p · 2^k1 · 2^k2` with `k1 = ⌊k/2⌋`, `k2 = k − k1`: both scale factors
//!    are normal numbers for every `k` the clamp allows, so the product is `p·2^k`
//!    rounded once, also where the result is subnormal.
//!
//! Accuracy: within 1 ulp of the platform's `exp` over the whole range, and equal to
//! it for about 95% of arguments (tested natively on dense sweeps, `tests/vexp.rs`).

const LOG2E: f64 = core::f64::consts::LOG2_E;
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
/// 1.5 · 2⁵²: adding it rounds to an integer held in the low mantissa bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const SHIFTER_BITS: i64 = 0x4338_0000_0000_0000;
/// Below this `exp` rounds to 0 (`ln 2⁻¹⁰⁷⁵ ≈ −745.133`).
const LO: f64 = -745.5;
const HI: f64 = 710.0;

/// `A[j] = 1/(j+2)!`: `(eʳ − 1 − r)/r² = Σ_j A[j] rʲ` (truncated at j = 11).
const A: [f64; 12] = [
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `exp(x)`, the scalar twin of the vector lanes.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x < LO {
        return 0.0;
    }
    let x = if HI < x { HI } else { x };
    let t = x * LOG2E + SHIFTER;
    let kf = t - SHIFTER;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    // Estrin's scheme: a short dependency chain, so that neighbouring lanes overlap.
    let (r2, a) = (r * r, &A);
    let r4 = r2 * r2;
    let p0 = (a[0] + a[1] * r) + r2 * (a[2] + a[3] * r);
    let p1 = (a[4] + a[5] * r) + r2 * (a[6] + a[7] * r);
    let p2 = (a[8] + a[9] * r) + r2 * (a[10] + a[11] * r);
    let q = p0 + r4 * (p1 + r4 * p2);
    // 1 + r + r²·q with the rounding error of 1 + r carried along (Fast2Sum).
    let hi = 1.0 + r;
    let lo = (1.0 - hi) + r;
    let p = hi + (lo + r2 * q);
    let k1 = (kf * 0.5).floor();
    let k2 = kf - k1;
    p * pow2(k1) * pow2(k2)
}

/// `2^k` for an integral `k` in `[-1022, 1023]`, through the shifter's bit pattern.
#[inline(always)]
fn pow2(k: f64) -> f64 {
    let bits = ((k + SHIFTER).to_bits() as i64).wrapping_add(1023 - SHIFTER_BITS);
    f64::from_bits((bits << 52) as u64)
}

/// `v[i] ← exp(scale · v[i])` for every element.
#[inline]
pub fn exp_scaled_inplace(v: &mut [f64], scale: f64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let pairs = v.len() / 2;
        // SAFETY: `pairs * 2 <= v.len()`; unaligned v128 loads/stores are allowed.
        unsafe { exp_scaled_pairs(v.as_mut_ptr(), pairs, scale) };
        for x in v[pairs * 2..].iter_mut() {
            *x = exp(scale * *x);
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for x in v.iter_mut() {
        *x = exp(scale * *x);
    }
}

/// The constants of the vector loop, read through volatile loads so that they stay
/// in registers: V8 rebuilds every `v128.const` inside a loop from immediates.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
static VCONST: [f64; 8 + 12] = [
    LO, HI, LOG2E, SHIFTER, LN2_HI, LN2_LO, 1.0, 0.5, //
    A[0], A[1], A[2], A[3], A[4], A[5], A[6], A[7], A[8], A[9], A[10], A[11],
];

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
unsafe fn exp_scaled_pairs(p: *mut f64, pairs: usize, scale: f64) {
    use core::arch::wasm32::*;
    let k = |i: usize| f64x2_splat(core::ptr::read_volatile(&VCONST[i]));
    let sc = f64x2_splat(scale);
    let (lo, hi, log2e, shifter) = (k(0), k(1), k(2), k(3));
    let (ln2_hi, ln2_lo, one, half) = (k(4), k(5), k(6), k(7));
    let a: [v128; 12] = [k(8), k(9), k(10), k(11), k(12), k(13), k(14), k(15), k(16), k(17), k(18), k(19)];
    let (add, mul) = (f64x2_add, f64x2_mul);
    let bias = i64x2_splat(core::ptr::read_volatile(&(1023 - SHIFTER_BITS)));
    let pow2 = |k: v128| i64x2_shl(i64x2_add(f64x2_add(k, shifter), bias), 52);
    for i in 0..pairs {
        let ptr = p.add(2 * i) as *mut v128;
        let x = f64x2_mul(sc, v128_load(ptr));
        // Lanes below LO give 0; they are computed on 0 instead, so that no lane takes
        // the slow path of an underflowing multiply. pmin keeps NaN (first operand).
        let under = f64x2_lt(x, lo);
        let x = f64x2_pmin(v128_andnot(x, under), hi);
        let t = f64x2_add(f64x2_mul(x, log2e), shifter);
        let kf = f64x2_sub(t, shifter);
        let r = f64x2_sub(f64x2_sub(x, f64x2_mul(kf, ln2_hi)), f64x2_mul(kf, ln2_lo));
        let r2 = mul(r, r);
        let r4 = mul(r2, r2);
        let p0 = add(add(a[0], mul(a[1], r)), mul(r2, add(a[2], mul(a[3], r))));
        let p1 = add(add(a[4], mul(a[5], r)), mul(r2, add(a[6], mul(a[7], r))));
        let p2 = add(add(a[8], mul(a[9], r)), mul(r2, add(a[10], mul(a[11], r))));
        let q = add(p0, mul(r4, add(p1, mul(r4, p2))));
        let h = f64x2_add(one, r);
        let l = f64x2_add(f64x2_sub(one, h), r);
        let pr = f64x2_add(h, f64x2_add(l, f64x2_mul(r2, q)));
        let k1 = f64x2_floor(f64x2_mul(kf, half));
        let k2 = f64x2_sub(kf, k1);
        let y = f64x2_mul(f64x2_mul(pr, pow2(k1)), pow2(k2));
        v128_store(ptr, v128_andnot(y, under));
    }
}
