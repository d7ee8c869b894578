/**
 * The only door to core-rs's WebAssembly build (`gpts_core.wasm`, core-rs/ABI.md):
 * buffers in its linear memory, and typed wrappers that turn the ABI's status codes
 * into errors.
 *
 * Big matrices can stay in WASM memory across calls: allocate an {@link F64Buffer},
 * pass it in and out, and free it (or let `using` free it). Every function that takes
 * an `F64Buffer` also has a plain-array path or wrapper for small, one-off work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cholesky, choleskyLogdet, F64Buffer } from "./core.ts";
 * using a = F64Buffer.from(new Float64Array([4, 2, 2, 3]));
 * assert.equal(cholesky(a, 2), 0); // A = L Lᵀ, L in `a`
 * assert.ok(Math.abs(choleskyLogdet(a, 2) - Math.log(8)) < 1e-15); // log det A
 * ```
 *
 * @module
 */

import { current as currentSettings } from "../settings.ts";
import { threadImports } from "./core_imports.ts";
import { WasmCoreError } from "../errors.ts";

/** The exports of core-rs (both builds export the same ABI functions). */
type Core = typeof import("./gpts_core.wasm");

/** The threaded build on its shared memory, when this runtime has shared memory. */
interface Threaded {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  core: Core;
}

function threadsDisabledByEnv(): boolean {
  try {
    const q = Deno.permissions.querySync({ name: "env", variable: "GPTS_WASM_THREADS" });
    return q.state === "granted" && Deno.env.get("GPTS_WASM_THREADS") === "0";
  } catch {
    return false;
  }
}

/**
 * The threaded build, unless it cannot help: without shared memory or Workers, when
 * `GPTS_WASM_THREADS=0`, or on one core. V8 compiles accesses to a shared memory more
 * slowly (the same Cholesky runs about 13% slower on it), so the single-thread build is
 * the faster one wherever no second thread can run.
 */
async function loadThreaded(): Promise<Threaded | null> {
  if (typeof SharedArrayBuffer !== "function" || typeof Worker !== "function") return null;
  if (threadsDisabledByEnv()) return null;
  const cores = typeof navigator === "object" ? navigator.hardwareConcurrency : undefined;
  if (typeof cores === "number" && cores <= 1) return null;
  try {
    const module = (await import("./gpts_core_threads.js")).default;
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) return null;
    const inst = new WebAssembly.Instance(module, { env: threadImports(memory) });
    const core = { ...inst.exports, memory } as unknown as Core;
    return { module, memory, core };
  } catch {
    return null;
  }
}

const threaded = await loadThreaded();
const wasm: Core = threaded?.core ?? await import("./gpts_core.wasm");

// The error and its status table live on the ground floor (src/errors.ts), exported from
// mod.ts; re-exported here so that deep importers of this module keep working.
export { STATUS_MEANING, WasmCoreError } from "../errors.ts";

function check(fn: string, status: number): number {
  if (status < 0) throw new WasmCoreError(fn, status);
  return status;
}

function count(what: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
  }
  return v;
}

/**
 * `length` float64s in WASM memory. Views are re-created after memory growth, so
 * always take a fresh {@link F64Buffer.view} after calling into the core.
 */
export class F64Buffer {
  /** Byte offset in WASM memory (16-byte aligned). */
  readonly ptr: number;
  /** Number of float64 elements. */
  readonly length: number;
  #view: Float64Array | null = null;
  #freed = false;
  /** Whether freeing this buffer releases its memory (false for a {@link F64Buffer.subarray}). */
  readonly #owned: boolean;

  private constructor(ptr: number, length: number, owned = true) {
    this.ptr = ptr;
    this.length = length;
    this.#owned = owned;
  }

  /** Allocates `length` elements (contents unspecified). */
  static alloc(length: number): F64Buffer {
    count("F64Buffer.alloc: length", length);
    const ptr = wasm.gpts_alloc(length * 8) >>> 0;
    if (ptr === 0) {
      throw new RangeError(`F64Buffer.alloc: WASM memory cannot grow by ${length * 8} bytes`);
    }
    return new F64Buffer(ptr, length);
  }

  /** A new buffer holding a copy of `data`. */
  static from(data: ArrayLike<number>): F64Buffer {
    const b = F64Buffer.alloc(data.length);
    b.view().set(data);
    return b;
  }

