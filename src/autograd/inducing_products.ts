/**
 * The two products through which SGPR's collapsed bound reads the N × M cross-covariance,
 * whitened by K_ZZ's factor L: P = R Rᵀ (M × M) and q = R r (M) for R = L⁻¹ K_Zx, as one
 * fused recorded operation that streams over the N inputs in chunks of columns and never
 * holds K_Zx (O(M·chunk + M²) memory, plus R when it fits `keepBytes`).
 *
 * Each chunk is whitened before its product (R_c = L⁻¹ K_c, then P += R_c R_cᵀ): forming
 * G = K_Zx K_xZ first and L⁻¹ G L⁻ᵀ after loses ε·cond(K_ZZ)·‖G‖ — all of P when K_ZZ
 * needs its jitter — where the whitened columns (‖R_:i‖² = Qᵢᵢ ≤ k(xᵢ, xᵢ)) lose only
 * what R does. The backward whitens each chunk again (or reads R_c kept by the forward
 * pass, within `keepBytes`): with S = P̄ + P̄ᵀ,
 * R̄_c = S R_c + q̄ r_cᵀ gives K̄_c = L⁻ᵀ R̄_c = W R_c + b̄ r_cᵀ (W = L⁻ᵀ S, b̄ = L⁻ᵀ q̄, both
 * formed once), which the core contracts with the kernel's derivatives (to θ, Z, X);
 * r̄_c = R_cᵀ q̄, and L̄ = −tril(L⁻ᵀ (S P + q̄ qᵀ)) from the outputs alone. (Folding the
 * chunk's whitening into Ḡ = L⁻ᵀ S L⁻¹ and forming Ḡ K_c saves that solve but loses
 * ~300·ε·cond(K_ZZ) in the gradients, past the fixture's tolerance; measured.)
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { gemmEx } from "../wasm/core.ts";
import {
  forEachWhitenedChunk,
  type WhitenedChunkStore,
  whitenedChunkWidth,
} from "../wasm/whitened_chunks.ts";
import { kernelCrossThetaContract, kernelInputContract } from "../wasm/kernel_contractions.ts";
import { record, Tensor } from "./tensor.ts";
import { packedSlice } from "./packed_outputs.ts";
import { KeptBuffers } from "../wasm/kept_buffers.ts";
import { gradEnabled } from "../settings.ts";
import { showShape } from "./broadcast.ts";
import type { KernelOps } from "./kernel_ops.ts";

/** Options of {@link inducingProducts}. */
export interface InducingProductsOptions {
  /**
   * Columns of K_Zx formed at a time (default: about 2²¹ / M, at least 64, so a chunk is
   * at most ~16 MB). Results do not depend on it beyond rounding.
   */
  chunk?: number;
  /**
   * The most bytes the forward pass may keep of R = L⁻¹ K_Zx (8·M·N) for the backward
   * (default 2²⁸ = 256 MB): kept, in WASM memory where the forward forms it, the backward
   * reads it in place instead of forming and whitening each chunk again (at N = 1e5, M =
   * 256 one loss + gradient took 3.7 s of CPU instead of 4.2 s); over the budget (or 0, or
   * when WASM memory cannot grow that far), R is streamed twice and only O(M·chunk) is
   * held. WASM memory does not shrink: what R took stays reserved for later calls.
   */
  keepBytes?: number;
}

