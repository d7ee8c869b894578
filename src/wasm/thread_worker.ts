/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A worker of the WASM thread pool (src/wasm/threads.ts): instantiates the threaded
 * core on the main thread's shared memory, moves its stack pointer to the stack the
 * main thread allocated for it, and parks in `gpts_threads_worker` working on the
 * main thread's jobs. When that returns (idle, or told to quit) the worker closes
 * itself, so that idle workers never keep a program alive.
 *
 * @module
 */

/** What the pool sends once. */
interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  id: number;
  stackTop: number;
  idleMs: number;
}

import { threadImports } from "./core_imports.ts";

self.onmessage = (e: MessageEvent<Start>) => {
  self.onmessage = null;
  const { module, memory, id, stackTop, idleMs } = e.data;
  try {
    const inst = new WebAssembly.Instance(module, { env: threadImports(memory) });
    (inst.exports.__stack_pointer as WebAssembly.Global).value = stackTop;
    (inst.exports.gpts_threads_worker as (id: number, idleMs: number) => number)(id, idleMs);
  } finally {
    self.close();
  }
};
