/**
 * The base of every kernel: a module that describes its pointwise formula as
 * instructions of a kernel program (src/engine/plan.ts), which each device
 * evaluates.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type KernelPlan, PlanBuilder } from "../engine/plan.ts";
import { type InputLike, toInputs } from "../tensor.ts";
import { KernelCovariance } from "../distributions/covariance.ts";

/**
 * A covariance function k(x, x′).
 *
 * Subclasses implement {@link Kernel.describe}; evaluation, gradients and devices
 * come from the engine.
 */
export abstract class Kernel extends Module {
  /**
   * Append this kernel's instructions to `builder`, leaving one entry on the program
   * stack.
   */
  abstract describe(builder: PlanBuilder): void;

  /** This kernel compiled for inputs of `inputDims` columns, with its parameters' current values. */
  plan(inputDims: number): KernelPlan {
    const builder = new PlanBuilder(inputDims);
    this.describe(builder);
    return builder.build();
  }

  /**
   * The kernel matrix k(x, x) as a lazy covariance (GPyTorch's `kernel(x)`): nothing
   * is computed until numbers are asked for.
   *
   * @example
   * ```ts
   * import { RBFKernel } from "./rbf_kernel.ts";
   * const k = new RBFKernel().initialize({ lengthscale: 1 });
   * console.log((await k.call([0, 1]).dense())[1]); // exp(-0.5) ≈ 0.6065
   * ```
   */
  call(x: InputLike): KernelCovariance {
    const inputs = toInputs(x, "x");
    const plan = this.plan(inputs.d);
    if (inputs.d < plan.inputDims) {
      throw new RangeError(
        `${this.constructor.name}.call(x): x has ${inputs.d} dimension(s) per point but the ` +
          `kernel reads dimension ${plan.inputDims - 1}; check activeDims / ardNumDims`,
      );
    }
    return new KernelCovariance(plan, inputs);
  }
}
