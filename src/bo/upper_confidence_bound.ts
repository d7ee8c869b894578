/**
 * BoTorch's analytic `UpperConfidenceBound`.
 *
 * @module
 */
import type { Tensor } from "../autograd/tensor.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import {
  AnalyticAcquisitionFunction,
  type AnalyticAcquisitionOptions,
} from "./analytic_acquisition_function.ts";
import type { SingleTaskGP } from "./single_task_gp.ts";

/** Options of {@link UpperConfidenceBound}. */
export interface UpperConfidenceBoundOptions extends AnalyticAcquisitionOptions {
  /** The trade-off β ≥ 0: UCB = μ + √β·σ. */
  beta: number;
}

/**
 * UCB(x) = μ(x) + √β·σ(x) when maximising, −μ(x) + √β·σ(x) when minimising, as BoTorch's
 * `UpperConfidenceBound(model, beta, maximize)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const ucb = new gp.bo.UpperConfidenceBound(model, { beta: 4 });
 * const x = gp.autograd.tensor([[0.5]]);
 * const post = model.predict(x);
 * const [m] = await post.mean(), [v] = await post.variance();
 * assert.ok(Math.abs((await ucb.forward(x)).data[0] - (m + 2 * Math.sqrt(v))) < 1e-12);
 * ```
 */
export class UpperConfidenceBound extends AnalyticAcquisitionFunction {
  /** β. */
  readonly beta: number;

  /** @throws {RangeError} when beta is not a finite number ≥ 0 */
  constructor(model: SingleTaskGP | ExactGP, options: UpperConfidenceBoundOptions) {
    super(model, options);
    const beta = options?.beta;
    if (typeof beta !== "number" || !Number.isFinite(beta) || beta < 0) {
      throw new RangeError(
        `UpperConfidenceBound({ beta }): beta = ${String(beta)} must be a finite number ≥ 0 ` +
          `(e.g. 0.2; larger explores more)`,
      );
    }
    this.beta = beta;
  }

  /** UCB at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean, sigma } = await this.meanAndSigma(x);
    return (this.maximize ? mean : mean.neg()).add(sigma.mul(Math.sqrt(this.beta)));
  }
}
