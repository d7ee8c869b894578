/**
 * Inducing points by k-means: k-means++ seeding followed by Lloyd iterations, seeded.
 *
 * @module
 */
import { Generator } from "../random.ts";
import { type InputLike, Inputs, toInputs } from "../tensor.ts";
import { checkCount, checkNumInducing } from "./inducing_point_options.ts";

const FN = "gp.variational.kmeansPlusPlus(x, m, options)";

/** Options of {@link kmeansPlusPlus}. */
export interface KMeansOptions {
  /** Seed of the k-means++ draws, a non-negative integer (default 0, so that a run repeats). */
  seed?: number;
  /**
   * Lloyd iterations after the seeding at most (default 50; 0 keeps the k-means++ seeds, which
   * are rows of x). They stop early once no point changes cluster.
   */
  iterations?: number;
}

/** Squared distance between row i of x and row j of c (both width d). */
function dist2(x: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k++) {
    const t = x[a + k] - c[b + k];
    s += t * t;
  }
  return s;
}

/**
 * Lloyd's iterations from the given centres (m × d, modified in place): assign each point to its
 * nearest centre (the first on ties), move each centre to the mean of its points; a centre left
 * with no point moves to the point farthest from its own centre. Returns the iterations run.
 * Exported for the tests; {@link kmeansPlusPlus} is the public entry.
 */
export function lloyd(
  x: Inputs,
  centres: Float64Array,
  m: number,
  iterations: number,
): { iterations: number; assignment: Int32Array } {
  const { n, d, data } = x;
  const assignment = new Int32Array(n).fill(-1);
  const best = new Float64Array(n);
  const sums = new Float64Array(m * d);
  const counts = new Float64Array(m);
  let it = 0;
  for (; it < iterations; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let arg = 0;
      let min = Infinity;
      for (let j = 0; j < m; j++) {
        const s = dist2(data, i, centres, j, d);
        if (s < min) {
          min = s;
          arg = j;
        }
      }
      best[i] = min;
      if (assignment[i] !== arg) {
        assignment[i] = arg;
        changed = true;
      }
    }
    if (!changed) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = assignment[i];
      counts[j]++;
      for (let k = 0; k < d; k++) sums[j * d + k] += data[i * d + k];
    }
    for (let j = 0; j < m; j++) {
      if (counts[j] > 0) {
        for (let k = 0; k < d; k++) centres[j * d + k] = sums[j * d + k] / counts[j];
        continue;
      }
      // An empty cluster takes the point worst served by its centre.
      let far = 0;
      for (let i = 1; i < n; i++) if (best[i] > best[far]) far = i;
      centres.set(x.row(far), j * d);
      best[far] = 0;
      assignment[far] = j;
    }
  }
  return { iterations: it, assignment };
}

/**
 * m inducing points by k-means on x: k-means++ seeding (Arthur & Vassilvitskii 2007: the first
 * centre a uniformly drawn row, each next one a row drawn with probability ∝ its squared distance
 * to the nearest centre so far), then at most `iterations` Lloyd iterations. Seeded by
 * `options.seed` through gpts's generator: the same seed gives the same points on every machine.
 * The points are means of rows of x, so they lie within its bounding box (its convex hull).
 *
 * Each Lloyd iteration costs O(N·m·d): for millions of rows, run it on a random subset
 * (`kmeansPlusPlus(randomSubset(x, 100_000), m)`).
 *
 * @param x N × d inputs (a flat array is N × 1)
 * @param m the number of centres, from 1 to N
 * @param options `seed` (default 0), `iterations` (default 50)
 * @returns m × d inputs
 * @throws {RangeError} when m is not an integer from 1 to N (naming m and N), when x has fewer
 *   than m distinct rows (the inducing points would repeat), or x holds a non-finite value
 * @throws {TypeError} when x is not inputs or an option is of the wrong type
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { kmeansPlusPlus } from "./kmeans_plus_plus.ts";
 * // Two tight clusters, around 0 and around 10.
 * const x = [0, 0.1, 0.2, 10, 10.1, 10.2];
 * const z = kmeansPlusPlus(x, 2, { seed: 1 });
 * const centres = [...z.data].sort((a, b) => a - b);
 * assert.ok(Math.abs(centres[0] - 0.1) < 1e-12 && Math.abs(centres[1] - 10.1) < 1e-12);
 * ```
 */
export function kmeansPlusPlus(x: InputLike, m: number, options: KMeansOptions = {}): Inputs {
  const inputs = toInputs(x, "x");
  const k = checkNumInducing(FN, m, inputs.n);
  const seed = checkCount(FN, "seed", options?.seed, 0);
  const iterations = checkCount(FN, "iterations", options?.iterations, 50);
  const { n, d, data } = inputs;
  const rng = new Generator(seed);
  const centres = new Float64Array(k * d);
  // k-means++ seeding.
  const first = Math.floor(rng.uniform() * n);
  centres.set(inputs.row(first), 0);
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = dist2(data, i, centres, 0, d);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i];
    if (!(total > 0)) {
      throw new RangeError(
        `${FN}: x has only ${j} distinct row(s) but m = ${k}; inducing points must be ` +
          `distinct: use m ≤ ${j}`,
      );
    }
    const r = rng.uniform() * total;
    let acc = 0;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (nearest[i] === 0) continue;
      pick = i; // the last row with weight, should rounding leave r unreached
      acc += nearest[i];
      if (acc > r) break;
    }
    centres.set(inputs.row(pick), j * d);
    for (let i = 0; i < n; i++) {
      const s = dist2(data, i, centres, j, d);
      if (s < nearest[i]) nearest[i] = s;
    }
  }
  lloyd(inputs, centres, k, iterations);
  return new Inputs(centres, k, d);
}
