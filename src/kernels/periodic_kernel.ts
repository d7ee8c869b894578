/**
 * The periodic kernel.
 *
 * @module
 */

import { type LengthscaleOptions, positiveParameter, thetaList } from "./kernel.ts";
import { LengthscaleKernel } from "./lengthscale_kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** Options of {@link PeriodicKernel}. */
export interface PeriodicKernelOptions extends LengthscaleOptions {
  /** The period's constraint (default Positive). */
  periodLengthConstraint?: Constraint;
  /** A prior on the period(s). */
  periodLengthPrior?: Prior;
}

/**
 * k(x, x′) = exp(−2 Σ_k sin²(π (x_k − x′_k) / p_k) / ℓ_k), exactly GPyTorch's (≥ 1.7)
 * parameterisation: the lengthscale ℓ divides sin² directly (it is **not** squared), and
 * with `ardNumDims` both ℓ and the period p have one value per dimension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PeriodicKernel } from "./periodic_kernel.ts";
 * const k = new PeriodicKernel().initialize({ lengthscale: 1, periodLength: 1 });
 * assert.ok(Math.abs((await k.call([0, 0.5, 1]).dense())[1] - Math.exp(-2)) < 1e-12);
 * ```
 */
export class PeriodicKernel extends LengthscaleKernel {
  /** The raw period(s); `periodLength` is the constrained value. */
  readonly rawPeriodLength: Parameter;

  constructor(options: PeriodicKernelOptions = {}) {
    super(options);
    this.rawPeriodLength = positiveParameter(
      "PeriodicKernel({ periodLengthPrior })",
      options.ardNumDims ?? 1,
      options.periodLengthConstraint,
      options.periodLengthPrior,
    );
  }

  /** The period (one shared value; read `rawPeriodLength.values` with ARD). */
  get periodLength(): number {
    return this.rawPeriodLength.value;
  }

  set periodLength(v: number) {
    this.rawPeriodLength.setValues(
      new Array(this.rawPeriodLength.size).fill(v),
      "periodLength",
    );
  }

  describe(builder: PlanBuilder): void {
    const head = this.dimsAndLengthscales(builder);
    const p = thetaList(builder, this.rawPeriodLength);
    builder.emit(Op.PERIODIC, ...head, p.length, ...p);
  }
}
