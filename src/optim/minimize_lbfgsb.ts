/**
 * Drivers of {@link LbfgsbState}: one minimisation, or many restarts evaluated in one batched call
 * per round.
 *
 * @module
 */

import { LbfgsbState } from "./lbfgsb.ts";
import type { LbfgsbOptions } from "./lbfgsb.ts";

/** The outcome of one L-BFGS-B run (scipy's `fmin_l_bfgs_b` returns x, f and this `d`). */
export interface LbfgsbResult {
  /** The lowest point found, inside the box. */
  x: Float64Array;
  /** f there. */
  fun: number;
  /** The gradient there. */
  grad: Float64Array;
  /** Iterations taken (scipy's `nit`). */
  iterations: number;
  /** Function evaluations (scipy's `funcalls`). */
  evaluations: number;
  /** Why it stopped (scipy's `task` message). */
  reason: string;
  /** True when it stopped on pgtol or factr (scipy's `warnflag` 0). */
  converged: boolean;
}

/** f and its gradient at one point. */
export interface ValueAndGradient {
  /** f(x). */
  value: number;
  /** ∇f(x), one entry per variable. */
  gradient: ArrayLike<number>;
}

/** A function to minimise: x ↦ { value, gradient }, synchronous or not. */
export type LbfgsbObjective = (x: Float64Array) => ValueAndGradient | Promise<ValueAndGradient>;

/** Values and gradients at a batch of points. */
export interface BatchValuesAndGradients {
  /** f at each point. */
  values: ArrayLike<number>;
  /** ∇f at each point. */
  gradients: ArrayLike<ArrayLike<number>>;
}

/** A batched function: the points of every running restart ↦ their values and gradients. */
export type LbfgsbBatchObjective = (
  xs: Float64Array[],
) => BatchValuesAndGradients | Promise<BatchValuesAndGradients>;

/** Options of {@link minimizeLbfgsb}: the box and L-BFGS-B's settings. */
export interface MinimizeLbfgsbOptions extends LbfgsbOptions {
  /** Lower bounds, one per variable (default −Infinity). */
  lower?: ArrayLike<number>;
  /** Upper bounds, one per variable (default Infinity). */
  upper?: ArrayLike<number>;
}

function result(state: LbfgsbState): LbfgsbResult {
  return {
    x: Float64Array.from(state.bestX),
    fun: state.bestF,
    grad: Float64Array.from(state.bestGradient),
    iterations: state.iterations,
    evaluations: state.evaluations,
    reason: state.reason,
    converged: state.converged,
  };
}

/**
 * Minimises f over the box [lower, upper] by L-BFGS-B (scipy's
 * `fmin_l_bfgs_b(func, x0, bounds=…)` with `fprime` folded into `fn`).
 *
 * @param fn x ↦ { value, gradient } (may return a promise)
 * @param x0 the starting point, inside the box
 * @param options `lower`, `upper` and scipy's m, factr, pgtol, maxiter, maxfun, maxls
 * @returns the point found, its value and gradient, counts and the reason it stopped
 *
 * @example
 * ```ts
 * import { minimizeLbfgsb } from "./minimize_lbfgsb.ts";
 * import { ok } from "node:assert";
 * const res = await minimizeLbfgsb(
 *   (x) => ({ value: (x[0] - 1) ** 2 + (x[1] + 2) ** 2, gradient: [2 * (x[0] - 1), 2 * (x[1] + 2)] }),
 *   [0, 0],
 *   { lower: [-5, -1], upper: [5, 5] },
 * );
 * ok(Math.abs(res.x[0] - 1) < 1e-6 && res.x[1] === -1 && res.converged);
 * ```
 */
