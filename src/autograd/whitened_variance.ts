/**
 * The variance term of a whitened predictive as one recorded operation with a
 * hand-derived VJP: diag(Aᵀ (R Rᵀ − I) A) for a lower-triangular root R, on the core's
 * triangular multiply and a lower-triangle GEMM.
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

/**
 * qⱼ = ‖Rᵀ aⱼ‖² − ‖aⱼ‖² = aⱼᵀ (R Rᵀ − I) aⱼ for each column aⱼ of the M × B matrix A and a
 * lower-triangular M × M root R (its upper triangle is ignored and gets no gradient, as
 * `triangularSolve`'s other triangle): the variance term of the whitened
 * predictive, diag(Aᵀ (S − I) A) with S = R Rᵀ, without the B × B matrix.
 *
 * Cost: U = Rᵀ A by the triangular multiply (½M²B multiply–adds) forward; backward
 * Ā = 2 (R U − A) diag(ḡ) (½M²B) and R̄ = tril(2 A diag(ḡ) Uᵀ) (one triangle, ½M²B) —
 * half of what a dense Rᵀ A and its VJP cost, and no M³ term.
 *
 * @example
 * ```ts
 * import { whitenedVarianceTerm } from "./whitened_variance.ts";
 * import { tensor } from "./tensor.ts";
 * import { gradcheck } from "./gradcheck.ts";
 * import assert from "node:assert";
 * const r = tensor([[2, 0], [1, 1]], { requiresGrad: true });
 * const a = tensor([[1, 0], [0, 1]], { requiresGrad: true });
 * // Rᵀ a₀ = (2, 0): 4 − 1; Rᵀ a₁ = (1, 1): 2 − 1
 * assert.deepStrictEqual(Array.from(whitenedVarianceTerm(r, a).data), [3, 1]);
 * const w = tensor([1, -2]);
 * assert.ok(gradcheck((r, a) => whitenedVarianceTerm(r, a).mul(w).sum(), [r, a]));
 * ```
 */
export function whitenedVarianceTerm(rootIn: Tensor, aIn: Tensor): Tensor {
  const op = "whitenedVarianceTerm";
  const [rr, rc] = matrix(op, "root", rootIn);
  const [m, b] = matrix(op, "a", aIn);
  if (rr !== m || rc !== m) {
    throw new TypeError(
      `${op}: root has shape ${showShape(rootIn.shape)} but a has shape ${
        showShape(aIn.shape)
      }; root must be [${m}, ${m}] (a's rows, square, lower triangular)`,
    );
  }
  const root = rootIn, a = aIn;
  using uBuf = core.F64Buffer.from(a.data);
  core.trmmLower(root.data, m, uBuf, b, true);
  const u = uBuf.toArray();
  // Two sums, then the difference (as colsum((RᵀA)²) − colsum(A²)).
  const su = new Float64Array(b), sa = new Float64Array(b);
  for (let i = 0; i < m; i++) {
    const row = i * b;
    for (let j = 0; j < b; j++) {
      su[j] += u[row + j] * u[row + j];
      sa[j] += a.data[row + j] * a.data[row + j];
    }
  }
  const out = new Float64Array(b);
  for (let j = 0; j < b; j++) out[j] = su[j] - sa[j];
  return record(op, out, [b], [root, a], (g) => {
    // Ū = 2 U diag(ḡ): the gradient of Σⱼ ḡⱼ ‖uⱼ‖² with respect to U.
    const ug = new Float64Array(m * b);
    for (let i = 0; i < m; i++) {
      const row = i * b;
      for (let j = 0; j < b; j++) ug[row + j] = 2 * u[row + j] * g[j];
    }
    let gr: Float64Array | null = null, ga: Float64Array | null = null;
    if (root.requiresGrad) {
      // R̄ = A Ūᵀ on R's triangle (U = Rᵀ A ⇒ ∂/∂R_ik = Σⱼ A_ij Ū_kj).
      using grBuf = core.F64Buffer.alloc(m * m);
      core.gemmEx(a.data, ug, grBuf, m, b, m, { transposeB: true, lower: true });
      gr = grBuf.toArray();
    }
    if (a.requiresGrad) {
      // Ā = R Ū − 2 A diag(ḡ).
      using gaBuf = core.F64Buffer.from(ug);
      core.trmmLower(root.data, m, gaBuf, b, false);
      ga = gaBuf.toArray();
      for (let i = 0; i < m; i++) {
        const row = i * b;
        for (let j = 0; j < b; j++) ga[row + j] -= 2 * a.data[row + j] * g[j];
      }
    }
    return [gr, ga];
  });
}
