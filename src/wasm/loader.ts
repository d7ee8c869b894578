/**
 * Loads core-rs's WebAssembly build: the threaded one (`gpts_core_threads.wasm`, on
 * a shared `WebAssembly.Memory` the thread pool's Workers join) where a second thread
 * can run, else the single-thread one (`gpts_core.wasm`). Both export the same ABI
 * (core-rs/ABI.md). Loading needs no permission: both builds are static imports, and
 * `GPTS_WASM_THREADS` is read only where env access is already granted.
 *
 * @example
 * ```ts
 * import { threaded, wasm } from "./loader.ts";
 * import assert from "node:assert";
 * assert.ok(wasm.memory instanceof WebAssembly.Memory);
 * // The threaded build, when loaded, is the one every call goes to.
 * assert.ok(threaded === null || threaded.core === wasm);
 * ```
 *
 * @module
 */

import { threadImports } from "./core_imports.ts";

/** The exports of core-rs (both builds export the same ABI functions). */
export type Core = typeof import("./gpts_core.wasm");

/** The threaded build on its shared memory, when this runtime has shared memory. */
export interface Threaded {
  /** The compiled threaded build, which every worker instantiates again. */
  module: WebAssembly.Module;
  /** The shared memory of every instance. */
  memory: WebAssembly.Memory;
  /** The main thread's instance. */
  core: Core;
}

/** `GPTS_WASM_THREADS=0` is set and readable (never asks for the permission). */
function threadsDisabledByEnv(): boolean {
  try {
    const q = Deno.permissions.querySync({ name: "env", variable: "GPTS_WASM_THREADS" });
    return q.state === "granted" && Deno.env.get("GPTS_WASM_THREADS") === "0";
  } catch {
    return false;
  }
}

/**
 * Whether this runtime can start the pool's Workers: `Worker`, `Blob` and
 * `URL.createObjectURL` (the worker's code is a blob, so starting it reads no file).
 */
function workersPossible(): boolean {
  return typeof Worker === "function" && typeof Blob === "function" &&
    typeof URL.createObjectURL === "function";
}

/**
 * The threaded build, unless it cannot help: without shared memory or Workers, when
 * `GPTS_WASM_THREADS=0`, or on one core. V8 compiles accesses to a shared memory more
 * slowly (the same Cholesky runs about 13% slower on it), so the single-thread build is
 * the faster one wherever no second thread can run.
 */
async function loadThreaded(): Promise<Threaded | null> {
  if (typeof SharedArrayBuffer !== "function" || !workersPossible()) return null;
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

/** The threaded build, or `null` where the single-thread build runs. */
export const threaded: Threaded | null = await loadThreaded();

/** The loaded core: the threaded build's main instance, or the single-thread build. */
export const wasm: Core = threaded?.core ?? await import("./gpts_core.wasm");
