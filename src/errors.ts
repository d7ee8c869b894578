/**
 * Every error a caller may want to catch, and the one place warnings are printed.
 *
 * - {@link NotPositiveDefiniteError}: a covariance that Cholesky cannot factor even with
 *   the largest jitter (fields: `pivot`, `jitterTried`);
 * - {@link ConvergenceError}: CG that did not converge after the retry, too large for
 *   the Cholesky fallback (fields: `residual`, `n`);
 * - {@link DeviceLostError}: the WebGPU device was lost mid-computation (field: `reason`);
 *   exact inference catches it and reruns on WASM, so callers see it only from devices
 *   used directly;
 * - {@link UnsupportedKernelError}: a kernel program the WebGPU device cannot compile
 *   (field: `opcode`); auto device selection falls back to WASM;
 * - {@link WasmCoreError}: a usage error reported by the WASM core (field: `code`, a
 *   negative ABI status, explained by {@link STATUS_MEANING}).
 *
 * Wrong types and shapes are `TypeError`s and out-of-range values `RangeError`s, as
 * everywhere in JavaScript.
 *
 * @example
 * ```ts
 * import { ConvergenceError, NotPositiveDefiniteError } from "./errors.ts";
 * import { ok, strictEqual } from "node:assert";
 * const e = new ConvergenceError(3e-4, 20_000);
 * ok(e instanceof Error);
 * strictEqual(e.n, 20_000);
 * strictEqual(new NotPositiveDefiniteError("K", 3, [0, 1e-10]).pivot, 3);
 * ```
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
 * import { deepStrictEqual, strictEqual } from "node:assert";
 * const e = new NotPositiveDefiniteError("K", 3, [0, 1e-10]);
 * strictEqual(e.pivot, 3);
 * deepStrictEqual(e.jitterTried, [0, 1e-10]);
 * strictEqual(e.name, "NotPositiveDefiniteError");
 * ```
 */
export class NotPositiveDefiniteError extends Error {
  /** Zero-based index of the first pivot that was not positive, on the last try. */
  readonly pivot: number;
  /** The jitter values tried, in order (the first is 0: no jitter). */
  readonly jitterTried: readonly number[];

  /**
   * The error for `what`, which failed at `pivot` with every jitter in `jitterTried`.
   * @param what how the matrix is named in the message
   * @param pivot the failing pivot on the last try
   * @param jitterTried the jitters tried, in order
   */
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
 * CG did not converge even after the retry with twice the iterations and rank, and N
 * is too large for the Cholesky fallback: never a silently wrong step.
 *
 * @example
 * ```ts
 * import { ConvergenceError } from "./errors.ts";
 * import { ok, strictEqual } from "node:assert";
 * const e = new ConvergenceError(2.5e-3, 30_000);
 * strictEqual(e.residual, 2.5e-3);
 * strictEqual(e.n, 30_000);
 * ok(e.message.includes("N = 30000"));
 * ```
 */
export class ConvergenceError extends Error {
  /** The relative residual reached. */
  readonly residual: number;
  /** The number of points. */
  readonly n: number;
  /**
   * The error for a residual `residual` reached at size `n`.
   * @param residual the residual reached @param n the size
   */
  constructor(residual: number, n: number) {
    super(
      `CG did not converge for N = ${n} (relative residual ${residual.toExponential(2)}) ` +
        `even with twice the iterations and preconditioner rank; raise cg.maxIterations or ` +
        `cg.preconditioner.maxRank, or raise the noise lower bound`,
    );
    this.name = "ConvergenceError";
    this.residual = residual;
    this.n = n;
  }
}

/**
 * The WebGPU device was lost during a computation.
 *
 * @example
 * ```ts
 * import { DeviceLostError } from "./errors.ts";
 * import { strictEqual } from "node:assert";
 * const e = new DeviceLostError("destroyed");
 * strictEqual(e.reason, "destroyed");
 * strictEqual(e.name, "DeviceLostError");
 * ```
 */
export class DeviceLostError extends Error {
  /** The loss reason the device gave. */
  readonly reason: string;
  /**
   * The error for a loss with reason `reason`.
   * @param reason the loss reason
   */
  constructor(reason: string) {
    super(`the WebGPU device was lost (${reason}); use device: "wasm"`);
    this.name = "DeviceLostError";
    this.reason = reason;
  }
}

/**
 * A kernel program the WebGPU device cannot compile (an opcode without a WGSL emitter).
 *
 * @example
 * ```ts
 * import { UnsupportedKernelError } from "./errors.ts";
 * import { strictEqual } from "node:assert";
 * strictEqual(new UnsupportedKernelError(99).opcode, 99);
 * ```
 */
export class UnsupportedKernelError extends Error {
  /** The opcode. */
  readonly opcode: number;
  /**
   * The error for opcode `opcode`.
   * @param opcode the opcode without an emitter
   */
  constructor(opcode: number) {
    super(
      `the WebGPU device has no WGSL emitter for kernel opcode ${opcode}; add one to ` +
        `OPCODE_EMITTERS in src/webgpu/kernel_wgsl.ts, or use device: "wasm"`,
    );
    this.name = "UnsupportedKernelError";
    this.opcode = opcode;
  }
}

/**
 * The meaning of each negative status code of the WASM core's ABI (core-rs/ABI.md).
 *
 * @example
 * ```ts
 * import { STATUS_MEANING } from "./errors.ts";
 * import { strictEqual } from "node:assert";
 * strictEqual(STATUS_MEANING[-1], "unknown opcode in a kernel program");
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
 * import { ok, strictEqual } from "node:assert";
 * const e = new WasmCoreError("gpts_kernel_matrix", -1);
 * strictEqual(e.code, -1);
 * ok(e.message.includes("unknown opcode"));
 * ```
 */
export class WasmCoreError extends Error {
  /** The ABI status code (negative). */
  readonly code: number;

  /**
   * The error for ABI function `fn` returning status `code`.
   * @param fn the ABI function that failed @param code its status
   */
  constructor(fn: string, code: number) {
    super(`${fn} failed with status ${code}: ${STATUS_MEANING[code] ?? "unknown status"}`);
    this.name = "WasmCoreError";
    this.code = code;
  }
}

/**
 * Print a warning about trouble gpts worked around (numerical, or threads that could not start;
 * `console.warn`, prefixed with "gpts warning: ").
 *
 * @example
 * ```ts
 * import { warn } from "./errors.ts";
 * import { strictEqual } from "node:assert";
 * const seen: string[] = [];
 * const original = console.warn;
 * console.warn = (m: string) => void seen.push(m);
 * try { warn("jitter 1e-10 added"); } finally { console.warn = original; }
 * strictEqual(seen[0], "gpts warning: jitter 1e-10 added");
 * ```
 */
export function warn(message: string): void {
  console.warn(`gpts warning: ${message}`);
}
