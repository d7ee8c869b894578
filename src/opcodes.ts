/**
 * The one opcode table of the kernel program, read by every device: the WASM core's
 * interpreter (core-rs, `OP_*` constants), the WGSL emitters (src/webgpu/) and the kernels
 * that write programs (src/kernels/). `tests/opcode_table_test.ts` fails when the copies
 * disagree. core-rs/ABI.md documents each instruction's operands.
 *
 * @example
 * ```ts
 * import { Op } from "./opcodes.ts";
 * import { strictEqual } from "node:assert";
 * strictEqual(Op.RBF, 1);
 * strictEqual(Op.SPECTRAL, 11);
 * ```
 *
 * @module
 */

/** Opcodes of the kernel program (core-rs/ABI.md). */
export const Op = {
  /** `RBF, nDims, dims…, nLs, ls…`: exp(−½ Σ Δ²/ℓ²). */
  RBF: 1,
  /** `SCALE, s`: θ_s · k. */
  SCALE: 2,
  /** `ADD`: a + b. */
  ADD: 3,
  /** `MUL`: a · b. */
  MUL: 4,
  /** `MATERN, 2ν, nDims, dims…, nLs, ls…`. */
  MATERN: 5,
  /** `RQ, nDims, dims…, nLs, ls…, α`. */
  RQ: 6,
  /** `PERIODIC, nDims, dims…, nLs, ls…, nP, p…`. */
  PERIODIC: 7,
  /** `LINEAR, nDims, dims…, nV, v…`. */
  LINEAR: 8,
  /** `POLYNOMIAL, power, nDims, dims…, c`. */
  POLYNOMIAL: 9,
  /** `COSINE, nDims, dims…, p`. */
  COSINE: 10,
  /** `SPECTRAL, nDims, dims…, s…, m…`: one spectral-mixture component. */
  SPECTRAL: 11,
} as const;

/** The name of an opcode (`"RBF"`, `"SCALE"`, …). */
export type OpName = keyof typeof Op;
