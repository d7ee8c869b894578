/**
 * The WASM core's thread pool: Workers that instantiate the threaded build on the
 * main thread's shared memory and park in the core (src/wasm/thread_worker.ts), and
 * the thread count each call uses (the `threads` setting).
 *
 * Workers only ever speed a call up: core-rs hands out work items dynamically and the
 * calling thread finishes every item itself when a worker is slow, not started yet or
 * gone (core-rs/src/par.rs), so a worker that fails to start loses no work and hangs
 * no call. A worker that reports a failure, or whose start throws, turns the pool off
 * for the rest of the process: every later call runs on one thread (same results, bit
 * for bit), and one warning says why and, when the cause is a permission, which flag
 * enables threads. Starting a worker needs no permission (its code is a blob).
 *
 * @example
 * ```ts
 * import { stopWasmThreads, wasmThreads, wasmThreadsAvailable } from "./thread_pool.ts";
 * import { threads } from "../settings.ts";
 * import assert from "node:assert";
 * {
 *   using _ = threads(3);
 *   assert.strictEqual(wasmThreads(), wasmThreadsAvailable() ? 3 : 1);
 * }
 * stopWasmThreads(); // no worker was started: nothing to stop
 * ```
 *
 * @module
 */

import { warn } from "../errors.ts";
import { current as currentSettings } from "../settings.ts";
import { threaded, wasm } from "./loader.ts";
import { threadWorkerUrl, type WorkerFailure, type WorkerStart } from "./thread_worker.ts";

/** Bytes of stack each worker gets (the main thread's is core-rs's default, 1 MiB). */
const WORKER_STACK = 1 << 20;
/** A parked worker leaves (and its Worker closes) after this long without a job. */
const WORKER_IDLE_MS = 500;
/** How long a call waits for a worker it just started (it proceeds without it after). */
const WORKER_START_WAIT_MS = 300;
/** A worker that is still loading is not replaced before this (a busy machine). */
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

/** Why the pool was turned off (a worker could not start), or `null` while it is on. */
let failure: string | null = null;

function aliveFlags(): Int32Array {
  return new Int32Array(wasm.memory.buffer, wasm.gpts_threads_alive() >>> 0, MAX_THREADS);
}

/**
 * Turns the pool off for good after a worker failed to start: stops the workers that
 * did start, and warns once, naming the permission flag when the cause names one.
 * Runs from the Worker's events, so never while a core call is in progress.
 */
function giveUp(reason: string): void {
  if (failure !== null) return;
  failure = reason;
  stopWasmThreads();
  wasm.gpts_threads_set(1);
  const flag = reason.match(/--allow-[a-z-]+/)?.[0];
  warn(
    `a WASM worker thread could not start (${reason}), so the core runs on one thread ` +
      `from now on (same results, slower on big problems). ` +
      (flag === undefined
        ? "Threads need Workers that can start in this runtime."
        : `Run with ${flag} (or -A) to enable threads.`),
  );
}

function startWorker(id: number, slot: Slot): boolean {
  if (threaded === null) return false;
  let w: Worker;
  try {
    w = new Worker(threadWorkerUrl(), { type: "module" });
  } catch (err) {
    giveUp(err instanceof Error ? err.message : String(err));
    return false;
  }
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault(); // no "Unhandled error in child worker": the pool falls back
    giveUp(e.message || "the worker threw while starting");
  };
  w.onmessageerror = () => giveUp("the worker could not receive the shared memory");
  w.onmessage = (e: MessageEvent<WorkerFailure>) => giveUp(e.data.error);
  const start: WorkerStart = {
    module: threaded.module,
    memory: threaded.memory,
    id,
    stackTop: slot.stack + WORKER_STACK,
    idleMs: WORKER_IDLE_MS,
  };
  w.postMessage(start);
  slot.worker = w;
  slot.started = performance.now();
  slot.ran = false;
  return true;
}

/** Starts the workers `1 … t-1` that are not parked in the core, and waits for them. */
function ensureWorkers(t: number): void {
  if (threaded === null || failure !== null) return;
  const alive = aliveFlags();
  const startedNow: number[] = [];
  for (let id = 1; id < t; id++) {
    const slot = slots[id] ??= { worker: null, stack: 0, started: 0, ran: false };
    if (Atomics.load(alive, id) === 1) {
      slot.ran = true;
      continue;
    }
    // A worker still starting is left alone for a while.
    if (
      slot.worker !== null && !slot.ran && performance.now() - slot.started < WORKER_START_GRACE_MS
    ) continue;
    slot.worker?.terminate();
    slot.worker = null;
    if (slot.stack === 0) {
      slot.stack = wasm.gpts_alloc(WORKER_STACK) >>> 0;
      if (slot.stack === 0) return; // no memory for a stack: fewer threads
    }
    if (!startWorker(id, slot)) return;
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
 * Workers that start); without it every call runs on one thread.
 *
 * @example
 * ```ts
 * import { wasmThreadsAvailable } from "./thread_pool.ts";
 * import assert from "node:assert";
 * assert.strictEqual(typeof wasmThreadsAvailable(), "boolean");
 * ```
 */
export function wasmThreadsAvailable(): boolean {
  return threaded !== null && failure === null;
}

/**
 * Threads the next call uses: the `threads` setting, 1 without the threaded core.
 *
 * @example
 * ```ts
 * import { wasmThreads } from "./thread_pool.ts";
 * import { threads } from "../settings.ts";
 * import assert from "node:assert";
 * using _ = threads(1);
 * assert.strictEqual(wasmThreads(), 1);
 * ```
 */
export function wasmThreads(): number {
  if (!wasmThreadsAvailable()) return 1;
  const t = currentSettings().threads;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(t)));
}

/**
 * Sets the core's thread count for the next call and starts the workers it needs
 * (called before every threaded ABI call).
 *
 * @example
 * ```ts
 * import { prepareThreads } from "./thread_pool.ts";
 * import { threads } from "../settings.ts";
 * using _ = threads(1);
 * prepareThreads(); // one thread: starts nothing
 * ```
 */
export function prepareThreads(): void {
  if (threaded === null) return;
  const t = wasmThreads();
  wasm.gpts_threads_set(t);
  if (t > 1) ensureWorkers(t);
}

/**
 * Makes every parked worker leave and close now (they also leave by themselves
 * after half a second without work); the next threaded call starts them again.
 *
 * @example
 * ```ts
 * import { stopWasmThreads } from "./thread_pool.ts";
 * stopWasmThreads();
 * stopWasmThreads(); // stopping a stopped pool is a no-op
 * ```
 */
export function stopWasmThreads(): void {
  if (threaded === null) return;
  wasm.gpts_threads_quit(1);
  for (let id = 1; id < slots.length; id++) {
    const slot = slots[id];
    if (slot === undefined || slot.worker === null) continue;
    const alive = aliveFlags();
    const until = performance.now() + 1000;
    while (Atomics.load(alive, id) === 1 && performance.now() < until) {
      Atomics.wait(alive, id, 1, 10);
    }
    slot.worker.terminate();
    slot.worker = null;
  }
  wasm.gpts_threads_quit(0);
}