  /** A Float64Array over the buffer's memory (valid until memory grows). */
  view(): Float64Array {
    if (this.#freed) throw new TypeError("F64Buffer.view: the buffer was freed");
    const mem = wasm.memory.buffer;
    if (this.#view === null || this.#view.buffer !== mem) {
      this.#view = new Float64Array(mem, this.ptr, this.length);
    }
    return this.#view;
  }

  /**
   * Elements `[begin, end)` as a buffer sharing this one's memory (no copy), e.g. a block
   * of rows of a resident matrix. Freeing the view is a no-op; it must not outlive this
   * buffer.
   */
  subarray(begin: number, end: number): F64Buffer {
    if (this.#freed) throw new TypeError("F64Buffer.subarray: the buffer was freed");
    if (
      !(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && 0 <= begin && begin <= end &&
        end <= this.length)
    ) {
      throw new RangeError(
        `F64Buffer.subarray: [${begin}, ${end}) is not a range of a buffer of ${this.length} elements`,
      );
    }
    return new F64Buffer(this.ptr + 8 * begin, end - begin, false);
  }

  /** A copy of the contents, in ordinary JS memory. */
  toArray(): Float64Array {
    return this.view().slice();
  }

  /** Releases the memory; later use throws. Freeing twice is a no-op. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#view = null;
    if (this.#owned) wasm.gpts_free(this.ptr, this.length * 8);
  }

  /** `using` support: frees the buffer. */
  [Symbol.dispose](): void {
    this.free();
  }
}

/** Current size of the WASM linear memory, in bytes (it only grows). */
export function wasmMemoryBytes(): number {
  return wasm.memory.buffer.byteLength;
}

/** Float64 data either in JS memory or already in WASM memory. */
export type F64Input = Float64Array | F64Buffer;

function need(fn: string, what: string, b: F64Input, len: number): void {
  if (b.length < len) {
    throw new RangeError(`${fn}: ${what} has ${b.length} elements, needs at least ${len}`);
  }
}

/** Runs `body` with `b` in WASM memory (copied into a temporary buffer if needed). */
function withPtr<T>(b: F64Input, body: (ptr: number) => T): T {
  if (b instanceof F64Buffer) return body(b.ptr);
  using tmp = F64Buffer.from(b);
  return body(tmp.ptr);
}

/**
 * In-place Cholesky `A = L Lᵀ` of the symmetric n×n `a` (lower triangle read; `L`
 * written to the lower triangle, zeros above). Returns 0, or `k + 1` when pivot `k`
 * is not positive (then `a` is partly factored).
 */
export function cholesky(a: F64Buffer, n: number): number {
  need("cholesky", "a", a, count("cholesky: n", n) * n);
  return check("gpts_cholesky", par(wasm.gpts_cholesky)(a.ptr, n));
}

/** Result of {@link choleskyOf}. */
export interface CholeskyResult {
  /** The factor `L` (row-major, zeros above the diagonal), partly factored on failure. */
  factor: Float64Array;
  /** 0, or `k + 1` for the first pivot `k` that is not positive. */
  status: number;
}

/** Cholesky of a JS array (copied; `a` is not changed). */
export function choleskyOf(a: Float64Array, n: number): CholeskyResult {
  using buf = F64Buffer.from(a.subarray(0, count("choleskyOf: n", n) * n));
  const status = cholesky(buf, n);
  return { factor: buf.toArray(), status };
}

/** In place: `B ← L⁻¹ B`, or `B ← L⁻ᵀ B` with `transpose`; `L` n×n lower, `B` n×m. */
export function trsmLower(
  l: F64Input,
  n: number,
  b: F64Buffer,
  m: number,
  transpose: boolean,
): void {
  need("trsmLower", "l", l, count("trsmLower: n", n) * n);
  need("trsmLower", "b", b, n * count("trsmLower: m", m));
  withPtr(
    l,
    (lp) => check("gpts_trsm_lower", par(wasm.gpts_trsm_lower)(lp, n, b.ptr, m, transpose ? 1 : 0)),
  );
}

/** `L⁻¹ B` or `L⁻ᵀ B` as a new array (`b` is not changed). */
export function solveLower(
  l: F64Input,
  n: number,
  b: Float64Array,
  m: number,
  transpose: boolean,
): Float64Array {
  using buf = F64Buffer.from(b.subarray(0, n * m));
  trsmLower(l, n, buf, m, transpose);
  return buf.toArray();
}

/** `log det(L Lᵀ) = 2 Σ log L_ii` of an n×n factor. */
export function choleskyLogdet(l: F64Input, n: number): number {
  need("choleskyLogdet", "l", l, count("choleskyLogdet: n", n) * n);
  if (!(l instanceof F64Buffer)) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
    return 2 * s;
  }
  return wasm.gpts_cholesky_logdet(l.ptr, n);
}

/** `out = (L Lᵀ)⁻¹` (full symmetric n×n) from the factor `l`. */
export function choleskyInverse(l: F64Input, n: number, out: F64Buffer): void {
  need("choleskyInverse", "l", l, count("choleskyInverse: n", n) * n);
  need("choleskyInverse", "out", out, n * n);
  withPtr(
    l,
    (lp) => check("gpts_cholesky_inverse", par(wasm.gpts_cholesky_inverse)(lp, n, out.ptr)),
  );
}

/**
 * The lower triangle of `(L Lᵀ)⁻¹` into `out` (its upper triangle is left as it was):
 * enough for {@link kernelGradContract}, and cheaper than {@link choleskyInverse}.
 */
export function choleskyInverseLower(l: F64Input, n: number, out: F64Buffer): void {
  need("choleskyInverseLower", "l", l, count("choleskyInverseLower: n", n) * n);
  need("choleskyInverseLower", "out", out, n * n);
  withPtr(
    l,
    (lp) =>
      check("gpts_cholesky_inverse_lower", par(wasm.gpts_cholesky_inverse_lower)(lp, n, out.ptr)),
  );
}

/** `(L Lᵀ)⁻¹` as a new array. */
export function choleskyInverseOf(l: F64Input, n: number): Float64Array {
  using out = F64Buffer.alloc(n * n);
  choleskyInverse(l, n, out);
  return out.toArray();
}

/** In place: `A ← A + alpha·x xᵀ` on the full n×n `a`. */
export function syr(a: F64Buffer, n: number, alpha: number, x: F64Input): void {
  need("syr", "a", a, count("syr: n", n) * n);
  need("syr", "x", x, n);
  withPtr(x, (xp) => check("gpts_syr", wasm.gpts_syr(a.ptr, n, alpha, xp)));
}

/** `out = A · B` with `A` m×k, `B` k×n, `out` m×n (overwritten). */
export function gemm(
  a: F64Input,
  b: F64Input,
  out: F64Buffer,
  m: number,
  k: number,
  n: number,
): void {
  need("gemm", "a", a, count("gemm: m", m) * count("gemm: k", k));
  need("gemm", "b", b, k * count("gemm: n", n));
  need("gemm", "out", out, m * n);
  withPtr(
    a,
    (ap) => withPtr(b, (bp) => check("gpts_gemm", par(wasm.gpts_gemm)(ap, bp, out.ptr, m, k, n))),
  );
}

/** A compiled kernel (core-rs/ABI.md "Kernel programs"), e.g. a `KernelPlan`. */
export interface KernelProgram {
  /** Postfix instructions. */
  readonly ops: Int32Array;
  /** Parameter values in constrained units. */
  readonly theta: Float64Array;
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

/** N points of d dimensions, row-major (e.g. an `Inputs`). */
export interface PointSet {
  /** `data[i * d + k]` is dimension k of point i. */
  readonly data: Float64Array;
  /** Number of points. */
  readonly n: number;
  /** Number of dimensions. */
  readonly d: number;
}

function points(
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
function withProgram<T>(
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
 * `out[i*n2 + j] = k(x1_i, x2_j)` into a WASM buffer (n1×n2). Passing the same
 * object as `x1` and `x2` computes one triangle and mirrors it.
 */
export function kernelMatrixInto(
  program: KernelProgram,
  x1: PointSet | ResidentPointSet,
  x2: PointSet | ResidentPointSet,
  out: F64Buffer,
): void {
  const [a, n1, d] = points("kernelMatrix", x1);
  const [b, n2, d2] = points("kernelMatrix", x2);
  if (d2 !== d) throw new TypeError(`kernelMatrix: x1 has ${d} dimensions but x2 has ${d2}`);
  need("kernelMatrix", "out", out, n1 * n2);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(a, (ap) => {
      const call = (bp: number) =>
        check(
          "gpts_kernel_matrix",
          par(wasm.gpts_kernel_matrix)(ops, nOps, th, nTh, ap, n1, bp, n2, d, out.ptr),
        );
      return x1 === x2 ? call(ap) : withPtr(b, call);
    }));
}

/** The kernel matrix `K(x1, x2)` (n1×n2, row-major) as a new array. */
export function kernelMatrix(program: KernelProgram, x1: PointSet, x2: PointSet): Float64Array;
/** The kernel matrix from raw row-major data (`x1` n1×d, `x2` n2×d). */
export function kernelMatrix(
  program: KernelProgram,
  x1: Float64Array,
  n1: number,
  x2: Float64Array,
  n2: number,
  d: number,
): Float64Array;
export function kernelMatrix(
  program: KernelProgram,
  x1: PointSet | Float64Array,
  x2OrN1: PointSet | number,
  x2?: Float64Array,
  n2?: number,
  d?: number,
): Float64Array {
  let p1: PointSet, p2: PointSet;
  if (x1 instanceof Float64Array) {
    if (typeof x2OrN1 !== "number" || x2 === undefined || n2 === undefined || d === undefined) {
      throw new TypeError("kernelMatrix: pass (program, x1, n1, x2, n2, d) with raw data");
    }
    p1 = { data: x1, n: x2OrN1, d };
    p2 = x2 === x1 && n2 === x2OrN1 ? p1 : { data: x2, n: n2, d };
  } else {
    if (typeof x2OrN1 === "number") throw new TypeError("kernelMatrix: x2 must be a point set");
    [p1, p2] = [x1, x2OrN1];
  }
  points("kernelMatrix", p1);
  points("kernelMatrix", p2);
  using out = F64Buffer.alloc(p1.n * p2.n);
  kernelMatrixInto(program, p1, p2, out);
  return out.toArray();
}

/** The diagonal `k(x_i, x_i)` (length n). */
export function kernelDiag(
  program: KernelProgram,
  x: PointSet | Float64Array,
  n?: number,
  d?: number,
): Float64Array {
  const [data, nn, dd] = points("kernelDiag", x, n, d);
  using out = F64Buffer.alloc(nn);
  withProgram(
    program,
    (ops, nOps, th, nTh) =>
      withPtr(
        data,
        (xp) =>
          check("gpts_kernel_diag", wasm.gpts_kernel_diag(ops, nOps, th, nTh, xp, nn, dd, out.ptr)),
      ),
  );
  return out.toArray();
}

/**
 * `grad[p] = Σ_ij G_ij ∂k(x_i, x_j)/∂theta[p]` for every theta entry (0 where unused);
 * `g` is the symmetric n×n G, of which only the lower triangle is read.
 */
export function kernelGradContract(program: KernelProgram, x: PointSet, g: F64Input): Float64Array;
/** The gradient contraction from raw row-major inputs (`x` n×d). */
export function kernelGradContract(
  program: KernelProgram,
  x: Float64Array,
  n: number,
  d: number,
  g: F64Input,
): Float64Array;
export function kernelGradContract(
  program: KernelProgram,
  x: PointSet | Float64Array,
  gOrN: F64Input | number,
  d?: number,
  g?: F64Input,
): Float64Array {
  const raw = x instanceof Float64Array;
  const [data, n, dd] = raw
    ? points("kernelGradContract", x, gOrN as number, d)
    : points("kernelGradContract", x);
  const gm = raw ? g : gOrN;
  if (gm === undefined || typeof gm === "number") {
    throw new TypeError("kernelGradContract: pass G (n × n) as a Float64Array or F64Buffer");
  }
  need("kernelGradContract", "g", gm, n * n);
  using grad = F64Buffer.alloc(program.theta.length);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(data, (xp) =>
      withPtr(gm, (gp) =>
        check(
          "gpts_kernel_grad_contract",
          par(wasm.gpts_kernel_grad_contract)(ops, nOps, th, nTh, xp, n, dd, gp, grad.ptr),
        ))));
  return grad.toArray();
}

/**
 * `out[p * m + k] = u_kᵀ (∂K/∂theta[p]) u_k = Σ_ij ∂k(x_i, x_j)/∂theta[p] · U_ik U_jk`
 * for every theta entry `p` (0 where unused) and probe column `k` of `u` (n×m,
 * row-major): the probe contractions of the stochastic trace estimator. Every kernel
 * tile is evaluated once for all probes.
 */
export function kernelProbeContract(
  program: KernelProgram,
  x: PointSet | ResidentPointSet,
  u: F64Input,
  m: number,
): Float64Array {
  const [data, n, d] = points("kernelProbeContract", x);
  need("kernelProbeContract", "u", u, n * count("kernelProbeContract: m", m));
  const nTheta = program.theta.length;
  using out = F64Buffer.alloc(nTheta * m);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(data, (xp) =>
      withPtr(u, (up) =>
        check(
          "gpts_kernel_probe_contract",
          par(wasm.gpts_kernel_probe_contract)(ops, nOps, th, nTh, xp, n, d, up, m, out.ptr),
        ))));
  return out.toArray();
}

// ---------------------------------------------------------------- threads

/** Bytes of stack each worker gets (the main thread's is core-rs's default, 1 MiB). */
const WORKER_STACK = 1 << 20;
/** A parked worker leaves (and its Worker closes) after this long without a job. */
const WORKER_IDLE_MS = 500;
/** How long a call waits for a worker it just started (it proceeds without it after). */
const WORKER_START_WAIT_MS = 300;
/** A worker that is still loading is not replaced before this (type-checking under `deno test`). */
const WORKER_START_GRACE_MS = 20_000;
/** Most threads a call uses (core-rs's limit). */
const MAX_THREADS = 64;

interface Slot {
  worker: Worker | null;
  stack: number;
  started: number;
  /** The worker was seen parked in the core (so being away now means it left). */
  ran: boolean;
}

const slots: Slot[] = [];

function aliveFlags(): Int32Array {
  return new Int32Array(wasm.memory.buffer, wasm.gpts_threads_alive() >>> 0, MAX_THREADS);
}

/** Starts the workers `1 … t-1` that are not parked in the core, and waits for them. */
function ensureWorkers(t: number): void {
  if (threaded === null) return;
  const alive = aliveFlags();
  const startedNow: number[] = [];
  for (let id = 1; id < t; id++) {
    const slot = slots[id] ??= { worker: null, stack: 0, started: 0, ran: false };
    if (Atomics.load(alive, id) === 1) {
      slot.ran = true;
      continue;
    }
    // A worker still starting (module loading) is left alone for a while.
    if (
      slot.worker !== null && !slot.ran && performance.now() - slot.started < WORKER_START_GRACE_MS
    ) continue;
    slot.worker?.terminate();
    if (slot.stack === 0) {
      slot.stack = wasm.gpts_alloc(WORKER_STACK) >>> 0;
      if (slot.stack === 0) return; // no memory for a stack: fewer threads
    }
    const w = new Worker(new URL("./thread_worker.ts", import.meta.url), { type: "module" });
    w.postMessage({
      module: threaded.module,
      memory: threaded.memory,
      id,
      stackTop: slot.stack + WORKER_STACK,
      idleMs: WORKER_IDLE_MS,
    });
    slot.worker = w;
    slot.started = performance.now();
    slot.ran = false;
    startedNow.push(id);
  }
  // Workers run on their own threads: blocking here lets them start.
  for (const id of startedNow) {
    const left = WORKER_START_WAIT_MS - (performance.now() - slots[id].started);
    if (left > 0 && Atomics.load(aliveFlags(), id) === 0) Atomics.wait(aliveFlags(), id, 0, left);
  }
}

/**
 * Whether this runtime runs the threaded core (shared `WebAssembly.Memory` and
 * Workers available); without it every call runs on one thread.
 */
export function wasmThreadsAvailable(): boolean {
  return threaded !== null;
}

/** Threads the next call uses: the `threads` setting, 1 without shared memory. */
export function wasmThreads(): number {
  if (threaded === null) return 1;
  const t = currentSettings().threads;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(t)));
}

/** `f`, after setting the core's thread count for one call (starting workers as needed). */
function par<F>(f: F): F {
  prepare();
  return f;
}

/** Sets the core's thread count for one call (starting workers as needed). */
function prepare(): void {
  const t = wasmThreads();
  if (threaded === null) return;
  wasm.gpts_threads_set(t);
  if (t > 1) ensureWorkers(t);
}

/**
 * Makes every parked worker leave and close now (they also leave by themselves
 * after half a second without work); the next threaded call starts them again.
 */
export function stopWasmThreads(): void {
  if (threaded === null) return;
  wasm.gpts_threads_quit(1);
  for (const slot of slots) {
    if (slot === undefined || slot.worker === null) continue;
    const alive = aliveFlags();
    const id = slots.indexOf(slot);
    const until = performance.now() + 1000;
    while (Atomics.load(alive, id) === 1 && performance.now() < until) {
      Atomics.wait(alive, id, 1, 10);
    }
    slot.worker.terminate();
    slot.worker = null;
  }
  wasm.gpts_threads_quit(0);
}
