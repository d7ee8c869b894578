/**
 * The data-dependent part of a whitened variational predictive as one recorded
 * operation: from K_ux = k(Z, X; θ), the factor L of K_uu and q(v) = N(m, R Rᵀ), the mean
 * Aᵀm and the variance term diag(Aᵀ (R Rᵀ − I) A) with A = L⁻¹ K_ux, on the core's
 * kernel, triangular and GEMM routines, with a hand-derived VJP.
 *
 * Why fused: composed of generic ops, the M × B matrices (K_ux, A, Rᵀ A and their
 * gradients) cross between JS and WASM memory about 25 times a training step; here K_ux
 * is formed in WASM memory, solved and multiplied in place, and A and U = RᵀA stay there
 * for the backward pass ({@link KeptBuffers}) — a measured 7 ms of a 60 ms SVGP step at
 * M = 256, B = 1024, before the kept pair stayed in WASM memory too.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { kernelCrossThetaContract, kernelInputContract } from "../wasm/kernel_contractions.ts";
import { gradEnabled } from "../settings.ts";
import { record, Tensor } from "./tensor.ts";
import { packedSlice } from "./packed_outputs.ts";
import { showShape } from "./broadcast.ts";
import { KeptBuffers } from "../wasm/kept_buffers.ts";
import { whitenedChunkWidth } from "../wasm/whitened_chunks.ts";
import type { KernelOps } from "./kernel_ops.ts";

/** What {@link whitenedPredictive} returns. */
export interface WhitenedPredictive {
  /** Aᵀ m, [B]. */
  mean: Tensor;
  /** colsum((Rᵀ A)²) − colsum(A²) = diag(Aᵀ (R Rᵀ − I) A), [B]. */
  varianceTerm: Tensor;
}

const OP = "whitenedPredictive";

function points(name: string, t: unknown): [number, number] {
  if (!(t instanceof Tensor) || t.ndim !== 2) {
    throw new TypeError(
      `${OP}: ${name} must be a Tensor of shape [n, d], got ${
        t instanceof Tensor ? `shape ${showShape(t.shape)}` : typeof t
      }; reshape a flat vector of points with .reshape([-1, 1])`,
    );
  }
  return [t.shape[0], t.shape[1]];
}

function squareOf(name: string, t: unknown, m: number, what: string): void {
  if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[0] !== m || t.shape[1] !== m) {
    throw new TypeError(
      `${OP}: ${name} must be ${what}, [${m}, ${m}] for ${m} inducing points, got ${
        t instanceof Tensor ? `shape ${showShape(t.shape)}` : typeof t
      }`,
    );
  }
}

/**
 * Aᵀ m and colsum((Rᵀ A)²) − colsum(A²) for A = L⁻¹ k(Z, X; θ), recorded, with VJPs to
 * θ, Z, X, L (lower triangle), m and R (lower triangle; the upper triangles of L and R
 * are not read and get no gradient).
 *
 * Cost, M inducing points and B inputs: forward the kernel, L⁻¹K (½M²B multiply–adds) and
 * RᵀA (½M²B); backward R̄ = tril(A Ūᵀ) (½M²B), R Ū (½M²B), K̄ = L⁻ᵀĀ (½M²B),
 * L̄ = −tril(K̄ Aᵀ) (½M²B) and the kernel's contractions — each product once, on its
 * triangle, with no M³ term.
 *
 * @param program the kernel's plan (`kernel.plan(d)`)
 * @param theta its parameter values, recorded [p]
 * @param z the inducing points [M, d]
 * @param x the inputs [B, d]
 * @param l the lower Cholesky factor of K_uu (+ jitter), [M, M]
 * @param m the variational mean of v, [M]
 * @param root the lower-triangular root R of the variational covariance S = R Rᵀ, [M, M]
 * @param options `chunk`: inputs formed at a time when no gradient is recorded (default
 *   about 2²¹ / M, so a prediction holds O(M · chunk) of WASM memory); results do not
 *   depend on it
 * @throws {TypeError} when a shape does not match
 *
 * @example
 * ```ts
 * import { whitenedPredictive } from "./whitened_predictive.ts";
 * import { kernelMatrix } from "./kernel_ops.ts";
 * import { cholesky, triangularSolve } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import { gradcheck } from "./gradcheck.ts";
 * import { RBFKernel } from "../kernels/rbf_kernel.ts";
 * import assert from "node:assert";
 * const plan = new RBFKernel().plan(1);
 * const theta = tensor(Array.from(plan.theta), { requiresGrad: true });
 * const z = tensor([[0], [1]]), x = tensor([[0.3], [0.8]], { requiresGrad: true });
 * const l = cholesky(kernelMatrix(plan, theta, z).add(tensor([[1e-6, 0], [0, 1e-6]])));
 * const m = tensor([0.5, -1], { requiresGrad: true });
 * const root = tensor([[1, 0], [0.2, 0.5]], { requiresGrad: true });
 * const p = whitenedPredictive(plan, theta, z, x, l, m, root);
 * const a = triangularSolve(l, kernelMatrix(plan, theta, z, x));
 * const mean0 = a.data[0] * 0.5 - a.data[2];
 * assert.ok(Math.abs(p.mean.data[0] - mean0) < 1e-12);
 * const f = (theta: any, x: any, m: any, root: any) => {
 *   const l = cholesky(kernelMatrix(plan, theta, z).add(tensor([[1e-6, 0], [0, 1e-6]])));
 *   const q = whitenedPredictive(plan, theta, z, x, l, m, root);
 *   return q.mean.add(q.varianceTerm.mul(2)).sum();
 * };
 * assert.ok(gradcheck(f, [theta, x, m, root], { atol: 1e-6, rtol: 1e-5 }));
 * ```
 */
