/**
 * The one streamed pass SGPR makes over its inputs: R_c = L⁻¹ k(Z, X_c) for consecutive
 * chunks X_c of the inputs, formed in one reused WASM buffer, so no M × N matrix is held.
 * The objective's products, its backward, the predictive's training cache and diag Q all
 * read R through it.
 *
 * @module
 */

import * as core from "./core.ts";

/**
 * Inputs per chunk: `chunk` when given, else about 2²¹ entries of R at a time (16 MB, at
 * least 64 inputs), never more than `n` nor fewer than 1.
 *
 * @example
 * ```ts
 * import { whitenedChunkWidth } from "./whitened_chunks.ts";
 * import assert from "node:assert";
 * assert.strictEqual(whitenedChunkWidth(256, 100_000), 8192);
 * assert.strictEqual(whitenedChunkWidth(256, 100), 100);
 * assert.strictEqual(whitenedChunkWidth(256, 100, 8), 8);
 * ```
 */
export function whitenedChunkWidth(m: number, n: number, chunk?: number): number {
  const width = chunk ?? Math.max(64, Math.floor(2 ** 21 / Math.max(m, 1)));
  return Math.max(1, Math.min(width, n));
}

/**
 * Calls `body(start, xc, rc)` for each chunk of `width` inputs (the last one shorter), with
 * R_c = L⁻¹ k(Z, X_c) (M × c row-major) in `rc`, a view of one reused buffer that `body`
 * may change (the next chunk overwrites it). With `kept` (the R_c of each chunk from an
 * earlier pass) they are copied instead of formed again.
 *
 * @param program the kernel program and θ
 * @param z the inducing points (M)
 * @param x the inputs (N)
 * @param l K_ZZ's lower Cholesky factor, M × M
 * @param width inputs per chunk ({@link whitenedChunkWidth})
 *
 * @example
 * ```ts
 * import { forEachWhitenedChunk } from "./whitened_chunks.ts";
 * import { F64Buffer } from "./f64_buffer.ts";
 * import { Op } from "../opcodes.ts";
 * import assert from "node:assert";
 * // k = exp(−½ r²) on unit lengthscale; Z = {0} so K_ZZ = 1 and L = 1: R = K_Zx.
 * const program = { ops: Int32Array.of(Op.RBF, 1, 0, 1, 0), theta: Float64Array.of(1) };
 * using l = F64Buffer.from(Float64Array.of(1));
 * const seen: number[] = [];
 * forEachWhitenedChunk(
 *   program, { data: Float64Array.of(0), n: 1, d: 1 }, { data: Float64Array.of(0, 1, 2), n: 3, d: 1 },
 *   l, 2, (start, xc, rc) => seen.push(start, xc.n, ...rc.view()),
 * );
 * assert.deepStrictEqual(seen.map((v) => +v.toFixed(6)), [0, 2, 1, 0.606531, 2, 1, 0.135335]);
 * ```
 */
export function forEachWhitenedChunk(
  program: core.KernelProgram,
  z: core.PointSet,
  x: core.PointSet,
  l: core.F64Input,
  width: number,
  body: (start: number, xc: core.PointSet, rc: core.F64Buffer) => void,
  kept: readonly Float64Array[] | null = null,
): void {
  const m = z.n, n = x.n, d = x.d;
  using buf = core.F64Buffer.alloc(m * width);
  for (let start = 0, i = 0; start < n; start += width, i++) {
    const c = Math.min(width, n - start);
    const xc = { data: x.data.subarray(start * d, (start + c) * d), n: c, d };
    const rc = c === width ? buf : buf.subarray(0, m * c);
    if (kept !== null) {
      rc.view().set(kept[i]);
    } else {
      core.kernelMatrixInto(program, z, xc, rc);
      core.trsmLower(l, m, rc, c, false);
    }
    body(start, xc, rc);
  }
}
