/**
 * BoTorch's `fit_gpytorch_mll`: L-BFGS on the exact marginal log likelihood, retried from
 * sampled starts when a fit fails, never leaving the model in a failed state.
 *
 * @module
 */
import { NotPositiveDefiniteError } from "../errors.ts";
import { ExactMarginalLogLikelihood } from "../mlls/exact_marginal_log_likelihood.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import { drawStartingValues } from "../optim/draw_starting_values.ts";
import { fit, type FitHistory, type FitOptions } from "../optim/fit.ts";
import { Generator } from "../random.ts";

/** Options of {@link fitGpytorchMll}: `fit`'s, and how many attempts to make. */
export interface FitGpytorchMllOptions extends FitOptions {
  /**
   * Attempts before giving up (default 5, BoTorch's `max_attempts`): the first from the
   * current parameters, each later one from every trainable parameter drawn anew (from its
   * prior, else inside its constraint; BoTorch's `sample_all_priors`).
   */
  maxAttempts?: number;
}

/** What {@link fitGpytorchMll} returns: the successful attempt's history and the count. */
export interface FitGpytorchMllResult extends FitHistory {
  /** Attempts made, the successful one included (1 when the first succeeded). */
  attempts: number;
}

/** A fit that failed every attempt; the model's parameters are as they were before. */
export class ModelFittingError extends Error {
  /** Each attempt's error message. */
  readonly errors: string[];
  constructor(message: string, errors: string[]) {
    super(message);
    this.name = "ModelFittingError";
    this.errors = errors;
  }
}

function failed(h: FitHistory): string | null {
  if (!Number.isFinite(h.lml)) return `the log marginal likelihood is ${h.lml}`;
  return null;
}

/**
 * Fits `mll.model` (and its likelihood) by maximising the marginal log likelihood with
 * `gp.optim.fit` (L-BFGS, its stopping rules and `restarts`), as BoTorch's
 * `fit_gpytorch_mll(mll)`. An attempt fails when `fit` throws a numerical error (a covariance
 * that is not positive definite in every run, a non-finite value) or ends at a non-finite
 * log likelihood; the next attempt starts from freshly drawn parameters. After a success the
 * model is in eval mode; after `maxAttempts` failures its parameters are restored and a
 * {@link ModelFittingError} is thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const x = [[0.1], [0.3], [0.5], [0.7], [0.9]];
 * const model = new gp.bo.SingleTaskGP(x, x.map(([v]) => Math.sin(6 * v)), { bounds: [[0], [1]] });
 * const mll = new gp.mlls.ExactMarginalLogLikelihood(model.likelihood, model);
 * const result = await gp.bo.fitGpytorchMll(mll, { seed: 0 });
 * assert.strictEqual(result.attempts, 1);
 * assert.ok(Number.isFinite(result.lml) && !model.training);
 * ```
 *
 * @throws {RangeError} when maxAttempts is not a positive integer
 * @throws {ModelFittingError} when every attempt failed (the parameters are left as they were)
 */
export async function fitGpytorchMll(
  mll: ExactMarginalLogLikelihood,
  options: FitGpytorchMllOptions = {},
): Promise<FitGpytorchMllResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(
      `fitGpytorchMll({ maxAttempts }): maxAttempts = ${maxAttempts} must be a positive integer`,
    );
  }
  const { maxAttempts: _, ...fitOptions } = options;
  const model = mll.model, likelihood = mll.likelihood;
  const params = model.parameters();
  const initial = params.map((p) => p.rawValues);
  const restore = () => params.forEach((p, i) => p.setRaw(initial[i]));
  const generator = new Generator(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const errors: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    restore();
    try {
      if (attempt > 1) {
        for (const p of params) if (p.requiresGrad) p.setValues(drawStartingValues(p, generator));
      }
      const history = await fit(model, likelihood, { progress: false, ...fitOptions });
      const why = failed(history);
      if (why === null) {
        model.eval();
        likelihood.eval();
        return { ...history, attempts: attempt };
      }
      errors.push(why);
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError || e instanceof RangeError)) {
        restore();
        throw e;
      }
      errors.push(e.message);
    }
  }
  restore();
  model.eval();
  likelihood.eval();
  throw new ModelFittingError(
    `fitGpytorchMll(mll): all ${maxAttempts} attempt(s) failed (${errors.join("; ")}); the ` +
      `parameters are as they were. Check the data for duplicates with different outcomes or ` +
      `an outcome scale the noise constraint cannot meet, or raise maxAttempts`,
    errors,
  );
}

/**
 * `fitGpytorchMll(new ExactMarginalLogLikelihood(model.likelihood, model), options)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0], [1], [2]], [1, 3, 2], { bounds: [[0], [2]] });
 * const result = await gp.bo.fitModel(model, { seed: 1 });
 * assert.ok(Number.isFinite(result.lml));
 * ```
 */
export async function fitModel(
  model: ExactGP,
  options: FitGpytorchMllOptions = {},
): Promise<FitGpytorchMllResult> {
  return await fitGpytorchMll(new ExactMarginalLogLikelihood(model.likelihood, model), options);
}
