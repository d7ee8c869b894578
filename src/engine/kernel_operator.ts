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
   * with `perRank`, one such vector per rank r (r × nTheta, row-major).
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

/** K(X, X) on the float64 WASM core, tiled in row blocks (memory O(BLOCK · N)). */
export class WasmKernelOperator implements KernelOperator {
  readonly n: number;
  readonly device = "WASM (float64)";
  readonly #plan: KernelPlan;
  readonly #x: Inputs;

  /** @param plan the kernel @param x the inputs */
  constructor(plan: KernelPlan, x: Inputs) {
    this.#plan = plan;
    this.#x = x;
    this.n = x.n;
  }

  #block(i0: number, i1: number): core.PointSet {
    const d = this.#x.d;
    return { data: this.#x.data.subarray(i0 * d, i1 * d), n: i1 - i0, d };
  }

  mvm(v: Float64Array, t: number): Promise<Float64Array> {
    const n = this.n;
    const out = new Float64Array(n * t);
    using vBuf = core.F64Buffer.from(v);
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

  gradContract(
    u: Float64Array,
    w: Float64Array,
    r: number,
    perRank: boolean,
  ): Promise<Float64Array> {
    const nTheta = this.#plan.theta.length;
    if (!perRank) return Promise.resolve(this.#contract(u, w, r));
    const out = new Float64Array(r * nTheta);
    const ur = new Float64Array(this.n), wr = new Float64Array(this.n);
    for (let k = 0; k < r; k++) {
      for (let i = 0; i < this.n; i++) {
        ur[i] = u[i * r + k];
        wr[i] = w[i * r + k];
      }
      out.set(this.#contract(ur, wr, 1), k * nTheta);
    }
    return Promise.resolve(out);
  }

  /**
   * Σᵢⱼ Gᵢⱼ ∂Kᵢⱼ with G = U Wᵀ, in blocks: a diagonal block with the symmetrized
   * block of G, an off-diagonal pair of blocks (I, J) as the square problem on the
   * points I ∪ J with G = [[0, S], [Sᵀ, 0]], S = sym(G)_IJ.
   */
  #contract(u: Float64Array, w: Float64Array, r: number): Float64Array {
    const n = this.n, d = this.#x.d;
    const nTheta = this.#plan.theta.length;
    const total = new Float64Array(nTheta);
    const b = BLOCK;
    const gBlock = (i0: number, i1: number, j0: number, j1: number): Float64Array => {
      // sym(U Wᵀ)[I, J] = (U_I W_Jᵀ + W_I U_Jᵀ) / 2
      const bi = i1 - i0, bj = j1 - j0;
      const g = new Float64Array(bi * bj);
      for (let i = 0; i < bi; i++) {
        const ui = (i0 + i) * r;
        for (let j = 0; j < bj; j++) {
          const uj = (j0 + j) * r;
          let s = 0;
          for (let k = 0; k < r; k++) s += u[ui + k] * w[uj + k] + w[ui + k] * u[uj + k];
          g[i * bj + j] = 0.5 * s;
        }
      }
      return g;
    };
    for (let i0 = 0; i0 < n; i0 += b) {
      const i1 = Math.min(n, i0 + b);
      const g = gBlock(i0, i1, i0, i1);
      const part = core.kernelGradContract(this.#plan, this.#block(i0, i1), g);
      for (let p = 0; p < nTheta; p++) total[p] += part[p];
      for (let j0 = i1; j0 < n; j0 += b) {
        const j1 = Math.min(n, j0 + b);
        const s = gBlock(i0, i1, j0, j1);
        const bi = i1 - i0, bj = j1 - j0, m = bi + bj;
        const pts = new Float64Array(m * d);
        pts.set(this.#x.data.subarray(i0 * d, i1 * d), 0);
        pts.set(this.#x.data.subarray(j0 * d, j1 * d), bi * d);
        const h = new Float64Array(m * m);
        for (let i = 0; i < bi; i++) {
          for (let j = 0; j < bj; j++) {
            h[i * m + bi + j] = s[i * bj + j];
            h[(bi + j) * m + i] = s[i * bj + j];
          }
        }
        const part2 = core.kernelGradContract(this.#plan, { data: pts, n: m, d }, h);
        for (let p = 0; p < nTheta; p++) total[p] += part2[p];
      }
    }
    return total;
  }

  dispose(): void {}
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
