/**
 * K(X, X) as a {@link KernelOperator} on the float64 WASM core, the CPU twin of
 * `WebGpuKernelOperator` (src/webgpu/). X, θ and the program are copied into WASM memory
 * once, on first use, and stay there for the operator's life (until {@link
 * WasmKernelOperator.dispose}, or until the operator is collected: a
 * FinalizationRegistry frees them then), so a product copies only its right-hand sides.
 *
 * @example
 * ```ts
 * import { WasmKernelOperator } from "./wasm_kernel_operator.ts";
 * import { PlanBuilder } from "../kernel_plan.ts";
 * import { Op } from "../opcodes.ts";
 * import { toInputs } from "../tensor.ts";
 * import { ok, strictEqual } from "node:assert";
 * const b = new PlanBuilder(1);
 * b.emit(Op.RBF, 1, b.useDim(0), 1, b.param({ size: 1, values: Float64Array.of(1) }));
 * const op = new WasmKernelOperator(b.build(), toInputs([0, 1], "x"));
 * const kv = await op.mvm(Float64Array.of(1, 0), 1); // first column of K
 * strictEqual(kv[0], 1);
 * ok(Math.abs(kv[1] - Math.exp(-0.5)) < 1e-15);
 * op.dispose();
 * ```
 *
 * @module
 */

import * as core from "./core.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import type { KernelPlan } from "../kernel_plan.ts";
import type { Inputs } from "../tensor.ts";

/** Rows per block of the matrix-free products. */
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

/** What the operator keeps in WASM memory. */
interface Resident {
  /** The program, its words and θ in WASM memory. */
  program: core.ResidentKernelProgram;
  /** X, n × d. */
  x: core.ResidentPointSet;
  /** Scratch for one block of kernel rows (BLOCK × n), made on the first matrix-free product. */
  block: core.F64Buffer | null;
  /** The stored K (n × n), when stored. */
  matrix: core.F64Buffer | null;
  /** Every buffer above, to free. */
  owned: core.F64Buffer[];
}

function freeAll(owned: core.F64Buffer[]): void {
  for (const b of owned) b.free();
  owned.length = 0;
}

/** Frees the resident buffers of an operator dropped without `dispose()`. */
const residentBuffers = new FinalizationRegistry<core.F64Buffer[]>(freeAll);

/**
 * K(X, X) on the float64 WASM core: tiled in row blocks (memory O(BLOCK · N)), or held
 * whole with `storeMatrix`; X, θ and the program resident in WASM memory.
 *
 * @example
 * ```ts
 * import { WasmKernelOperator } from "./wasm_kernel_operator.ts";
 * import { PlanBuilder } from "../kernel_plan.ts";
 * import { Op } from "../opcodes.ts";
 * import { toInputs } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert";
 * const b = new PlanBuilder(1);
 * b.emit(Op.RBF, 1, b.useDim(0), 1, b.param({ size: 1, values: Float64Array.of(0.3) }));
 * const x = toInputs([0, 0.2, 0.5], "x"), v = Float64Array.of(1, -2, 0.5);
 * const free = new WasmKernelOperator(b.build(), x);
 * const stored = new WasmKernelOperator(b.build(), x, { storeMatrix: true });
 * deepStrictEqual(await stored.mvm(v, 1), await free.mvm(v, 1)); // bit for bit
 * free.dispose();
 * stored.dispose();
 * ```
 */
export class WasmKernelOperator implements KernelOperator {
  /** Number of points. */
  readonly n: number;
  /** The device, in words. */
  readonly device = "WASM (float64)";
  readonly #plan: KernelPlan;
  readonly #x: Inputs;
  #store: boolean;
  #res: Resident | null = null;

  /** @param plan the kernel @param x the inputs @param options see {@link WasmKernelOperatorOptions} */
  constructor(plan: KernelPlan, x: Inputs, options: WasmKernelOperatorOptions = {}) {
    this.#plan = plan;
    this.#x = x;
    this.n = x.n;
    this.#store = options.storeMatrix ?? false;
  }

