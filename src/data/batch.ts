/**
 * One minibatch, and the checks both batchers share (options, rows, non-finite values).
 *
 * @module
 */
import { type InputLike, Inputs, type VectorLike } from "../tensor.ts";

/**
 * One minibatch: `x.n` rows of the data set, their targets, and where they came from.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batches } from "./batches.ts";
 * const [first] = batches([[0, 1], [2, 3], [4, 5]], [10, 20, 30], { batchSize: 2 });
 * assert.strictEqual(first.index, 0);
 * assert.deepStrictEqual(first.x.row(1), new Float64Array([2, 3]));
 * assert.deepStrictEqual(first.y, new Float64Array([10, 20]));
 * assert.deepStrictEqual(first.rowIndices, new Float64Array([0, 1]));
 * ```
 */
export interface Batch {
  /** The batch's inputs, `x.n` × d (a fresh copy: keeping it keeps no data set alive). */
  x: Inputs;
  /** The batch's targets, one per row of `x`. */
  y: Float64Array;
  /** The batch's position in its epoch, from 0. */
  index: number;
  /** The epoch the batch belongs to, from 0 (each pass over the data is one epoch). */
  epoch: number;
  /** For each row of the batch, its row in the data set (for streamed data: in stream order). */
  rowIndices: Float64Array;
}

/** Row-major values with their shape, not yet checked for finiteness. */
export interface RawRows {
  data: Float64Array;
  n: number;
  d: number;
}

function describe(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v;
}

/** A positive integer batch size, or a TypeError / RangeError naming it. */
export function checkBatchSize(fn: string, batchSize: unknown): number {
  if (typeof batchSize !== "number") {
    throw new TypeError(
      `${fn}: options.batchSize is ${describe(batchSize)}; pass a positive integer, ` +
        `e.g. { batchSize: 1024 }`,
    );
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `${fn}: options.batchSize = ${batchSize} must be an integer ≥ 1, e.g. { batchSize: 1024 }`,
    );
  }
  return batchSize;
}

/** A seed for {@link Generator}, or undefined; a TypeError / RangeError naming it otherwise. */
export function checkSeed(fn: string, seed: unknown): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== "number") {
    throw new TypeError(
      `${fn}: options.seed is ${describe(seed)}; pass a non-negative integer (e.g. 1) or omit it`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `${fn}: options.seed = ${seed} must be a non-negative integer (e.g. 1) or omitted`,
    );
  }
  return seed;
}

/** A boolean option (default when undefined), or a TypeError naming it. */
export function checkFlag(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") {
    throw new TypeError(`${fn}: options.${name} is ${describe(v)}; pass true or false`);
  }
  return v;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === "object" &&
    typeof (v as ArrayLike<unknown>).length === "number";
}

/**
 * Convert inputs (a flat array of N numbers, N rows of d, or an {@link Inputs}) to row-major
 * values, checking types and shapes but not finiteness (the batchers check that per batch, to
 * name the batch). An `Inputs` or a `Float64Array` is used as it is, without a copy.
 */
export function rawRows(x: InputLike, name: string): RawRows {
  if (x instanceof Inputs) return { data: x.data, n: x.n, d: x.d };
  if (!isArrayLike(x)) {
    throw new TypeError(
      `${name}: expected inputs as an array of numbers (N points), an array of rows (N × d) ` +
        `or an Inputs, got ${describe(x)}`,
    );
  }
  if (x instanceof Float64Array) return { data: x, n: x.length, d: 1 };
  const first = x.length > 0 ? (x as ArrayLike<unknown>)[0] : undefined;
  if (isArrayLike(first)) {
    const rows = x as ArrayLike<ArrayLike<unknown>>;
    const d = first.length;
    if (d === 0) {
      throw new TypeError(`${name}[0] is an empty row; each point needs at least one coordinate`);
    }
    const data = new Float64Array(rows.length * d);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!isArrayLike(row) || row.length !== d) {
        throw new TypeError(
          `${name}[${i}] is ${describe(row)}${isArrayLike(row) ? ` (length ${row.length})` : ""}` +
            ` but ${name}[0] has length ${d}; every row must have the same number of dimensions`,
        );
      }
      for (let k = 0; k < d; k++) {
        const v = row[k];
        if (typeof v !== "number") {
          throw new TypeError(`${name}[${i}][${k}] is ${describe(v)}, not a number`);
        }
        data[i * d + k] = v;
      }
    }
    return { data, n: rows.length, d };
  }
  return { data: rawVector(x as VectorLike, name), n: x.length, d: 1 };
}

/** Targets as a Float64Array (a Float64Array as it is), checking types but not finiteness. */
export function rawVector(y: VectorLike, name: string): Float64Array {
  if (y instanceof Float64Array) return y;
  if (!isArrayLike(y)) {
    throw new TypeError(
      `${name}: expected an array of numbers (number[] or Float64Array), got ${describe(y)}`,
    );
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = (y as ArrayLike<unknown>)[i];
    if (typeof v !== "number") {
      throw new TypeError(`${name}[${i}] is ${describe(v)}, not a number; pass a flat array`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Copy row `src` of (`x`, `y`) into slot `dst` of a batch under assembly, throwing a RangeError
 * that names the batch, its row, the data's row (`where`) and the column when a value is not
 * finite. Nothing is yielded before the whole batch is checked.
 */
export function copyRowChecked(
  fn: string,
  x: Float64Array,
  y: Float64Array,
  d: number,
  src: number,
  bx: Float64Array,
  by: Float64Array,
  dst: number,
  batch: { epoch: number; index: number },
  where: () => string,
): void {
  const off = src * d;
  for (let k = 0; k < d; k++) {
    const v = x[off + k];
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${fn}: batch ${batch.index} of epoch ${batch.epoch}, row ${dst} (${where()}), ` +
          `column ${k} of x is ${v}; every value must be finite: remove or impute that row`,
      );
    }
    bx[dst * d + k] = v;
  }
  const t = y[src];
  if (!Number.isFinite(t)) {
    throw new RangeError(
      `${fn}: batch ${batch.index} of epoch ${batch.epoch}, row ${dst} (${where()}): ` +
        `y is ${t}; every target must be finite: remove or impute that row`,
    );
  }
  by[dst] = t;
}

/** Fisher–Yates: a uniformly random permutation of 0 … n−1 from `uniform()`. */
export function permutation(n: number, uniform: () => number): Float64Array {
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
