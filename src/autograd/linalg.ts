/**
 * Recorded dense linear algebra on the WASM core: Cholesky (with the engine's jitter
 * ladder) and its VJP, triangular solves, the solve through a Cholesky factor, and the
 * log-determinant from a factor. Each takes a matrix or a batch [b, n, n].
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { choleskyFactor } from "../wasm/cholesky_factor.ts";
import { record, Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";
import { matmulData, matrixDims, matShape, transposeData } from "./matrix.ts";
import { transpose } from "./matrix.ts";

function need(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${typeof x}; wrap it with tensor()`);
  }
  return x;
}

function square(op: string, name: string, x: Tensor): [number, number] {
  const [batch, r, c] = matrixDims(op, name, x);
  if (r !== c) {
    throw new TypeError(
      `${op}: ${name} has shape ${showShape(x.shape)}, not square; pass [n, n] or [b, n, n]`,
    );
  }
  return [batch, r];
}

/** The lower (or upper) triangle of an n × n block, the rest zero. */
function triangle(a: Float64Array, n: number, upper: boolean, offset = 0): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const lo = upper ? i : 0, hi = upper ? n : i + 1;
    for (let j = lo; j < hi; j++) out[i * n + j] = a[offset + i * n + j];
  }
  return out;
}

/**
 * X with op(T) X = B for a triangular n × n T (its other triangle ignored), B n × m.
 * `transpose` solves with Tᵀ.
 */
function solveTriangularData(
  t: Float64Array,
  n: number,
  upper: boolean,
  trans: boolean,
  b: Float64Array,
  m: number,
): Float64Array {
  // The core solves with a lower factor L (L⁻¹ or L⁻ᵀ); an upper T is Lᵀ for L = Tᵀ.
  const lower = upper ? transposeData(triangle(t, n, true), n, n) : triangle(t, n, false);
  using buf = core.F64Buffer.from(b);
  core.trsmLower(lower, n, buf, m, upper ? !trans : trans);
  return buf.toArray();
}

/**
 * The lower Cholesky factor L of a symmetric positive-definite A = L Lᵀ (of each matrix
 * of a batch). A matrix that is not positive definite in float64 gets the engine's
 * jitter ladder (1e-10 … 1e-6 of its mean diagonal, with a warning), else a
 * NotPositiveDefiniteError. The factor is that of ½(A + Aᵀ), so the gradient is the
 * symmetric one (as PyTorch's); the jitter is a constant of the backward pass. The VJP is
 * Ā = ½ (S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (Murray 2016; Φ keeps the lower triangle and halves
 * the diagonal), on the core's triangular blocks (`choleskyVjp`, 5n³/6 multiply–adds).
 *
 * @example
 * ```ts
 * import { cholesky } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const a = tensor([[4, 2], [2, 3]], { requiresGrad: true });
 * const l = cholesky(a);
 * assert.deepStrictEqual(Array.from(l.data), [2, 0, 1, Math.SQRT2]);
 * l.sum().backward();
 * assert.strictEqual(a.grad!.shape.length, 2);
 * ```
 */
export function cholesky(aIn: Tensor): Tensor {
  const op = "cholesky";
  const a = need(op, "a", aIn);
  const [batch, n] = square(op, "a", a);
  const out = new Float64Array(a.size);
  for (let t = 0; t < batch; t++) {
    const off = t * n * n;
    const sym = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 0.5 * (a.data[off + i * n + j] + a.data[off + j * n + i]);
        sym[i * n + j] = v;
        sym[j * n + i] = v;
      }
    }
    using f = choleskyFactor(sym, n, batch > 1 ? `cholesky: matrix ${t} of the batch` : op);
    out.set(f.factor.view(), off);
  }
  return record(op, out, a.shape, [a], (g) => {
    const ga = new Float64Array(a.size);
    for (let t = 0; t < batch; t++) {
      const off = t * n * n;
      const l = out.subarray(off, off + n * n);
      using buf = core.F64Buffer.from(g.subarray(off, off + n * n));
      core.choleskyVjp(l, n, buf);
      ga.set(buf.view(), off);
    }
    return [ga];
  });
}

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** A is upper triangular (default false: lower). Its other triangle is ignored. */
  upper?: boolean;
  /** Solve A X = B (default true); false solves X A = B. */
  left?: boolean;
  /** Use Aᵀ in place of A (default false). */
  transpose?: boolean;
}

