/**
 * Fused operations on a symmetric positive-definite matrix A, through its Cholesky
 * factor: the solve A⁻¹ B and the inverse quadratic form Bᵀ A⁻¹ B (or its diagonal).
 * Their VJPs give Ā directly as a rank-m product (O(n² m)), never through the factor's
 * own VJP (O(n³)): what GP predictions differentiable in the kernel's parameters need.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { choleskyFactor } from "../wasm/cholesky_factor.ts";
import { record, Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";
import { matmulData } from "./matrix.ts";

/** Options of {@link spdSolve} and {@link invQuad}. */
export interface SpdOptions {
  /**
   * The lower Cholesky factor of A (row-major n × n) when it is known already (e.g. a
   * model's cached training solve); it must be the factor of these values of A.
   */
  factor?: Float64Array;
}

function check(op: string, a: unknown, b: unknown): [Tensor, Tensor, number, number] {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new TypeError(`${op}(a, b): a and b must be Tensors; wrap numbers with tensor()`);
  }
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1] || b.ndim !== 2 || b.shape[0] !== a.shape[0]) {
    throw new TypeError(
      `${op}(a, b): a has shape ${showShape(a.shape)} and b ${showShape(b.shape)}; a must be ` +
        `a square [n, n] matrix and b an [n, m] matrix with the same n`,
    );
  }
  return [a, b, a.shape[0], b.shape[1]];
}

/** The factor of ½(A + Aᵀ) (jitter ladder), or the one given. */
function factorOf(op: string, a: Tensor, n: number, given: Float64Array | undefined): Float64Array {
  if (given !== undefined) {
    if (given.length !== n * n) {
      throw new TypeError(`${op}: options.factor has ${given.length} values for an ${n} × ${n} a`);
    }
    return given;
  }
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
      sym[i * n + j] = v;
      sym[j * n + i] = v;
    }
  }
  using f = choleskyFactor(sym, n, op);
  return f.factor.toArray();
}

/** A⁻¹ B through the factor L (n × m). */
function solveWith(l: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  using buf = core.F64Buffer.from(b);
  core.trsmLower(l, n, buf, m, false);
  core.trsmLower(l, n, buf, m, true);
  return buf.toArray();
}

/** −½ (P Qᵀ + Q Pᵀ) for n × m P, Q: the symmetric gradient −sym(P Qᵀ). */
function minusSym(p: Float64Array, q: Float64Array, n: number, m: number): Float64Array {
  const d = matmulData(p, false, q, true, n, m, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = -0.5 * (d[i * n + j] + d[j * n + i]);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
    d[i * n + i] = -d[i * n + i];
  }
  return d;
}

/**
 * X = A⁻¹ B for a symmetric positive-definite A (its symmetric part ½(A + Aᵀ), factored
 * with the engine's jitter ladder unless `options.factor` is given). VJP: B̄ = A⁻¹ X̄,
 * Ā = −sym(B̄ Xᵀ), O(n² m).
 *
 * @example
 * ```ts
 * import { spdSolve } from "./spd_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const a = tensor([[4, 2], [2, 3]], { requiresGrad: true });
 * const x = spdSolve(a, tensor([[6], [5]]));
 * assert.ok(Math.abs(x.data[0] - 1) < 1e-15 && Math.abs(x.data[1] - 1) < 1e-15);
 * x.sum().backward();
 * assert.deepStrictEqual(a.grad!.shape, [2, 2]);
 * ```
 */
export function spdSolve(aIn: Tensor, bIn: Tensor, options: SpdOptions = {}): Tensor {
  const op = "spdSolve";
  const [a, b, n, m] = check(op, aIn, bIn);
  const l = factorOf(op, a, n, options.factor);
  const x = solveWith(l, n, b.data, m);
  return record(op, x, [n, m], [a, b], (g) => {
    const bbar = solveWith(l, n, g, m);
    return [a.requiresGrad ? minusSym(bbar, x, n, m) : null, bbar];
  });
}

/** Options of {@link invQuad}. */
export interface InvQuadOptions extends SpdOptions {
  /** Only the diagonal bⱼᵀ A⁻¹ bⱼ (an [m] vector) rather than the [m, m] matrix. */
  diag?: boolean;
}

/**
 * Bᵀ A⁻¹ B ([m, m]), or with `diag` its diagonal bⱼᵀ A⁻¹ bⱼ ([m]), for a symmetric
 * positive-definite A (as {@link spdSolve}): the reduction of a GP's posterior
 * covariance and variances. With W = A⁻¹ B: B̄ = W (Ḡ + Ḡᵀ), Ā = −W Ḡ Wᵀ (symmetrised),
 * O(n² m).
 *
 * @example
 * ```ts
 * import { invQuad } from "./spd_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const a = tensor([[2, 0], [0, 4]]);
 * const b = tensor([[2], [2]], { requiresGrad: true });
 * const q = invQuad(a, b, { diag: true }); // 4/2 + 4/4
 * q.backward();
 * assert.ok(Math.abs(q.item() - 3) < 1e-15);
 * assert.ok(Math.abs(b.grad!.data[0] - 2) < 1e-15 && Math.abs(b.grad!.data[1] - 1) < 1e-15);
 * ```
 */
export function invQuad(aIn: Tensor, bIn: Tensor, options: InvQuadOptions = {}): Tensor {
  const op = "invQuad";
  const [a, b, n, m] = check(op, aIn, bIn);
  const l = factorOf(op, a, n, options.factor);
  const w = solveWith(l, n, b.data, m);
  const diag = options.diag ?? false;
  let out: Float64Array;
  if (diag) {
    out = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) out[j] += b.data[i * m + j] * w[i * m + j];
    }
  } else {
    out = matmulData(b.data, true, w, false, m, n, m);
  }
  return record(op, out, diag ? [m] : [m, m], [a, b], (g) => {
    // WḠ (n × m), with Ḡ = diag(g) for the diagonal form.
    let wg: Float64Array;
    if (diag) {
      wg = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) wg[i * m + j] = w[i * m + j] * g[j];
    } else {
      wg = matmulData(w, false, g, false, n, m, m);
    }
    let gb: Float64Array | null = null;
    if (b.requiresGrad) {
      if (diag) {
        gb = new Float64Array(n * m);
        for (let i = 0; i < gb.length; i++) gb[i] = 2 * wg[i];
      } else {
        gb = wg.slice();
        const wgt = matmulData(w, false, g, true, n, m, m);
        for (let i = 0; i < gb.length; i++) gb[i] += wgt[i];
      }
    }
    return [a.requiresGrad ? minusSym(wg, w, n, m) : null, gb];
  });
}
