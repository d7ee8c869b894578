/**
 * Training an exact GP in one call: the loop every GPyTorch notebook writes, with a
 * stopping rule, a progress line and a history.
 *
 * @module
 */

import type { ExactGP } from "../models/exact_gp.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import { ExactMarginalLogLikelihood } from "../mlls/exact_marginal_log_likelihood.ts";
import { Adam } from "./adam.ts";
import { SGD } from "./sgd.ts";
import { LBFGS } from "./lbfgs.ts";
import type { Optimizer } from "./optimizer.ts";

/** Options of {@link fit}. */
export interface FitOptions {
  /** "lbfgs" (default: strong-Wolfe L-BFGS, lr 1), "adam" (lr 0.1) or "sgd" (lr 0.01, momentum 0.9). */
  optimizer?: "lbfgs" | "adam" | "sgd";
  /** Learning rate (default per optimizer, see `optimizer`). */
  lr?: number;
  /** The most iterations (default 100 for L-BFGS, 500 otherwise). */
  maxIter?: number;
  /**
   * Stop when the loss changed by at most `tolerance · max(1, |loss|)` for `patience`
   * iterations in a row (default 1e-6).
   */
  tolerance?: number;
  /** See `tolerance` (default 5). */
  patience?: number;
  /**
   * Show a progress line (iteration, loss, estimated time left). Default: only when
   * standard output is a terminal (`Deno.stdout.isTerminal()`); nothing otherwise.
   */
  progress?: boolean;
  /** Called after every iteration. */
  onIteration?: (record: { iteration: number; loss: number; evaluations: number }) => void;
}

/** What {@link fit} returns. */
export interface FitHistory {
  /** Loss (−MLL per datum) after each iteration; `loss[0]` is the starting loss. */
  loss: number[];
  /** Cumulative loss evaluations after each entry of `loss`. */
  evaluations: number[];
  /** Iterations run. */
  iterations: number;
  /** True when the stopping rule (not maxIter) ended training. */
  converged: boolean;
  /** Why training stopped. */
  reason: string;
  /** Wall time in seconds. */
  seconds: number;
}

/**
 * Train `model` (and `likelihood`) by minimising the negative
 * {@link ExactMarginalLogLikelihood} on the model's training data. Each iteration is
 * one optimizer step (for L-BFGS one iteration with its line search; evaluations at
 * the same parameters are computed once). A failed step (e.g. a covariance that is
 * not positive definite) leaves every parameter as it was before that step and
 * rethrows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as gp from "../../mod.ts";
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
 * const history = await gp.optim.fit(model, likelihood, { maxIter: 30 });
 * assert.ok(history.loss.at(-1)! < history.loss[0]);
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
  const kind = options.optimizer ?? "lbfgs";
  const maxIter = options.maxIter ?? (kind === "lbfgs" ? 100 : 500);
  const tolerance = options.tolerance ?? 1e-6;
  const patience = options.patience ?? 5;
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`fit({ maxIter }): maxIter = ${maxIter} must be a positive integer`);
  }
  if (!(tolerance >= 0) || !Number.isInteger(patience) || patience < 1) {
    throw new RangeError(
      `fit({ tolerance, patience }): tolerance = ${tolerance} must be ≥ 0 and patience = ` +
        `${patience} a positive integer`,
    );
  }
  const params = [...new Set([...model.parameters(), ...likelihood.parameters()])];
  let optimizer: Optimizer;
  if (kind === "lbfgs") {
    optimizer = new LBFGS(params, {
      lr: options.lr ?? 1,
      maxIter: 1,
      lineSearchFn: "strong_wolfe",
    });
  } else if (kind === "adam") {
    optimizer = new Adam(params, { lr: options.lr ?? 0.1 });
  } else if (kind === "sgd") {
    optimizer = new SGD(params, { lr: options.lr ?? 0.01, momentum: 0.9 });
  } else {
    throw new RangeError(
      `fit({ optimizer }): "${kind}" is not one of "lbfgs", "adam", "sgd"`,
    );
  }
  model.train();
  likelihood.train();
  const mll = new ExactMarginalLogLikelihood(likelihood, model);
  let evaluations = 0;
  // Loss and gradients at the last evaluated parameters, reused when asked again.
  let cache: { key: string; loss: number; grads: Array<Float64Array | null> } | null = null;
  // Keyed by the raw values themselves: L-BFGS's line search moves parameters away and
  // back, which changes their versions but not their values.
  const key = () => params.map((p) => Array.from(p.rawValues).join(",")).join(";");
  const closure = async (): Promise<number> => {
    const k = key();
    if (cache !== null && cache.key === k) {
      params.forEach((p, i) => p.grad = cache!.grads[i]?.slice() ?? null);
      return cache.loss;
    }
    optimizer.zeroGrad();
    const loss = (await mll.call(model.call(x), y)).neg();
    loss.backward();
    evaluations++;
    cache = { key: k, loss: loss.value, grads: params.map((p) => p.grad?.slice() ?? null) };
    return loss.value;
  };
  const show = options.progress ?? isTerminal();
  const t0 = performance.now();
  const history: FitHistory = {
    loss: [await closure()],
    evaluations: [evaluations],
    iterations: 0,
    converged: false,
    reason: `reached maxIter = ${maxIter}`,
    seconds: 0,
  };
  let quiet = 0;
  const encoder = new TextEncoder();
  try {
    for (let it = 1; it <= maxIter; it++) {
      if (optimizer instanceof LBFGS) {
        await optimizer.step(closure);
      } else {
        await closure();
        optimizer.step();
      }
      const loss = await closure();
      const prev = history.loss[history.loss.length - 1];
      history.loss.push(loss);
      history.evaluations.push(evaluations);
      history.iterations = it;
      options.onIteration?.({ iteration: it, loss, evaluations });
      if (show) {
        const elapsed = (performance.now() - t0) / 1000;
        const left = elapsed / it * (maxIter - it);
        const line = `\r  iteration ${it}/${maxIter}  loss ${loss.toFixed(6)}  ` +
          `~${left.toFixed(1)} s left (at most)   `;
        Deno.stdout.writeSync(encoder.encode(line));
      }
      quiet = Math.abs(loss - prev) <= tolerance * Math.max(1, Math.abs(loss)) ? quiet + 1 : 0;
      if (quiet >= patience) {
        history.converged = true;
        history.reason = `loss changed by ≤ ${tolerance} (relative) for ${patience} iterations`;
        break;
      }
    }
  } finally {
    if (show) Deno.stdout.writeSync(encoder.encode("\n"));
    history.seconds = (performance.now() - t0) / 1000;
  }
  return history;
}

function isTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}
