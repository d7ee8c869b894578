/**
 * Gauss–Hermite quadrature against one-dimensional Gaussians, as GPyTorch's
 * `gpytorch.utils.quadrature.GaussHermiteQuadrature1D`.
 *
 * @module
 */
import { hermgauss } from "./hermgauss.ts";

/**
 * GPyTorch's `settings.num_gauss_hermite_locs` default: 20 locations.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GaussHermiteQuadrature1D, NUM_GAUSS_HERMITE_LOCS } from "./gauss_hermite_quadrature_1d.ts";
 * assert.strictEqual(new GaussHermiteQuadrature1D().numLocs, NUM_GAUSS_HERMITE_LOCS);
 * ```
 */
export const NUM_GAUSS_HERMITE_LOCS = 20;

const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

function describe(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  return typeof v;
}

function vectorOf(v: unknown, name: string): ArrayLike<number> {
  if (v === null || typeof v !== "object" || typeof (v as ArrayLike<number>).length !== "number") {
    throw new TypeError(
      `GaussHermiteQuadrature1D.expect(fn, mean, variance): ${name} is ${describe(v)}; ` +
        `pass an array of numbers (number[] or Float64Array)`,
    );
  }
  return v as ArrayLike<number>;
}

/**
 * E_{N(μᵢ, σᵢ²)}[g(f)] for many one-dimensional Gaussians at once, by Gauss–Hermite quadrature:
 *
 *   E[g(f)] ≈ (1/√π) Σₖ wₖ g(√(2σ²) tₖ + μ),
 *
 * with (tₖ, wₖ) = numpy's `hermgauss(numLocs)`. As GPyTorch, {@link locations} and
 * {@link weights} hold numpy's unscaled rule (weights summing to √π); {@link expect} applies the
 * √2·σ shift of the locations and the 1/√π factor, in GPyTorch's order of operations. This is how
 * GPyTorch's `BernoulliLikelihood` (and the others without a closed form) compute their expected
 * log-likelihood, with 20 locations by default. Exact for g a polynomial of degree < 2·numLocs.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GaussHermiteQuadrature1D } from "./gauss_hermite_quadrature_1d.ts";
 * const q = new GaussHermiteQuadrature1D();
 * assert.strictEqual(q.numLocs, 20);
 * // E[f²] = μ² + σ² and E[exp f] = exp(μ + σ²/2).
 * const [m2] = q.expect((f) => f * f, [1.5], [0.25]);
 * assert.ok(Math.abs(m2 - 2.5) < 1e-13);
 * const [e] = q.expect(Math.exp, [0.3], [0.4]);
 * assert.ok(Math.abs(e / Math.exp(0.5) - 1) < 1e-13);
 * ```
 */
export class GaussHermiteQuadrature1D {
  /** The number of quadrature locations. */
  readonly numLocs: number;
  /** The roots tₖ of Hₙ, ascending (numpy's `hermgauss`, unscaled, as GPyTorch's `.locations`). */
  readonly locations: Float64Array;
  /** The weights wₖ, summing to √π (numpy's `hermgauss`, as GPyTorch's `.weights`). */
  readonly weights: Float64Array;

  /**
   * @param numLocs the number of locations, an integer from 1 to 370 (default 20, GPyTorch's
   *   `settings.num_gauss_hermite_locs`)
   * @throws {RangeError} when numLocs is not an integer in that range
   *
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { GaussHermiteQuadrature1D } from "./gauss_hermite_quadrature_1d.ts";
   * const q = new GaussHermiteQuadrature1D(3);
   * assert.ok(Math.abs(q.locations[2] - Math.sqrt(1.5)) < 1e-15);
   * assert.throws(() => new GaussHermiteQuadrature1D(0), RangeError);
   * ```
   */
  constructor(numLocs: number = NUM_GAUSS_HERMITE_LOCS) {
    if (
      typeof numLocs !== "number" || !Number.isSafeInteger(numLocs) || numLocs < 1 ||
      numLocs > 370
    ) {
      throw new RangeError(
        `GaussHermiteQuadrature1D(numLocs): numLocs = ${describe(numLocs)} must be an ` +
          `integer from 1 to 370 (float64 weights underflow beyond; GPyTorch's default is ` +
          `${NUM_GAUSS_HERMITE_LOCS})`,
      );
    }
    const rule = hermgauss(numLocs);
    this.numLocs = numLocs;
    this.locations = Float64Array.from(rule.locations);
    this.weights = Float64Array.from(rule.weights);
  }

  /**
   * E_{N(mean[i], variance[i])}[fn(f, i)] for each i, by the rule above: fn is called at the
   * numLocs shifted locations of each element, with the element's index (so that it can read
   * that element's target, e.g. `(f, i) => logNormalCdf((2 * y[i] - 1) * f)`).
   *
   * A variance of 0 gives fn(mean[i], i) exactly (all locations coincide).
   *
   * @param fn g(f, i), finite at the locations
   * @param mean the Gaussians' means
   * @param variance the Gaussians' variances, ≥ 0, as many as means
   * @returns one expectation per element
   * @throws {TypeError} when fn is not a function, or mean and variance differ in length or are
   *   not arrays of numbers
   * @throws {RangeError} when a mean or variance is not finite, or a variance is negative
   *
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { GaussHermiteQuadrature1D } from "./gauss_hermite_quadrature_1d.ts";
   * const q = new GaussHermiteQuadrature1D();
   * // E[f³] = μ³ + 3μσ² for each Gaussian.
   * const m3 = q.expect((f) => f ** 3, [0, 1, -2], [1, 0.5, 2]);
   * [0, 2.5, -20].forEach((v, i) => assert.ok(Math.abs(m3[i] - v) < 1e-12));
   * ```
   */
  expect(
    fn: (f: number, i: number) => number,
    mean: ArrayLike<number>,
    variance: ArrayLike<number>,
  ): Float64Array {
    if (typeof fn !== "function") {
      throw new TypeError(
        `GaussHermiteQuadrature1D.expect(fn, mean, variance): fn is ${describe(fn)}; ` +
          `pass a function (f, i) => number`,
      );
    }
    const mu = vectorOf(mean, "mean");
    const v = vectorOf(variance, "variance");
    if (mu.length !== v.length) {
      throw new TypeError(
        `GaussHermiteQuadrature1D.expect(fn, mean, variance): mean has ${mu.length} values ` +
          `but variance has ${v.length}; give one variance per mean`,
      );
    }
    for (let i = 0; i < mu.length; i++) {
      if (typeof mu[i] !== "number" || !Number.isFinite(mu[i])) {
        throw new RangeError(
          `GaussHermiteQuadrature1D.expect(fn, mean, variance): mean[${i}] is ` +
            `${describe(mu[i])}; every mean must be a finite number`,
        );
      }
      if (typeof v[i] !== "number" || !Number.isFinite(v[i]) || v[i] < 0) {
        throw new RangeError(
          `GaussHermiteQuadrature1D.expect(fn, mean, variance): variance[${i}] is ` +
            `${describe(v[i])}; every variance must be finite and ≥ 0`,
        );
      }
    }
    const t = this.locations;
    const w = this.weights;
    const out = new Float64Array(mu.length);
    for (let i = 0; i < mu.length; i++) {
      const s = Math.sqrt(2 * v[i]);
      const m = mu[i];
      let acc = 0;
      // GPyTorch: sqrt(2 var) · t + mean, then (1/√π) · (g · w), summed over the locations.
      for (let k = 0; k < t.length; k++) acc += INV_SQRT_PI * (fn(s * t[k] + m, i) * w[k]);
      out[i] = acc;
    }
    return out;
  }
}
