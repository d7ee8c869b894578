/**
 * Gradient bookkeeping: d(scalar)/d(constrained values), one array per parameter.
 *
 * The ground floor does not know the {@link GradientKey}'s class: a `Parameter`
 * (src/parameter.ts) is one, and so is anything with a size.
 *
 * @example
 * ```ts
 * import { addGradient, type GradientMap } from "./gradient_map.ts";
 * import { deepStrictEqual } from "node:assert";
 * const p = { size: 2 };
 * const g: GradientMap = new Map();
 * addGradient(g, p, 1, 0.5);
 * addGradient(g, p, 1, 0.25);
 * deepStrictEqual(g.get(p), Float64Array.of(0, 0.75));
 * ```
 *
 * @module
 */

/** What a gradient is kept for: a parameter, seen only through its number of elements. */
export interface GradientKey {
  /** Number of elements. */
  readonly size: number;
}

/** d(scalar) / d(constrained values), per parameter. */
export type GradientMap = Map<GradientKey, Float64Array>;

/**
 * Add `g` to the gradient of element `element` of `parameter` in `into` (an array of
 * `parameter.size` zeros is created on first use).
 *
 * @example
 * ```ts
 * import { addGradient, type GradientMap } from "./gradient_map.ts";
 * import { strictEqual } from "node:assert";
 * const p = { size: 1 };
 * const g: GradientMap = new Map();
 * addGradient(g, p, 0, 2);
 * strictEqual(g.get(p)![0], 2);
 * ```
 */
export function addGradient(
  into: GradientMap,
  parameter: GradientKey,
  element: number,
  g: number,
): void {
  let arr = into.get(parameter);
  if (arr === undefined) {
    arr = new Float64Array(parameter.size);
    into.set(parameter, arr);
  }
  arr[element] += g;
}
