/**
 * Random starting points for {@link fit}'s restarts: the rule scikit-learn's
 * `n_restarts_optimizer` uses for bounded hyperparameters (log-uniform inside the
 * bounds), BoTorch's for parameters with priors (a draw from the prior), and a
 * log-uniform spread around the current value for the rest.
 *
 * @module
 */

import type { Parameter } from "../parameter.ts";
import { constraintRange } from "../priors/prior.ts";
import type { Generator } from "../random.ts";

/** How many prior draws are tried for one element before giving up. */
const PRIOR_TRIES = 100;

/** A uniform draw in the open interval (0, 1). */
function openUniform(generator: Generator): number {
  for (;;) {
    const u = generator.uniform();
    if (u > 0) return u;
  }
}

/**
 * A random starting value for each element of `parameter`, in constrained units
 * (pass the result to `parameter.setValues`). Element by element, in this order:
 *
 * - a parameter with a prior: a draw from the prior, redrawn until it lies strictly
 *   inside the constraint (at most 100 draws, then a RangeError);
 * - otherwise, a constraint with both bounds (`Interval(lo, hi)`): log-uniform on
 *   (lo, hi) when lo > 0, uniform on (lo, hi) otherwise;
 * - a one-sided bound (`GreaterThan(lo)`, `Positive()`, `LessThan(hi)`): the distance
 *   to the bound, d = |v − bound| at the current value v, times 10^u with u uniform
 *   on (−1, 1): log-uniform within a factor of ten of the current value's distance;
 * - no constraint: v + u · max(1, |v|) with u uniform on (−1, 1).
 *
 * Each element takes the generator's next draws, so a seed fixes the result.
 *
 * @example
 * ```ts
 * import { drawStartingValues } from "./draw_starting_values.ts";
 * import { Parameter } from "../parameter.ts";
 * import { Interval } from "../constraints.ts";
 * import { Generator } from "../random.ts";
 * import * as assert from "node:assert";
 * const p = new Parameter(0, { constraint: new Interval(1e-2, 1e2) });
 * const [v] = drawStartingValues(p, new Generator(3));
 * assert.ok(v > 1e-2 && v < 1e2);
 * assert.equal(drawStartingValues(p, new Generator(3))[0], v); // reproducible
 * ```
 */
export function drawStartingValues(parameter: Parameter, generator: Generator): Float64Array {
  const c = parameter.constraint;
  const [lo, hi] = constraintRange(c);
  const current = parameter.values;
  const prior = parameter.prior;
  return current.map((v, i) => {
    if (prior !== null) {
      for (let t = 0; t < PRIOR_TRIES; t++) {
        const draw = prior.sample(generator);
        if (c === null ? Number.isFinite(draw) : c.check(draw)) return draw;
      }
      throw new RangeError(
        `drawStartingValues: ${PRIOR_TRIES} draws from ${prior} all fell outside the ` +
          `parameter's constraint ${c} (element ${i}); pick a prior whose mass lies inside ` +
          `the constraint`,
      );
    }
    const u = 2 * openUniform(generator) - 1; // (−1, 1)
    if (Number.isFinite(lo) && Number.isFinite(hi)) {
      const w = (u + 1) / 2; // (0, 1)
      const value = lo > 0
        ? Math.exp(Math.log(lo) + w * (Math.log(hi) - Math.log(lo)))
        : lo + w * (hi - lo);
      // Rounding can land exactly on a bound; step inside.
      return Math.min(Math.max(value, nextUp(lo)), nextDown(hi));
    }
    if (Number.isFinite(lo)) return lo + (v - lo) * Math.pow(10, u);
    if (Number.isFinite(hi)) return hi - (hi - v) * Math.pow(10, u);
    return v + u * Math.max(1, Math.abs(v));
  });
}

function nextUp(x: number): number {
  return x + Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}

function nextDown(x: number): number {
  return x - Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}
