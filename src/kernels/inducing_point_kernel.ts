/**
 * SGPR's kernel (Titsias 2009), as GPyTorch 1.12's `InducingPointKernel`.
 *
 * @module
 */

import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { type InputLike, type Inputs, toInputs } from "../tensor.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import { Kernel } from "./kernel.ts";
import { InducingPointCovariance } from "./inducing_point_covariance.ts";

/**
 * k_SGPR(x, x') = k(x, Z) K_ZZ⁻¹ k(Z, x') for a base kernel k and M inducing points Z
 * (a learned parameter), used inside an `ExactGP` with `ExactMarginalLogLikelihood` as in
 * GPyTorch: the MLL then computes the collapsed (Titsias) bound
 * log N(y | μ, Q + σ²I) − ½ Σᵢ (k(xᵢ, xᵢ) − Qᵢᵢ)/σ² (GPyTorch's
 * `InducingPointKernelAddedLossTerm`) in O(N·M²) time, by Woodbury and the
 * matrix-determinant lemma, never forming an N × N matrix, and streaming K_Zx over the
 * inputs (O(M·chunk + M²) memory, plus R = L⁻¹K_Zx when it fits 256 MB). K_ZZ is factored without
 * jitter unless that fails, then with 1e-8, 1e-7, 1e-6 on its diagonal (GPyTorch's
 * `psd_safe_cholesky` in float64).
 *
 * `likelihood` is the model's Gaussian likelihood: its noise σ² scales the trace term.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * class Sgpr extends gp.models.ExactGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.InducingPointKernel(
 *     new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel()), [0, 0.5, 1], likelihood,
 *   );
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const x = [0, 0.2, 0.4, 0.6, 0.8, 1], y = [0, 0.5, 0.9, 0.8, 0.3, -0.2];
 * const model = new Sgpr(x, y, likelihood);
 * const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
 * const loss = (await mll.call(model.call(x), y)).neg();
 * loss.backward();
 * assert.ok(Number.isFinite(loss.value));
 * assert.strictEqual(model.covarModule.inducingPoints.grad!.length, 3);
 * ```
 */
export class InducingPointKernel extends Module {
  /** The base kernel k. */
  readonly baseKernel: Kernel;
  /** The inducing points Z, M × d row-major (GPyTorch's `inducing_points`). */
  readonly inducingPoints: Parameter;
  /** M. */
  readonly numInducingPoints: number;
  /** d, the inducing points' (and the data's) dimension. */
  readonly inputDims: number;
  /**
   * The jitter added to K_ZZ's diagonal: null (default) decides as GPyTorch's
   * `psd_safe_cholesky` (none unless the plain factorization fails, then 1e-8, 1e-7, 1e-6);
   * a number forces that jitter (0: none), e.g. to replay a GPyTorch run where its LAPACK
   * and gpts's factorization disagree on a matrix at the edge of positive definiteness.
   */
  jitter: number | null = null;
  /** The likelihood whose noise scales the trace term (not a submodule: the model owns it). */
  readonly #likelihood: Likelihood;

  /**
   * @param baseKernel k
   * @param inducingPoints Z: M points, or M × d
   * @param likelihood the model's Gaussian likelihood
   * @throws {TypeError} when baseKernel is not a kernel or likelihood has no noise
   */
  constructor(baseKernel: Kernel, inducingPoints: InputLike, likelihood: Likelihood) {
    super();
    if (!(baseKernel instanceof Kernel)) {
      throw new TypeError(
        `InducingPointKernel(baseKernel, inducingPoints, likelihood): baseKernel must be a ` +
          `kernel (e.g. new ScaleKernel(new RBFKernel())), got ${baseKernel}`,
      );
    }
    if (
      likelihood === null || typeof likelihood !== "object" ||
      !((likelihood as { noiseCovar?: { rawNoise?: unknown } }).noiseCovar?.rawNoise instanceof
        Parameter)
    ) {
      throw new TypeError(
        `InducingPointKernel(baseKernel, inducingPoints, likelihood): likelihood must be the ` +
          `model's GaussianLikelihood, got ${likelihood}`,
      );
    }
    const z = toInputs(inducingPoints, "inducingPoints");
    this.baseKernel = baseKernel;
    this.inducingPoints = new Parameter(z.data);
    this.numInducingPoints = z.n;
    this.inputDims = z.d;
    this.#likelihood = likelihood;
  }

  /** The likelihood given at construction. */
  get likelihood(): Likelihood {
    return this.#likelihood;
  }

  /** The noise variance parameter of the likelihood (the trace term's σ²). */
  get rawNoise(): Parameter {
    return (this.#likelihood as unknown as { noiseCovar: { rawNoise: Parameter } }).noiseCovar
      .rawNoise;
  }

  /**
   * The low-rank covariance Q = K_xZ K_ZZ⁻¹ K_Zx at `x`, described (nothing is computed
   * until numbers are asked for).
   *
   * @throws {TypeError} when x's dimension differs from the inducing points'
   */
  call(x: InputLike): InducingPointCovariance {
    const inputs: Inputs = toInputs(x, "x");
    const jitter = this.jitter;
    if (jitter !== null && (typeof jitter !== "number" || !Number.isFinite(jitter) || jitter < 0)) {
      throw new RangeError(
        `InducingPointKernel.call(x): jitter = ${jitter} must be null (GPyTorch's choice) or a ` +
          `finite number ≥ 0`,
      );
    }
    if (inputs.d !== this.inputDims) {
      throw new TypeError(
        `InducingPointKernel.call(x): x has ${inputs.d} dimension(s) per point but the ` +
          `inducing points have ${this.inputDims}; give inducingPoints as M × ${inputs.d} ` +
          `(the data's dimension)`,
      );
    }
    return new InducingPointCovariance({
      plan: this.baseKernel.plan(inputs.d),
      x: inputs,
      inducingPoints: this.inducingPoints,
      rawNoise: this.rawNoise,
      jitter: this.jitter,
    });
  }
}
