/**
 * BoTorch's analytic `ExpectedImprovement`.
 *
 * @module
 */
import { normalCdf, normalPdf } from "../autograd/elementwise.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import {
  AnalyticAcquisitionFunction,
  type AnalyticAcquisitionOptions,
  finiteOption,
} from "./analytic_acquisition_function.ts";
import type { SingleTaskGP } from "./single_task_gp.ts";

/** Options of the improvement-based acquisitions: the incumbent and the direction. */
export interface ImprovementOptions extends AnalyticAcquisitionOptions {
  /** The best objective value observed so far (BoTorch's `best_f`). */
  bestF: number;
}

/** u = (μ − best)/σ when maximising, −(μ − best)/σ otherwise (BoTorch's `_scaled_improvement`). */
export function scaledImprovement(
  mean: Tensor,
  sigma: Tensor,
  bestF: number,
  maximize: boolean,
): Tensor {
  const u = mean.sub(bestF).div(sigma);
  return maximize ? u : u.neg();
}

/**
 * EI(x) = σ(x)·(φ(u) + u·Φ(u)), u = (μ(x) − best_f)/σ(x) (negated when minimising), as
 * BoTorch's `ExpectedImprovement(model, best_f, maximize)`. It underflows to 0 far from the
 * incumbent (u ≲ −38); prefer {@link LogExpectedImprovement} for optimisation.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const ei = new gp.bo.ExpectedImprovement(model, { bestF: 2 });
 * const [v] = (await ei.forward(gp.autograd.tensor([[0.5]]))).data;
 * assert.ok(v > 0);
 * ```
 */
export class ExpectedImprovement extends AnalyticAcquisitionFunction {
  /** The incumbent. */
  readonly bestF: number;

  /** @throws {RangeError} when bestF is not finite */
  constructor(model: SingleTaskGP | ExactGP, options: ImprovementOptions) {
    super(model, options);
    this.bestF = finiteOption("ExpectedImprovement({ bestF })", "bestF", options?.bestF);
  }

  /** EI at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean, sigma } = await this.meanAndSigma(x);
    const u = scaledImprovement(mean, sigma, this.bestF, this.maximize);
    return sigma.mul(normalPdf(u).add(u.mul(normalCdf(u))));
  }
}