export function whitenedPredictive(
  program: KernelOps,
  theta: Tensor,
  z: Tensor,
  x: Tensor,
  l: Tensor,
  m: Tensor,
  root: Tensor,
  options: { chunk?: number } = {},
): WhitenedPredictive {
  const [nz, d] = points("z", z);
  const [b, dx] = points("x", x);
  if (dx !== d) {
    throw new TypeError(
      `${OP}: z has ${d} columns but x has ${dx}; the inputs need the inducing points' ` +
        `dimension ${d}`,
    );
  }
  squareOf("l", l, nz, "the lower Cholesky factor of K_uu");
  squareOf("root", root, nz, "the lower-triangular root of S");
  if (!(m instanceof Tensor) || m.size !== nz) {
    throw new TypeError(
      `${OP}: m must be a Tensor of ${nz} entries (one per inducing point), got ${
        m instanceof Tensor ? `shape ${showShape(m.shape)}` : typeof m
      }`,
    );
  }
  if (!(theta instanceof Tensor) || theta.ndim !== 1) {
    throw new TypeError(`${OP}: theta must be a vector Tensor, got ${theta}`);
  }
  const chunk = options.chunk;
  if (chunk !== undefined && (!Number.isSafeInteger(chunk) || chunk < 1)) {
    throw new TypeError(
      `${OP}: options.chunk must be a positive integer, got ${chunk}; omit it for the default`,
    );
  }
  const prog: core.KernelProgram = { ops: program.ops, theta: theta.data };
  const zs: core.PointSet = { data: z.data, n: nz, d };
  const xs: core.PointSet = { data: x.data, n: b, d };
  const inputs = [theta, z, x, l, m, root];
  const keep = gradEnabled() && inputs.some((t) => t.requiresGrad);

  // [Aᵀm, colsum(U²) − colsum(A²)]: with gradients, at once and A and U kept resident for
  // the backward; without, in chunks of inputs, so that a prediction at millions of points
  // holds only O(M · chunk) of WASM memory.
  const out = new Float64Array(2 * b);
  const saved: Saved = { prog, zs, xs, theta, z, x, l, m, root };
  let kept: KeptBuffers | null = null;
  if (keep) {
    const [a, u] = formProducts(saved, xs);
    try {
      meanAndVarianceTerm(a, u, m.data, out, 0, b);
      kept = new KeptBuffers([a, u], "copy");
    } finally {
      if (kept === null) freeAll([a, u]);
    }
  } else {
    const width = whitenedChunkWidth(nz, b, chunk);
    for (let start = 0; start < b; start += width) {
      const c = Math.min(width, b - start);
      const xc = { data: x.data.subarray(start * d, (start + c) * d), n: c, d };
      const au = formProducts(saved, xc);
      try {
        meanAndVarianceTerm(au[0], au[1], m.data, out, start, b);
      } finally {
        freeAll(au);
      }
    }
  }

  // `kept` is set whenever a gradient is recorded (both follow from the same inputs).
  const packed = record(OP, out, [2 * b], inputs, (g) => backward(saved, kept!, g));
  return { mean: packedSlice(packed, 0, [b]), varianceTerm: packedSlice(packed, b, [b]) };
}

function freeAll(buffers: core.F64Buffer[]): void {
  for (const buf of buffers) buf.free();
}

/** A = L⁻¹ K_ux and U = RᵀA (M × c each) for the inputs `xs`, in new WASM buffers. */
function formProducts(saved: Saved, xs: core.PointSet): [core.F64Buffer, core.F64Buffer] {
  const { prog, zs, l, root } = saved;
  const nz = zs.n, c = xs.n;
  const a = core.F64Buffer.alloc(nz * c);
  let u: core.F64Buffer | null = null;
  try {
    core.kernelMatrixInto(prog, zs, xs, a);
    core.trsmLower(l.data, nz, a, c, false); // A = L⁻¹ K_ux
    u = core.F64Buffer.alloc(nz * c);
    u.view().set(a.view());
    core.trmmLower(root.data, nz, u, c, true); // U = Rᵀ A
    return [a, u];
  } catch (e) {
    a.free();
    u?.free();
    throw e;
  }
}

