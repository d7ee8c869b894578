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
 * R = L⁻¹ K_Zx kept whole in WASM memory between two passes (the objective's forward and
 * backward): M × c blocks, one a chunk, in chunk order (M·N entries in all).
 */
export interface WhitenedChunkStore {
  /** The blocks, M·N entries. */
  readonly buffer: core.F64Buffer;
  /** Whether the blocks hold R (a pass reads them) or are still to be formed (and kept). */
  filled: boolean;
}

/**
 * Calls `body(start, xc, rc)` for each chunk of `width` inputs (the last one shorter), with
 * R_c = L⁻¹ k(Z, X_c) (M × c row-major) in `rc`, a view of one reused buffer that `body`
 * may change (the next chunk overwrites it). With a `store`, R_c is formed in its block of
 * `store.buffer` instead (and the store is then `filled`), or, when it is filled already,
 * read there without forming or copying anything; `body` must then leave `rc` as it is.
 *
 * @param program the kernel program and θ
 * @param z the inducing points (M)
 * @param x the inputs (N)
 * @param l K_ZZ's lower Cholesky factor, M × M
 * @param width inputs per chunk ({@link whitenedChunkWidth})
 * @param body what to do with each chunk
 * @param store where R is kept whole between passes, or null to stream it
 *
 * @example
 * ```ts
 * import { forEachWhitenedChunk } from "./whitened_chunks.ts";
 * import { F64Buffer } from "./f64_buffer.ts";
 * import { Op } from "../opcodes.ts";
 * import assert from "node:assert";
 * // k = exp(−½ r²) on unit lengthscale; Z = {0} so K_ZZ = 1 and L = 1: R = K_Zx.
 * const program = { ops: Int32Array.of(Op.RBF, 1, 0, 1, 0), theta: Float64Array.of(1) };
 * const z = { data: Float64Array.of(0), n: 1, d: 1 }, x = { data: Float64Array.of(0, 1, 2), n: 3, d: 1 };
 * using l = F64Buffer.from(Float64Array.of(1));
 * const seen: number[] = [];
 * forEachWhitenedChunk(program, z, x, l, 2, (start, xc, rc) => seen.push(start, xc.n, ...rc.view()));
 * assert.deepStrictEqual(seen.map((v) => +v.toFixed(6)), [0, 2, 1, 0.606531, 2, 1, 0.135335]);
 * // Kept whole: the second pass reads the blocks the first one formed.
 * using buffer = F64Buffer.alloc(3);
 * const store = { buffer, filled: false };
 * forEachWhitenedChunk(program, z, x, l, 2, () => {}, store);
 * assert.ok(store.filled);
 * assert.deepStrictEqual(Array.from(buffer.view(), (v) => +v.toFixed(6)), [1, 0.606531, 0.135335]);
 * ```
 */
export function forEachWhitenedChunk(
  program: core.KernelProgram,
  z: core.PointSet,
  x: core.PointSet,
  l: core.F64Input,
  width: number,
  body: (start: number, xc: core.PointSet, rc: core.F64Buffer) => void,
  store: WhitenedChunkStore | null = null,
): void {
  const m = z.n, n = x.n, d = x.d;
  if (store !== null && store.buffer.length !== m * n) {
    throw new RangeError(
      `forEachWhitenedChunk: the store holds ${store.buffer.length} entries but R is ` +
        `${m} × ${n}; allocate M·N`,
    );
  }
  using buf = store === null ? core.F64Buffer.alloc(m * width) : null;
  const read = store?.filled ?? false;
  for (let start = 0; start < n; start += width) {
    const c = Math.min(width, n - start);
    const xc = { data: x.data.subarray(start * d, (start + c) * d), n: c, d };
    const rc = store !== null
      ? store.buffer.subarray(m * start, m * (start + c))
      : c === width
      ? buf!
      : buf!.subarray(0, m * c);
    if (!read) {
      core.kernelMatrixInto(program, z, xc, rc);
      core.trsmLower(l, m, rc, c, false);
    }
    body(start, xc, rc);
  }
  if (store !== null) store.filled = true;
}
