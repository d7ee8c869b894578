//! Vectorised `exp` for kernel tiles: two lanes at a time on wasm32 + simd128, with a
//! scalar twin that performs the very same float64 operations (so native tests check
//! the exact numbers the wasm build produces, and remainders match the lanes).
//!
//! Method (ARM optimized-routines' `exp`, as in glibc; 128-entry table):
//!
//! 1. `k = round(x · 128/ln 2)` with the shifter trick `t = x·(128/ln 2) + 1.5·2⁵²`
//!    (the low bits of `t` hold `k`), `r = (x − k·ln2hi/128) − k·ln2lo/128` with
//!    `ln2hi` having 16 trailing zero bits, so `k·ln2hi/128` is exact and
//!    `|r| ≤ ln 2/256 + ε`;
//! 2. `2^(k/128) = H·2^⌊k/128⌋·(1 + T)` from the table (`vexp_table.rs`): the scale `s`
//!    is `H·2^⌊k/128⌋` built by an integer add on the bits, `T` the tail;
//! 3. `exp(x) = s + s·(T + r + r²(½ + r/6) + r⁴(1/24 + r/120))` (Taylor to degree 5:
//!    truncation `< 2⁻⁶⁰` relative), rounded once at the end.
//!
//! Fewer operations than a long polynomial: the lanes are throughput bound. Lanes with
//! `|x| ≥ 708` (where `s` would leave the normal range), and NaN, take the scalar path,
//! which scales in two steps (glibc's `specialcase`, rounding subnormal results once);
//! lanes with `x < −745.5` give 0.
//!
//! Accuracy: within 1 ulp of the platform's `exp` over the whole range (≈ 0.51 ulp of
//! the exact value), and equal to it for almost all arguments (tested natively on dense
//! sweeps, `tests/vexp.rs`).

use crate::vexp_table::TAB;

const INV_LN2_N: f64 = 184.664_965_233_787_3; // 128 / ln 2 (0x1.71547652b82fep7)
const NEG_LN2_HI_N: f64 = -5.415_212_348_111_709e-3; // -0x1.62e42fefa0000p-8
const NEG_LN2_LO_N: f64 = -1.286_402_311_163_834_6e-14; // -0x1.cf79abc9e3b3ap-47
/// 1.5 · 2⁵²: adding it rounds to an integer held in the low mantissa bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const C2: f64 = 0.5;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
/// Below this `exp` rounds to 0 (`ln 2⁻¹⁰⁷⁵ ≈ −745.133`).
const LO: f64 = -745.5;
/// Above this `exp` is ∞ (`ln(2¹⁰²⁴) ≈ 709.78`).
const HI: f64 = 710.0;
/// `|x| < BIG`: the scale `H·2^⌊k/128⌋` and the result are normal numbers.
const BIG: f64 = 708.0;

/// `exp(x)`, the scalar twin of the vector lanes.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x < LO {
        0.0
    } else if x.abs() < BIG {
        let (tmp, sbits, _) = reduce(x);
        let s = f64::from_bits(sbits);
        s + s * tmp
    } else {
        exp_special(x)
    }
}

/// Steps 1–2 and the polynomial: `(tmp, bits of s, k)` with `exp(x) ≈ s·(1 + tmp)`.
#[inline(always)]
fn reduce(x: f64) -> (f64, u64, u64) {
    let kd = x * INV_LN2_N + SHIFTER;
    let ki = kd.to_bits();
    let kd = kd - SHIFTER;
    let r = (x + kd * NEG_LN2_HI_N) + kd * NEG_LN2_LO_N;
    let idx = 2 * (ki & 127) as usize;
    let tail = f64::from_bits(TAB[idx]);
    let sbits = TAB[idx + 1].wrapping_add(ki << 45);
    let r2 = r * r;
    let tmp = ((tail + r) + r2 * (C2 + r * C3)) + (r2 * r2) * (C4 + r * C5);
    (tmp, sbits, ki)
}

/// `x` NaN or `|x| ≥ BIG`, `x ≥ LO`: the scale in two steps, so that it stays normal.
#[cold]
fn exp_special(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = if HI < x { HI } else { x };
    let (tmp, sbits, ki) = reduce(x);
    if ki & 0x8000_0000 == 0 {
        // k > 0: s·2⁻¹⁰⁰⁹ is normal; the product overflows to ∞ where it should.
        let s = f64::from_bits(sbits.wrapping_sub(1009 << 52));
        return f64::from_bits(0x7f00_0000_0000_0000) * (s + s * tmp); // 2¹⁰⁰⁹
    }
    // k < 0: s·2¹⁰²² is normal; a subnormal result is rounded to its precision before
    // the last scaling, so that it is rounded once.
    let s = f64::from_bits(sbits.wrapping_add(1022 << 52));
    let mut y = s + s * tmp;
    if y < 1.0 {
        let lo = (s - y) + s * tmp;
        let hi = 1.0 + y;
        let lo = ((1.0 - hi) + y) + lo;
        y = (hi + lo) - 1.0;
    }
    f64::from_bits(0x0010_0000_0000_0000) * y // 2⁻¹⁰²²
}

/// `v[i] ← exp(scale · v[i])` for every element.
#[inline]
pub fn exp_scaled_inplace(v: &mut [f64], scale: f64) {
    exp_scaled_mul::<false>(v, scale, 1.0);
}

