/**
 * The kernel matrix K(X, X) as an operator: what the BBMM solver (src/engine/cg.ts) needs
 * from a device, never the N × N matrix itself. Each device implements it beside its
 * own code, keeping X, θ and the program resident for the operator's life:
 * `WasmKernelOperator` (src/wasm/wasm_kernel_operator.ts, float64) and
 * `WebGpuKernelOperator` (src/webgpu/webgpu_kernel_operator.ts).
 *
 * @example
 * ```ts
 * import type { KernelOperator } from "./kernel_operator.ts";
 * import { deepStrictEqual } from "node:assert";
 * // The identity as an operator (a white-noise kernel with no noise added).
 * const identity: KernelOperator = {
 *   n: 2,
 *   device: "JS",
 *   mvm: (v) => Promise.resolve(v.slice()),
 *   gradContract: () => Promise.resolve(new Float64Array(0)),
 *   dispose() {},
 * };
 * deepStrictEqual(await identity.mvm(Float64Array.of(3, 4), 1), Float64Array.of(3, 4));
 * ```
 *
 * @module
 */

/** K(X, X) on some device. */
export interface KernelOperator {
  /** Number of points. */
  readonly n: number;
  /** The device, in words. */
  readonly device: string;
  /** K·V for V of n × t (row-major), float64 out. */
  mvm(v: Float64Array, t: number): Promise<Float64Array>;
  /**
   * Σᵢⱼ ∂K_ij/∂θ_p Σ_r U_ir W_jr for every theta entry p (U, W of n × r, row-major);
   * with `perRank`, one such vector per rank r (r × nTheta, row-major). Pass the same
   * array as `u` and `w` for quadratic forms: an operator may compute them more cheaply.
   */
  gradContract(
    u: Float64Array,
    w: Float64Array,
    r: number,
    perRank: boolean,
  ): Promise<Float64Array>;
  /** Release device resources. */
  dispose(): void;
}