export async function minimizeLbfgsb(
  fn: LbfgsbObjective,
  x0: ArrayLike<number>,
  options: MinimizeLbfgsbOptions = {},
): Promise<LbfgsbResult> {
  if (typeof fn !== "function") {
    throw new TypeError(`minimizeLbfgsb(fn): expected a function, got ${typeof fn}`);
  }
  const n = x0?.length ?? 0;
  const lower = options.lower ?? new Array<number>(n).fill(-Infinity);
  const upper = options.upper ?? new Array<number>(n).fill(Infinity);
  const state = new LbfgsbState(x0, lower, upper, options);
  while (!state.done) {
    const out = await fn(Float64Array.from(state.x));
    if (out === null || typeof out !== "object") {
      throw new TypeError(
        `minimizeLbfgsb(fn): fn returned ${String(out)}, not { value, gradient }`,
      );
    }
    state.tell(out.value, out.gradient);
  }
  return result(state);
}

/**
 * Runs one L-BFGS-B minimisation from each start at once: every round calls `fnBatch` ONCE with
 * the points of all restarts still running, so an acquisition function can evaluate them as one
 * batch (BoTorch's `gen_candidates_scipy` over `numRestarts` initial conditions). Each restart
 * has its own memory, line search and stopping test.
 *
 * @param fnBatch points ↦ { values, gradients }, in the same order (may return a promise)
 * @param x0s the starting points, each of length d and inside the box
 * @param bounds [lower, upper], each of length d (BoTorch's 2 × d bounds)
 * @param options scipy's m, factr, pgtol, maxiter, maxfun, maxls, for every restart
 * @returns one result per start, in order
 *
 * @example
 * ```ts
 * import { minimizeLbfgsbBatch } from "./minimize_lbfgsb.ts";
 * import { ok } from "node:assert";
 * let calls = 0;
 * const results = await minimizeLbfgsbBatch((xs) => {
 *   calls++;
 *   return { values: xs.map((x) => Math.cos(3 * x[0])), gradients: xs.map((x) => [-3 * Math.sin(3 * x[0])]) };
 * }, [[0.2], [1.5]], [[0], [2]]);
 * ok(Math.abs(results[0].x[0] - Math.PI / 3) < 1e-4 && Math.abs(results[1].x[0] - Math.PI / 3) < 1e-4);
 * ok(calls < results[0].evaluations + results[1].evaluations);
 * ```
 */
export async function minimizeLbfgsbBatch(
  fnBatch: LbfgsbBatchObjective,
  x0s: ArrayLike<ArrayLike<number>>,
  bounds: ArrayLike<ArrayLike<number>>,
  options: LbfgsbOptions = {},
): Promise<LbfgsbResult[]> {
  if (typeof fnBatch !== "function") {
    throw new TypeError(`minimizeLbfgsbBatch(fnBatch): expected a function, got ${typeof fnBatch}`);
  }
  if (x0s === null || typeof x0s !== "object" || !(x0s.length > 0)) {
    throw new TypeError(
      `minimizeLbfgsbBatch(x0s): expected a non-empty array of starting points, got ${
        x0s === null || typeof x0s !== "object" ? String(x0s) : "an empty array"
      }`,
    );
  }
  if (bounds === null || typeof bounds !== "object" || bounds.length !== 2) {
    throw new TypeError(
      `minimizeLbfgsbBatch(bounds): expected two rows [lower, upper], got ${
        bounds === null || typeof bounds !== "object" ? String(bounds) : `${bounds.length} rows`
      }`,
    );
  }
  // Build (and so validate) every state before the first evaluation.
  const states = Array.from(x0s, (x0) => new LbfgsbState(x0, bounds[0], bounds[1], options));
  for (;;) {
    const active = states.filter((s) => !s.done);
    if (active.length === 0) break;
    const out = await fnBatch(active.map((s) => Float64Array.from(s.x)));
    if (
      out === null || typeof out !== "object" || out.values?.length !== active.length ||
      out.gradients?.length !== active.length
    ) {
      throw new TypeError(
        `minimizeLbfgsbBatch(fnBatch): expected { values, gradients } for ${active.length} ` +
          `point(s), got ${
            out === null || typeof out !== "object"
              ? String(out)
              : `${out.values?.length} values and ${out.gradients?.length} gradients`
          }`,
      );
    }
    for (let i = 0; i < active.length; i++) active[i].tell(out.values[i], out.gradients[i]);
  }
  return states.map(result);
}
