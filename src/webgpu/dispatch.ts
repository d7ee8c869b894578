/**
 * Workgroup counts folded to the device's limit per dimension: a one-dimensional
 * count of row groups becomes (x, y) with x · y ≥ count and both ≤ the limit; the
 * shaders rebuild the row index as (wid.y · x + wid.x).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldDispatch } from "./dispatch.ts";
 * assert.deepEqual(foldDispatch(100_000, 65535), { x: 50000, y: 2 });
 * ```
 *
 * @module
 */

/** A folded two-dimensional dispatch. */
export interface FoldedDispatch {
  /** Workgroups along x (the shaders' `groups_x`). */
  x: number;
  /** Workgroups along y. */
  y: number;
}

/**
 * Fold `groups` workgroups into (x, y) within `maxPerDimension`.
 *
 * @throws {RangeError} when even maxPerDimension² workgroups are not enough
 */
export function foldDispatch(groups: number, maxPerDimension: number): FoldedDispatch {
  if (!Number.isSafeInteger(groups) || groups < 0) {
    throw new RangeError(`foldDispatch: groups = ${groups} must be a non-negative integer`);
  }
  if (!Number.isSafeInteger(maxPerDimension) || maxPerDimension < 1) {
    throw new RangeError(
      `foldDispatch: maxPerDimension = ${maxPerDimension} must be a positive integer ` +
        `(the device's maxComputeWorkgroupsPerDimension)`,
    );
  }
  if (groups <= maxPerDimension) return { x: groups, y: groups === 0 ? 0 : 1 };
  const y = Math.ceil(groups / maxPerDimension);
  if (y > maxPerDimension) {
    throw new RangeError(
      `foldDispatch: ${groups} workgroups exceed ${maxPerDimension}² on this device; ` +
        `split the problem or use device: "wasm"`,
    );
  }
  return { x: Math.ceil(groups / y), y };
}

/** The number of workgroups for `count` items at `perGroup` items each. */
export function groupsFor(count: number, perGroup: number): number {
  return Math.ceil(count / perGroup);
}
