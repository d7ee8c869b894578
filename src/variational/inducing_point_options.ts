/**
 * Argument checks shared by the inducing-point initialisers.
 *
 * @module
 */

function describe(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "null";
  return typeof v;
}

/** The number of inducing points: an integer from 1 to n. */
export function checkNumInducing(fn: string, m: unknown, n: number): number {
  if (typeof m !== "number") {
    throw new TypeError(`${fn}: m is ${describe(m)}; pass the number of inducing points, e.g. 256`);
  }
  if (!Number.isSafeInteger(m) || m < 1) {
    throw new RangeError(`${fn}: m = ${m} must be an integer ≥ 1 (the number of inducing points)`);
  }
  if (m > n) {
    throw new RangeError(
      `${fn}: m = ${m} inducing points exceeds the N = ${n} rows of x; use m ≤ ${n}`,
    );
  }
  return m;
}

/** A seed (default 0) or a non-negative integer option, with a TypeError / RangeError naming it. */
export function checkCount(fn: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number") {
    throw new TypeError(`${fn}: options.${name} is ${describe(v)}; pass a non-negative integer`);
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${fn}: options.${name} = ${v} must be a non-negative integer`);
  }
  return v;
}
