/**
 * The linear (dot-product) kernel.
 *
 * @module
 */

import { checkDims, type DimsOptions, Kernel, positiveParameter, thetaList } from "./kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link LinearKernel}. */
export interface LinearKernelOptions extends DimsOptions {
  /** The variance's constraint (default Positive). */
  varianceConstraint?: Constraint;
  /** A prior on the variance(s). */
  variancePrior?: Prior;
}

/**
 * k(x, x′) = Σ_k v_k x_k x′_k, GPyTorch's LinearKernel (x·x′ scaled by the variance v;
 * one variance per dimension with `ardNumDims`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LinearKernel } from "./linear_kernel.ts";
 * const k = new LinearKernel().initialize({ variance: 2 });
 * assert.ok(Math.abs((await k.call([[1, 2], [3, 4]]).dense())[1] - 22) < 1e-12); // 2 · (1·3 + 2·4)
 * ```
 */
export class LinearKernel extends Kernel {
  /** The raw variance(s); `variance` is the constrained value. */
  readonly rawVariance: Parameter;
  /** Input columns read, or null for all. */
  readonly activeDims: readonly number[] | null;
  /** One variance per active dimension when set. */
  readonly ardNumDims: number | undefined;

  constructor(options: LinearKernelOptions = {}) {
    super();
    this.activeDims = checkDims("LinearKernel", options);
    this.ardNumDims = options.ardNumDims;
    this.rawVariance = positiveParameter(
      "LinearKernel({ variancePrior })",
      options.ardNumDims ?? 1,
      options.varianceConstraint,
      options.variancePrior,
    );
  }

  /** The variance (one shared value; read `rawVariance.values` with ARD). */
  get variance(): number {
    return this.rawVariance.value;
  }

  set variance(v: number) {
    this.rawVariance.setValues(new Array(this.rawVariance.size).fill(v), "variance");
  }

  describe(builder: PlanBuilder): void {
    const dims = this.columns(builder, this.ardNumDims);
    const v = thetaList(builder, this.rawVariance);
    builder.emit(Op.LINEAR, dims.length, ...dims, v.length, ...v);
  }
}
