/**
 * BoTorch's analytic `LogExpectedImprovement` (Ament et al. 2023).
 *
 * @module
 */
import { log } from "../autograd/elementwise.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import { AnalyticAcquisitionFunction, finiteOption } from "./analytic_acquisition_function.ts";
import { logHTensor } from "./acquisition_ops.ts";
import { type ImprovementOptions, scaledImprovement } from "./expected_improvement.ts";
import type { SingleTaskGP } from "./single_task_gp.ts";

/**
 * log EI(x) = log h(u) + log σ(x), with log h(u) = log(φ(u) + u·Φ(u)) computed stably
 * (`gp.special.logH`, BoTorch's `_log_ei_helper`; Ament et al. 2023, "Unexpected
 * Improvements to Expected Improvement"): finite, accurate and with a useful gradient where EI
 * itself underflows (u = −40: log h = −808.30).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const logEI = new gp.bo.LogExpectedImprovement(model, { bestF: 1e6 });
 * const ei = new gp.bo.ExpectedImprovement(model, { bestF: 1e6 });
 * const x = gp.autograd.tensor([[0.5]]);
 * assert.strictEqual((await ei.forward(x)).data[0], 0); // underflows
 * assert.ok(Number.isFinite((await logEI.forward(x)).data[0]));
 * ```
 */
export class LogExpectedImprovement extends AnalyticAcquisitionFunction {
  /** The incumbent. */
  readonly bestF: number;

  /** @throws {RangeError} when bestF is not finite */
  constructor(model: SingleTaskGP | ExactGP, options: ImprovementOptions) {
    super(model, options);
    this.bestF = finiteOption("LogExpectedImprovement({ bestF })", "bestF", options?.bestF);
  }

  /** log EI at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  async forward(x: Tensor): Promise<Tensor> {
    const { mean, sigma } = await this.meanAndSigma(x);
    const u = scaledImprovement(mean, sigma, this.bestF, this.maximize);
    return logHTensor(u).add(log(sigma));
  }
}
