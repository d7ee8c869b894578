/**
 * The two products through which SGPR's collapsed bound reads the N × M cross-covariance:
 * G = K_Zx K_xZ (M × M) and b = K_Zx r (M), as one fused recorded operation that streams
 * over the N inputs in chunks of columns and never holds K_Zx (O(M·chunk + M²) memory).
 * Its backward recomputes each chunk K_c = k(Z, X_c) and forms
 * K̄_c = (Ḡ + Ḡᵀ) K_c + b̄ r_cᵀ, which the core contracts with the kernel's derivatives
 * (to θ, Z and X); r̄_c = K_cᵀ b̄.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { gemmAcc } from "../wasm/gemm_acc.ts";
import { kernelCrossThetaContract, kernelInputContract } from "../wasm/kernel_contractions.ts";
import { record, Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";
import type { KernelOps } from "./kernel_ops.ts";

/** Options of {@link inducingProducts}. */
export interface InducingProductsOptions {
  /**
   * Columns of K_Zx formed at a time (default: about 2²¹ / M, at least 64, so a chunk is
   * at most ~16 MB). Results do not depend on it beyond rounding.
   */
  chunk?: number;
}

/** G = K_Zx K_xZ and b = K_Zx r, both recorded. */
export interface InducingProducts {
  /** G, M × M (symmetric). */
  gram: Tensor;
  /** b, [M]. */
  cross: Tensor;
}

function matrixOf(name: string, t: unknown): [number, number] {
  if (!(t instanceof Tensor) || t.ndim !== 2) {
    throw new TypeError(
      `inducingProducts: ${name} must be a Tensor of shape [n, d], got ${
        t instanceof Tensor ? `shape ${showShape(t.shape)}` : typeof t
      }; reshape a flat vector of points with .reshape([-1, 1])`,
    );
  }
  return [t.shape[0], t.shape[1]];
}

/** The default chunk: ~2²¹ entries of K_Zx at a time. */
function defaultChunk(m: number): number {
  return Math.max(64, Math.floor(2 ** 21 / Math.max(m, 1)));
}

/** A slice [start, start + size) of the flat `t`, recorded (its VJP scatters back). */
function slice(t: Tensor, start: number, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return record("inducingProducts.slice", t.data.slice(start, start + size), shape, [t], (g) => {
    const out = new Float64Array(t.size);
    out.set(g, start);
    return [out];
  });
}

/**
 * G = K(Z, X) K(X, Z) and b = K(Z, X) r from a kernel program with parameter values
 * `theta`, streamed over X in chunks, with VJPs to θ, Z, X and r (by the core's kernel
 * contractions; the backward forms each chunk of K_Zx again instead of keeping it).
 *
 * @param program the base kernel's plan (`kernel.plan(d)`)
 * @param theta its parameter values, recorded [p]
 * @param z the inducing points [M, d]
 * @param x the inputs [N, d]
 * @param r the weights of b, [N]
 * @param options the chunk size
 * @throws {TypeError} when a shape does not match, or the chunk is not a positive integer
 *
 * @example
 * ```ts
 * import { inducingProducts } from "./inducing_products.ts";
 * import { kernelMatrix } from "./kernel_ops.ts";
 * import { matmul } from "./matrix.ts";
 * import { tensor } from "./tensor.ts";
 * import { RBFKernel } from "../kernels/rbf_kernel.ts";
 * import assert from "node:assert";
 * const plan = new RBFKernel().plan(1);
 * const theta = tensor(Array.from(plan.theta));
 * const z = tensor([[0], [1]]), x = tensor([[0.2], [0.5], [0.9]]), r = tensor([1, -2, 3]);
 * const { gram, cross } = inducingProducts(plan, theta, z, x, r, { chunk: 2 });
 * const kzx = kernelMatrix(plan, theta, z, x);
 * const g = matmul(kzx, kzx, { transposeB: true }), b = matmul(kzx, r);
 * assert.ok(gram.data.every((v, i) => Math.abs(v - g.data[i]) < 1e-14));
 * assert.ok(cross.data.every((v, i) => Math.abs(v - b.data[i]) < 1e-14));
 * ```
 */
export function inducingProducts(
  program: KernelOps,
  theta: Tensor,
  z: Tensor,
  x: Tensor,
  r: Tensor,
  options: InducingProductsOptions = {},
): InducingProducts {
  const [m, d] = matrixOf("z", z);
  const [n, dx] = matrixOf("x", x);
  if (dx !== d) {
    throw new TypeError(
      `inducingProducts: z has ${d} columns but x has ${dx}; both need the same dimension d`,
    );
  }
  if (!(r instanceof Tensor) || r.size !== n) {
    throw new TypeError(
      `inducingProducts: r must be a Tensor of ${n} entries (one per input), got ${
        r instanceof Tensor ? `shape ${showShape(r.shape)}` : typeof r
      }`,
    );
  }
  if (!(theta instanceof Tensor) || theta.ndim !== 1) {
    throw new TypeError(`inducingProducts: theta must be a vector Tensor, got ${theta}`);
  }
  const chunk = options.chunk ?? defaultChunk(m);
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new TypeError(
      `inducingProducts: options.chunk must be a positive integer, got ${chunk}; omit it ` +
        `for the default`,
    );
  }
  const stream = new ChunkStream(
    { ops: program.ops, theta: theta.data },
    { data: z.data, n: m, d },
    { data: x.data, n, d },
    chunk,
  );
  const packed = stream.forward(r.data);
  const needs = {
    theta: theta.requiresGrad,
    z: z.requiresGrad,
    x: x.requiresGrad,
    r: r.requiresGrad,
  };
  const out = record(
    "inducingProducts",
    packed,
    [m * m + m],
    [theta, z, x, r],
    (grad) => stream.backward(r.data, grad, needs),
  );
  return { gram: slice(out, 0, [m, m]), cross: slice(out, m * m, [m]) };
}

