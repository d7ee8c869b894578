/**
 * The rational quadratic kernel.
 *
 * @module
 */

import { type LengthscaleOptions, positiveParameter } from "./kernel.ts";
import { LengthscaleKernel } from "./lengthscale_kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link RQKernel}. */
export interface RQKernelOptions extends LengthscaleOptions {
  /** The shape α's constraint (default Positive). */
  alphaConstraint?: Constraint;
  /** A prior on α. */
  alphaPrior?: Prior;
}

/**
 * k(x, x′) = (1 + r²/(2α))^(−α), r² = Σ_k ((x_k − x′_k)/ℓ_k)², as GPyTorch's RQKernel
 * (α > 0 learned; α → ∞ gives the RBF kernel).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RQKernel } from "./rq_kernel.ts";
 * const k = new RQKernel().initialize({ lengthscale: 1, alpha: 0.5 });
 * assert.ok(Math.abs((await k.call([0, 1]).dense())[1] - Math.SQRT1_2) < 1e-12); // (1 + 1)^(−0.5)
 * ```
 */
export class RQKernel extends LengthscaleKernel {
  /** The raw shape; `alpha` is the constrained value. */
  readonly rawAlpha: Parameter;

  constructor(options: RQKernelOptions = {}) {
    super(options);
    this.rawAlpha = positiveParameter(
      "RQKernel({ alphaPrior })",
      1,
      options.alphaConstraint,
      options.alphaPrior,
    );
  }

  /** The shape α. */
  get alpha(): number {
    return this.rawAlpha.value;
  }

  set alpha(v: number) {
    this.rawAlpha.setValues([v], "alpha");
  }

  describe(builder: PlanBuilder): void {
    const head = this.dimsAndLengthscales(builder);
    builder.emit(Op.RQ, ...head, builder.param(this.rawAlpha));
  }
}
