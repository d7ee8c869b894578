/**
 * The cost of recording: on a 1000-point problem (the seed model), the posterior mean
 * and variance at 100 points with their gradient to x (a scalar objective, recorded,
 * backward), against the forward computation alone (the same calls under noGrad, and
 * the number forms). Issue 10's goal: at most 3× the forward.
 *
 *     deno task bench:autograd [--n 1000] [--m 100] [--reps 7]
 *
 * Two cases: the model's parameters frozen (only x needs a gradient: the cached training
 * solve is reused, O(N² m)), and trainable (x and every parameter: the training solve is
 * recorded and the backward pass runs through its Cholesky factor, O(N³)).
 * `deno task bench` (bench/run.ts) runs it too, through {@link runAutogradBench}, and
 * holds the frozen case's ratio against the goal.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

/** Issue 10's goal: recorded + backward at most this many times the forward alone. */
export const AUTOGRAD_GOAL_RATIO = 3;

/** One case: forward alone against recorded + backward, medians in milliseconds. */
export interface AutogradCase {
  /** The forward under noGrad (tensor forms). */
  forwardMs: number;
  /** The recorded forward plus backward to x (and the parameters when trainable). */
  recordedMs: number;
  /** recordedMs / forwardMs: the figure the goal is held against. */
  ratio: number;
  /** |d objective / dx|, so that a run which computed nothing shows. */
  gradNorm: number;
}

/** What {@link runAutogradBench} measured. */
export interface AutogradBench {
  /** Training points. */
  n: number;
  /** Test points. */
  m: number;
  /** Timed repetitions of each (after one warm-up). */
  reps: number;
  /** The number forms (`await mean()`, `await variance()`), medians in milliseconds. */
  numberFormsMs: number;
  /** Only x needs a gradient (the parameters frozen): the goal's case. */
  frozen: AutogradCase;
  /** x and every parameter need a gradient. */
  trainable: AutogradCase;
}

class ExactGPModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function objective(mean: gp.autograd.Tensor, variance: gp.autograd.Tensor): gp.autograd.Tensor {
  return mean.sum().add(variance.sum());
}

/**
 * Times the posterior mean and variance at `m` points of an `n`-point problem: the number
 * forms, and for frozen and trainable parameters the forward alone against recorded +
 * backward. Prints a line per case unless `print` is false.
 */
export async function runAutogradBench(
  options: { n?: number; m?: number; reps?: number; print?: boolean } = {},
): Promise<AutogradBench> {
  const { n = 1000, m = 100, reps = 7, print = true } = options;
  for (const [name, v, least] of [["n", n, 2], ["m", m, 1], ["reps", reps, 1]] as const) {
    if (!Number.isInteger(v) || v < least) {
      throw new RangeError(
        `runAutogradBench: ${name} must be an integer ≥ ${least}, got ${v}; pass e.g. --${name} ${
          name === "n" ? 1000 : name === "m" ? 100 : 7
        }`,
      );
    }
  }
  const gen = new gp.Generator(1);
  const trainX = gp.linspace(0, 1, n);
  const trainY = trainX.map((v) => Math.sin(12 * v) + 0.1 * gen.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ExactGPModel(trainX, trainY, likelihood);
  model.initialize({ "covarModule.baseKernel.lengthscale": 0.05, "likelihood.noise": 0.01 });
  model.eval();
  const testPoints = Float64Array.from({ length: m }, (_, i) => (i + 0.5) / m);
  await model.predictionSolve(); // the training solve, cached for every case below

  async function time(body: () => Promise<void>): Promise<number> {
    await body(); // warm-up
    const t: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await body();
      t.push(performance.now() - t0);
    }
    return median(t);
  }

  const numberFormsMs = await time(async () => {
    const post = model.call(testPoints);
    await post.mean();
    await post.variance();
  });
  if (print) {
    console.log(
      `posterior mean + variance at m = ${m} points, N = ${n} training points (median of ${reps})`,
    );
    console.log(`  number forms (await mean(), variance()): ${numberFormsMs.toFixed(1)} ms`);
  }
  const cases: AutogradCase[] = [];
  for (const trainable of [false, true]) {
    for (const p of model.parameters()) p.requiresGrad_(trainable);
    const forwardMs = await time(async () => {
      using _ = gp.settings.noGrad();
      const post = model.call(gp.autograd.tensor(testPoints));
      objective(await post.meanTensor(), await post.varianceTensor());
    });
    let gradNorm = 0;
    const recordedMs = await time(async () => {
      const x = gp.autograd.tensor(testPoints, { requiresGrad: true });
      const post = model.call(x);
      objective(await post.meanTensor(), await post.varianceTensor()).backward();
      gradNorm = Math.hypot(...Array.from(x.grad!.data));
    });
    const c = { forwardMs, recordedMs, ratio: recordedMs / forwardMs, gradNorm };
    cases.push(c);
    if (print) {
      console.log(
        `  ${trainable ? "x and every parameter" : "x only (parameters frozen)"}: forward ${
          forwardMs.toFixed(1)
        } ms, recorded + backward ${recordedMs.toFixed(1)} ms, ratio ${c.ratio.toFixed(2)}× ` +
          `(${trainable ? "no goal" : `goal ≤ ${AUTOGRAD_GOAL_RATIO}×`}; ${
            (recordedMs / numberFormsMs).toFixed(2)
          }× the number forms; |dx| ${gradNorm.toExponential(3)})`,
      );
    }
  }
  return { n, m, reps, numberFormsMs, frozen: cases[0], trainable: cases[1] };
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      n: { type: "string", default: "1000" },
      m: { type: "string", default: "100" },
      reps: { type: "string", default: "7" },
    },
  });
  await runAutogradBench({ n: Number(args.n), m: Number(args.m), reps: Number(args.reps) });
}
