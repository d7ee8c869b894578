/**
 * A learned constant mean.
 *
 * @module
 */

import { Mean } from "./mean.ts";
import { Parameter } from "../parameter.ts";
import { addGradient, type GradientMap } from "../gradient_map.ts";
import type { Inputs } from "../tensor.ts";

/**
 * μ(x) = c, with c learned (unconstrained, starting at 0 as in GPyTorch).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConstantMean } from "./constant_mean.ts";
 * const m = new ConstantMean();
 * m.constant = 1.5;
 * assert.equal(m.call([0, 1, 2]).values[2], 1.5);
 * ```
 */
export class ConstantMean extends Mean {
  /** The constant (no constraint: raw value = constant). */
  readonly rawConstant: Parameter = new Parameter(0);

  /** The constant c. */
  get constant(): number {
    return this.rawConstant.value;
  }

  set constant(v: number) {
    this.rawConstant.setValues([v], "constant");
  }

  evaluate(x: Inputs): Float64Array {
    return new Float64Array(x.n).fill(this.constant);
  }

  vectorJacobian(_x: Inputs, cotangent: Float64Array, into: GradientMap): void {
    let sum = 0;
    for (let i = 0; i < cotangent.length; i++) sum += cotangent[i];
    addGradient(into, this.rawConstant, 0, sum);
  }

  /** Zero: a constant does not depend on x. */
  override inputVectorJacobian(x: Inputs, _cotangent: Float64Array): Float64Array {
    return new Float64Array(x.n * x.d);
  }
}
