/**
 * BoTorch's `optimize_acqf`: raw Sobol samples, `initialize_q_batch` starts, and batched
 * L-BFGS-B from every start at once.
 *
 * @module
 */
import { Tensor } from "../autograd/tensor.ts";
import { minimizeLbfgsbBatch } from "../optim/minimize_lbfgsb.ts";
import { Generator } from "../random.ts";
import { noGrad } from "../settings.ts";
import type { AcquisitionFunction } from "./acquisition_function.ts";
import { checkBounds } from "./check_bounds.ts";
import { initializeQBatch } from "./initialize_q_batch.ts";
import { SobolEngine } from "./sobol_engine.ts";
import { SOBOL_MAX_DIMENSION } from "./sobol_direction_numbers.ts";

/** L-BFGS-B and initialisation settings of {@link optimizeAcqf} (BoTorch's `options`). */
export interface OptimizeAcqfInnerOptions {
  /** L-BFGS-B iterations per restart (default 200, BoTorch's `maxiter`). */
  maxiter?: number;
  /** L-BFGS-B's most function evaluations per restart (default 15 000, scipy's). */
  maxfun?: number;
  /** scipy's factr (default 1e7). */
  factr?: number;
  /** scipy's pgtol (default 1e-5). */
  pgtol?: number;
  /** L-BFGS-B's memory (default 10). */
  m?: number;
  /** The Boltzmann temperature of the start selection (default 1, BoTorch's `eta`). */
  eta?: number;
  /** Raw samples evaluated per acquisition call (default all, BoTorch's `init_batch_limit`). */
  initBatchLimit?: number;
}

/** Options of {@link optimizeAcqf}. */
export interface OptimizeAcqfOptions {
  /** Points per candidate batch (default 1). */
  q?: number;
  /** L-BFGS-B restarts (default 10; BoTorch requires it, 10–20 is usual). */
  numRestarts?: number;
  /** Scrambled Sobol raw samples the starts are chosen from (default 512). */
  rawSamples?: number;
  /** Seed of the Sobol scrambling and the start selection (default 0). */
  seed?: number;
  /**
   * For q > 1: choose the q points one at a time, each with the earlier ones as pending points
   * (BoTorch's `sequential=True`; needs an acquisition with `setXPending`). Default false: the
   * q points are optimised jointly (q·d variables).
   */
  sequential?: boolean;
  /** L-BFGS-B and initialisation settings. */
  options?: OptimizeAcqfInnerOptions;
}

/** What {@link optimizeAcqf} returns. */
export interface OptimizeAcqfResult {
  /** The q candidate points (q rows of d), inside the bounds. */
  candidates: number[][];
  /** The acquisition value of the candidates (joint), or of the last step when sequential. */
  acqValue: number;
  /** One value per step when sequential (the i-th with the i earlier points pending), else [acqValue]. */
  acqValues: number[];
}

function integer(name: string, v: unknown, min: number, fix: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(
      `optimizeAcqf({ ${name} }): ${name} = ${String(v)} must be an integer ≥ ${min}; ${fix}`,
    );
  }
  return v;
}

/**
 * Maximises `acq` over the box `bounds` = [lower, upper] as BoTorch's
 * `optimize_acqf(acq_function, bounds, q, num_restarts, raw_samples, options, sequential)`:
 * evaluates the acquisition at `rawSamples` scrambled Sobol q-batches in the box, picks
 * `numRestarts` starts among them by {@link initializeQBatch} (Boltzmann sampling on the
 * standardized values, the best always kept), then runs box-constrained L-BFGS-B (bounds handled
 * by L-BFGS-B's projections, not by clipping) from every start with all running restarts
 * evaluated in ONE batched `acq.forward` per iteration (`gp.optim.minimizeLbfgsbBatch`), and
 * returns the best restart's q-batch and value. q > 1 optimises the q points jointly, or one at
 * a time with `sequential: true`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * // −(x − 0.3)² − (y + 1)², maximised at (0.3, −1).
 * const acq: gp.bo.AcquisitionFunction = {
 *   dim: 2,
 *   forward(x) {
 *     const b = x.shape[0];
 *     const c = x.reshape([b, 2]).sub(gp.autograd.tensor([0.3, -1]));
 *     return Promise.resolve(c.mul(c).sum(1).neg());
 *   },
 * };
 * const { candidates, acqValue } = await gp.bo.optimizeAcqf(acq, [[0, -2], [1, 2]], {
 *   numRestarts: 4,
 *   rawSamples: 64,
 * });
 * assert.ok(Math.abs(candidates[0][0] - 0.3) < 1e-4 && Math.abs(candidates[0][1] + 1) < 1e-4);
 * assert.ok(acqValue > -1e-8);
 * ```
 *
 * @throws {TypeError} when acq is not an acquisition, or bounds are not two rows of its dim
 * @throws {RangeError} for lower ≥ upper, q < 1, numRestarts < 1, rawSamples < numRestarts
 */
