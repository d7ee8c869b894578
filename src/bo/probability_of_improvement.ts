/**
 * BoTorch's analytic `ProbabilityOfImprovement`.
 *
 * @module
 */
import { normalCdf } from "../autograd/elementwise.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import { AnalyticAcquisitionFunction, finiteOption } from "./analytic_acquisition_function.ts";
import { type ImprovementOptions, scaledImprovement } from "./expected_improvement.ts";
import type { SingleTaskGP } from "./single_task_gp.ts";

/**
 * PI(x) = Φ(u), u = (μ(x) − best_f)/σ(x) (negated when minimising), as BoTorch's
 * `ProbabilityOfImprovement(model, best_f, maximize)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const pi = new gp.bo.ProbabilityOfImprovement(model, { bestF: 1.5 });
 * const [v] = (await pi.forward(gp.autograd.tensor([[0.8]]))).data;
 * assert.ok(v > 0.5 && v <= 1); // the point observed at 2 > 1.5
 * ```
 */
export class ProbabilityOfImprovement extends AnalyticAcquisitionFunction {
  /** The incumbent. */
  readonly bestF: number;

  /** @throws {RangeError} when bestF is not finite */
  constructor(model: SingleTaskGP | ExactGP, options: ImprovementOptions) {
    super(model, options);
    this.bestF = finiteOption("ProbabilityOfImprovement({ bestF })", "bestF", options?.bestF);
  }

  /** PI at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean, sigma } = await this.meanAndSigma(x);
    return normalCdf(scaledImprovement(mean, sigma, this.bestF, this.maximize));
  }
}