/** P = R Rᵀ and q = R r for R = L⁻¹ K_Zx, both recorded. */
export interface InducingProducts {
  /** P, M × M (symmetric). */
  gram: Tensor;
  /** q, [M]. */
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

/**
 * P = R Rᵀ and q = R r for R = L⁻¹ K(Z, X), from a kernel program with parameter values
 * `theta` and a lower-triangular `l`, streamed over X in chunks, with VJPs to θ, Z, X, r
 * and L (by the core's kernel contractions; the backward forms and whitens each chunk of
 * K_Zx again, unless R fits `options.keepBytes`).
 *
 * @param program the base kernel's plan (`kernel.plan(d)`)
 * @param theta its parameter values, recorded [p]
 * @param z the inducing points [M, d]
 * @param x the inputs [N, d]
 * @param r the weights of q, [N]
 * @param l the lower Cholesky factor of K_ZZ (+ jitter), [M, M]
 * @param options the chunk size and the budget for keeping R
 * @throws {TypeError} when a shape does not match, the chunk is not a positive integer or
 *   `keepBytes` is negative
 *
 * @example
 * ```ts
 * import { inducingProducts } from "./inducing_products.ts";
 * import { kernelMatrix } from "./kernel_ops.ts";
 * import { matmul } from "./matrix.ts";
 * import { cholesky, triangularSolve } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import { RBFKernel } from "../kernels/rbf_kernel.ts";
 * import assert from "node:assert";
 * const plan = new RBFKernel().plan(1);
 * const theta = tensor(Array.from(plan.theta));
 * const z = tensor([[0], [1]]), x = tensor([[0.2], [0.5], [0.9]]), r = tensor([1, -2, 3]);
 * const l = cholesky(kernelMatrix(plan, theta, z));
 * const { gram, cross } = inducingProducts(plan, theta, z, x, r, l, { chunk: 2 });
 * const rt = triangularSolve(l, kernelMatrix(plan, theta, z, x)); // R = L⁻¹ K_Zx
 * const g = matmul(rt, rt, { transposeB: true }), b = matmul(rt, r);
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
  l: Tensor,
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
  if (!(l instanceof Tensor) || l.ndim !== 2 || l.shape[0] !== m || l.shape[1] !== m) {
    throw new TypeError(
      `inducingProducts: l must be K_ZZ's ${m} × ${m} lower Cholesky factor, got ${
        l instanceof Tensor ? `shape ${showShape(l.shape)}` : typeof l
      }`,
    );
  }
  if (!(theta instanceof Tensor) || theta.ndim !== 1) {
    throw new TypeError(`inducingProducts: theta must be a vector Tensor, got ${theta}`);
  }
  const chunk = options.chunk;
  if (chunk !== undefined && (!Number.isSafeInteger(chunk) || chunk < 1)) {
    throw new TypeError(
      `inducingProducts: options.chunk must be a positive integer, got ${chunk}; omit it ` +
        `for the default`,
    );
  }
  const keepBytes = options.keepBytes ?? 2 ** 28;
  if (!(keepBytes >= 0)) {
    throw new TypeError(
      `inducingProducts: options.keepBytes must be a number ≥ 0, got ${keepBytes}; omit it ` +
        `for the default`,
    );
  }
  const inputs = [theta, z, x, r, l];
  const keep = gradEnabled() && inputs.some((t) => t.requiresGrad) && 8 * m * n <= keepBytes;
  const stream = new ChunkStream(
    { ops: program.ops, theta: theta.data },
    { data: z.data, n: m, d },
    { data: x.data, n, d },
    l.data,
    chunk,
  );
  const packed = stream.forward(r.data, keep);
  const needs = {
    theta: theta.requiresGrad,
    z: z.requiresGrad,
    x: x.requiresGrad,
    r: r.requiresGrad,
    l: l.requiresGrad,
  };
  const out = record(
    "inducingProducts",
    packed,
    [m * m + m],
    inputs,
    (grad) => stream.backward(r.data, packed, grad, needs),
  );
  return { gram: packedSlice(out, 0, [m, m]), cross: packedSlice(out, m * m, [m]) };
}

/** Which inputs of {@link inducingProducts} want a gradient. */
interface Needs {
  theta: boolean;
  z: boolean;
  x: boolean;
  r: boolean;
  l: boolean;
}

/**
 * The chunked passes over X: K_c = k(Z, X_c) formed in one reused WASM buffer, or, when R
 * is kept, in its block of one resident buffer that the backward reads in place.
 */
class ChunkStream {
  readonly #prog: core.KernelProgram;
  readonly #z: core.PointSet;
  readonly #x: core.PointSet;
  readonly #l: Float64Array;
  readonly #width: number;
  /**
   * R kept whole in WASM memory from the forward pass to the backward; dropped (the
   * backward then forms it again) when another forward keeps its own.
   */
  #kept: KeptBuffers | null = null;

