/**
 * A kernel times a learned output scale.
 *
 * @module
 */

import { Kernel } from "./kernel.ts";
import { Parameter } from "../parameter.ts";
import { type Constraint, Positive } from "../constraints.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";
import type { Prior } from "../priors/prior.ts";

/** Options of {@link ScaleKernel}. */
export interface ScaleKernelOptions {
  /** The outputscale's constraint (default {@link Positive}). */
  outputscaleConstraint?: Constraint;
  /** A prior on the output scale. */
  outputscalePrior?: Prior;
}

/**
 * k(x, x′) = s · base(x, x′), with the output scale s > 0 learned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScaleKernel } from "./scale_kernel.ts";
 * import { RBFKernel } from "./rbf_kernel.ts";
 * const k = new ScaleKernel(new RBFKernel()).initialize({ outputscale: 2 });
 * assert.ok(Math.abs((await k.call([0]).dense())[0] - 2) < 1e-12);
 * ```
 */
export class ScaleKernel<K extends Kernel = Kernel> extends Kernel {
  /** The kernel being scaled. */
  readonly baseKernel: K;
  /** The raw output scale; `outputscale` is its constrained value. */
  readonly rawOutputscale: Parameter;

  constructor(baseKernel: K, options: ScaleKernelOptions = {}) {
    super();
    if (!(baseKernel instanceof Kernel)) {
      throw new TypeError(
        `ScaleKernel(baseKernel): expected a kernel such as new RBFKernel(), got ${baseKernel}`,
      );
    }
    this.baseKernel = baseKernel;
    const constraint = options.outputscaleConstraint ?? new Positive();
    this.rawOutputscale = new Parameter(0, { constraint });
    if (options.outputscalePrior !== undefined) {
      this.rawOutputscale.setPrior(options.outputscalePrior, "ScaleKernel({ outputscalePrior })");
    }
  }

  /** The output scale s. */
  get outputscale(): number {
    return this.rawOutputscale.value;
  }

  set outputscale(v: number) {
    this.rawOutputscale.setValues([v], "outputscale");
  }

  describe(builder: PlanBuilder): void {
    this.baseKernel.describe(builder);
    builder.emit(Op.SCALE, builder.param(this.rawOutputscale));
  }
}
