/** The threaded build of core-rs (`gpts_core_threads.wasm`), compiled, not instantiated. */
declare const module: WebAssembly.Module;
export default module;