/**
 * out[start + j] = (Aᵀm)ⱼ and out[b + start + j] = ‖uⱼ‖² − ‖aⱼ‖² for the c columns of A
 * and U (inputs [start, start + c) of all `b`), in one pass over both.
 */
function meanAndVarianceTerm(
  a: core.F64Buffer,
  u: core.F64Buffer,
  mv: Float64Array,
  out: Float64Array,
  start: number,
  b: number,
): void {
  const nz = mv.length, c = a.length / nz;
  const av = a.view(), uv = u.view();
  const su = new Float64Array(c), sa = new Float64Array(c);
  for (let i = 0; i < nz; i++) {
    const row = i * c, mi = mv[i];
    for (let j = 0; j < c; j++) {
      const aij = av[row + j], uij = uv[row + j];
      out[start + j] += aij * mi;
      sa[j] += aij * aij;
      su[j] += uij * uij;
    }
  }
  for (let j = 0; j < c; j++) out[b + start + j] = su[j] - sa[j];
}

/** What the backward reads of the forward call. */
interface Saved {
  prog: core.KernelProgram;
  zs: core.PointSet;
  xs: core.PointSet;
  theta: Tensor;
  z: Tensor;
  x: Tensor;
  l: Tensor;
  m: Tensor;
  root: Tensor;
}

/**
 * The VJPs to [θ, Z, X, L, m, R] of the packed [ḡ_μ, ḡ_v], on the kept A and U (given to
 * the first backward; a second one, with `retainGraph`, forms them again).
 */
function backward(saved: Saved, kept: KeptBuffers, g: Float64Array): (Float64Array | null)[] {
  const bufs = kept.take() ?? formProducts(saved, saved.xs);
  try {
    return backwardFrom(saved, bufs[0], bufs[1], g);
  } finally {
    freeAll(bufs);
  }
}

/** {@link backward} on A and U in WASM memory (U is overwritten: Ū, then Ā, then K̄). */
function backwardFrom(
  saved: Saved,
  aBuf: core.F64Buffer,
  wBuf: core.F64Buffer,
  g: Float64Array,
): (Float64Array | null)[] {
  const { prog, zs, xs, theta, z, x, l, m, root } = saved;
  const nz = zs.n, b = xs.n;
  const gMean = g.subarray(0, b), gVar = g.subarray(b, 2 * b);
  const av = aBuf.view();
  let wv = wBuf.view();
  // Ū = 2 U diag(ḡ_v): the gradient of Σⱼ ḡ_vⱼ ‖uⱼ‖² with respect to U.
  for (let i = 0; i < nz; i++) {
    const row = i * b;
    for (let j = 0; j < b; j++) wv[row + j] *= 2 * gVar[j];
  }
  let gRoot: Float64Array | null = null, gM: Float64Array | null = null;
  if (root.requiresGrad) {
    // R̄ = tril(A Ūᵀ) (U = RᵀA ⇒ ∂/∂R_ik = Σⱼ A_ij Ū_kj).
    using buf = core.F64Buffer.alloc(nz * nz);
    core.gemmEx(aBuf, wBuf, buf, nz, b, nz, { transposeB: true, lower: true });
    gRoot = buf.toArray();
  }
  if (m.requiresGrad) {
    // m̄ = A ḡ_μ.
    using buf = core.F64Buffer.alloc(nz);
    core.gemmEx(aBuf, gMean, buf, nz, b, 1);
    gM = buf.toArray();
  }
  const wantsK = theta.requiresGrad || z.requiresGrad || x.requiresGrad;
  if (!wantsK && !l.requiresGrad) return [null, null, null, null, gM, gRoot];
  // Ā = R Ū − 2 A diag(ḡ_v) + m ḡ_μᵀ, then K̄ = L⁻ᵀ Ā, all in place.
  core.trmmLower(root.data, nz, wBuf, b, false);
  wv = wBuf.view();
  const mv = m.data;
  for (let i = 0; i < nz; i++) {
    const row = i * b, mi = mv[i];
    for (let j = 0; j < b; j++) wv[row + j] += mi * gMean[j] - 2 * av[row + j] * gVar[j];
  }
  core.trsmLower(l.data, nz, wBuf, b, true);
  let gL: Float64Array | null = null;
  if (l.requiresGrad) {
    // L̄ = −tril(K̄ Aᵀ), the triangular solve's VJP on L's triangle.
    using buf = core.F64Buffer.alloc(nz * nz);
    core.gemmEx(wBuf, aBuf, buf, nz, b, nz, { transposeB: true, lower: true, alpha: -1 });
    gL = buf.toArray();
  }
  const gTheta = theta.requiresGrad ? kernelCrossThetaContract(prog, zs, xs, wBuf) : null;
  const gZ = z.requiresGrad ? kernelInputContract(prog, zs, xs, wBuf, 1) : null;
  const gX = x.requiresGrad ? kernelInputContract(prog, zs, xs, wBuf, 2) : null;
  return [gTheta, gZ, gX, gL, gM, gRoot];
}
