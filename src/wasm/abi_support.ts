/**
 * What the typed wrappers of the ABI (src/wasm/core.ts, kernel_contractions.ts)
 * share: status checks, argument checks, copying JS data into WASM memory for one
 * call, and the thread count of the next call.
 *
 * @example
 * ```ts
 * import { check, need, withPtr } from "./abi_support.ts";
 * import { WasmCoreError } from "../errors.ts";
 * import assert from "node:assert";
 * assert.strictEqual(check("gpts_cholesky", 0), 0);
 * assert.throws(() => check("gpts_cholesky", -5), WasmCoreError);
 * assert.throws(() => need("gemm", "a", new Float64Array(3), 4), RangeError);
 * const first = withPtr(new Float64Array([7]), (ptr) => ptr > 0);
 * assert.ok(first);
 * ```
 *
 * @module
 */

import { WasmCoreError } from "../errors.ts";
import { count, F64Buffer, type F64Input } from "./f64_buffer.ts";
import { wasm } from "./loader.ts";
import { prepareThreads } from "./thread_pool.ts";

export { count };
/** The loaded core (re-exported so a wrapper module imports one file). */
export { wasm };

/** A compiled kernel (core-rs/ABI.md "Kernel programs"), e.g. a `KernelPlan`. */
export interface KernelProgram {
  /** Postfix instructions. */
  readonly ops: Int32Array;
  /** Parameter values in constrained units. */
  readonly theta: Float64Array;
}

/** N points of d dimensions, row-major (e.g. an `Inputs`). */
export interface PointSet {
  /** `data[i * d + k]` is dimension k of point i. */
  readonly data: Float64Array;
  /** Number of points. */
  readonly n: number;
  /** Number of dimensions. */
  readonly d: number;
}

/**
 * A kernel program whose words and theta already lie in WASM memory, kept there by its
 * owner for many calls (e.g. `WasmKernelOperator`): the wrappers that take a
 * {@link KernelProgram} then copy nothing.
 */
export interface ResidentKernelProgram extends KernelProgram {
  /** `ops` as int32 words, at this byte offset of WASM memory. */
  readonly opsPtr: number;
  /** `theta`, in WASM memory. */
  readonly thetaBuffer: F64Buffer;
}

/** N points of d dimensions, row-major, already in WASM memory (see {@link PointSet}). */
export interface ResidentPointSet {
  /** `data.view()[i * d + k]` is dimension k of point i. */
  readonly data: F64Buffer;
  /** Number of points. */
  readonly n: number;
  /** Number of dimensions. */
  readonly d: number;
}

/** `status`, or a {@link WasmCoreError} naming `fn` when it is negative. */
export function check(fn: string, status: number): number {
  if (status < 0) throw new WasmCoreError(fn, status);
  return status;
}

/** A `RangeError` unless `b` (argument `what` of `fn`) has at least `len` elements. */
export function need(fn: string, what: string, b: F64Input, len: number): void {
  if (b.length < len) {
    throw new RangeError(`${fn}: ${what} has ${b.length} elements, needs at least ${len}`);
  }
}

/** Runs `body` with `b` in WASM memory (copied into a temporary buffer if needed). */
export function withPtr<T>(b: F64Input, body: (ptr: number) => T): T {
  if (b instanceof F64Buffer) return body(b.ptr);
  using tmp = F64Buffer.from(b);
  return body(tmp.ptr);
}

/**
 * A point set (or raw data with its `n` and `d`) as `[data, n, d]`, checked: sizes
 * are non-negative integers and the data holds `n·d` values.
 */
export function points(
  fn: string,
  x: F64Input | PointSet | ResidentPointSet,
  n?: number,
  d?: number,
): [F64Input, number, number] {
  if (x instanceof Float64Array || x instanceof F64Buffer) {
    if (n === undefined || d === undefined) {
      throw new TypeError(`${fn}: pass n and d with raw data`);
    }
    need(fn, "x", x, count(`${fn}: n`, n) * count(`${fn}: d`, d));
    return [x, n, d];
  }
  need(fn, "x.data", x.data, count(`${fn}: x.n`, x.n) * count(`${fn}: x.d`, x.d));
  return [x.data, x.n, x.d];
}

/** Runs `body` with the program's ops and theta in WASM memory. */
export function withProgram<T>(
  p: KernelProgram,
  body: (ops: number, nOps: number, theta: number, nTheta: number) => T,
): T {
  const nOps = p.ops.length;
  if ("opsPtr" in p && "thetaBuffer" in p) {
    const r = p as ResidentKernelProgram;
    return body(r.opsPtr, nOps, r.thetaBuffer.ptr, p.theta.length);
  }
  const opsPtr = wasm.gpts_alloc(nOps * 4) >>> 0;
  if (opsPtr === 0) throw new RangeError("kernel program: WASM memory cannot grow");
  try {
    new Int32Array(wasm.memory.buffer, opsPtr, nOps).set(p.ops);
    using theta = F64Buffer.from(p.theta);
    return body(opsPtr, nOps, theta.ptr, p.theta.length);
  } finally {
    wasm.gpts_free(opsPtr, nOps * 4);
  }
}

/**
 * `f`, after setting the core's thread count for one call (starting workers as
 * needed): wrap every ABI function that runs on several threads, `par(wasm.gpts_…)(…)`.
 */
export function par<F>(f: F): F {
  prepareThreads();
  return f;
}
