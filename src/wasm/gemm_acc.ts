/**
 * `C += α · op(A) · op(B)` on the WASM core (`gpts_gemm_acc`): either operand read
 * transposed in place, optionally only the lower triangle of `C` (a SYRK when
 * `B = Aᵀ`), `C` a WASM buffer that accumulates across calls (a product streamed over
 * chunks of columns).
 *
 * @example
 * ```ts
 * import { gemmAcc } from "./gemm_acc.ts";
 * import { F64Buffer } from "./f64_buffer.ts";
 * import { deepStrictEqual } from "node:assert";
 * using c = F64Buffer.from(Float64Array.of(1, 0, 0, 1));
 * const a = Float64Array.of(1, 2, 3, 4); // [[1, 2], [3, 4]]
 * gemmAcc(a, a, c, 2, 2, 2, { transposeB: true }); // C += A Aᵀ
 * deepStrictEqual(Array.from(c.view()), [6, 11, 11, 26]);
 * ```
 *
 * @module
 */

import { check, count, need, par, wasm, withPtr } from "./abi_support.ts";
import type { F64Buffer, F64Input } from "./f64_buffer.ts";

/** How {@link gemmAcc} reads its operands and which part of `C` it writes. */
export interface GemmAccOptions {
  /** Read `a` (stored k × m) as its transpose (default false: `a` is m × k). */
  transposeA?: boolean;
  /** Read `b` (stored n × k) as its transpose (default false: `b` is k × n). */
  transposeB?: boolean;
  /** The scale α (default 1). */
  alpha?: number;
  /** Update only `C[i][j]` with i ≥ j (needs m = n; default false). */
  lower?: boolean;
}

/**
 * `C += α · op(A) · op(B)`, `op(A)` m × k, `op(B)` k × n, `C` m × n row-major in WASM
 * memory (not overlapping `A` or `B`).
 *
 * @throws {RangeError} when a buffer is too short for its sizes
 * @throws {TypeError} when `lower` is asked for a C that is not square
 */
export function gemmAcc(
  a: F64Input,
  b: F64Input,
  c: F64Buffer,
  m: number,
  k: number,
  n: number,
  options: GemmAccOptions = {},
): void {
  const fn = "gemmAcc";
  need(fn, "a", a, count(`${fn}: m`, m) * count(`${fn}: k`, k));
  need(fn, "b", b, k * count(`${fn}: n`, n));
  need(fn, "c", c, m * n);
  const lower = options.lower ?? false;
  if (lower && m !== n) {
    throw new TypeError(`${fn}: lower needs a square C, got m = ${m}, n = ${n}`);
  }
  const flags = [options.transposeA, options.transposeB, lower].map((f) => (f ? 1 : 0));
  const alpha = options.alpha ?? 1;
  const run = (ap: number, bp: number) =>
    check(
      "gpts_gemm_acc",
      par(wasm.gpts_gemm_acc)(ap, bp, c.ptr, m, k, n, flags[0], flags[1], alpha, flags[2]),
    );
  withPtr(a, (ap) => (a === b ? run(ap, ap) : withPtr(b, (bp) => run(ap, bp))));
}
