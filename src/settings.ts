/**
 * Scoped settings, as GPyTorch's `with gpytorch.settings.…():` blocks, with `using`.
 *
 * A setting is read when a model is called, and the result keeps the value it was
 * created with: a posterior made inside a `fastPredVar()` scope computes its
 * variances the fast way even when awaited after the scope ends.
 *
 * @example
 * ```ts
 * import * as settings from "./settings.ts";
 * {
 *   using _ = settings.fastPredVar();
 *   console.log(settings.current().fastPredVar); // true
 * }
 * console.log(settings.current().fastPredVar); // false
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
}

const stack: Settings[] = [{ fastPredVar: false }];

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
