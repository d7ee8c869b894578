/**
 * Training an exact GP in one call: the loop every GPyTorch notebook writes, with
 * stopping rules in the units of the total log marginal likelihood, restarts from
 * random starting points (scikit-learn's `n_restarts_optimizer`), a progress line and
 * a history.
 *
 * @module
 */

import type { ExactGP } from "../models/exact_gp.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import { ExactMarginalLogLikelihood } from "../mlls/exact_marginal_log_likelihood.ts";
import { NotPositiveDefiniteError } from "../errors.ts";
import { Generator } from "../random.ts";
import { Adam } from "./adam.ts";
import { SGD } from "./sgd.ts";
import { LBFGS } from "./lbfgs.ts";
import type { Optimizer } from "./optimizer.ts";
import { drawStartingValues } from "./draw_starting_values.ts";
import type { FitHistory, FitOptions, FitRun } from "./fit_options.ts";

export type { FitHistory, FitIteration, FitOptions, FitRun } from "./fit_options.ts";

/**
 * The rounding noise L-BFGS's line search allows in log p, relative to |log p| at the
 * start of each step (see LBFGS's `lossNoise`): differences below it are not
 * trusted, and the step is chosen from the gradient. 1e-10 covers the measured noise of
 * an ill-conditioned kernel (Mauna Loa's: about 6e-11 of |log p|).
 */
const LOSS_NOISE = 1e-10;

/** A run's outcome with the parameters it ended at. */
interface RunResult extends FitRun {
  history: { loss: number[]; evaluations: number[] };
  state: Float64Array[] | null;
}

/** Errors a start or step may hit for numerical reasons; anything else is a bug to rethrow. */
function isNumerical(e: unknown): e is Error {
  return e instanceof NotPositiveDefiniteError || e instanceof RangeError;
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`fit({ ${name} }): ${name} = ${v} must be a positive integer`);
  }
  return v;
}

function positiveNumber(name: string, v: number, example: string): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new RangeError(
      `fit({ ${name} }): ${name} = ${v} must be a finite number > 0 (e.g. ${example})`,
    );
  }
  return v;
}

/**
 * Train `model` (and `likelihood`) by maximising the {@link ExactMarginalLogLikelihood}
 * on the model's training data, from the current parameters and from `restarts`
 * random starting points; the best run's parameters are left on the model.
 *
 * A run stops at the first of: the gradient test (every |∂ log p / ∂raw| of the total
 * log marginal likelihood ≤ `toleranceGrad`: `converged`), a stall (log p changed by
 * at most `toleranceChange`, relative, and the gradient did not shrink, for `patience`
 * iterations), an iteration that leaves the parameters where they were, `maxEval`
 * evaluations, `maxIter` iterations. Every tolerance is in units of the total log p,
 * so the rules mean the same at N = 5 and N = 10 000 (the loss the optimizer sees
 * stays −MLL per datum, as GPyTorch's; L-BFGS gets its tolerances scaled to it).
 *
 * Each L-BFGS iteration is one optimizer step with its strong-Wolfe line search
 * (evaluations at the same parameters are computed once). Its sufficient-decrease
 * tests allow log p a rounding noise of 1e-10 · |log p| (LBFGS's `lossNoise`): near
 * the optimum of an ill-conditioned kernel, log p's float64 noise exceeds the gain of
 * a step, and the step is then chosen by the gradient (the curvature condition). A start whose first
 * evaluation fails (a covariance that is not positive definite, a non-finite loss) is
 * reported in `runs` and skipped; a later step that fails ends its run at the last
 * good parameters. When every start fails, the parameters are put back as they were
 * and the first start's error is rethrown.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import * as assert from "node:assert";
 * class Model extends gp.models.ExactGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const x = gp.linspace(0, 1, 30);
 * const y = x.map((v) => Math.sin(6 * v));
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const model = new Model(x, y, likelihood);
 * const history = await gp.optim.fit(model, likelihood, { restarts: 2, seed: 1 });
 * assert.ok(history.converged, history.reason);
 * assert.ok(history.gradNorm <= 1e-5);
 * assert.equal(history.runs.length, 3);
 * assert.equal(history.lml, Math.max(...history.runs.map((r) => r.lml ?? -Infinity)));
 * ```
 */
