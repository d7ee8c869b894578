/**
 * Gauss quadrature from a Lanczos tridiagonal: e₁ᵀ f(T) e₁ = Σ_k (q_k)₁² f(λ_k), with
 * the eigenvalues λ_k and the first components of the eigenvectors from the implicit
 * QL algorithm (EISPACK tql2), tracking only the first row of the eigenvector matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tridiagonalQuadrature } from "./lanczos_quadrature.ts";
 * // T = diag(2, 3): e₁ᵀ log(T) e₁ = log 2
 * // [[2, 0], [0, 3]] from the unit vector e₁: e₁ᵀ log(T) e₁ = log 2.
 * assert.ok(Math.abs(tridiagonalQuadrature(Float64Array.of(2, 3), Float64Array.of(0), Math.log) - Math.LN2) < 1e-15);
 * ```
 *
 * @module
 */

/** Eigenvalues and squared first eigenvector components of a symmetric tridiagonal. */
export function tridiagonalEigen(
  diag: Float64Array,
  offDiag: Float64Array,
): { values: Float64Array; weights: Float64Array } {
  const n = diag.length;
  const d = diag.slice();
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = offDiag[i];
  const z = new Float64Array(n);
  if (n > 0) z[0] = 1;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new RangeError("tridiagonalEigen: QL did not converge");
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const zh = z[i + 1];
          z[i + 1] = s * z[i] + c * zh;
          z[i] = c * z[i] - s * zh;
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return { values: d, weights: z.map((v) => v * v) };
}

/** e₁ᵀ f(T) e₁ for the symmetric tridiagonal T = tridiag(offDiag, diag, offDiag). */
export function tridiagonalQuadrature(
  diag: Float64Array,
  offDiag: Float64Array,
  f: (x: number) => number,
): number {
  const { values, weights } = tridiagonalEigen(diag, offDiag);
  let s = 0;
  for (let k = 0; k < values.length; k++) s += weights[k] * f(values[k]);
  return s;
}
