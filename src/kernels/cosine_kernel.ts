/**
 * The cosine kernel.
 *
 * @module
 */

import { checkDims, Kernel, positiveParameter } from "./kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link CosineKernel}. */
export interface CosineKernelOptions {
  /** The input columns read (default all). */
  activeDims?: readonly number[];
  /** The period's constraint (default Positive). */
  periodLengthConstraint?: Constraint;
  /** A prior on the period. */
  periodLengthPrior?: Prior;
}

/**
 * k(x, x′) = cos(π ‖x − x′‖ / p), GPyTorch's CosineKernel (period p > 0 learned; the
 * Euclidean distance over all active columns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CosineKernel } from "./cosine_kernel.ts";
 * const k = new CosineKernel().initialize({ periodLength: 2 });
 * assert.ok(Math.abs((await k.call([0, 1]).dense())[1]) < 1e-12); // cos(π/2)
 * ```
 */
export class CosineKernel extends Kernel {
  /** The raw period; `periodLength` is the constrained value. */
  readonly rawPeriodLength: Parameter;
  /** Input columns read, or null for all. */
  readonly activeDims: readonly number[] | null;

  constructor(options: CosineKernelOptions = {}) {
    super();
    this.activeDims = checkDims("CosineKernel", options);
    this.rawPeriodLength = positiveParameter(
      "CosineKernel({ periodLengthPrior })",
      1,
      options.periodLengthConstraint,
      options.periodLengthPrior,
    );
  }

  /** The period p. */
  get periodLength(): number {
    return this.rawPeriodLength.value;
  }

  set periodLength(v: number) {
    this.rawPeriodLength.setValues([v], "periodLength");
  }

  describe(builder: PlanBuilder): void {
    const dims = this.columns(builder, undefined);
    builder.emit(Op.COSINE, dims.length, ...dims, builder.param(this.rawPeriodLength));
  }
}
