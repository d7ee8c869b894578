/**
 * Views into a fused operation's packed output: an op that computes several results at
 * once records them as one flat tensor, and each result is a recorded slice of it.
 *
 * @module
 */

import { record, type Tensor } from "./tensor.ts";

/**
 * Elements [start, start + size) of the flat `t` as a tensor of `shape`, recorded: its
 * VJP scatters the gradient back into a zero vector of `t`'s size.
 *
 * @example
 * ```ts
 * import { packedSlice } from "./packed_outputs.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const t = tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true });
 * const m = packedSlice(t, 2, [2, 2]);
 * assert.deepStrictEqual(Array.from(m.data), [3, 4, 5, 6]);
 * m.sum().backward();
 * assert.deepStrictEqual(Array.from(t.grad!.data), [0, 0, 1, 1, 1, 1]);
 * ```
 */
export function packedSlice(t: Tensor, start: number, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(start) || start < 0 || start + size > t.size) {
    throw new RangeError(
      `packedSlice: [${start}, ${start + size}) is not inside a tensor of ${t.size} elements`,
    );
  }
  return record("packedSlice", t.data.slice(start, start + size), shape, [t], (g) => {
    const out = new Float64Array(t.size);
    out.set(g, start);
    return [out];
  });
}