/**
 * X with op(A) X = B (left, the default) or X op(A) = B, for a triangular A (PyTorch's
 * `linalg.solve_triangular`; op(A) = Aᵀ with `transpose`). A is [n, n] or [b, n, n]; B is
 * [n, m] (left) or [m, n] (right), batched like A. On the core's triangular solve.
 *
 * @example
 * ```ts
 * import { triangularSolve } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const l = tensor([[2, 0], [1, 1]]);
 * const x = triangularSolve(l, tensor([[2], [3]]));
 * assert.deepStrictEqual(Array.from(x.data), [1, 2]);
 * ```
 */
export function triangularSolve(
  aIn: Tensor,
  bIn: Tensor,
  options: TriangularSolveOptions = {},
): Tensor {
  const op = "triangularSolve";
  const a = need(op, "a", aIn), b = need(op, "b", bIn);
  const upper = options.upper ?? false, trans = options.transpose ?? false;
  if (options.left === false) {
    // X op(A) = B  ⇔  op(A)ᵀ Xᵀ = Bᵀ.
    return transpose(triangularSolve(a, transpose(b), { upper, transpose: !trans }));
  }
  const [batch, n] = square(op, "a", a);
  const [bb, rb, m] = matrixDims(op, "b", b);
  if (rb !== n || (bb !== batch && !(a.ndim === 2 && b.ndim === 3))) {
    throw new TypeError(
      `${op}: a has shape ${showShape(a.shape)} but b has shape ${showShape(b.shape)}; b needs ` +
        `${n} rows (and a's batch) to solve a·x = b`,
    );
  }
  const sa = a.ndim === 3 ? n * n : 0;
  const nb = Math.max(bb, batch);
  const out = new Float64Array(nb * n * m);
  for (let t = 0; t < nb; t++) {
    const at = a.data.subarray(t * sa, t * sa + n * n);
    out.set(
      solveTriangularData(at, n, upper, trans, b.data.subarray(t * n * m, (t + 1) * n * m), m),
      t * n * m,
    );
  }
  return record(op, out, matShape(b.ndim === 3, nb, n, m), [a, b], (g) => {
    const ga = a.requiresGrad ? new Float64Array(a.size) : null;
    const gb = new Float64Array(nb * n * m);
    for (let t = 0; t < nb; t++) {
      const at = a.data.subarray(t * sa, t * sa + n * n);
      const gt = g.subarray(t * n * m, (t + 1) * n * m);
      // B̄ = op(A)⁻ᵀ X̄.
      const bbar = solveTriangularData(at, n, upper, !trans, gt, m);
      gb.set(bbar, t * n * m);
      if (ga !== null) {
        // Ā = −B̄ Xᵀ (or −X B̄ᵀ for op(A) = Aᵀ) on A's triangle: only that triangle is
        // computed (half the flops); an upper one as the lower triangle of the transpose.
        const x = out.subarray(t * n * m, (t + 1) * n * m);
        const [p, q] = trans !== upper ? [x, bbar] : [bbar, x];
        using d = core.F64Buffer.alloc(n * n);
        core.gemmEx(p, q, d, n, m, n, { transposeB: true, lower: true });
        const dv = d.view(), off = t * sa;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            if (upper) ga[off + j * n + i] -= dv[i * n + j];
            else ga[off + i * n + j] -= dv[i * n + j];
          }
        }
      }
    }
    return [ga, b.requiresGrad ? gb : null];
  });
}

/**
 * X = (L Lᵀ)⁻¹ B from the lower Cholesky factor L (PyTorch's `cholesky_solve(B, L)`): two
 * triangular solves on the core. The VJP: B̄ = (L Lᵀ)⁻¹ X̄, L̄ = −tril((B̄ Xᵀ + X B̄ᵀ) L).
 *
 * @example
 * ```ts
 * import { cholesky, choleskySolve } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const l = cholesky(tensor([[4, 2], [2, 3]]));
 * const x = choleskySolve(tensor([[6], [5]]), l);
 * assert.ok(Math.abs(x.data[0] - 1) < 1e-15 && Math.abs(x.data[1] - 1) < 1e-15);
 * ```
 */
