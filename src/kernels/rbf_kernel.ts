/**
 * The radial basis function (squared exponential) kernel.
 *
 * @module
 */

import type { LengthscaleOptions } from "./kernel.ts";
import { LengthscaleKernel } from "./lengthscale_kernel.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link RBFKernel}, as GPyTorch's keyword arguments. */
export type RBFKernelOptions = LengthscaleOptions;

/**
 * k(x, x′) = exp(−½ Σ_k (x_k − x′_k)² / ℓ_k²), with GPyTorch's parameterisation: the
 * inputs are divided by the lengthscale ℓ before the squared distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RBFKernel } from "./rbf_kernel.ts";
 * const k = new RBFKernel();
 * k.initialize({ lengthscale: 0.01 });
 * assert.ok(Math.abs(k.lengthscale - 0.01) < 1e-12);
 * ```
 */
export class RBFKernel extends LengthscaleKernel {
  constructor(options: RBFKernelOptions = {}) {
    super(options);
  }

  describe(builder: PlanBuilder): void {
    builder.emit(Op.RBF, ...this.dimsAndLengthscales(builder));
  }
}
