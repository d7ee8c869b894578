/**
 * Inputs and vectors: validation and conversion to `Float64Array`.
 *
 * gpts keeps every number in float64. Inputs `x` are N × d, stored row-major; a
 * flat array of N numbers is N × 1 (the usual one-dimensional case).
 *
 * @module
 */

/** A flat list of numbers: `number[]`, `Float64Array`, `Float32Array`, … */
export type VectorLike = ArrayLike<number>;

/**
 * Inputs of a GP: a flat array (N points in one dimension), an array of rows
 * (N points in d dimensions), or an {@link Inputs} already checked.
 */
export type InputLike = ArrayLike<number> | ArrayLike<ArrayLike<number>> | Inputs;

/** N points in d dimensions, row-major, validated finite. */
export class Inputs {
  /** Row-major values: point `i`, dimension `k` is `data[i * d + k]`. */
  readonly data: Float64Array;
  /** Number of points. */
  readonly n: number;
  /** Number of dimensions of each point. */
  readonly d: number;

  /**
   * Wrap row-major data as N × d inputs. The data must already be finite; use
   * {@link toInputs} to convert and check user data.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Inputs } from "./tensor.ts";
   * const x = new Inputs(new Float64Array([0, 1, 2, 3]), 2, 2);
   * assert.deepEqual(x.row(1), Float64Array.of(2, 3));
   * ```
   */
  constructor(data: Float64Array, n: number, d: number) {
    if (data.length !== n * d) {
      throw new TypeError(
        `Inputs: data has ${data.length} values but n × d = ${n} × ${d} = ${n * d}; ` +
          `pass row-major data of exactly n·d values`,
      );
    }
    this.data = data;
    this.n = n;
    this.d = d;
  }

  /** The coordinates of point `i` (a view, not a copy). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.d, (i + 1) * this.d);
  }

  /** True when both hold the same points in the same order. */
  equals(other: Inputs): boolean {
    if (this === other) return true;
    if (this.n !== other.n || this.d !== other.d) return false;
    for (let i = 0; i < this.data.length; i++) {
      if (this.data[i] !== other.data[i]) return false;
    }
    return true;
  }
}

function describeValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v;
}

/**
 * Check that every entry of `values` is a finite number and copy them into a new
 * `Float64Array`.
 *
 * @param values the numbers to check
 * @param name the argument's name, used in error messages
 * @throws {TypeError} when `values` is not array-like or holds a non-number
 * @throws {RangeError} when an entry is NaN or ±Infinity
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toVector } from "./tensor.ts";
 * const y = toVector([1, 2, 3], "y");
 * assert.equal(y.length, 3);
 * ```
 */
export function toVector(values: VectorLike, name: string): Float64Array {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(
      `${name}: expected an array of numbers (number[] or Float64Array), got ${
        describeValue(values)
      }`,
    );
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new TypeError(
        `${name}[${i}] is ${describeValue(v)}, not a number; ` +
          `pass a flat array of numbers (for N × d inputs, an array of rows)`,
      );
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${name}[${i}] is ${v}; every value must be finite: remove or impute missing points first`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Convert user inputs to validated N × d {@link Inputs}.
 *
 * A flat array is N × 1; an array of rows is N × d with every row of the same
 * length d ≥ 1. Empty inputs are rejected.
 *
 * @param x the inputs
 * @param name the argument's name, used in error messages
 * @param expectedDims when given, the number of dimensions the caller needs
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toInputs } from "./tensor.ts";
 * const x = toInputs([[0, 1], [2, 3], [4, 5]], "x");
 * assert.equal(x.n, 3);
 * assert.equal(x.d, 2);
 * ```
 */
export function toInputs(x: InputLike, name: string, expectedDims?: number): Inputs {
  let inputs: Inputs;
  if (x instanceof Inputs) {
    inputs = x;
  } else if (x === null || typeof x !== "object" || typeof x.length !== "number") {
    throw new TypeError(
      `${name}: expected inputs as an array of numbers (N points) or an array of rows ` +
        `(N × d), got ${describeValue(x)}`,
    );
  } else if (x.length > 0 && typeof x[0] === "object" && x[0] !== null) {
    const rows = x as ArrayLike<ArrayLike<number>>;
    const d = rows[0].length;
    if (d === 0) {
      throw new TypeError(`${name}[0] is an empty row; each point needs at least one coordinate`);
    }
    const data = new Float64Array(rows.length * d);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row === null || typeof row !== "object" || row.length !== d) {
        throw new TypeError(
          `${name}[${i}] has ${describeValue(row)}${
            row && typeof row === "object" ? ` (length ${row.length})` : ""
          } but ${name}[0] has length ${d}; every row must have the same number of dimensions`,
        );
      }
      data.set(toVector(row, `${name}[${i}]`), i * d);
    }
    inputs = new Inputs(data, rows.length, d);
  } else {
    const data = toVector(x as ArrayLike<number>, name);
    inputs = new Inputs(data, data.length, 1);
  }
  if (inputs.n === 0) {
    throw new RangeError(`${name} is empty; a GP needs at least one point`);
  }
  if (expectedDims !== undefined && inputs.d !== expectedDims) {
    throw new TypeError(
      `${name} has ${inputs.d} dimension(s) per point but ${expectedDims} are expected; ` +
        `pass N × ${expectedDims} inputs`,
    );
  }
  return inputs;
}

/**
 * `n` evenly spaced numbers from `start` to `end` inclusive, as `torch.linspace`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linspace } from "./tensor.ts";
 * assert.deepEqual(linspace(0, 1, 5), Float64Array.of(0, 0.25, 0.5, 0.75, 1));
 * ```
 */
export function linspace(start: number, end: number, n: number): Float64Array {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new RangeError(`linspace(start, end, n): start = ${start}, end = ${end} must be finite`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`linspace(start, end, n): n = ${n} must be a positive integer`);
  }
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (end - start) / (n - 1);
  // Fill from both ends, as torch does, so that the last value is exactly `end`.
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    out[i] = i < half ? start + step * i : end - step * (n - 1 - i);
  }
  return out;
}