/** Which inputs of {@link inducingProducts} want a gradient. */
interface Needs {
  theta: boolean;
  z: boolean;
  x: boolean;
  r: boolean;
}

/** The chunked passes over X: K_c = k(Z, X_c) formed in one reused WASM buffer. */
class ChunkStream {
  readonly #prog: core.KernelProgram;
  readonly #z: core.PointSet;
  readonly #x: core.PointSet;
  readonly #width: number;

  constructor(prog: core.KernelProgram, z: core.PointSet, x: core.PointSet, chunk: number) {
    this.#prog = prog;
    this.#z = z;
    this.#x = x;
    this.#width = Math.max(1, Math.min(chunk, x.n));
  }

  /** Calls `body(start, xc, kc)` for each chunk, with K_c (M × c) formed in `kc`. */
  #each(body: (start: number, xc: core.PointSet, kc: core.F64Buffer) => void): void {
    const m = this.#z.n, n = this.#x.n, d = this.#x.d;
    using buf = core.F64Buffer.alloc(m * this.#width);
    for (let start = 0; start < n; start += this.#width) {
      const c = Math.min(this.#width, n - start);
      const xc = { data: this.#x.data.subarray(start * d, (start + c) * d), n: c, d };
      const kc = c === this.#width ? buf : buf.subarray(0, m * c);
      core.kernelMatrixInto(this.#prog, this.#z, xc, kc);
      body(start, xc, kc);
    }
  }

  /** [G (M × M, row-major), b (M)] for the weights `r`. */
  forward(r: Float64Array): Float64Array {
    const m = this.#z.n;
    using g = core.F64Buffer.alloc(m * m);
    using b = core.F64Buffer.alloc(m);
    g.view().fill(0);
    b.view().fill(0);
    this.#each((start, xc, kc) => {
      // G += K_c K_cᵀ on the lower triangle (a SYRK), b += K_c r_c.
      gemmAcc(kc, kc, g, m, xc.n, m, { transposeB: true, lower: true });
      gemmAcc(kc, r.subarray(start, start + xc.n), b, m, xc.n, 1);
    });
    const out = new Float64Array(m * m + m), gv = g.view();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) out[i * m + j] = out[j * m + i] = gv[i * m + j];
    }
    out.set(b.view(), m * m);
    return out;
  }

  /** The VJPs to [θ, Z, X, r] of the packed [Ḡ, b̄]. */
  backward(r: Float64Array, grad: Float64Array, needs: Needs): (Float64Array | null)[] {
    const m = this.#z.n, n = this.#x.n, d = this.#x.d;
    const gTheta = needs.theta ? new Float64Array(this.#prog.theta.length) : null;
    const gz = needs.z ? new Float64Array(m * d) : null;
    const gx = needs.x ? new Float64Array(n * d) : null;
    const gr = needs.r ? new Float64Array(n) : null;
    if (!needs.theta && !needs.z && !needs.x && !needs.r) return [null, null, null, null];
    using s = core.F64Buffer.alloc(m * m); // Ḡ + Ḡᵀ
    const sv = s.view();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) sv[i * m + j] = grad[i * m + j] + grad[j * m + i];
    }
    using bBar = core.F64Buffer.from(grad.subarray(m * m));
    using kBarAll = core.F64Buffer.alloc(m * this.#width);
    using rBarAll = core.F64Buffer.alloc(this.#width);
    const wantsK = needs.theta || needs.z || needs.x;
    this.#each((start, xc, kc) => {
      const c = xc.n;
      if (gr !== null) {
        // r̄_c = K_cᵀ b̄.
        const rBar = rBarAll.subarray(0, c);
        rBar.view().fill(0);
        gemmAcc(kc, bBar, rBar, c, m, 1, { transposeA: true });
        gr.set(rBar.view(), start);
      }
      if (!wantsK) return;
      // K̄_c = S K_c + b̄ r_cᵀ.
      const kBar = kBarAll.subarray(0, m * c);
      kBar.view().fill(0);
      gemmAcc(s, kc, kBar, m, m, c);
      gemmAcc(bBar, r.subarray(start, start + c), kBar, m, 1, c);
      if (gTheta !== null) {
        const t = kernelCrossThetaContract(this.#prog, this.#z, xc, kBar);
        for (let p = 0; p < t.length; p++) gTheta[p] += t[p];
      }
      if (gz !== null) {
        const t = kernelInputContract(this.#prog, this.#z, xc, kBar, 1);
        for (let p = 0; p < t.length; p++) gz[p] += t[p];
      }
      if (gx !== null) gx.set(kernelInputContract(this.#prog, this.#z, xc, kBar, 2), start * d);
    });
    return [gTheta, gz, gx, gr];
  }
}
