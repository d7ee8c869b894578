/**
 * A recorded operation whose parameter gradient comes as a map (what means, noise terms
 * and the fused objectives already compute: d(scalar)/d(constrained values) per
 * parameter), joined to the record through each parameter's `valueTensor()`.
 *
 * @module
 */

import type { Parameter } from "./parameter.ts";
import { record, type Shape, type Tensor } from "./autograd/tensor.ts";

/** d(scalar) / d(constrained values), per parameter. */
export type ParameterGradients = Map<Parameter, Float64Array>;

/** What {@link gradientMapOp} records. */
export interface GradientMapOpSpec {
  /** The operation's name (in error messages). */
  name: string;
  /** The result's values and shape. */
  data: Float64Array;
  shape: Shape;
  /**
   * Given the result's gradient, add d/d(constrained values) into `into` for the
   * parameters the result depends on. Called once with zeros to find them.
   */
  parameterVjp(g: Float64Array, into: ParameterGradients): void;
  /** Other tensor inputs (e.g. the points x), with their VJP. */
  inputs?: readonly Tensor[];
  /** The gradient for each of `inputs` (null where none is needed). */
  inputVjp?(g: Float64Array): (Float64Array | null)[];
}

/**
 * Record `spec` with the parameters' value tensors (and `spec.inputs`) as inputs.
 *
 * @example
 * ```ts
 * import { gradientMapOp } from "./gradient_map_op.ts";
 * import { Parameter } from "./parameter.ts";
 * import assert from "node:assert";
 * const c = new Parameter(2);
 * const y = gradientMapOp({
 *   name: "3c",
 *   data: new Float64Array([6]),
 *   shape: [],
 *   parameterVjp: (g, into) => into.set(c, new Float64Array([3 * g[0]])),
 * });
 * y.backward();
 * assert.strictEqual(c.grad![0], 3);
 * ```
 */
export function gradientMapOp(spec: GradientMapOpSpec): Tensor {
  const probe: ParameterGradients = new Map();
  spec.parameterVjp(new Float64Array(spec.data.length), probe);
  const params = [...probe.keys()];
  const values = params.map((p) => p.valueTensor());
  const extra = spec.inputs ?? [];
  return record(spec.name, spec.data, spec.shape, [...values, ...extra], (g) => {
    const into: ParameterGradients = new Map();
    spec.parameterVjp(g, into);
    const out: (Float64Array | null)[] = params.map((p) => into.get(p) ?? null);
    if (extra.length > 0) out.push(...spec.inputVjp!(g));
    return out;
  });
}
