/**
 * `A · B` for arrays in JS memory, on the WASM core's GEMM: the one copy-in / GEMM /
 * copy-out helper of the solvers' small dense products (the preconditioner's solves,
 * the LOVE cache's projections).
 *
 * @example
 * ```ts
 * import { gemmOf } from "./gemm_of.ts";
 * import { deepStrictEqual } from "node:assert";
 * // [[1, 2], [3, 4]] · [[1], [1]] = [[3], [7]]
 * deepStrictEqual(gemmOf(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), 2, 2, 1), Float64Array.of(3, 7));
 * ```
 *
 * @module
 */

import * as core from "./core.ts";

/** `A · B` (A m × k, B k × n, row-major) as a new array, by the core's GEMM. */
export function gemmOf(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  using out = core.F64Buffer.alloc(m * n);
  core.gemm(a, b, out, m, k, n);
  return out.toArray();
}
