/**
 * Scoped settings, as GPyTorch's `with gpytorch.settings.…():` blocks, with `using`.
 *
 * A setting is read when a model is called, and the result keeps the value it was
 * created with: a posterior made inside a `fastPredVar()` scope computes its
 * variances the fast way even when awaited after the scope ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as settings from "./settings.ts";
 * {
 *   using _ = settings.fastPredVar();
 *   assert.equal(settings.current().fastPredVar, true);
 * }
 * assert.equal(settings.current().fastPredVar, false);
 * ```
 *
 * @module
 */

/** The settings in force. */
export interface Settings {
  /**
   * Predictive variances from a cache built once per training state rather than a
   * solve per call (GPyTorch's `fast_pred_var`). With the Cholesky solver the cache
   * is an explicit root of K̂⁻¹, so the variances stay exact; with the CG solver it is a
   * LOVE root of K̂⁻¹ (preconditioner columns + Lanczos from the mean cache, float64
   * Rayleigh–Ritz) that checks itself against solves and warns above 1e-3 relative.
   */
  fastPredVar: boolean;
  /**
   * Threads the WASM core may use for the O(N³) and O(N²) work (Cholesky, triangular
   * solves, the inverse of the exact gradient, kernel tiles and contractions): the
   * calling thread plus `threads − 1` Workers sharing its memory. Defaults to the
   * machine's cores (`navigator.hardwareConcurrency`). Where shared memory is not
   * available (or `GPTS_WASM_THREADS=0` is set and readable) the core runs on one
   * thread whatever this says. Results do not depend on it (bit for bit).
   */
  threads: number;
}

function defaultThreads(): number {
  const n = typeof navigator === "object" ? navigator.hardwareConcurrency : undefined;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

const stack: Settings[] = [{ fastPredVar: false, threads: defaultThreads() }];

/** The settings in force now. */
export function current(): Settings {
  return { ...stack[stack.length - 1] };
}

function scoped(change: Partial<Settings>): Disposable {
  const entry = { ...stack[stack.length - 1], ...change };
  stack.push(entry);
  return {
    [Symbol.dispose]() {
      const at = stack.lastIndexOf(entry);
      if (at > 0) stack.splice(at, 1);
    },
  };
}

/**
 * Fast predictive variances inside the scope (`using _ = fastPredVar();`).
 *
 * @param enabled false turns it off inside a scope that turned it on
 */
export function fastPredVar(enabled = true): Disposable {
  return scoped({ fastPredVar: enabled });
}

/**
 * The WASM core's thread count inside the scope (`using _ = threads(2);`); the
 * default outside every scope is the machine's cores. `threads(1)` runs everything
 * on the calling thread.
 *
 * @param count threads, main thread included (an integer ≥ 1; at most 64 are used)
 */
export function threads(count: number): Disposable {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`threads: count must be an integer ≥ 1, got ${count}`);
  }
  return scoped({ threads: count });
}
