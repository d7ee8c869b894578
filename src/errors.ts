/**
 * Errors callers may want to catch, and the one place warnings are printed.
 *
 * @module
 */

/**
 * A covariance matrix that is not positive definite in float64, even after adding
 * the largest jitter gpts allows.
 *
 * @example
 * ```ts
 * import { NotPositiveDefiniteError } from "./errors.ts";
 * const e = new NotPositiveDefiniteError("K", 3, [0, 1e-10]);
 * console.log(e.pivot); // 3
 * ```
 */
export class NotPositiveDefiniteError extends Error {
  /** Zero-based index of the first pivot that was not positive, on the last try. */
  readonly pivot: number;
  /** The jitter values tried, in order (the first is 0: no jitter). */
  readonly jitterTried: readonly number[];

  constructor(what: string, pivot: number, jitterTried: readonly number[]) {
    super(
      `${what} is not positive definite: the Cholesky factorization failed at pivot ${pivot} ` +
        `even with jitter ${
          jitterTried.map((j) => j.toExponential(1)).join(", ")
        } added to the diagonal. ` +
        `Typical causes: duplicate inputs with too little noise, a lengthscale far larger than ` +
        `the spread of the inputs, or non-finite parameter values; raise the noise lower bound ` +
        `or rescale the inputs.`,
    );
    this.name = "NotPositiveDefiniteError";
    this.pivot = pivot;
    this.jitterTried = jitterTried;
  }
}

/**
 * The meaning of each negative status code of the WASM core's ABI (core-rs/ABI.md).
 *
 * @example
 * ```ts
 * import { STATUS_MEANING } from "./errors.ts";
 * import assert from "node:assert";
 * assert.match(STATUS_MEANING[-1], /unknown opcode/);
 * ```
 */
export const STATUS_MEANING: Readonly<Record<number, string>> = {
  [-1]: "unknown opcode in a kernel program",
  [-2]: "malformed kernel program (truncated, stack under/overflow, or not exactly one result)",
  [-3]: "a theta index in the kernel program is out of range",
  [-4]: "an input dimension in the kernel program is out of range",
  [-5]: "a size argument is invalid (overflow, null/misaligned pointer, or overlapping buffers)",
  [-6]: "WASM memory could not grow for scratch space",
};

/**
 * A usage error reported by the WASM core (a negative ABI status code).
 *
 * @example
 * ```ts
 * import { WasmCoreError } from "./errors.ts";
 * import assert from "node:assert";
 * const e = new WasmCoreError("gpts_gemm", -5);
 * assert.strictEqual(e.code, -5);
 * assert.match(e.message, /gpts_gemm failed with status -5: a size argument is invalid/);
 * ```
 */
export class WasmCoreError extends Error {
  /** The ABI status code (negative). */
  readonly code: number;

  /** @param fn the ABI function that failed @param code its status */
  constructor(fn: string, code: number) {
    super(`${fn} failed with status ${code}: ${STATUS_MEANING[code] ?? "unknown status"}`);
    this.name = "WasmCoreError";
    this.code = code;
  }
}

/** Print a warning about trouble gpts worked around (numerical, or threads that could not start). */
export function warn(message: string): void {
  console.warn(`gpts warning: ${message}`);
}
