/**
 * The radial basis function (squared exponential) kernel.
 *
 * @module
 */

import { Kernel } from "./kernel.ts";
import { Parameter } from "../parameter.ts";
import { type Constraint, Positive } from "../constraints.ts";
import { Op, type PlanBuilder } from "../engine/plan.ts";

/** Options of {@link RBFKernel}, as GPyTorch's keyword arguments. */
export interface RBFKernelOptions {
  /** One lengthscale per input dimension (automatic relevance determination). */
  ardNumDims?: number;
  /** The input columns this kernel reads (default: all, or 0 … ardNumDims − 1). */
  activeDims?: readonly number[];
  /** The lengthscale's constraint (default {@link Positive}). */
  lengthscaleConstraint?: Constraint;
}

/**
 * k(x, x′) = exp(−½ Σ_k (x_k − x′_k)² / ℓ_k²), with GPyTorch's parameterisation: the
 * inputs are divided by the lengthscale ℓ before the squared distance.
 *
 * @example
 * ```ts
 * import { RBFKernel } from "./rbf_kernel.ts";
 * const k = new RBFKernel();
 * k.initialize({ lengthscale: 0.01 });
 * console.log(k.lengthscale); // 0.01 (to rounding)
 * ```
 */
export class RBFKernel extends Kernel {
  /** The raw lengthscale(s); `lengthscale` is its constrained value. */
  readonly rawLengthscale: Parameter;
  /** Input columns read, or null for all columns of the inputs. */
  readonly activeDims: readonly number[] | null;

  constructor(options: RBFKernelOptions = {}) {
    super();
    const { ardNumDims, activeDims } = options;
    if (ardNumDims !== undefined && (!Number.isInteger(ardNumDims) || ardNumDims < 1)) {
      throw new RangeError(
        `RBFKernel({ ardNumDims }): ardNumDims = ${ardNumDims} must be a positive integer ` +
          `(the number of input dimensions)`,
      );
    }
    if (activeDims !== undefined) {
      if (!Array.isArray(activeDims) || activeDims.length === 0) {
        throw new TypeError(
          `RBFKernel({ activeDims }): expected a non-empty array of column indices, got ${activeDims}`,
        );
      }
      for (const [i, d] of activeDims.entries()) {
        if (!Number.isInteger(d) || d < 0) {
          throw new RangeError(
            `RBFKernel({ activeDims }): activeDims[${i}] = ${d} must be a non-negative integer`,
          );
        }
      }
      if (ardNumDims !== undefined && ardNumDims !== activeDims.length) {
        throw new RangeError(
          `RBFKernel: ardNumDims = ${ardNumDims} but activeDims has ${activeDims.length} ` +
            `entries; give one lengthscale per active dimension`,
        );
      }
    }
    this.activeDims = activeDims !== undefined
      ? activeDims.slice()
      : ardNumDims !== undefined
      ? Array.from({ length: ardNumDims }, (_, i) => i)
      : null;
    const constraint = options.lengthscaleConstraint ?? new Positive();
    // GPyTorch starts every raw lengthscale at 0 (lengthscale softplus(0) = 0.6931).
    this.rawLengthscale = new Parameter(new Array(ardNumDims ?? 1).fill(0), { constraint });
  }

  /** The lengthscale (one shared value; see {@link RBFKernel.lengthscales} for ARD). */
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

  describe(builder: PlanBuilder): void {
    const dims = this.activeDims ?? Array.from({ length: builder.inputDims }, (_, k) => k);
    const ls = Array.from(
      { length: this.rawLengthscale.size },
      (_, k) => builder.param(this.rawLengthscale, k),
    );
    builder.emit(Op.RBF, dims.length, ...dims.map((d) => builder.useDim(d)), ls.length, ...ls);
  }
}