  constructor(
    prog: core.KernelProgram,
    z: core.PointSet,
    x: core.PointSet,
    l: Float64Array,
    chunk: number | undefined,
  ) {
    this.#prog = prog;
    this.#z = z;
    this.#x = x;
    this.#l = l;
    this.#width = whitenedChunkWidth(z.n, x.n, chunk);
  }

  /** Each chunk's R_c (formed, or read from `store`): {@link forEachWhitenedChunk}. */
  #each(
    l: core.F64Buffer,
    body: (start: number, xc: core.PointSet, rc: core.F64Buffer) => void,
    store: WhitenedChunkStore | null,
  ): void {
    forEachWhitenedChunk(this.#prog, this.#z, this.#x, l, this.#width, body, store);
  }

  /** An empty store for R (M·N entries), or null when WASM memory cannot grow that far. */
  #newStore(): WhitenedChunkStore | null {
    try {
      return { buffer: core.F64Buffer.alloc(this.#z.n * this.#x.n), filled: false };
    } catch (e) {
      if (e instanceof RangeError) return null; // streamed twice instead
      throw e;
    }
  }

  /** [P (M × M, row-major), q (M)] for the weights `r`; `keep`: keep R for the backward. */
  forward(r: Float64Array, keep: boolean): Float64Array {
    const m = this.#z.n;
    using l = core.F64Buffer.from(this.#l);
    using p = core.F64Buffer.alloc(m * m);
    using q = core.F64Buffer.alloc(m);
    p.view().fill(0);
    q.view().fill(0);
    const store = keep ? this.#newStore() : null;
    try {
      this.#each(l, (start, xc, rc) => {
        // P += R_c R_cᵀ on the lower triangle (a SYRK), q += R_c r_c.
        gemmEx(rc, rc, p, m, xc.n, m, { transposeB: true, lower: true, accumulate: true });
        gemmEx(rc, r.subarray(start, start + xc.n), q, m, xc.n, 1, { accumulate: true });
      }, store);
    } catch (e) {
      store?.buffer.free();
      throw e;
    }
    if (store !== null) this.#kept = new KeptBuffers([store.buffer], "drop");
    const out = new Float64Array(m * m + m), pv = p.view();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) out[i * m + j] = out[j * m + i] = pv[i * m + j];
    }
    out.set(q.view(), m * m);
    return out;
  }

  /** The VJPs to [θ, Z, X, r, L] of the packed [P̄, q̄], given the packed outputs. */
  backward(
    r: Float64Array,
    outputs: Float64Array,
    grad: Float64Array,
    needs: Needs,
  ): (Float64Array | null)[] {
    const m = this.#z.n, n = this.#x.n, d = this.#x.d;
    using l = core.F64Buffer.from(this.#l);
    // S = P̄ + P̄ᵀ; W = L⁻ᵀ S; b̄ = L⁻ᵀ q̄.
    const sym = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) sym[i * m + j] = grad[i * m + j] + grad[j * m + i];
    }
    using w = core.F64Buffer.from(sym);
    core.trsmLower(l, m, w, m, true);
    const qBar = grad.subarray(m * m);
    using bBar = core.F64Buffer.from(qBar);
    core.trsmLower(l, m, bBar, 1, true);
    const gl = needs.l ? lowerFactorGradient(l, sym, outputs, qBar, m) : null;
    const gTheta = needs.theta ? new Float64Array(this.#prog.theta.length) : null;
    const gz = needs.z ? new Float64Array(m * d) : null;
    const gx = needs.x ? new Float64Array(n * d) : null;
    const gr = needs.r ? new Float64Array(n) : null;
    // Released as PyTorch frees saved tensors after backward; a second backward forms R again.
    const kept = this.#kept?.take() ?? null;
    this.#kept = null;
    try {
      const store = kept === null ? null : { buffer: kept[0], filled: true };
      this.#chunkGradients(r, qBar, w, bBar, l, store, { gTheta, gz, gx, gr });
    } finally {
      for (const b of kept ?? []) b.free();
    }
    return [gTheta, gz, gx, gr, gl];
  }

  /** The chunks' parts of the gradients to θ, Z, X and r, added into `out`. */
  #chunkGradients(
    r: Float64Array,
    qBar: Float64Array,
    w: core.F64Buffer,
    bBar: core.F64Buffer,
    l: core.F64Buffer,
    store: WhitenedChunkStore | null,
    out: ChunkGradients,
  ): void {
    const m = this.#z.n, d = this.#x.d;
    const { gTheta, gz, gx, gr } = out;
    const wantsK = gTheta !== null || gz !== null || gx !== null;
    if (!wantsK && gr === null) return;
    using kBarAll = core.F64Buffer.alloc(m * this.#width);
    using rBarAll = core.F64Buffer.alloc(this.#width);
    using qBarBuf = core.F64Buffer.from(qBar);
    this.#each(l, (start, xc, rc) => {
      const c = xc.n;
      if (gr !== null) {
        // r̄_c = K_cᵀ b̄ = R_cᵀ q̄.
        const rBar = rBarAll.subarray(0, c);
        rBar.view().fill(0);
        gemmEx(rc, qBarBuf, rBar, c, m, 1, { transposeA: true, accumulate: true });
        gr.set(rBar.view(), start);
      }
      if (!wantsK) return;
      // K̄_c = L⁻ᵀ R̄_c = W R_c + b̄ r_cᵀ.
      const kBar = kBarAll.subarray(0, m * c);
      gemmEx(w, rc, kBar, m, m, c);
      gemmEx(bBar, r.subarray(start, start + c), kBar, m, 1, c, { accumulate: true });
      if (gTheta !== null) {
        const t = kernelCrossThetaContract(this.#prog, this.#z, xc, kBar);
        for (let p = 0; p < t.length; p++) gTheta[p] += t[p];
      }
      if (gz !== null) {
        const t = kernelInputContract(this.#prog, this.#z, xc, kBar, 1);
        for (let p = 0; p < t.length; p++) gz[p] += t[p];
      }
      if (gx !== null) gx.set(kernelInputContract(this.#prog, this.#z, xc, kBar, 2), start * d);
    }, store);
  }
}

/** The gradients {@link ChunkStream}'s backward sums over the chunks (null: not wanted). */
interface ChunkGradients {
  gTheta: Float64Array | null;
  gz: Float64Array | null;
  gx: Float64Array | null;
  gr: Float64Array | null;
}

/**
 * L̄ = −tril(L⁻ᵀ (S P + q̄ qᵀ)): R = L⁻¹ K_Zx gives L̄ = −tril(L⁻ᵀ R̄ Rᵀ), and
 * R̄ Rᵀ = (S R + q̄ rᵀ) Rᵀ = S P + q̄ qᵀ needs only the outputs P and q.
 */
function lowerFactorGradient(
  l: core.F64Buffer,
  sym: Float64Array,
  outputs: Float64Array,
  qBar: Float64Array,
  m: number,
): Float64Array {
  using y = core.F64Buffer.alloc(m * m);
  y.view().fill(0);
  gemmEx(sym, outputs.subarray(0, m * m), y, m, m, m, { accumulate: true });
  gemmEx(qBar, outputs.subarray(m * m), y, m, 1, m, { accumulate: true });
  core.trsmLower(l, m, y, m, true);
  const yv = y.view(), out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) out[i * m + j] = -yv[i * m + j];
  }
  return out;
}
