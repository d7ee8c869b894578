/**
 * BoTorch's analytic `LogProbabilityOfImprovement`.
 *
 * @module
 */
import { logNormalCdf } from "../autograd/elementwise.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import { AnalyticAcquisitionFunction, finiteOption } from "./analytic_acquisition_function.ts";
import { type ImprovementOptions, scaledImprovement } from "./expected_improvement.ts";
import type { SingleTaskGP } from "./single_task_gp.ts";

/**
 * log PI(x) = log Φ(u) (stable in both tails), as BoTorch's
 * `LogProbabilityOfImprovement(model, best_f, maximize)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const logPI = new gp.bo.LogProbabilityOfImprovement(model, { bestF: 1e6 });
 * const [v] = (await logPI.forward(gp.autograd.tensor([[0.5]]))).data;
 * assert.ok(Number.isFinite(v) && v < -1000); // PI itself underflows to 0 here
 * ```
 */
export class LogProbabilityOfImprovement extends AnalyticAcquisitionFunction {
  /** The incumbent. */
  readonly bestF: number;

  /** @throws {RangeError} when bestF is not finite */
  constructor(model: SingleTaskGP | ExactGP, options: ImprovementOptions) {
    super(model, options);
    this.bestF = finiteOption("LogProbabilityOfImprovement({ bestF })", "bestF", options?.bestF);
  }

  /** log PI at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean, sigma } = await this.meanAndSigma(x);
    return logNormalCdf(scaledImprovement(mean, sigma, this.bestF, this.maximize));
  }
}