export async function fit(
  model: ExactGP,
  likelihood: Likelihood,
  options: FitOptions = {},
): Promise<FitHistory> {
  const x = model.trainInputs, y = model.trainTargets;
  if (x === null || y === null) {
    throw new TypeError(
      "fit(model, likelihood): the model has no training data; construct it with " +
        "(trainX, trainY, likelihood) or call setTrainData first",
    );
  }
  if ("tolerance" in options) {
    throw new TypeError(
      "fit({ tolerance }): the option is now toleranceChange (relative change of the total log " +
        "marginal likelihood) beside toleranceGrad (its gradient); rename it",
    );
  }
  const kind = options.optimizer ?? "lbfgs";
  if (kind !== "lbfgs" && kind !== "adam" && kind !== "sgd") {
    throw new RangeError(`fit({ optimizer }): "${kind}" is not one of "lbfgs", "adam", "sgd"`);
  }
  const maxIter = positiveInteger("maxIter", options.maxIter ?? (kind === "lbfgs" ? 1000 : 500));
  const maxEval = positiveInteger(
    "maxEval",
    options.maxEval ?? (kind === "lbfgs" ? Math.floor(maxIter * 5 / 4) : maxIter + 1),
  );
  const toleranceGrad = positiveNumber("toleranceGrad", options.toleranceGrad ?? 1e-5, "1e-5");
  const toleranceChange = positiveNumber(
    "toleranceChange",
    options.toleranceChange ?? 1e-12,
    "1e-12",
  );
  const patience = positiveInteger("patience", options.patience ?? 5);
  const restarts = options.restarts ?? 0;
  if (!Number.isInteger(restarts) || restarts < 0) {
    throw new RangeError(
      `fit({ restarts }): restarts = ${restarts} must be a non-negative integer (e.g. 5)`,
    );
  }
  if (options.seed !== undefined && (!Number.isSafeInteger(options.seed) || options.seed < 0)) {
    throw new RangeError(
      `fit({ seed }): seed = ${options.seed} must be a non-negative integer (e.g. 17)`,
    );
  }
  if (options.lr !== undefined) positiveNumber("lr", options.lr, "0.1");
  const generator = restarts > 0 ? new Generator(options.seed) : null;

  const params = [...new Set([...model.parameters(), ...likelihood.parameters()])];
  const trainable = params.filter((p) => p.requiresGrad);
  if (trainable.length === 0) {
    throw new RangeError(
      "fit(model, likelihood): no parameter requires a gradient; unfreeze one with " +
        "requiresGrad_(true)",
    );
  }
  const n = y.length;
  model.train();
  likelihood.train();
  const mll = new ExactMarginalLogLikelihood(likelihood, model);
  const snapshot = () => params.map((p) => p.rawValues);
  const restore = (state: Float64Array[]) => params.forEach((p, i) => p.setRaw(state[i]));
  const initial = snapshot();

  const show = options.progress ?? isTerminal();
  const encoder = new TextEncoder();
  const t0 = performance.now();
  const results: RunResult[] = [];
  try {
    for (let run = 0; run <= restarts; run++) {
      restore(initial);
      let drawError: Error | null = null;
      if (run > 0) {
        try {
          for (const p of trainable) p.setValues(drawStartingValues(p, generator!));
        } catch (e) {
          if (!isNumerical(e)) throw e;
          drawError = e;
        }
      }
      const result = drawError !== null
        ? failedStart(drawError, "drawing the starting point failed")
        : await oneRun(run);
      results.push(result);
    }
  } catch (e) {
    // Not a numerical failure (a bug, a closed device): leave nothing half-done.
    restore(initial);
    throw e;
  } finally {
    if (show) Deno.stdout.writeSync(encoder.encode("\n"));
  }
  let best = -1;
  for (const [i, r] of results.entries()) {
    if (r.state !== null && (best < 0 || r.loss! < results[best].loss!)) best = i;
  }
  if (best < 0) {
    restore(initial);
    throw results[0].error!;
  }
  restore(results[best].state!);
  const b = results[best];
  return {
    loss: b.history.loss,
    evaluations: b.history.evaluations,
    iterations: b.iterations,
    converged: b.converged,
    reason: b.reason,
    lml: b.lml!,
    gradNorm: b.gradNorm!,
    best,
    runs: results.map(({ history: _h, state: _s, ...run }) => run),
    seed: generator?.seed ?? null,
    seconds: (performance.now() - t0) / 1000,
  };

  function failedStart(error: Error, what: string): RunResult {
    return {
      loss: null,
      lml: null,
      gradNorm: null,
      converged: false,
      reason: `${what}: ${error.message}`,
      iterations: 0,
      evaluations: 0,
      error,
      history: { loss: [], evaluations: [] },
      state: null,
    };
  }

  async function oneRun(run: number): Promise<RunResult> {
    let evaluations = 0;
    // Loss and gradients at the recently evaluated parameters, reused when asked again
    // (the line search ends at one of its trial points); keyed by the raw values
    // themselves: the line search moves parameters away and back, which changes their
    // versions but not their values.
    const cache = new Map<string, { loss: number; grads: Array<Float64Array | null> }>();
    let last: { loss: number; grads: Array<Float64Array | null> } | null = null;
    const key = () => params.map((p) => Array.from(p.rawValues).join(",")).join(";");
    const closure = async (): Promise<number> => {
      const k = key();
      const hit = cache.get(k);
      if (hit !== undefined) {
        params.forEach((p, i) => p.grad = hit.grads[i]?.slice() ?? null);
        last = hit;
        return hit.loss;
      }
      for (const p of params) p.grad = null;
      const loss = (await mll.call(model.call(x!), y!)).neg();
      if (!Number.isFinite(loss.value)) {
        throw new RangeError(`fit: the loss is ${loss.value} at these parameters`);
      }
      loss.backward();
      evaluations++;
      last = { loss: loss.value, grads: params.map((p) => p.grad?.slice() ?? null) };
      cache.set(k, last);
      if (cache.size > 32) cache.delete(cache.keys().next().value!);
      return loss.value;
    };
    // max |∂ log p / ∂raw| of the total log p = −N · loss, from the cached gradients.
    const gradNorm = (grads: Array<Float64Array | null>) => {
      let m = 0;
      params.forEach((p, i) => {
        const g = grads[i];
        if (!p.requiresGrad || g === null) return;
        for (const v of g) m = Math.max(m, Math.abs(v));
      });
      return m * n;
    };
    let loss: number;
    try {
      loss = await closure();
    } catch (e) {
      if (!isNumerical(e)) throw e;
      return failedStart(e, "the starting point failed");
    }
    let optimizer: Optimizer;
    if (kind === "lbfgs") {
      optimizer = new LBFGS(params, {
        lr: options.lr ?? 1,
        maxIter: 1,
        lineSearchFn: "strong_wolfe",
        // torch's tests are absolute on the loss it sees (−MLL per datum). Its gradient
        // test, scaled by 1/N, is fit's own. Its directional-derivative test (stop when
        // the expected decrease along the step is below toleranceChange) would stop
        // short of the gradient test at small N: here it only catches a step whose
        // expected decrease is below the float64 resolution of log p, where no line
        // search can tell better from worse.
        toleranceGrad: toleranceGrad / n,
        toleranceChange: Number.EPSILON * Math.max(1, n * Math.abs(loss)) / n,
        lossNoise: LOSS_NOISE * Math.max(1, n * Math.abs(loss)) / n,
      });
    } else if (kind === "adam") {
      optimizer = new Adam(params, { lr: options.lr ?? 0.1 });
    } else {
      optimizer = new SGD(params, { lr: options.lr ?? 0.01, momentum: 0.9 });
    }
    const history = { loss: [loss], evaluations: [evaluations] };
    const result: RunResult = {
      loss,
      lml: -n * loss,
      gradNorm: gradNorm(last!.grads),
      converged: false,
      reason: `reached maxIter = ${maxIter}`,
      iterations: 0,
      evaluations,
      error: null,
      history,
      state: snapshot(),
    };
    if (result.gradNorm! <= toleranceGrad) {
      result.converged = true;
      result.reason = `gradient test at the start: max |∂ log p/∂raw| ≤ ${toleranceGrad}`;
      return result;
    }
    let quiet = 0;
    let smallest = result.gradNorm!;
    const runStart = performance.now();
    for (let it = 1; it <= maxIter; it++) {
      const before = snapshot();
      try {
        if (optimizer instanceof LBFGS) {
          optimizer.lossNoise = LOSS_NOISE * Math.max(1, n * Math.abs(loss)) / n;
          await optimizer.step(closure);
        } else {
          await closure();
          optimizer.step();
        }
        loss = await closure();
      } catch (e) {
        if (!isNumerical(e)) throw e;
        restore(before);
        result.error = e;
        result.reason = `a step failed at iteration ${it}, the run ends at its last good ` +
          `parameters: ${e.message}`;
        break;
      }
      const prev = result.loss!;
      const g = gradNorm(last!.grads);
      history.loss.push(loss);
      history.evaluations.push(evaluations);
      Object.assign(result, {
        loss,
        lml: -n * loss,
        gradNorm: g,
        iterations: it,
        evaluations,
        state: snapshot(),
      });
      options.onIteration?.({ run, iteration: it, loss, evaluations, gradNorm: g });
      if (show) {
        const elapsed = (performance.now() - runStart) / 1000;
        const line = `\r  run ${run + 1}/${restarts + 1}  iteration ${it}/${maxIter}  loss ` +
          `${loss.toFixed(6)}  max|∂/∂raw| ${g.toExponential(2)}  ` +
          `~${(elapsed / it * (maxIter - it)).toFixed(1)} s left (at most)   `;
        Deno.stdout.writeSync(encoder.encode(line));
      }
      if (g <= toleranceGrad) {
        result.converged = true;
        result.reason = `gradient test: max |∂ log p/∂raw| = ${
          g.toExponential(2)
        } ≤ ${toleranceGrad}`;
        break;
      }
      // Stalled: log p no longer changes and the gradient no longer shrinks (below
      // float64 noise the line search steps by the gradient, and log p may stand still
      // while the gradient still falls).
      const flat = n * Math.abs(loss - prev) <= toleranceChange * Math.max(1, n * Math.abs(loss));
      quiet = flat && g >= smallest ? quiet + 1 : 0;
      smallest = Math.min(smallest, g);
      if (quiet >= patience) {
        result.reason = `log p changed by ≤ ${toleranceChange} (relative) and the gradient did ` +
          `not shrink for ${patience} iterations, with max |∂ log p/∂raw| = ` +
          `${g.toExponential(2)} > toleranceGrad`;
        break;
      }
      if (before.every((b, i) => b.every((v, k) => v === result.state![i][k]))) {
        result.reason = `the iteration left the parameters where they were, with max ` +
          `|∂ log p/∂raw| = ${g.toExponential(2)} > toleranceGrad`;
        break;
      }
      if (evaluations >= maxEval) {
        result.reason = `reached maxEval = ${maxEval}`;
        break;
      }
    }
    return result;
  }
}

function isTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}
