/**
 * Recorded quadratic forms with hand-derived VJPs, each product on the core's GEMM with
 * symmetric results computed one triangle at a time: the Gram matrix R Rᵀ and the
 * column quadratic forms aⱼᵀ C aⱼ (the variances of a whitened predictive,
 * diag(Aᵀ C A), without the B × B matrix or the M × B factor Rᵀ A and its VJP).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { record, Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";

function matrix(op: string, name: string, x: unknown): [number, number] {
  if (!(x instanceof Tensor) || x.ndim !== 2) {
    throw new TypeError(
      `${op}: ${name} must be a matrix Tensor [rows, cols], got ${
        x instanceof Tensor ? `shape ${showShape(x.shape)}` : typeof x
      }; wrap it with tensor() and reshape it to two dimensions`,
    );
  }
  return [x.shape[0], x.shape[1]];
}

/** Copy the lower triangle of the n × n `a` onto its upper one. */
function mirrorLower(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  }
}

function isLowerTriangular(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (a[i * n + j] !== 0) return false;
  }
  return true;
}

/**
 * R Rᵀ (n × n) of an n × k matrix R, exactly symmetric (one triangle computed, half
 * the flops of a general product). VJP: R̄ = (G + Gᵀ) R, a triangular product when R is
 * square and lower triangular (a Cholesky root).
 *
 * @example
 * ```ts
 * import { gram } from "./quadratic_forms.ts";
 * import { tensor } from "./tensor.ts";
 * import { gradcheck } from "./gradcheck.ts";
 * import assert from "node:assert";
 * const r = tensor([[1, 0], [2, 3]], { requiresGrad: true });
 * assert.deepStrictEqual(Array.from(gram(r).data), [1, 2, 2, 13]);
 * assert.ok(gradcheck((r) => gram(r).mul(tensor([[1, 2], [3, 4]])).sum(), [r]));
 * ```
 */
export function gram(rIn: Tensor): Tensor {
  const op = "gram";
  const [n, k] = matrix(op, "r", rIn);
  const r = rIn;
  using buf = core.F64Buffer.alloc(n * n);
  core.gemmEx(r.data, r.data, buf, n, k, n, { transposeB: true, lower: true });
  const out = buf.toArray();
  mirrorLower(out, n);
  return record(op, out, [n, n], [r], (g) => {
    const sym = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) sym[i * n + j] = g[i * n + j] + g[j * n + i];
    }
    if (n === k && isLowerTriangular(r.data, n)) {
      // A Cholesky root: (G + Gᵀ) R at half the flops, the zeros above R's diagonal skipped.
      using gr = core.F64Buffer.from(sym);
      core.trmmRightLower(r.data, n, gr, n);
      return [gr.toArray()];
    }
    using gr = core.F64Buffer.alloc(n * k);
    core.gemmEx(sym, r.data, gr, n, n, k);
    return [gr.toArray()];
  });
}

/**
 * The column quadratic forms qⱼ = aⱼᵀ C aⱼ of an n × m matrix A (columns aⱼ) and an
 * n × n matrix C: diag(Aᵀ C A) (length m) without forming Aᵀ C A. Only C's symmetric
 * part matters (aᵀ C a = aᵀ ½(C + Cᵀ) a), so C is symmetrised first. One GEMM forward
 * (V = ½(C + Cᵀ) A, kept for the VJP); VJPs Ā = 2 V diag(ḡ) and C̄ = A diag(ḡ) Aᵀ (one
 * triangle, mirrored).
 *
 * @example
 * ```ts
 * import { columnQuadraticForms } from "./quadratic_forms.ts";
 * import { tensor } from "./tensor.ts";
 * import { gradcheck } from "./gradcheck.ts";
 * import assert from "node:assert";
 * const a = tensor([[1, 2], [0, 1]], { requiresGrad: true });
 * const c = tensor([[2, 1], [0, 3]], { requiresGrad: true });
 * // a₀ = (1, 0): 2; a₁ = (2, 1): 2·4 + (1 + 0)·2 + 3 = 13
 * assert.deepStrictEqual(Array.from(columnQuadraticForms(a, c).data), [2, 13]);
 * assert.ok(gradcheck((a, c) => columnQuadraticForms(a, c).mul(tensor([1, -2])).sum(), [a, c]));
 * ```
 */
export function columnQuadraticForms(aIn: Tensor, cIn: Tensor): Tensor {
  const op = "columnQuadraticForms";
  const [n, m] = matrix(op, "a", aIn);
  const [rc, cc] = matrix(op, "c", cIn);
  if (rc !== n || cc !== n) {
    throw new TypeError(
      `${op}: a has shape ${showShape(aIn.shape)} but c has shape ${
        showShape(cIn.shape)
      }; c must be [${n}, ${n}] (a's rows, square)`,
    );
  }
  const a = aIn, c = cIn;
  const cs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) cs[i * n + j] = 0.5 * (c.data[i * n + j] + c.data[j * n + i]);
  }
  using vBuf = core.F64Buffer.alloc(n * m);
  core.gemmEx(cs, a.data, vBuf, n, n, m);
  const v = vBuf.toArray();
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) out[j] += a.data[row + j] * v[row + j];
  }
  return record(op, out, [m], [a, c], (g) => {
    let ga: Float64Array | null = null, gc: Float64Array | null = null;
    if (a.requiresGrad) {
      ga = new Float64Array(n * m);
      for (let i = 0; i < n; i++) {
        const row = i * m;
        for (let j = 0; j < m; j++) ga[row + j] = 2 * v[row + j] * g[j];
      }
    }
    if (c.requiresGrad) {
      const ag = new Float64Array(n * m);
      for (let i = 0; i < n; i++) {
        const row = i * m;
        for (let j = 0; j < m; j++) ag[row + j] = a.data[row + j] * g[j];
      }
      using gcBuf = core.F64Buffer.alloc(n * n);
      core.gemmEx(ag, a.data, gcBuf, n, m, n, { transposeB: true, lower: true });
      gc = gcBuf.toArray();
      mirrorLower(gc, n);
    }
    return [ga, gc];
  });
}
