/**
 * Gauss–Hermite nodes and weights, as numpy's `numpy.polynomial.hermite.hermgauss`.
 *
 * @module
 */

/** A Gauss–Hermite rule: ∫ exp(−t²) g(t) dt ≈ Σₖ wₖ g(tₖ), exact for polynomials of degree < 2n. */
export interface GaussHermiteRule {
  /** The n roots tₖ of the physicists' Hermite polynomial Hₙ, ascending, symmetric about 0. */
  locations: Float64Array;
  /** The n weights wₖ (positive, symmetric, summing to √π). */
  weights: Float64Array;
}

/**
 * Orthonormal Hermite polynomials pₙ₋₁(t), pₙ(t) (∫ e^{−t²} pⱼ pₖ dt = δⱼₖ), by their three-term
 * recurrence, which stays within float64's range where the unnormalised Hₙ overflow.
 */
function normedPair(t: number, n: number): [number, number] {
  let prev = 0;
  let cur = 1 / Math.sqrt(Math.sqrt(Math.PI)); // p₀
  for (let k = 0; k < n; k++) {
    const next = Math.sqrt(2 / (k + 1)) * t * cur - Math.sqrt(k / (k + 1)) * prev;
    prev = cur;
    cur = next;
  }
  return [prev, cur];
}

/** How many eigenvalues of the Jacobi matrix of Hₙ lie below x (Sturm count of J − xI). */
function countBelow(x: number, offDiag2: Float64Array, n: number): number {
  let count = 0;
  let q = -x;
  if (q < 0) count++;
  for (let i = 1; i < n; i++) {
    if (q === 0) q = Number.MIN_VALUE;
    q = -x - offDiag2[i - 1] / q;
    if (q < 0) count++;
  }
  return count;
}

const cache = new Map<number, GaussHermiteRule>();

/**
 * The n-point Gauss–Hermite rule for the weight exp(−t²), as numpy's `hermgauss(n)` (and so as
 * GPyTorch's `GaussHermiteQuadrature1D`, which takes numpy's): the roots of Hₙ as eigenvalues of
 * its Jacobi matrix (by Sturm bisection here, then Newton on the orthonormal polynomial), the
 * weights ∝ 1/pₙ₋₁(tₖ)², both symmetrised, and the weights scaled to sum to √π exactly as
 * numpy does. Agrees with numpy to a few ulps (the tests hold numpy's numbers for n ≤ 100).
 *
 * The arrays are shared between calls with the same n: copy them before writing to them.
 *
 * @param n the number of nodes, an integer ≥ 1
 * @throws {RangeError} when n is not an integer ≥ 1, or so large (n > 370) that the weights
 *   underflow, as numpy's do
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { hermgauss } from "./hermgauss.ts";
 * const { locations, weights } = hermgauss(2);
 * assert.ok(Math.abs(locations[1] - Math.SQRT1_2) < 1e-16);
 * assert.ok(Math.abs(weights[0] - Math.sqrt(Math.PI) / 2) < 1e-16);
 * ```
 */
export function hermgauss(n: number): GaussHermiteRule {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(
      `hermgauss(n): n = ${String(n)} must be an integer ≥ 1 (GPyTorch's default is 20)`,
    );
  }
  const hit = cache.get(n);
  if (hit) return hit;
  // Jacobi matrix of the orthonormal Hermite polynomials: zero diagonal, off-diagonal √(k/2).
  const offDiag2 = new Float64Array(Math.max(n - 1, 0));
  for (let k = 1; k < n; k++) offDiag2[k - 1] = k / 2;
  const bound = 2 * Math.sqrt(Math.max(n - 1, 0) / 2) + 1;
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // The k-th smallest eigenvalue: the least x with more than k eigenvalues below it.
    let lo = -bound;
    let hi = bound;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi) break;
      if (countBelow(mid, offDiag2, n) > k) hi = mid;
      else lo = mid;
    }
    let t = 0.5 * (lo + hi);
    // Newton on pₙ (pₙ' = √(2n) pₙ₋₁) polishes the root to relative accuracy near 0.
    for (let it = 0; it < 3; it++) {
      const [pm1, p] = normedPair(t, n);
      const step = p / (Math.sqrt(2 * n) * pm1);
      if (!Number.isFinite(step)) break;
      t -= step;
      if (Math.abs(step) <= 1e-17 * Math.max(1, Math.abs(t))) break;
    }
    x[k] = t;
  }
  // Weights ∝ 1 / pₙ₋₁(tₖ)² (Christoffel–Darboux), scaled by the largest |pₙ₋₁| first.
  const fm = new Float64Array(n);
  let fmax = 0;
  for (let k = 0; k < n; k++) {
    fm[k] = normedPair(x[k], n)[0];
    fmax = Math.max(fmax, Math.abs(fm[k]));
  }
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const f = fm[k] / fmax;
    w[k] = 1 / (f * f);
  }
  const locations = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    weights[k] = (w[k] + w[n - 1 - k]) / 2;
    locations[k] = (x[k] - x[n - 1 - k]) / 2;
  }
  let sum = 0;
  for (let k = 0; k < n; k++) sum += weights[k];
  const scale = Math.sqrt(Math.PI) / sum;
  for (let k = 0; k < n; k++) weights[k] *= scale;
  if (!weights.every((v) => Number.isFinite(v) && v >= 0) || !Number.isFinite(sum)) {
    throw new RangeError(
      `hermgauss(n): n = ${n} is too large for float64 weights (the outermost underflow); ` +
        `use n ≤ 370, as numpy's hermgauss also needs (GPyTorch's default is 20)`,
    );
  }
  const rule = { locations, weights };
  cache.set(n, rule);
  return rule;
}
