/**
 * Training an approximate GP on minibatches in one call: GPyTorch's SVGP loop (epochs of
 * shuffled batches, Adam on every parameter), with a progress line and a history.
 *
 * @module
 */

import type { ApproximateGP } from "../models/approximate_gp.ts";
import type { ApproximateLikelihood } from "../likelihoods/approximate_likelihood.ts";
import type { InputLike, VectorLike } from "../tensor.ts";
import { Batches } from "../data/batches.ts";
import { VariationalELBO } from "../mlls/variational_elbo.ts";
import { PredictiveLogLikelihood } from "../mlls/predictive_log_likelihood.ts";
import { Adam } from "./adam.ts";

/** Options of {@link fitApproximate}. */
export interface FitApproximateOptions {
  /** "elbo" (default: {@link VariationalELBO}) or "pll" ({@link PredictiveLogLikelihood}). */
  objective?: "elbo" | "pll";
  /** The KL term's weight β (default 1). */
  beta?: number;
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Rows per batch (default 1024; a batch never exceeds N). */
  batchSize?: number;
  /** Shuffle the rows each epoch (default true). */
  shuffle?: boolean;
  /** The shuffle's seed (default 0). */
  seed?: number;
  /** Adam's learning rate (default 0.01). */
  lr?: number;
  /**
   * Show the progress line (epoch, step, loss, time left): true writes it to standard
   * output, a function receives each line; default only when standard output is a terminal.
   */
  progress?: boolean | ((line: string) => void);
}

/** What {@link fitApproximate} returns. */
export interface FitApproximateHistory {
  /** The loss (the negative objective) of every step, in order. */
  loss: number[];
  /** The mean loss of each epoch's steps. */
  epochLoss: number[];
  /** Steps taken. */
  steps: number;
  /** Wall time in seconds. */
  seconds: number;
}

/**
 * Train `model` and `likelihood` with Adam on minibatches of (x, y) from
 * {@link Batches}, minimising the negative ELBO (or predictive log likelihood) with
 * numData = N. A failed step (e.g. a non-finite gradient) throws and leaves the
 * parameters as they were before that step.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class SVGP extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   constructor() {
 *     super(new gp.variational.VariationalStrategy(
 *       null, Array.from(gp.linspace(0, 1, 6)), new gp.variational.CholeskyVariationalDistribution(6),
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const x = gp.linspace(0, 1, 64);
 * const y = x.map((v) => Math.sin(6 * v));
 * const history = await gp.optim.fitApproximate(
 *   new SVGP(), new gp.likelihoods.GaussianLikelihood(), x, y,
 *   { epochs: 5, batchSize: 16, lr: 0.05, progress: false },
 * );
 * assert.strictEqual(history.steps, 20);
 * assert.ok(history.epochLoss[4] < history.epochLoss[0]);
 * ```
 */
export async function fitApproximate(
  model: ApproximateGP,
  likelihood: ApproximateLikelihood,
  x: InputLike,
  y: VectorLike,
  options: FitApproximateOptions = {},
): Promise<FitApproximateHistory> {
  const epochs = options.epochs ?? 10;
  if (!Number.isSafeInteger(epochs) || epochs < 1) {
    throw new RangeError(
      `fitApproximate({ epochs }): epochs = ${epochs} must be a positive integer`,
    );
  }
  const objective = options.objective ?? "elbo";
  if (objective !== "elbo" && objective !== "pll") {
    throw new RangeError(`fitApproximate({ objective }): "${objective}" is not "elbo" or "pll"`);
  }
  const data = new Batches(x, y, {
    batchSize: options.batchSize ?? 1024,
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? 0,
  });
  const Objective = objective === "elbo" ? VariationalELBO : PredictiveLogLikelihood;
  const mll = new Objective(likelihood, model, data.numData, { beta: options.beta ?? 1 });
  const params = [...new Set([...model.parameters(), ...likelihood.parameters()])];
  const optimizer = new Adam(params, { lr: options.lr ?? 0.01 });
  const progress = options.progress ?? isTerminal();
  const encoder = new TextEncoder();
  const write = typeof progress === "function"
    ? progress
    : progress
    ? (line: string) => Deno.stdout.writeSync(encoder.encode(`\r${line}   `))
    : null;
  model.train();
  likelihood.train();
  const history: FitApproximateHistory = { loss: [], epochLoss: [], steps: 0, seconds: 0 };
  const total = epochs * data.length;
  const t0 = performance.now();
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let sum = 0, count = 0;
      for (const batch of data) {
        optimizer.zeroGrad();
        const loss = (await mll.call(model.call(batch.x), batch.y)).neg();
        loss.backward();
        optimizer.step();
        const value = loss.item();
        history.loss.push(value);
        history.steps++;
        sum += value;
        count++;
        if (write !== null) {
          const elapsed = (performance.now() - t0) / 1000;
          const left = elapsed / history.steps * (total - history.steps);
          write(
            `epoch ${epoch + 1}/${epochs}  step ${batch.index + 1}/${data.length}  loss ` +
              `${value.toFixed(6)}  ~${left.toFixed(1)} s left`,
          );
        }
      }
      history.epochLoss.push(sum / count);
    }
  } finally {
    if (write !== null && typeof progress !== "function") {
      Deno.stdout.writeSync(encoder.encode("\n"));
    }
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
