/**
 * Inducing points as a seeded random subset of the training inputs.
 *
 * @module
 */
import { Generator } from "../random.ts";
import { type InputLike, Inputs, toInputs } from "../tensor.ts";
import { checkCount, checkNumInducing } from "./inducing_point_options.ts";

const FN = "gp.variational.randomSubset(x, m, options)";

/** Options of {@link randomSubset}. */
export interface RandomSubsetOptions {
  /** Seed of the draw, a non-negative integer (default 0, so that a run repeats). */
  seed?: number;
}

/**
 * m rows of x drawn uniformly without replacement (as `x[torch.randperm(N)[:m]]`, from gpts's
 * seeded generator), in the order drawn: a common way to place inducing points. Memory O(m),
 * time O(m·d), whatever N. Rows that repeat in x may repeat in the result.
 *
 * @param x N × d inputs (a flat array is N × 1)
 * @param m how many rows, from 1 to N
 * @param options `seed` (default 0)
 * @returns m × d inputs, copies of the chosen rows
 * @throws {RangeError} when m is not an integer from 1 to N (naming m and N), or x holds a
 *   non-finite value
 * @throws {TypeError} when x is not inputs or m not a number
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { randomSubset } from "./random_subset.ts";
 * const x = Array.from({ length: 100 }, (_, i) => [i, 2 * i]);
 * const z = randomSubset(x, 10, { seed: 3 });
 * assert.strictEqual(z.n, 10);
 * assert.strictEqual(z.d, 2);
 * for (let j = 0; j < z.n; j++) assert.strictEqual(z.row(j)[1], 2 * z.row(j)[0]);
 * assert.deepStrictEqual(randomSubset(x, 10, { seed: 3 }).data, z.data);
 * ```
 */
export function randomSubset(x: InputLike, m: number, options: RandomSubsetOptions = {}): Inputs {
  const inputs = toInputs(x, "x");
  const count = checkNumInducing(FN, m, inputs.n);
  const seed = checkCount(FN, "seed", options?.seed, 0);
  const rng = new Generator(seed);
  const n = inputs.n;
  const d = inputs.d;
  // Partial Fisher–Yates over 0 … N−1 with the swaps kept sparsely: O(m) memory.
  const moved = new Map<number, number>();
  const out = new Float64Array(count * d);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    const atI = moved.get(i) ?? i;
    const atJ = moved.get(j) ?? j;
    moved.set(j, atI);
    out.set(inputs.row(atJ), i * d);
  }
  return new Inputs(out, count, d);
}
