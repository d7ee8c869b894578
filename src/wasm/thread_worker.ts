/**
 * The code of a worker of the WASM thread pool (src/wasm/thread_pool.ts), and the
 * blob URL it is started from: the worker instantiates the threaded core on the main
 * thread's shared memory, moves its stack pointer to the stack the main thread
 * allocated for it, and parks in `gpts_threads_worker` working on the main thread's
 * jobs. When that returns (idle, or told to quit) the worker closes itself, so that
 * idle workers never keep a program alive.
 *
 * The worker's code is this module's {@link threadWorkerMain} and core_imports.ts's
 * `threadImports`, as source text in a blob: starting a worker from a blob reads no
 * file and imports nothing, so it needs no permission (a worker started from this
 * file's URL would need read access to it, or net/import access when the library is
 * imported from a remote URL), and there is nothing to type-check at start.
 *
 * @example
 * ```ts
 * import { threadWorkerSource } from "./thread_worker.ts";
 * import assert from "node:assert";
 * // Plain JavaScript, calling the main function with the worker's scope and imports.
 * assert.match(threadWorkerSource(), /^\(function threadWorkerMain\(/);
 * assert.ok(!threadWorkerSource().includes("import "));
 * ```
 *
 * @module
 */

import { threadImports } from "./core_imports.ts";

/** What the pool sends a worker once. */
export interface WorkerStart {
  /** The compiled threaded build. */
  module: WebAssembly.Module;
  /** The main thread's shared memory. */
  memory: WebAssembly.Memory;
  /** The worker's thread id (1 … 63). */
  id: number;
  /** The top of the stack the main thread allocated for this worker. */
  stackTop: number;
  /** Milliseconds without a job after which the worker leaves. */
  idleMs: number;
}

/** What a worker posts back when it could not join the pool. */
export interface WorkerFailure {
  /** Why (the message of what was thrown). */
  error: string;
}

/** The part of a worker's global scope the worker's code uses. */
export interface WorkerScope {
  /** Receives the {@link WorkerStart}. */
  onmessage: ((e: MessageEvent<WorkerStart>) => void) | null;
  /** Reports a {@link WorkerFailure}. */
  postMessage(message: WorkerFailure): void;
  /** Ends the worker. */
  close(): void;
}

/**
 * A worker's whole program, given its scope and core_imports.ts's `threadImports`.
 * It must not refer to anything outside its own body and arguments: it runs as
 * source text in the worker (see {@link threadWorkerSource}).
 *
 * @example
 * ```ts
 * import { threadWorkerMain, type WorkerScope } from "./thread_worker.ts";
 * import { threadImports } from "./core_imports.ts";
 * import assert from "node:assert";
 * // A start message that cannot be instantiated is reported, and the worker closes.
 * const posted: unknown[] = [];
 * let closed = false;
 * const scope: WorkerScope = {
 *   onmessage: null,
 *   postMessage: (m) => posted.push(m),
 *   close: () => closed = true,
 * };
 * threadWorkerMain(scope, threadImports);
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
 * const module = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
 * scope.onmessage!(new MessageEvent("message", {
 *   data: { module, memory, id: 1, stackTop: 0, idleMs: 0 },
 * }));
 * assert.strictEqual(posted.length, 1);
 * assert.ok(closed);
 * ```
 */
export function threadWorkerMain(
  scope: WorkerScope,
  imports: (memory: WebAssembly.Memory) => WebAssembly.ModuleImports,
): void {
  scope.onmessage = (e: MessageEvent<WorkerStart>) => {
    scope.onmessage = null;
    const { module, memory, id, stackTop, idleMs } = e.data;
    try {
      const inst = new WebAssembly.Instance(module, { env: imports(memory) });
      (inst.exports.__stack_pointer as WebAssembly.Global).value = stackTop;
      (inst.exports.gpts_threads_worker as (id: number, idleMs: number) => number)(id, idleMs);
    } catch (err) {
      scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
    } finally {
      scope.close();
    }
  };
}

/** The worker's program as JavaScript source (no imports, nothing read at start). */
export function threadWorkerSource(): string {
  return `(${threadWorkerMain})(self, ${threadImports});\n`;
}

let blobUrl: string | null = null;

/** A `blob:` URL of {@link threadWorkerSource}, made once and kept for the process. */
export function threadWorkerUrl(): string {
  blobUrl ??= URL.createObjectURL(
    new Blob([threadWorkerSource()], { type: "text/javascript" }),
  );
  return blobUrl;
}
