// @ts-self-types="./gpts_core_threads.d.ts"
// The threaded build of core-rs, compiled but not instantiated (a source-phase
// import): src/wasm/core.ts instantiates it on a shared memory, and each worker of
// src/wasm/threads.ts instantiates it again on the same memory.
import source module from "./gpts_core_threads.wasm";
export default module;