  /** The resident program and X, copied in on first use. */
  #resident(): Resident {
    if (this.#res !== null) return this.#res;
    const owned: core.F64Buffer[] = [];
    try {
      const plan = this.#plan, nOps = plan.ops.length;
      const ops = core.F64Buffer.alloc(Math.max(1, Math.ceil(nOps / 2)));
      owned.push(ops);
      new Int32Array(ops.view().buffer, ops.ptr, nOps).set(plan.ops);
      const theta = core.F64Buffer.from(plan.theta);
      owned.push(theta);
      const x = core.F64Buffer.from(this.#x.data);
      owned.push(x);
      this.#res = {
        program: { ops: plan.ops, theta: plan.theta, opsPtr: ops.ptr, thetaBuffer: theta },
        x: { data: x, n: this.#x.n, d: this.#x.d },
        block: null,
        matrix: null,
        owned,
      };
    } catch (e) {
      freeAll(owned);
      throw e;
    }
    residentBuffers.register(this, owned, this);
    return this.#res;
  }

  /** Rows i0 … i1 − 1 of the resident X. */
  #rows(res: Resident, i0: number, i1: number): core.ResidentPointSet {
    const d = res.x.d;
    return { data: res.x.data.subarray(i0 * d, i1 * d), n: i1 - i0, d };
  }

  /** The stored K, built on first use; null when not stored (or memory ran out). */
  #stored(res: Resident): core.F64Buffer | null {
    if (res.matrix === null && this.#store) {
      let k: core.F64Buffer;
      try {
        k = core.F64Buffer.alloc(this.n * this.n);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.#store = false; // WASM memory cannot hold it: stay matrix-free
        return null;
      }
      try {
        core.kernelMatrixInto(res.program, res.x, res.x, k);
      } catch (e) {
        k.free();
        throw e;
      }
      res.matrix = k;
      res.owned.push(k);
    }
    return res.matrix;
  }

  /** K·V for V of n × t (row-major). */
  mvm(v: Float64Array, t: number): Promise<Float64Array> {
    const n = this.n;
    const res = this.#resident();
    using vBuf = core.F64Buffer.from(v);
    const k = this.#stored(res);
    if (k !== null) {
      using oBuf = core.F64Buffer.alloc(n * t);
      core.gemm(k, vBuf, oBuf, n, n, t);
      return Promise.resolve(oBuf.toArray());
    }
    if (res.block === null) {
      res.block = core.F64Buffer.alloc(Math.min(BLOCK, n) * n);
      res.owned.push(res.block);
    }
    const out = new Float64Array(n * t);
    using oBuf = core.F64Buffer.alloc(Math.min(BLOCK, n) * t);
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      core.kernelMatrixInto(res.program, this.#rows(res, i0, i1), res.x, res.block);
      core.gemm(res.block, vBuf, oBuf, i1 - i0, n, t);
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
    const res = this.#resident();
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
    const q = core.kernelProbeContract(res.program, res.x, v, cols);
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

  /**
   * Frees everything the operator keeps in WASM memory (X, θ, the program, the stored K).
   * A later product copies X, θ and the program in again, matrix-free.
   */
  dispose(): void {
    if (this.#res !== null) {
      residentBuffers.unregister(this);
      freeAll(this.#res.owned);
      this.#res = null;
    }
    this.#store = false;
  }
}

/**
 * Σᵢ gᵢ ∂k(xᵢ, xᵢ)/∂θ_p for every theta entry p (float64, on the WASM core): the
 * diagonal part of a gradient contraction, O(N).
 *
 * @example
 * ```ts
 * import { diagGradContract } from "./wasm_kernel_operator.ts";
 * import { PlanBuilder } from "../kernel_plan.ts";
 * import { Op } from "../opcodes.ts";
 * import { toInputs } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert";
 * // θ · RBF: k(x, x) = θ₁, so Σ gᵢ ∂k/∂θ₁ = Σ gᵢ and ∂k(x, x)/∂ℓ = 0.
 * const b = new PlanBuilder(1);
 * b.emit(Op.RBF, 1, b.useDim(0), 1, b.param({ size: 1, values: Float64Array.of(0.5) }));
 * b.emit(Op.SCALE, b.param({ size: 1, values: Float64Array.of(2) }));
 * const g = diagGradContract(b.build(), toInputs([0, 1, 2], "x"), Float64Array.of(1, 2, 3));
 * deepStrictEqual(Array.from(g), [0, 6]);
 * ```
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
