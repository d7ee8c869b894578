/**
 * The zero mean.
 *
 * @module
 */

import { Mean } from "./mean.ts";
import type { GradientMap } from "../gradient_map.ts";
import type { Inputs } from "../tensor.ts";

/**
 * μ(x) = 0, with no parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZeroMean } from "./zero_mean.ts";
 * assert.deepEqual(new ZeroMean().call([1, 2]).values, Float64Array.of(0, 0));
 * ```
 */
export class ZeroMean extends Mean {
  evaluate(x: Inputs): Float64Array {
    return new Float64Array(x.n);
  }

  vectorJacobian(_x: Inputs, _cotangent: Float64Array, _into: GradientMap): void {}

  /** Zero. */
  override inputVectorJacobian(x: Inputs, _cotangent: Float64Array): Float64Array {
    return new Float64Array(x.n * x.d);
  }
}
