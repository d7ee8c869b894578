/**
 * Matrix operations on tensors, recorded: matmul (either operand transposed, a leading
 * batch dimension), transpose, diagonal and diagEmbed. Large products run on the WASM
 * core's GEMM; transposes are O(n²) copies.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { record, Tensor } from "./tensor.ts";
import { type Shape, showShape } from "./broadcast.ts";

/** Products with at least this many multiply–adds go to the core's GEMM. */
const GEMM_MIN_FLOPS = 32768;

/** The transpose of a row-major r × c block (as c × r). */
export function transposeData(a: Float64Array, r: number, c: number, offset = 0): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = offset + i * c;
    for (let j = 0; j < c; j++) out[j * r + i] = a[row + j];
  }
  return out;
}

/**
 * op(A) · op(B) (m × n) for row-major A (m × k, or k × m when `ta`) and B (k × n, or
 * n × k when `tb`).
 */
export function matmulData(
  a: Float64Array,
  ta: boolean,
  b: Float64Array,
  tb: boolean,
  m: number,
  k: number,
  n: number,
): Float64Array {
  if (m * k * n >= GEMM_MIN_FLOPS) {
    // The core reads a transposed operand in place: no transposed copy.
    using out = core.F64Buffer.alloc(m * n);
    core.gemmEx(a, b, out, m, k, n, { transposeA: ta, transposeB: tb });
    return out.toArray();
  }
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = ta ? a[p * m + i] : a[i * k + p];
      if (av === 0) continue;
      const row = i * n;
      if (tb) { for (let j = 0; j < n; j++) out[row + j] += av * b[j * k + p]; }
      else {
        const brow = p * n;
        for (let j = 0; j < n; j++) out[row + j] += av * b[brow + j];
      }
    }
  }
  return out;
}

