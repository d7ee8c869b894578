/**
 * The polynomial kernel.
 *
 * @module
 */

import { checkDims, Kernel, positiveParameter } from "./kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link PolynomialKernel}. */
export interface PolynomialKernelOptions {
  /** The power (a positive integer, fixed: not learned). */
  power: number;
  /** The input columns read (default all). */
  activeDims?: readonly number[];
  /** The offset's constraint (default Positive). */
  offsetConstraint?: Constraint;
  /** A prior on the offset. */
  offsetPrior?: Prior;
}

/**
 * k(x, x′) = (x·x′ + c)^power, GPyTorch's PolynomialKernel (offset c > 0 learned).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PolynomialKernel } from "./polynomial_kernel.ts";
 * const k = new PolynomialKernel({ power: 2 }).initialize({ offset: 1 });
 * assert.ok(Math.abs((await k.call([1, 2]).dense())[1] - 9) < 1e-12); // (1·2 + 1)²
 * ```
 */
export class PolynomialKernel extends Kernel {
  /** The raw offset; `offset` is the constrained value. */
  readonly rawOffset: Parameter;
  /** The power. */
  readonly power: number;
  /** Input columns read, or null for all. */
  readonly activeDims: readonly number[] | null;

  constructor(options: PolynomialKernelOptions) {
    super();
    const power = options?.power;
    if (!Number.isInteger(power) || power < 1) {
      throw new RangeError(
        `PolynomialKernel({ power }): power = ${power} must be a positive integer (e.g. 2)`,
      );
    }
    this.power = power;
    this.activeDims = checkDims("PolynomialKernel", options);
    this.rawOffset = positiveParameter(
      "PolynomialKernel({ offsetPrior })",
      1,
      options.offsetConstraint,
      options.offsetPrior,
    );
  }

  /** The offset c. */
  get offset(): number {
    return this.rawOffset.value;
  }

  set offset(v: number) {
    this.rawOffset.setValues([v], "offset");
  }

  describe(builder: PlanBuilder): void {
    const dims = this.columns(builder, undefined);
    builder.emit(Op.POLYNOMIAL, this.power, dims.length, ...dims, builder.param(this.rawOffset));
  }
}
