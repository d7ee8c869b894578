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
   * machine's cores (`navigator.hardwareConcurrency`). Threads need no permission (the
   * Workers start from a blob). Where shared memory is not available, on one core, with
   * `GPTS_WASM_THREADS=0` set and readable (env access granted; never prompted for),
   * or once a Worker failed to start (gpts then warns once, naming the flag when the
   * cause is a permission), the core runs on one thread whatever this says. Results
   * do not depend on it (bit for bit).
   */
  threads: number;
  /**
   * True inside a {@link noGrad} scope: operations on tensors record nothing, so
   * nothing can be differentiated and nothing is kept for a backward pass (PyTorch's
   * `torch.no_grad()`).
   */
  noGrad: boolean;
}

function defaultThreads(): number {
  const n = typeof navigator === "object" ? navigator.hardwareConcurrency : undefined;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

const stack: Settings[] = [{ fastPredVar: false, threads: defaultThreads(), noGrad: false }];

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

/**
 * No recording of tensor operations inside the scope, as PyTorch's `torch.no_grad()`:
 * results require no gradient and keep no record (`using _ = noGrad();`).
 *
 * @param enabled false records again inside a scope that turned recording off
 * (PyTorch's `torch.enable_grad()`)
 *
 * @example
 * ```ts
 * import * as settings from "./settings.ts";
 * import assert from "node:assert";
 * {
 *   using _ = settings.noGrad();
 *   assert.strictEqual(settings.gradEnabled(), false);
 * }
 * assert.strictEqual(settings.gradEnabled(), true);
 * ```
 */
export function noGrad(enabled = true): Disposable {
  return scoped({ noGrad: enabled });
}

/**
 * Whether tensor operations record now (false inside a {@link noGrad} scope); cheaper
 * than `current().noGrad` (no copy).
 *
 * @example
 * ```ts
 * import { gradEnabled } from "./settings.ts";
 * import assert from "node:assert";
 * assert.strictEqual(gradEnabled(), true);
 * ```
 */
export function gradEnabled(): boolean {
  return !stack[stack.length - 1].noGrad;
}
