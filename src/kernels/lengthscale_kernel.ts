/**
 * What the kernels with a lengthscale share (GPyTorch's `has_lengthscale=True`):
 * one lengthscale, or one per active dimension with `ardNumDims`, under a
 * constraint and an optional prior.
 *
 * @module
 */

import {
  checkDims,
  Kernel,
  type LengthscaleOptions,
  positiveParameter,
  thetaList,
} from "./kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/** The base of RBF, Matern, RQ and periodic kernels. */
export abstract class LengthscaleKernel extends Kernel {
  /** The raw lengthscale(s); `lengthscale` is the constrained value. */
  readonly rawLengthscale: Parameter;
  /** Input columns read, or null for all columns of the inputs. */
  readonly activeDims: readonly number[] | null;
  /** One lengthscale per active dimension when set. */
  readonly ardNumDims: number | undefined;

  constructor(options: LengthscaleOptions) {
    super();
    this.activeDims = checkDims(new.target.name, options);
    this.ardNumDims = options.ardNumDims;
    this.rawLengthscale = positiveParameter(
      `${new.target.name}({ lengthscalePrior })`,
      options.ardNumDims ?? 1,
      options.lengthscaleConstraint,
      options.lengthscalePrior,
    );
  }

  /** The lengthscale (one shared value; see {@link LengthscaleKernel.lengthscales} for ARD). */
  get lengthscale(): number {
    return this.rawLengthscale.value;
  }

  set lengthscale(v: number) {
    this.rawLengthscale.setValues(new Array(this.rawLengthscale.size).fill(v), "lengthscale");
  }

  /** The lengthscales, one per active dimension with ARD. */
  get lengthscales(): Float64Array {
    return this.rawLengthscale.values;
  }

  /** `nDims, dims…, nLs, ls…`: the operand lists every lengthscale leaf starts with. */
  protected dimsAndLengthscales(builder: PlanBuilder): number[] {
    const dims = this.columns(builder, this.ardNumDims);
    const ls = thetaList(builder, this.rawLengthscale);
    return [dims.length, ...dims, ls.length, ...ls];
  }
}
