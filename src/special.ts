/**
 * Special functions in float64: the standard normal density and distribution function, their
 * logarithms (accurate in both tails), the scaled complementary error function, log Γ and ψ
 * (digamma), and the helper that LogExpectedImprovement needs. Plain numbers in, plain numbers
 * out; no imports.
 *
 * Every function here is accurate to about 1e-14 relative (checked in tests/special_test.ts
 * against 50-digit mpmath references, and log Γ and ψ against math.lgamma and closed forms) over
 * the whole float64 range where the result is representable.
 *
 * @module
 */

export { normalInverseCdf } from "./normal_inverse_cdf.ts";

const SQRT1_2 = Math.SQRT1_2;
/** 1 / √(2π) */
const INV_SQRT_2PI = 0.3989422804014327;
/** log √(2π) */
const LOG_SQRT_2PI = 0.9189385332046728;
/** √(2/π) */
const SQRT_2_OVER_PI = 0.7978845608028654;
/** √(π/2) */
const SQRT_PI_OVER_2 = 1.2533141373155003;
/** 1 / √π */
const INV_SQRT_PI = 0.5641895835477563;

/**
 * Chebyshev coefficients of f(t) = (1 + 2x)·erfcx(x) in t = (x − 3.75)/(x + 3.75), x ≥ 0 (after
 * Schonfelder 1978), fitted at 60 Chebyshev nodes with 50-digit arithmetic (mpmath) and cut where
 * the coefficients fall below 1e-19; the first coefficient is already halved.
 */
const ERFCX_CHEB = [
  1.1775789345674017,
  -0.004590054580646478,
  -0.08424913336651792,
  0.05920993999819189,
  -0.026658668435305753,
  0.009074997670705265,
  -0.002413163540417608,
  0.0004907758365258086,
  -6.916973302501207e-05,
  4.13902798607301e-06,
  7.74038306619849e-07,
  -2.1886401049234397e-07,
  1.076499946567091e-08,
  4.521959811218287e-09,
  -7.754400208831351e-10,
  -6.318088340886684e-11,
  2.86879501093067e-11,
  1.9455868545777347e-13,
  -9.65469674843344e-13,
  3.25254814814874e-14,
  3.3478119482868056e-14,
  -1.864562880419313e-15,
  -1.2507950530688648e-15,
  7.418235256624044e-17,
  5.068148904796111e-17,
  -2.2370566594359995e-18,
  -2.187342944303018e-18,
];
const ERFCX_K = 3.75;

/** Splits x² into hi + lo exactly (Veltkamp/Dekker), so that exp(±x²) keeps full accuracy. */
function squareLow(x: number, hi: number): number {
  if (!(Math.abs(x) < 1e150)) return 0;
  const c = 134217729 * x;
  const xh = c - (c - x);
  const xl = x - xh;
  return ((xh * xh - hi) + 2 * xh * xl) + xl * xl;
}

/** exp(−x²/2) without the rounding error of forming x². */
function expNegHalfSquare(x: number): number {
  const hi = x * x;
  const lo = squareLow(x, hi);
  return Math.exp(-0.5 * hi) * (1 - 0.5 * lo);
}

/**
 * The scaled complementary error function erfcx(x) = exp(x²)·erfc(x), accurate to about 1e-15
 * relative for every x: it stays finite where erfc underflows (erfcx(x) ≈ 1/(x√π) for large x)
 * and overflows to Infinity only below x ≈ −26.6, where the true value exceeds the float64 range.
 *
 * @param x any number
 * @returns exp(x²)·erfc(x); NaN for NaN
 *
 * @example
 * ```ts
 * import { erfcx } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(erfcx(0) - 1) < 1e-15);
 * ok(Math.abs(erfcx(30) - 0.01879588886141675) < 1e-17); // erfc(30) itself underflows
 * ```
 */
export function erfcx(x: number): number {
  if (x >= 0) {
    if (x > 1e8) {
      // Asymptotic series; the next term is 3/(4x⁴) ≤ 1e-32.
      return x === Infinity ? 0 : (INV_SQRT_PI / x) * (1 - 0.5 / (x * x));
    }
    const t = (x - ERFCX_K) / (x + ERFCX_K);
    const t2 = 2 * t;
    let b1 = 0;
    let b2 = 0;
    for (let k = ERFCX_CHEB.length - 1; k >= 1; k--) {
      const b = ERFCX_CHEB[k] + t2 * b1 - b2;
      b2 = b1;
      b1 = b;
    }
    return (ERFCX_CHEB[0] + t * b1 - b2) / (1 + 2 * x);
  }
  if (x < 0) {
    if (x < -26.7) return Infinity;
    // erfc(x) = 2 − erfc(−x), so erfcx(x) = 2·exp(x²) − erfcx(−x); no cancellation for x < 0.
    const hi = x * x;
    const lo = squareLow(x, hi);
    return 2 * Math.exp(hi) * (1 + lo) - erfcx(-x);
  }
  return NaN;
}