export function choleskySolve(bIn: Tensor, lIn: Tensor): Tensor {
  const op = "choleskySolve";
  const b = need(op, "b", bIn), l = need(op, "l", lIn);
  const [batch, n] = square(op, "l", l);
  const [bb, rb, m] = matrixDims(op, "b", b);
  if (rb !== n || (bb !== batch && !(l.ndim === 2 && b.ndim === 3))) {
    throw new TypeError(
      `${op}: l has shape ${showShape(l.shape)} but b has shape ${showShape(b.shape)}; b needs ` +
        `${n} rows (and l's batch)`,
    );
  }
  const sl = l.ndim === 3 ? n * n : 0;
  const nb = Math.max(bb, batch);
  const solve = (t: number, rhs: Float64Array) => {
    const lt = triangle(l.data, n, false, t * sl);
    using buf = core.F64Buffer.from(rhs);
    core.trsmLower(lt, n, buf, m, false);
    core.trsmLower(lt, n, buf, m, true);
    return buf.toArray();
  };
  const out = new Float64Array(nb * n * m);
  for (let t = 0; t < nb; t++) {
    out.set(solve(t, b.data.subarray(t * n * m, (t + 1) * n * m)), t * n * m);
  }
  return record(op, out, matShape(b.ndim === 3, nb, n, m), [b, l], (g) => {
    const gb = new Float64Array(nb * n * m);
    const gl = l.requiresGrad ? new Float64Array(l.size) : null;
    for (let t = 0; t < nb; t++) {
      const bbar = solve(t, g.subarray(t * n * m, (t + 1) * n * m));
      gb.set(bbar, t * n * m);
      if (gl !== null) {
        const x = out.subarray(t * n * m, (t + 1) * n * m);
        // (B̄ Xᵀ + X B̄ᵀ) L as B̄ (Xᵀ L) + X (B̄ᵀ L): O(n² m), not an O(n³) product.
        const lt = l.data.subarray(t * sl, t * sl + n * n);
        const xl = matmulData(x, true, lt, false, m, n, n);
        const bl = matmulData(bbar, true, lt, false, m, n, n);
        const d = matmulData(bbar, false, xl, false, n, m, n);
        const d2 = matmulData(x, false, bl, false, n, m, n);
        for (let i = 0; i < d.length; i++) d[i] += d2[i];
        const off = t * sl;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) gl[off + i * n + j] -= d[i * n + j];
        }
      }
    }
    return [b.requiresGrad ? gb : null, gl];
  });
}

/**
 * log |L Lᵀ| = 2 Σ log Lᵢᵢ from a Cholesky factor L ([n, n] → a scalar; [b, n, n] → [b]).
 *
 * @example
 * ```ts
 * import { cholesky, choleskyLogdet } from "./linalg.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const a = tensor([[4, 2], [2, 3]], { requiresGrad: true });
 * const ld = choleskyLogdet(cholesky(a));
 * ld.backward();
 * assert.ok(Math.abs(ld.item() - Math.log(8)) < 1e-15);
 * assert.ok(Math.abs(a.grad!.data[0] - 3 / 8) < 1e-15); // (A⁻¹)₀₀
 * ```
 */
export function choleskyLogdet(lIn: Tensor): Tensor {
  const op = "choleskyLogdet";
  const l = need(op, "l", lIn);
  const [batch, n] = square(op, "l", l);
  const out = new Float64Array(batch);
  for (let t = 0; t < batch; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(l.data[t * n * n + i * n + i]);
    out[t] = 2 * s;
  }
  return record(op, out, l.ndim === 3 ? [batch] : [], [l], (g) => {
    const gl = new Float64Array(l.size);
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < n; i++) {
        const at = t * n * n + i * n + i;
        gl[at] = 2 * g[t] / l.data[at];
      }
    }
    return [gl];
  });
}
