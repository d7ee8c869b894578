/**
 * The imports of core-rs's threaded build (`gpts_core_threads.wasm`), shared by the
 * main thread (src/wasm/loader.ts) and the pool's workers (src/wasm/thread_worker.ts, which
 * sends this function to them as source text: it must refer to nothing outside itself).
 *
 * @module
 */

/**
 * What the threaded build imports: the shared memory, and `Atomics.wait`/`notify` on
 * it (rustc 1.63 cannot emit the wasm instructions; core-rs/src/par/runtime.rs).
 */
export function threadImports(memory: WebAssembly.Memory): WebAssembly.ModuleImports {
  // The control block is static data near the start, inside the initial memory: a
  // view made now covers it after any growth.
  const i32 = new Int32Array(memory.buffer);
  return {
    memory,
    gpts_wait: (addr: number, expected: number, ms: number): number =>
      Atomics.wait(i32, addr >>> 2, expected | 0, ms) === "timed-out" ? 2 : 0,
    gpts_notify: (addr: number): number => Atomics.notify(i32, addr >>> 2),
  };
}
