/**
 * Validation of a box [lower, upper] given as two rows (BoTorch's 2 × d `bounds`).
 *
 * @module
 */

/**
 * Checks `bounds` = [lower, upper] (two rows of d finite numbers, lower < upper everywhere)
 * and returns them as Float64Arrays. `where` names the argument in the messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkBounds } from "./check_bounds.ts";
 * assert.deepStrictEqual(checkBounds([[0], [1]], "f(bounds)").map((r) => Array.from(r)), [[0], [1]]);
 * assert.throws(() => checkBounds([[1], [0]], "f(bounds)"), RangeError);
 * ```
 *
 * @throws {TypeError} when bounds are not two rows of equal length d ≥ 1 (or of length `dim`)
 * @throws {RangeError} when an entry is not finite or a lower bound is not below its upper one
 */
export function checkBounds(
  bounds: ArrayLike<ArrayLike<number>>,
  where: string,
  dim?: number,
): [Float64Array, Float64Array] {
  if (
    bounds === null || typeof bounds !== "object" || bounds.length !== 2 ||
    bounds[0] === null || typeof bounds[0] !== "object" || bounds[1] === null ||
    typeof bounds[1] !== "object"
  ) {
    throw new TypeError(
      `${where}: expected two rows [lower, upper] of d numbers each, got ${
        bounds === null || typeof bounds !== "object" ? String(bounds) : `${bounds.length} row(s)`
      }; pass e.g. [[0, 0], [1, 1]] for the unit square`,
    );
  }
  const lo = Float64Array.from(bounds[0]), hi = Float64Array.from(bounds[1]);
  if (lo.length !== hi.length || lo.length === 0) {
    throw new TypeError(
      `${where}: lower has ${lo.length} entries and upper ${hi.length}; give both the same ` +
        `length d ≥ 1 (one per input dimension)`,
    );
  }
  if (dim !== undefined && lo.length !== dim) {
    throw new TypeError(
      `${where}: the bounds have ${lo.length} dimension(s) but ${dim} are expected; give ` +
        `[lower, upper] with ${dim} entries each`,
    );
  }
  for (let j = 0; j < lo.length; j++) {
    if (!Number.isFinite(lo[j]) || !Number.isFinite(hi[j])) {
      throw new RangeError(
        `${where}: bounds of dimension ${j} are [${lo[j]}, ${hi[j]}]; they must be finite`,
      );
    }
    if (!(lo[j] < hi[j])) {
      throw new RangeError(
        `${where}: lower[${j}] = ${lo[j]} is not below upper[${j}] = ${hi[j]}; every lower ` +
          `bound must be strictly less than its upper bound`,
      );
    }
  }
  return [lo, hi];
}