export async function optimizeAcqf(
  acq: AcquisitionFunction,
  bounds: ArrayLike<ArrayLike<number>>,
  options: OptimizeAcqfOptions = {},
): Promise<OptimizeAcqfResult> {
  if (acq === null || typeof acq !== "object" || typeof acq.forward !== "function") {
    throw new TypeError(
      `optimizeAcqf(acq): expected an acquisition function (an object with forward(x)), got ${
        String(acq)
      }`,
    );
  }
  const [lower, upper] = checkBounds(bounds, "optimizeAcqf(bounds)", acq.dim);
  const d = lower.length;
  const q = integer("q", options.q ?? 1, 1, "ask for at least one point");
  const numRestarts = integer("numRestarts", options.numRestarts ?? 10, 1, "e.g. 10");
  const rawSamples = integer(
    "rawSamples",
    options.rawSamples ?? 512,
    numRestarts,
    `give at least numRestarts (${numRestarts}) raw samples, e.g. 512`,
  );
  const seed = integer("seed", options.seed ?? 0, 0, "give a non-negative integer seed");
  const inner = options.options ?? {};
  const initBatchLimit = integer(
    "options.initBatchLimit",
    inner.initBatchLimit ?? rawSamples,
    1,
    "give a positive batch size",
  );
  const sequential = options.sequential ?? false;
  if (!(sequential && q > 1) && q * d > SOBOL_MAX_DIMENSION) {
    throw new RangeError(
      `optimizeAcqf({ q }): q = ${q} points of ${d} dimension(s) make ${q * d} raw-sample ` +
        `dimensions, past the Sobol table's ${SOBOL_MAX_DIMENSION}; use sequential: true or a ` +
        `smaller q`,
    );
  }
  if (sequential && q > 1) {
    if (typeof acq.setXPending !== "function") {
      throw new TypeError(
        `optimizeAcqf({ sequential: true, q: ${q} }): this acquisition has no setXPending, so ` +
          `it cannot account for the points already chosen; use a Monte-Carlo acquisition ` +
          `(qLogExpectedImprovement…) or sequential: false for a joint q-batch`,
      );
    }
    const original = acq.xPending ?? null;
    const chosen: number[][] = [];
    const values: number[] = [];
    try {
      for (let i = 0; i < q; i++) {
        const step = await optimizeOne(acq, lower, upper, 1, numRestarts, rawSamples, seed + i, {
          ...inner,
          initBatchLimit,
        });
        chosen.push(step.candidates[0]);
        values.push(step.acqValue);
        const pending = original === null ? [] : Array.from(
          { length: original.shape[0] },
          (_, r) => Array.from(original.data.subarray(r * d, (r + 1) * d)),
        );
        const all = [...pending, ...chosen];
        acq.setXPending(new Tensor(Float64Array.from(all.flat()), [all.length, d]));
      }
    } finally {
      acq.setXPending(original);
    }
    return { candidates: chosen, acqValue: values[values.length - 1], acqValues: values };
  }
  const res = await optimizeOne(acq, lower, upper, q, numRestarts, rawSamples, seed, {
    ...inner,
    initBatchLimit,
  });
  return { ...res, acqValues: [res.acqValue] };
}

/** Values of acq at a batch of flat q·d points, as numbers. */
async function evaluate(acq: AcquisitionFunction, xs: Float64Array[], q: number, d: number) {
  using _ = noGrad();
  const flat = new Float64Array(xs.length * q * d);
  xs.forEach((x, i) => flat.set(x, i * q * d));
  const v = await acq.forward(new Tensor(flat, [xs.length, q, d]));
  return checkValues(v, xs.length);
}