/// `v[i] ← exp(scale · v[i]) · c` for every element (the product rounded as a separate
/// multiply would round it, without a second pass).
#[inline]
pub fn exp_scaled_mul_inplace(v: &mut [f64], scale: f64, c: f64) {
    exp_scaled_mul::<true>(v, scale, c);
}

#[inline(always)]
fn exp_scaled_mul<const MUL: bool>(v: &mut [f64], scale: f64, c: f64) {
    let tail = |x: &mut f64| {
        let y = exp(scale * *x);
        *x = if MUL { y * c } else { y };
    };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let quads = v.len() / 4;
        // SAFETY: `quads * 4 <= v.len()`; unaligned v128 loads/stores are allowed.
        unsafe { exp_scaled_quads::<MUL>(v.as_mut_ptr(), quads, scale, c) };
        v[quads * 4..].iter_mut().for_each(tail);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    v.iter_mut().for_each(tail);
}

/// The constants of the vector loop, read through volatile loads so that they stay
/// in registers: V8 rebuilds every `v128.const` inside a loop from immediates.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
static VCONST: [f64; 11] = [LO, BIG, -BIG, INV_LN2_N, SHIFTER, NEG_LN2_HI_N, NEG_LN2_LO_N, C2, C3, C4, C5];

/// The vector loop's constants, splatted.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
struct Consts {
    lo: core::arch::wasm32::v128,
    big: core::arch::wasm32::v128,
    neg_big: core::arch::wasm32::v128,
    k: [core::arch::wasm32::v128; 8],
}

/// Two lanes of the main path (`|x| < BIG`, or any `x` in lanes masked off later).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn lanes(x: core::arch::wasm32::v128, c: &Consts) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    let (add, mul) = (f64x2_add, f64x2_mul);
    let [inv_ln2_n, shifter, ln2_hi, ln2_lo, c2, c3, c4, c5] = c.k;
    let kd = add(mul(x, inv_ln2_n), shifter);
    let ki = kd;
    let kd = f64x2_sub(kd, shifter);
    let r = add(add(x, mul(kd, ln2_hi)), mul(kd, ln2_lo));
    let tab = TAB.as_ptr();
    let i0 = 2 * (i64x2_extract_lane::<0>(ki) & 127) as usize;
    let i1 = 2 * (i64x2_extract_lane::<1>(ki) & 127) as usize;
    let (e0, e1) = (v128_load(tab.add(i0) as *const v128), v128_load(tab.add(i1) as *const v128));
    let tail = i64x2_shuffle::<0, 2>(e0, e1);
    let s = i64x2_add(i64x2_shuffle::<1, 3>(e0, e1), i64x2_shl(ki, 45));
    let r2 = mul(r, r);
    let tmp = add(add(add(tail, r), mul(r2, add(c2, mul(r, c3)))), mul(mul(r2, r2), add(c4, mul(r, c5))));
    add(s, mul(s, tmp))
}

/// `p[i] ← exp(scale · p[i])` (times `c` with `MUL`) for `i < 4·quads`, four at a time
/// (two independent vectors, one range check).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
unsafe fn exp_scaled_quads<const MUL: bool>(p: *mut f64, quads: usize, scale: f64, c: f64) {
    use core::arch::wasm32::*;
    let ld = |i: usize| f64x2_splat(core::ptr::read_volatile(&VCONST[i]));
    let k = Consts { lo: ld(0), big: ld(1), neg_big: ld(2), k: [ld(3), ld(4), ld(5), ld(6), ld(7), ld(8), ld(9), ld(10)] };
    let sc = f64x2_splat(scale);
    let cc = f64x2_splat(c);
    for i in 0..quads {
        let (pa, pb) = (p.add(4 * i) as *mut v128, p.add(4 * i + 2) as *mut v128);
        let (xa, xb) = (f64x2_mul(sc, v128_load(pa)), f64x2_mul(sc, v128_load(pb)));
        // Lanes below LO give 0; they are computed on 0 instead, so that no lane takes
        // the slow path of an underflowing multiply.
        let (ua, ub) = (f64x2_lt(xa, k.lo), f64x2_lt(xb, k.lo));
        let (xa, xb) = (v128_andnot(xa, ua), v128_andnot(xb, ub));
        // (Two compares: V8's f64x2.abs reads its mask from memory.)
        let in_range = |x: v128| v128_and(f64x2_lt(x, k.big), f64x2_gt(x, k.neg_big));
        let ok = v128_and(in_range(xa), in_range(xb));
        if !i64x2_all_true(ok) {
            // |x| ≥ BIG or NaN in a lane: all four on the scalar path (same numbers).
            for j in 0..4 {
                let q = p.add(4 * i + j);
                let y = exp(scale * *q);
                *q = if MUL { y * c } else { y };
            }
            continue;
        }
        let (ya, yb) = (v128_andnot(lanes(xa, &k), ua), v128_andnot(lanes(xb, &k), ub));
        let (ya, yb) = if MUL { (f64x2_mul(ya, cc), f64x2_mul(yb, cc)) } else { (ya, yb) };
        v128_store(pa, ya);
        v128_store(pb, yb);
    }
}
