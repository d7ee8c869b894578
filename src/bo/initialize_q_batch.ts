/**
 * BoTorch's `initialize_q_batch`: starting points for the restarts, chosen among raw samples.
 *
 * @module
 */
import { Generator } from "../random.ts";

/**
 * Picks `n` of the raw samples' indices by BoTorch's heuristic: Boltzmann sampling without
 * replacement with weights exp(η·z), z the acquisition values standardized (mean 0, sample
 * std 1; η halved until no weight overflows), always including the best raw sample (it
 * replaces the last pick when it was not drawn). When every value is equal (std 0) the
 * indices are a random permutation's first n, as BoTorch's; non-finite values (−Infinity
 * from a log acquisition) get weight 0 unless fewer than n samples are finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const values = [0.1, 5, 0.3, 0.2, -1, 0.4];
 * const idx = gp.bo.initializeQBatch(values, 3, { seed: 0 });
 * assert.strictEqual(idx.length, 3);
 * assert.ok(idx.includes(1)); // the best is always kept
 * assert.strictEqual(new Set(idx).size, 3);
 * ```
 *
 * @param values the acquisition value of each raw sample
 * @param n how many to pick (≤ values.length)
 * @param options `eta` (default 1, BoTorch's), `seed` or a `generator`
 * @returns n distinct indices into values
 * @throws {RangeError} when n is not an integer in [1, values.length] or eta is not > 0
 */
export function initializeQBatch(
  values: ArrayLike<number>,
  n: number,
  options: { eta?: number; seed?: number; generator?: Generator } = {},
): number[] {
  const N = values.length;
  if (!Number.isInteger(n) || n < 1 || n > N) {
    throw new RangeError(
      `initializeQBatch(values, n): n = ${n} must be an integer in [1, ${N}] (the number of ` +
        `raw samples); raise rawSamples or lower numRestarts`,
    );
  }
  const eta = options.eta ?? 1;
  if (typeof eta !== "number" || !(eta > 0) || !Number.isFinite(eta)) {
    throw new RangeError(`initializeQBatch({ eta }): eta = ${eta} must be a finite number > 0`);
  }
  const gen = options.generator ?? new Generator(options.seed ?? 0);
  const finite: number[] = [];
  for (let i = 0; i < N; i++) if (Number.isFinite(values[i])) finite.push(i);
  let best = -1;
  for (const i of finite) if (best < 0 || values[i] > values[best]) best = i;
  let mean = 0;
  for (const i of finite) mean += values[i];
  mean /= Math.max(1, finite.length);
  let ss = 0;
  for (const i of finite) ss += (values[i] - mean) ** 2;
  const std = finite.length > 1 ? Math.sqrt(ss / (finite.length - 1)) : 0;
  if (n === N) return Array.from({ length: N }, (_, i) => i);
  if (std === 0 || finite.length < n) {
    // A random permutation's first n (Fisher–Yates), the best first when there is one.
    const perm = Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(gen.uniform() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const out = perm.slice(0, n);
    if (best >= 0 && !out.includes(best)) out[n - 1] = best;
    return out;
  }
  const z = new Float64Array(N).fill(-Infinity);
  for (const i of finite) z[i] = (values[i] - mean) / std;
  let e = eta;
  let w = z.map((v) => Math.exp(e * v));
  while (w.some((v) => v === Infinity)) {
    e /= 2;
    w = z.map((v) => Math.exp(e * v));
  }
  const out: number[] = [];
  const weights = Array.from(w);
  let total = weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < n; k++) {
    let r = gen.uniform() * total, pick = -1;
    for (let i = 0; i < N; i++) {
      if (weights[i] === 0) continue;
      pick = i;
      r -= weights[i];
      if (r < 0) break;
    }
    if (pick < 0) pick = Array.from({ length: N }, (_, i) => i).find((i) => !out.includes(i))!;
    out.push(pick);
    total -= weights[pick];
    weights[pick] = 0;
  }
  if (!out.includes(best)) out[n - 1] = best;
  return out;
}
