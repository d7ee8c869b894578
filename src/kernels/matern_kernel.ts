/**
 * The Matern kernel.
 *
 * @module
 */

import type { LengthscaleOptions } from "./kernel.ts";
import { LengthscaleKernel } from "./lengthscale_kernel.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link MaternKernel}. */
export interface MaternKernelOptions extends LengthscaleOptions {
  /** Smoothness ν: 0.5, 1.5 or 2.5 (default 2.5, as GPyTorch). */
  nu?: 0.5 | 1.5 | 2.5;
}

/**
 * The Matern kernel with GPyTorch's parameterisation: the inputs are centred and
 * divided by the lengthscale, then d = ‖(x − x′)/ℓ‖ (per-dimension ℓ with ARD) and
 *
 * - ν = ½: k = exp(−d)
 * - ν = 3/2: k = (1 + √3 d) exp(−√3 d)
 * - ν = 5/2: k = (1 + √5 d + 5d²/3) exp(−√5 d)
 *
 * (the centring does not change differences, so it has no effect on k).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaternKernel } from "./matern_kernel.ts";
 * const k = new MaternKernel({ nu: 0.5 }).initialize({ lengthscale: 1 });
 * assert.ok(Math.abs((await k.call([0, 1]).dense())[1] - Math.exp(-1)) < 1e-12);
 * ```
 */
export class MaternKernel extends LengthscaleKernel {
  /** The smoothness ν. */
  readonly nu: 0.5 | 1.5 | 2.5;

  constructor(options: MaternKernelOptions = {}) {
    super(options);
    const nu = options.nu ?? 2.5;
    if (nu !== 0.5 && nu !== 1.5 && nu !== 2.5) {
      throw new RangeError(
        `MaternKernel({ nu }): nu = ${nu} is not supported; use 0.5, 1.5 or 2.5`,
      );
    }
    this.nu = nu;
  }

  describe(builder: PlanBuilder): void {
    builder.emit(Op.MATERN, 2 * this.nu, ...this.dimsAndLengthscales(builder));
  }
}