function checkValues(v: Tensor, b: number): Float64Array {
  if (!(v instanceof Tensor) || v.size !== b) {
    throw new TypeError(
      `optimizeAcqf(acq): acq.forward(x) of ${b} batch(es) returned ${
        v instanceof Tensor ? `shape [${v.shape.join(", ")}]` : String(v)
      }; it must return one value per batch, shape [${b}]`,
    );
  }
  return v.data;
}

async function optimizeOne(
  acq: AcquisitionFunction,
  lower: Float64Array,
  upper: Float64Array,
  q: number,
  numRestarts: number,
  rawSamples: number,
  seed: number,
  inner: OptimizeAcqfInnerOptions & { initBatchLimit: number },
): Promise<{ candidates: number[][]; acqValue: number }> {
  const d = lower.length, n = q * d;
  // Raw samples: scrambled Sobol in q·d dimensions, scaled to the box (draw_sobol_samples).
  const unit = new SobolEngine(n, { scramble: true, seed }).draw(rawSamples).data;
  const raw: Float64Array[] = [];
  for (let i = 0; i < rawSamples; i++) {
    const x = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const j = k % d;
      x[k] = lower[j] + (upper[j] - lower[j]) * unit[i * n + k];
    }
    raw.push(x);
  }
  const rawValues = new Float64Array(rawSamples);
  for (let s = 0; s < rawSamples; s += inner.initBatchLimit) {
    const part = raw.slice(s, s + inner.initBatchLimit);
    rawValues.set(await evaluate(acq, part, q, d), s);
  }
  const starts = initializeQBatch(rawValues, numRestarts, {
    eta: inner.eta ?? 1,
    generator: new Generator(seed + 0x5bd1),
  }).map((i) => raw[i]);
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let k = 0; k < n; k++) [lo[k], hi[k]] = [lower[k % d], upper[k % d]];
  const results = await minimizeLbfgsbBatch(
    async (xs) => {
      const flat = new Float64Array(xs.length * n);
      xs.forEach((x, i) => flat.set(x, i * n));
      const x = new Tensor(flat, [xs.length, q, d], { requiresGrad: true });
      const v = await acq.forward(x);
      const values = checkValues(v, xs.length);
      v.sum().backward();
      const g = x.grad?.data ?? new Float64Array(flat.length);
      return {
        // Minimise −acq; a non-finite value (e.g. log EI of −Infinity) is +Infinity, which the
        // line search backs away from.
        values: Array.from(values, (val) => (Number.isFinite(val) ? -val : Infinity)),
        gradients: xs.map((_, i) => Array.from(g.subarray(i * n, (i + 1) * n), (gi) => -gi)),
      };
    },
    starts,
    [lo, hi],
    {
      maxiter: inner.maxiter ?? 200,
      ...(inner.maxfun !== undefined ? { maxfun: inner.maxfun } : {}),
      ...(inner.factr !== undefined ? { factr: inner.factr } : {}),
      ...(inner.pgtol !== undefined ? { pgtol: inner.pgtol } : {}),
      ...(inner.m !== undefined ? { m: inner.m } : {}),
    },
  );
  // The best restart (ties: the first); the raw samples' best is its start, so no worse.
  let best = 0;
  for (let i = 1; i < results.length; i++) if (results[i].fun < results[best].fun) best = i;
  const x = results[best].x;
  let value = -results[best].fun;
  const startBest = Math.max(...rawValues.filter((v) => Number.isFinite(v)));
  if (!(value >= startBest)) {
    // Every restart failed to improve on its start (e.g. non-finite values throughout):
    // return the best raw sample.
    const i = rawValues.indexOf(startBest);
    if (i >= 0) {
      return { candidates: rows(raw[i], q, d), acqValue: startBest };
    }
  }
  if (!Number.isFinite(value)) value = (await evaluate(acq, [x], q, d))[0];
  return { candidates: rows(x, q, d), acqValue: value };
}

function rows(x: Float64Array, q: number, d: number): number[][] {
  return Array.from({ length: q }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
}
