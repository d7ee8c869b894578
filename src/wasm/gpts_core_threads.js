// @ts-self-types="./gpts_core_threads.d.ts"
// The threaded build of core-rs, compiled but not instantiated (a source-phase
// import): src/wasm/loader.ts instantiates it on a shared memory, and each worker of
// src/wasm/thread_pool.ts instantiates it again on the same memory.
import source module from "./gpts_core_threads.wasm";
export default module;
