/**
 * The kernel matrix K(X, X) as an operator: what the BBMM solver (cg.ts) needs from a
 * device, never the N × N matrix itself. {@link WasmKernelOperator} is the float64 CPU
 * implementation, in row blocks; `WebGpuKernelOperator` (src/webgpu/) the GPU one.
 *
 * @example
 * ```ts
 * import { WasmKernelOperator } from "./kernel_operator.ts";
 * import { PlanBuilder } from "./plan.ts";
 * import { Parameter } from "../parameter.ts";
 * import { toInputs } from "../tensor.ts";
 * const b = new PlanBuilder(1);
 * b.emit(1, 1, b.useDim(0), 1, b.param(new Parameter([1])));
 * const op = new WasmKernelOperator(b.build(), toInputs([0, 1], "x"));
 * console.log(await op.mvm(Float64Array.of(1, 0), 1)); // [1, e^{-1/2}]
 * ```
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import type { KernelPlan } from "./plan.ts";
import type { Inputs } from "../tensor.ts";

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

/** Rows per block of the WASM operator. */
const BLOCK = 128;

/** Options of {@link WasmKernelOperator}. */
export interface WasmKernelOperatorOptions {
  /**
   * Keep K(X, X) in WASM memory (8·N² bytes) from the first product to {@link
   * WasmKernelOperator.dispose}, so that every later product is one GEMM instead of a
   * fresh evaluation of every kernel entry. Default false: memory O(BLOCK · N). The
   * products are bit for bit the same either way; when the memory cannot grow the
   * operator stays matrix-free.
   */
  storeMatrix?: boolean;
}

/** Frees a stored matrix whose operator was dropped without `dispose()`. */
const storedMatrices = new FinalizationRegistry<core.F64Buffer>((k) => k.free());

/**
 * K(X, X) on the float64 WASM core: tiled in row blocks (memory O(BLOCK · N)), or held
 * whole with `storeMatrix`.
 */
export class WasmKernelOperator implements KernelOperator {
  readonly n: number;
  readonly device = "WASM (float64)";
  readonly #plan: KernelPlan;
  readonly #x: Inputs;
  #store: boolean;
  #matrix: core.F64Buffer | null = null;

  /** @param plan the kernel @param x the inputs @param options see {@link WasmKernelOperatorOptions} */
  constructor(plan: KernelPlan, x: Inputs, options: WasmKernelOperatorOptions = {}) {
    this.#plan = plan;
    this.#x = x;
    this.n = x.n;
    this.#store = options.storeMatrix ?? false;
  }

  #block(i0: number, i1: number): core.PointSet {
    const d = this.#x.d;
    return { data: this.#x.data.subarray(i0 * d, i1 * d), n: i1 - i0, d };
  }

  /** The stored K, built on first use; null when not stored (or memory ran out). */
  #stored(): core.F64Buffer | null {
    if (this.#matrix === null && this.#store) {
      let k: core.F64Buffer;
      try {
        k = core.F64Buffer.alloc(this.n * this.n);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.#store = false; // WASM memory cannot hold it: stay matrix-free
        return null;
      }
      try {
        core.kernelMatrixInto(this.#plan, this.#x, this.#x, k);
      } catch (e) {
        k.free();
        throw e;
      }
      this.#matrix = k;
      storedMatrices.register(this, k, this);
    }
    return this.#matrix;
  }

  mvm(v: Float64Array, t: number): Promise<Float64Array> {
    const n = this.n;
    using vBuf = core.F64Buffer.from(v);
    const k = this.#stored();
    if (k !== null) {
      using oBuf = core.F64Buffer.alloc(n * t);
      core.gemm(k, vBuf, oBuf, n, n, t);
      return Promise.resolve(oBuf.toArray());
    }
    const out = new Float64Array(n * t);
    using kBuf = core.F64Buffer.alloc(Math.min(BLOCK, n) * n);
    using oBuf = core.F64Buffer.alloc(Math.min(BLOCK, n) * t);
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      core.kernelMatrixInto(this.#plan, this.#block(i0, i1), this.#x, kBuf);
      core.gemm(kBuf, vBuf, oBuf, i1 - i0, n, t);
      out.set(oBuf.view().subarray(0, (i1 - i0) * t), i0 * t);
    }
    return Promise.resolve(out);
  }

  /**
   * Through the core's probe contraction (`q_k = v_kᵀ ∂K v_k` for many columns v_k, each
   * kernel tile evaluated once for all of them, on the core's threads) and polarization:
   * uᵀ ∂K w = ¼ (aᵀ ∂K a − bᵀ ∂K b) with a, b = u/s ± s·w, where s = √(‖u‖/‖w‖) gives
   * both halves one norm, so the difference loses no more than rounding to ε‖u‖‖w‖.
   */
  gradContract(
    u: Float64Array,
    w: Float64Array,
    r: number,
    perRank: boolean,
  ): Promise<Float64Array> {
    const n = this.n, nTheta = this.#plan.theta.length;
    const same = u === w;
    const cols = same ? r : 2 * r;
    using v = core.F64Buffer.alloc(n * cols);
    const vv = v.view();
    for (let k = 0; k < r; k++) {
      if (same) {
        for (let i = 0; i < n; i++) vv[i * cols + k] = u[i * r + k];
        continue;
      }
      let uu = 0, ww = 0;
      for (let i = 0; i < n; i++) {
        uu += u[i * r + k] ** 2;
        ww += w[i * r + k] ** 2;
      }
      const scale = uu > 0 && ww > 0 ? Math.sqrt(Math.sqrt(uu / ww)) : 1;
      for (let i = 0; i < n; i++) {
        const a = u[i * r + k] / scale, b = w[i * r + k] * scale;
        vv[i * cols + 2 * k] = a + b;
        vv[i * cols + 2 * k + 1] = a - b;
      }
    }
    const q = core.kernelProbeContract(this.#plan, this.#x, v, cols);
    const out = new Float64Array(perRank ? r * nTheta : nTheta);
    for (let k = 0; k < r; k++) {
      for (let p = 0; p < nTheta; p++) {
        const term = same
          ? q[p * cols + k]
          : 0.25 * (q[p * cols + 2 * k] - q[p * cols + 2 * k + 1]);
        out[perRank ? k * nTheta + p : p] += term;
      }
    }
    return Promise.resolve(out);
  }

  /** Frees the stored K, if any (the operator stays usable, matrix-free). */
  dispose(): void {
    if (this.#matrix !== null) {
      storedMatrices.unregister(this);
      this.#matrix.free();
      this.#matrix = null;
    }
    this.#store = false;
  }
}

/**
 * Σᵢ gᵢ ∂k(xᵢ, xᵢ)/∂θ_p for every theta entry p (float64, on the WASM core): the
 * diagonal part of a gradient contraction, O(N).
 */
export function diagGradContract(plan: KernelPlan, x: Inputs, g: Float64Array): Float64Array {
  const nTheta = plan.theta.length, d = x.d, b = 32;
  const total = new Float64Array(nTheta);
  for (let i0 = 0; i0 < x.n; i0 += b) {
    const i1 = Math.min(x.n, i0 + b), m = i1 - i0;
    const h = new Float64Array(m * m);
    for (let i = 0; i < m; i++) h[i * m + i] = g[i0 + i];
    const part = core.kernelGradContract(
      plan,
      { data: x.data.subarray(i0 * d, i1 * d), n: m, d },
      h,
    );
    for (let p = 0; p < nTheta; p++) total[p] += part[p];
  }
  return total;
}
