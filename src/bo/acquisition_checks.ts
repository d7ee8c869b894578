/**
 * Argument checks shared by the Monte-Carlo acquisitions: a RangeError naming the argument,
 * the value seen and what is allowed.
 *
 * @module
 */

/**
 * `value` when it is a finite number; a TypeError (not a number) or RangeError otherwise.
 *
 * @example
 * ```ts
 * import { checkFinite } from "./acquisition_checks.ts";
 * import assert from "node:assert";
 * assert.strictEqual(checkFinite(1.5, "f(x)", "x"), 1.5);
 * assert.throws(() => checkFinite(NaN, "f(x)", "x"), RangeError);
 * ```
 */
export function checkFinite(value: number, what: string, name: string): number {
  if (typeof value !== "number") {
    throw new TypeError(`${what}: ${name} must be a number, got ${typeof value}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${what}: ${name} = ${value}; pass a finite number`);
  }
  return value;
}

/**
 * `value` when it is a finite number > 0; a TypeError or RangeError otherwise.
 *
 * @example
 * ```ts
 * import { checkPositive } from "./acquisition_checks.ts";
 * import assert from "node:assert";
 * assert.throws(() => checkPositive(0, "f(tau)", "tau"), RangeError);
 * ```
 */
export function checkPositive(value: number, what: string, name: string): number {
  if (checkFinite(value, what, name) <= 0) {
    throw new RangeError(`${what}: ${name} = ${value}; it must be positive`);
  }
  return value;
}

/**
 * `value` when it is a finite number ≥ 0; a TypeError or RangeError otherwise.
 *
 * @example
 * ```ts
 * import { checkNonNegative } from "./acquisition_checks.ts";
 * import assert from "node:assert";
 * assert.strictEqual(checkNonNegative(0, "f(beta)", "beta"), 0);
 * ```
 */
export function checkNonNegative(value: number, what: string, name: string): number {
  if (checkFinite(value, what, name) < 0) {
    throw new RangeError(`${what}: ${name} = ${value}; it must be at least 0`);
  }
  return value;
}
