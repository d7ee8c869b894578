/**
 * Quasi-Monte-Carlo base samples for a multivariate normal (BoTorch's
 * `SobolQMCNormalSampler`): scrambled Sobol points pushed through Φ⁻¹, fixed once drawn,
 * so that a Monte-Carlo acquisition is a deterministic, differentiable function of its
 * candidates.
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { Generator } from "../random.ts";
import { normalInverseCdf } from "../normal_inverse_cdf.ts";
import { SobolEngine } from "./sobol_engine.ts";
import { SOBOL_MAX_DIMENSION } from "./sobol_direction_numbers.ts";
import { mvnSamples, psdSafeCholesky } from "./mc_ops.ts";

/** Options of {@link SobolQMCNormalSampler}. */
export interface SobolQMCNormalSamplerOptions {
  /** Seed of the Sobol scramble; omit it for one from the system's random source. */
  seed?: number;
}

/** 1 − float64's machine epsilon: keeps u = 0 off Φ⁻¹'s pole, as BoTorch does. */
const SQUEEZE = 1 - Number.EPSILON;

/**
 * Base samples z ~ N(0, I) from a scrambled Sobol sequence, as BoTorch's
 * `SobolQMCNormalSampler(sample_shape, seed=seed)`: for an event of e values it draws
 * n = prod(sampleShape) points of a seeded, scrambled e-dimensional Sobol sequence and
 * maps each coordinate u to Φ⁻¹(½ + (1 − ε)(u − ½)) (BoTorch's `draw_sobol_normal_samples`).
 * The base samples of each event size are drawn once and kept, so the same sampler gives
 * the same samples at every call. Past 500 dimensions (the Sobol table's end) they are
 * pseudo-random normals from the same seed, as BoTorch falls back past its table.
 *
 * `sample(mean, covariance)` turns them into samples μ + L z of a batch of normals, L the
 * covariance's Cholesky factor with GPyTorch's jitter rule (`psd_safe_cholesky`), recorded
 * so gradients reach the mean and covariance.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * const sampler = new gp.bo.SobolQMCNormalSampler(1024, { seed: 0 });
 * const z = sampler.baseSamples(2); // 1024 × 2
 * const mean = z.reduce((s, v) => s + v, 0) / z.length;
 * assert.ok(Math.abs(mean) < 1e-2);
 * assert.deepStrictEqual(sampler.baseSamples(2), z); // fixed once drawn
 * const samples = sampler.sample(gp.autograd.tensor([[1, 2]]), gp.autograd.tensor([[[1, 0], [0, 4]]]));
 * assert.deepStrictEqual(samples.shape, [1024, 1, 2]);
 * ```
 */
export class SobolQMCNormalSampler {
  /** The sample shape (BoTorch's `sample_shape`); their product is {@link numSamples}. */
  readonly sampleShape: readonly number[];
  /** The number of samples, prod(sampleShape). */
  readonly numSamples: number;
  /** The scramble's seed. */
  readonly seed: number;
  readonly #cache = new Map<number, Float64Array>();

  /**
   * @param sampleShape the number of samples, or their shape (e.g. `[512]`)
   * @param options the seed
   */
  constructor(sampleShape: number | readonly number[], options: SobolQMCNormalSamplerOptions = {}) {
    const shape = typeof sampleShape === "number" ? [sampleShape] : [...(sampleShape ?? [])];
    if (shape.length === 0 || shape.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new RangeError(
        `SobolQMCNormalSampler(sampleShape): got ${JSON.stringify(sampleShape)}; pass a ` +
          `positive integer number of samples (e.g. 512) or a shape of them (e.g. [512])`,
      );
    }
    this.sampleShape = shape;
    this.numSamples = shape.reduce((a, b) => a * b, 1);
    this.seed = new Generator(options.seed).seed;
  }

  /**
   * The base samples for an event of `eventSize` values: numSamples × eventSize, row-major
   * (sample s, coordinate j at `s * eventSize + j`). Drawn on first use, then kept.
   */
  baseSamples(eventSize: number): Float64Array {
    if (!Number.isInteger(eventSize) || eventSize < 1) {
      throw new RangeError(
        `SobolQMCNormalSampler.baseSamples(eventSize): eventSize = ${eventSize}; pass the ` +
          `number of jointly sampled values (q, or baseline + q), a positive integer`,
      );
    }
    const kept = this.#cache.get(eventSize);
    if (kept !== undefined) return kept;
    const n = this.numSamples;
    let z: Float64Array;
    if (eventSize <= SOBOL_MAX_DIMENSION) {
      const u = new SobolEngine(eventSize, { scramble: true, seed: this.seed }).draw(n).data;
      z = u.map((v) => normalInverseCdf(0.5 + SQUEEZE * (v - 0.5)));
    } else {
      z = new Generator(this.seed).normals(n * eventSize);
    }
    this.#cache.set(eventSize, z);
    return z;
  }

  /**
   * Samples of a batch of multivariate normals through the covariance's Cholesky factor:
   * `mean` [b, q] and `covariance` [b, q, q] give [numSamples, b, q], the same base samples
   * for every batch element (BoTorch's sample-first layout), recorded.
   */
  sample(mean: Tensor, covariance: Tensor): Tensor {
    if (!(mean instanceof Tensor) || !(covariance instanceof Tensor)) {
      throw new TypeError(
        `SobolQMCNormalSampler.sample(mean, covariance): pass two Tensors, [b, q] and [b, q, q]`,
      );
    }
    if (mean.ndim !== 2 || covariance.ndim !== 3) {
      throw new TypeError(
        `SobolQMCNormalSampler.sample(mean, covariance): got mean [${mean.shape.join(", ")}] ` +
          `and covariance [${covariance.shape.join(", ")}]; pass [b, q] and [b, q, q]`,
      );
    }
    const q = mean.shape[1];
    const l = psdSafeCholesky(covariance);
    return mvnSamples(mean, l, this.baseSamples(q), this.numSamples);
  }
}