function need(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${typeof x}; wrap it with tensor()`);
  }
  return x;
}

/** [batch, rows, cols] of a matrix or a batch of matrices; a TypeError otherwise. */
export function matrixDims(op: string, name: string, x: Tensor): [number, number, number] {
  if (x.ndim === 2) return [1, x.shape[0], x.shape[1]];
  if (x.ndim === 3) return [x.shape[0], x.shape[1], x.shape[2]];
  throw new TypeError(
    `${op}: ${name} has shape ${showShape(x.shape)}; expected a matrix [m, n] or a batch of ` +
      `matrices [b, m, n]`,
  );
}

/** The shape of `batch` matrices r × c (no batch dimension when `batched` is false). */
export function matShape(batched: boolean, batch: number, r: number, c: number): Shape {
  return batched ? [batch, r, c] : [r, c];
}

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ (the last two dimensions swapped). */
  transposeA?: boolean;
  /** Use Bᵀ. */
  transposeB?: boolean;
}

/**
 * op(A) · op(B): matrices [m, k] · [k, n], a batch [b, m, k] with a batch or a matrix,
 * or a matrix times a vector [k] (giving [m]). `transposeA` / `transposeB` use the
 * transposed operand without forming it in the record.
 *
 * @example
 * ```ts
 * import { matmul } from "./matrix.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const c = matmul(a, a, { transposeA: true }); // Aᵀ A
 * assert.deepStrictEqual(Array.from(c.data), [10, 14, 14, 20]);
 * c.sum().backward();
 * assert.deepStrictEqual(Array.from(a.grad!.data), [6, 6, 14, 14]);
 * ```
 */
export function matmul(aIn: Tensor, bIn: Tensor, options: MatmulOptions = {}): Tensor {
  const op = "matmul";
  const a = need(op, "a", aIn);
  let b = need(op, "b", bIn);
  const ta = options.transposeA ?? false, tb = options.transposeB ?? false;
  const vector = b.ndim === 1;
  if (vector) {
    if (tb) throw new TypeError("matmul: transposeB needs a matrix b, got a vector");
    b = b.reshape([b.size, 1]);
  }
  if (a.ndim === 1) {
    throw new TypeError(
      `matmul: a has shape ${showShape(a.shape)}; pass a matrix (a row vector is [1, n])`,
    );
  }
  const [ba, ra, ca] = matrixDims(op, "a", a);
  const [bb, rb, cb] = matrixDims(op, "b", b);
  const m = ta ? ca : ra, k = ta ? ra : ca;
  const k2 = tb ? cb : rb, n = tb ? rb : cb;
  if (k !== k2 || (ba !== bb && ba !== 1 && bb !== 1) || (ba !== bb && a.ndim === b.ndim)) {
    throw new TypeError(
      `matmul: shapes ${showShape(a.shape)}${ta ? "ᵀ" : ""} and ${showShape(b.shape)}${
        tb ? "ᵀ" : ""
      } do not multiply (inner sizes ${k} and ${k2}${
        ba !== bb ? `, batches ${ba} and ${bb}` : ""
      }); the columns of op(a) must equal the rows of op(b)`,
    );
  }
  const batch = Math.max(ba, bb);
  const batched = a.ndim === 3 || b.ndim === 3;
  const out = new Float64Array(batch * m * n);
  const sa = ba === 1 ? 0 : ra * ca, sb = bb === 1 ? 0 : rb * cb;
  for (let t = 0; t < batch; t++) {
    const ad = a.data.subarray(t * sa, t * sa + ra * ca);
    const bd = b.data.subarray(t * sb, t * sb + rb * cb);
    out.set(matmulData(ad, ta, bd, tb, m, k, n), t * m * n);
  }
  const result = record(op, out, matShape(batched, batch, m, n), [a, b], (g) => {
    let ga: Float64Array | null = null, gb: Float64Array | null = null;
    if (a.requiresGrad) ga = new Float64Array(a.size);
    if (b.requiresGrad) gb = new Float64Array(b.size);
    for (let t = 0; t < batch; t++) {
      const gt = g.subarray(t * m * n, (t + 1) * m * n);
      const ad = a.data.subarray(t * sa, t * sa + ra * ca);
      const bd = b.data.subarray(t * sb, t * sb + rb * cb);
      if (ga !== null) {
        // d op(A) = G op(B)ᵀ; for a transposed A store its transpose: op(B) Gᵀ.
        const d = ta
          ? matmulData(bd, tb, gt, true, k, n, m)
          : matmulData(gt, false, bd, !tb, m, n, k);
        const at = t * sa;
        for (let i = 0; i < d.length; i++) ga[at + i] += d[i];
      }
      if (gb !== null) {
        // d op(B) = op(A)ᵀ G; transposed B: Gᵀ op(A).
        const d = tb
          ? matmulData(gt, true, ad, ta, n, m, k)
          : matmulData(ad, !ta, gt, false, k, m, n);
        const at = t * sb;
        for (let i = 0; i < d.length; i++) gb[at + i] += d[i];
      }
    }
    return [ga, gb];
  });
  return vector ? result.reshape(result.shape.slice(0, -1)) : result;
}

/**
 * The transpose of a matrix, or of each matrix of a batch (the last two dimensions
 * swapped; PyTorch's `x.mT`).
 *
 * @example
 * ```ts
 * import { transpose } from "./matrix.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(transpose(tensor([[1, 2, 3]])).data), [1, 2, 3]);
 * assert.deepStrictEqual(transpose(tensor([[1, 2, 3]])).shape, [3, 1]);
 * ```
 */
export function transpose(xIn: Tensor): Tensor {
  const x = need("transpose", "x", xIn);
  const [batch, r, c] = matrixDims("transpose", "x", x);
  const flip = (d: Float64Array, rows: number, cols: number) => {
    const out = new Float64Array(d.length);
    for (let t = 0; t < batch; t++) {
      out.set(transposeData(d, rows, cols, t * rows * cols), t * rows * cols);
    }
    return out;
  };
  return record("transpose", flip(x.data, r, c), matShape(x.ndim === 3, batch, c, r), [x], (g) => [
    flip(g, c, r),
  ]);
}

/**
 * The diagonal of a square matrix [n, n] → [n] (of each matrix of a batch: [b, n, n] →
 * [b, n]).
 *
 * @example
 * ```ts
 * import { diagonal } from "./matrix.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(diagonal(tensor([[1, 2], [3, 4]])).data), [1, 4]);
 * ```
 */
export function diagonal(xIn: Tensor): Tensor {
  const x = need("diagonal", "x", xIn);
  const [batch, r, c] = matrixDims("diagonal", "x", x);
  if (r !== c) {
    throw new TypeError(
      `diagonal: x has shape ${showShape(x.shape)}, not square; pass an [n, n] matrix`,
    );
  }
  const out = new Float64Array(batch * r);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < r; i++) out[t * r + i] = x.data[t * r * r + i * r + i];
  }
  return record("diagonal", out, x.ndim === 3 ? [batch, r] : [r], [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < r; i++) gx[t * r * r + i * r + i] = g[t * r + i];
    }
    return [gx];
  });
}

/**
 * The diagonal matrix with `v` on its diagonal: [n] → [n, n] (a batch [b, n] → [b, n, n]).
 *
 * @example
 * ```ts
 * import { diagEmbed } from "./matrix.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(diagEmbed(tensor([1, 2])).data), [1, 0, 0, 2]);
 * ```
 */
export function diagEmbed(vIn: Tensor): Tensor {
  const v = need("diagEmbed", "v", vIn);
  if (v.ndim !== 1 && v.ndim !== 2) {
    throw new TypeError(
      `diagEmbed: v has shape ${showShape(v.shape)}; expected a vector [n] or a batch [b, n]`,
    );
  }
  const batch = v.ndim === 2 ? v.shape[0] : 1, n = v.shape[v.ndim - 1];
  const out = new Float64Array(batch * n * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < n; i++) out[t * n * n + i * n + i] = v.data[t * n + i];
  }
  return record("diagEmbed", out, v.ndim === 2 ? [batch, n, n] : [n, n], [v], (g) => {
    const gv = new Float64Array(v.size);
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < n; i++) gv[t * n + i] = g[t * n * n + i * n + i];
    }
    return [gv];
  });
}