/**
 * The standard normal density φ(x) = exp(−x²/2)/√(2π).
 *
 * @param x any number
 * @returns φ(x), underflowing to 0 beyond |x| ≈ 38.6
 *
 * @example
 * ```ts
 * import { normalPdf } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(normalPdf(0) - 0.3989422804014327) < 1e-16);
 * ok(normalPdf(1) === normalPdf(-1));
 * ```
 */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * expNegHalfSquare(x);
}

/**
 * The logarithm of the standard normal density, −x²/2 − log √(2π); finite for every finite x.
 *
 * @param x any number
 * @returns log φ(x)
 *
 * @example
 * ```ts
 * import { logNormalPdf } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(logNormalPdf(40) - (-800.9189385332047)) < 1e-12);
 * ```
 */
export function logNormalPdf(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/**
 * The standard normal distribution function Φ(x), accurate to about 1e-15 relative in the lower
 * tail (Φ(−x) = erfcx(x/√2)·exp(−x²/2)/2, no cancellation) and to 1e-16 absolute above 0.
 *
 * @param x any number
 * @returns Φ(x) in [0, 1]
 *
 * @example
 * ```ts
 * import { normalCdf } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(normalCdf(0) === 0.5);
 * ok(Math.abs(normalCdf(-10) / 7.619853024160525e-24 - 1) < 1e-14);
 * ```
 */
export function normalCdf(x: number): number {
  if (x < 0) return 0.5 * erfcx(-x * SQRT1_2) * expNegHalfSquare(x);
  if (x >= 0) return 1 - 0.5 * erfcx(x * SQRT1_2) * expNegHalfSquare(x);
  return NaN;
}

/**
 * The logarithm of the standard normal distribution function, log Φ(x), accurate to 1e-14
 * relative in both tails: below 0 as log(erfcx(−x/√2)/2) − x²/2 (so log Φ(−40) ≈ −804.6 is
 * finite and exact), above 0 as log1p(−Φ(−x)) (so log Φ(10) ≈ −7.6e-24 keeps all its digits).
 *
 * @param x any number
 * @returns log Φ(x) ≤ 0
 *
 * @example
 * ```ts
 * import { logNormalCdf } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(logNormalCdf(-40) / -804.6084420137538 - 1) < 1e-14);
 * ok(Math.abs(logNormalCdf(10) / -7.619853024160525e-24 - 1) < 1e-14);
 * ```
 */
export function logNormalCdf(x: number): number {
  if (x < 0) {
    const hi = x * x;
    const lo = squareLow(x, hi);
    return Math.log(0.5 * erfcx(-x * SQRT1_2)) - 0.5 * hi - 0.5 * lo;
  }
  if (x >= 0) return Math.log1p(-normalCdf(-x));
  return NaN;
}

/**
 * The derivative of log Φ(x), φ(x)/Φ(x) (the inverse Mills ratio), without 0/0 in the lower tail:
 * below 0 it is √(2/π)/erfcx(−x/√2), which grows like −x.
 *
 * @param x any number
 * @returns φ(x)/Φ(x) > 0
 *
 * @example
 * ```ts
 * import { dLogNormalCdf, normalCdf, normalPdf } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(dLogNormalCdf(1) - normalPdf(1) / normalCdf(1)) < 1e-16);
 * ok(Math.abs(dLogNormalCdf(-40) - 40.02496884720726) < 1e-12); // φ, Φ both ≈ 1e-349 there
 * ```
 */
export function dLogNormalCdf(x: number): number {
  if (x < 0) return SQRT_2_OVER_PI / erfcx(-x * SQRT1_2);
  if (x >= 0) return normalPdf(x) / normalCdf(x);
  return NaN;
}

/**
 * log(1 − exp(x)) for x ≤ 0, accurate near 0 and far below it (Mächler 2012: log(−expm1(x))
 * above −log 2, log1p(−exp(x)) below).
 *
 * @param x a number ≤ 0
 * @returns log(1 − eˣ); −Infinity at 0, NaN above 0 or for NaN
 *
 * @example
 * ```ts
 * import { log1mexp } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(log1mexp(-1e-20) - Math.log(1e-20)) < 1e-12);
 * ok(Math.abs(log1mexp(-50) - -1.9287498479639178e-22) < 1e-36);
 * ```
 */
export function log1mexp(x: number): number {
  if (x > -Math.LN2) return x <= 0 ? Math.log(-Math.expm1(x)) : NaN;
  return Math.log1p(-Math.exp(x));
}

/** Below this z, logH and dLogH use the asymptotic series of 1 − |z|·Φ(z)/φ(z) (30 terms at z = −10 reach 1e-18; the erfcx form above it loses z² · 1e-16). */
const LOG_H_ASYMPTOTIC = -10;

/**
 * 1 − x·R(x) = Σₖ (−1)ᵏ⁺¹ (2k−1)!!/x²ᵏ, R the Mills ratio, for x ≥ 10, divided by its leading term
 * 1/x² (returned as the factor, so that nothing underflows for huge x).
 */
function millsComplementFactor(x: number): number {
  const u = 1 / (x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 60; k++) {
    term *= -(2 * k + 1) * u;
    sum += term;
    if (Math.abs(term) < 1e-17 * sum) break;
  }
  return sum;
}

/**
 * LogExpectedImprovement's helper, log h(z) with h(z) = φ(z) + z·Φ(z) (so that
 * EI = σ·h((μ − best)/σ)), in the numerically stable form of Ament et al. 2023 ("Unexpected
 * improvements to expected improvement", BoTorch's `_log_ei_helper`): for z > −1 directly; for
 * −10 < z ≤ −1 as log φ(z) + log(1 − |z|·R) with R = Φ(z)/φ(z) = √(π/2)·erfcx(−z/√2); below −10
 * as log φ(z) − 2 log|z| + log(1 − 3/z² + 15/z⁴ − …) (the asymptotic series, where the subtraction
 * would lose z² digits). Accurate to about 1e-14 relative, finite wherever EI itself underflows.
 *
 * @param z the standardized improvement (μ − best)/σ
 * @returns log(φ(z) + z·Φ(z))
 *
 * @example
 * ```ts
 * import { logH } from "./special.ts";
 * import { ok } from "node:assert";
 * ok(Math.abs(logH(0) - Math.log(0.3989422804014327)) < 1e-15);
 * ok(Math.abs(logH(-40) / -808.29856835662 - 1) < 1e-14); // h(−40) ≈ 1e-351 underflows
 * ```
 */
export function logH(z: number): number {
  if (z > -1) return Math.log(normalPdf(z) + z * normalCdf(z));
  if (z > LOG_H_ASYMPTOTIC) {
    const r = SQRT_PI_OVER_2 * erfcx(-z * SQRT1_2);
    return logNormalPdf(z) + Math.log(1 + z * r);
  }
  if (z <= LOG_H_ASYMPTOTIC) {
    const x = -z;
    return logNormalPdf(z) - 2 * Math.log(x) + Math.log(millsComplementFactor(x));
  }
  return NaN;
}

/**
 * The derivative of {@link logH}: d/dz log h(z) = Φ(z)/h(z) (since h′ = Φ), stable where both
 * underflow: below −1 it is R/(1 − |z|·R) with R = Φ(z)/φ(z), and below −10 the denominator comes
 * from the asymptotic series; it grows like −z − 2/z.
 *
 * @param z the standardized improvement
 * @returns Φ(z)/(φ(z) + z·Φ(z)) > 0
 *
 * @example
 * ```ts
 * import { dLogH, logH } from "./special.ts";
 * import { ok } from "node:assert";
 * const fd = (logH(0.5 + 1e-6) - logH(0.5 - 1e-6)) / 2e-6;
 * ok(Math.abs(dLogH(0.5) - fd) < 1e-8);
 * ok(Math.abs(dLogH(-40) / 40.04990665764852 - 1) < 1e-14);
 * ```
 */
export function dLogH(z: number): number {
  if (z > -1) {
    const cdf = normalCdf(z);
    return cdf / (normalPdf(z) + z * cdf);
  }
  const x = -z;
  const r = SQRT_PI_OVER_2 * erfcx(x * SQRT1_2);
  if (z > LOG_H_ASYMPTOTIC) return r / (1 - x * r);
  if (z <= LOG_H_ASYMPTOTIC) return r * x * x / millsComplementFactor(x);
  return NaN;
}

// Lanczos approximation (g = 7, n = 9), relative error ≲ 1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log Γ(x) for x > 0 (NaN otherwise; x < 0.5 by the reflection formula).
 *
 * @example
 * ```ts
 * import { logGamma } from "./special.ts";
 * import assert from "node:assert";
 * assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-15);
 * assert.ok(Math.abs(logGamma(10) - Math.log(362880)) < 1e-13);
 * ```
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  if (x > 1e15) return x * (Math.log(x) - 1) - 0.5 * Math.log(x) + HALF_LOG_2PI;
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_G + 2; i++) a += LANCZOS[i] / (z + i);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ψ(x) = d log Γ(x)/dx for x > 0: the recurrence up to x ≥ 12, then the asymptotic series.
 *
 * @example
 * ```ts
 * import { digamma } from "./special.ts";
 * import assert from "node:assert";
 * assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-14);
 * ```
 */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let r = 0;
  while (x < 12) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const t = f *
    (-1 / 12 + f * (1 / 120 + f * (-1 / 252 + f * (1 / 240 + f * (-1 / 132 + f * (691 / 32760))))));
  return r + Math.log(x) - 0.5 / x + t;
}
