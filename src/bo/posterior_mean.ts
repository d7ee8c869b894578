/**
 * BoTorch's analytic `PosteriorMean`.
 *
 * @module
 */
import type { Tensor } from "../autograd/tensor.ts";
import { AnalyticAcquisitionFunction } from "./analytic_acquisition_function.ts";

/**
 * The posterior mean μ(x) (−μ(x) when minimising), as BoTorch's `PosteriorMean(model,
 * maximize)`: pure exploitation.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const x = gp.autograd.tensor([[0.3], [0.7]]);
 * const up = await new gp.bo.PosteriorMean(model).forward(x);
 * const down = await new gp.bo.PosteriorMean(model, { maximize: false }).forward(x);
 * assert.deepStrictEqual(Array.from(down.data), Array.from(up.data, (v) => -v));
 * ```
 */
export class PosteriorMean extends AnalyticAcquisitionFunction {
  /** μ (or −μ) at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean } = await this.meanAndSigma(x);
    return this.maximize ? mean : mean.neg();
  }
}
