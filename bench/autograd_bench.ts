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
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "1000" },
    m: { type: "string", default: "100" },
    reps: { type: "string", default: "7" },
  },
});
const n = Number(args.n), m = Number(args.m), reps = Number(args.reps);

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

const gen = new gp.Generator(1);
const trainX = gp.linspace(0, 1, n);
const trainY = trainX.map((v) => Math.sin(12 * v) + 0.1 * gen.normal());
const likelihood = new gp.likelihoods.GaussianLikelihood();
const model = new ExactGPModel(trainX, trainY, likelihood);
model.initialize({ "covarModule.baseKernel.lengthscale": 0.05, "likelihood.noise": 0.01 });
model.eval();
const testPoints = Float64Array.from({ length: m }, (_, i) => (i + 0.5) / m);
await model.predictionSolve(); // the training solve, cached for every case below

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

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

const numbers = await time(async () => {
  const post = model.call(testPoints);
  await post.mean();
  await post.variance();
});

function objective(mean: gp.autograd.Tensor, variance: gp.autograd.Tensor) {
  return mean.sum().add(variance.sum());
}

console.log(
  `posterior mean + variance at m = ${m} points, N = ${n} training points (median of ${reps})`,
);
console.log(`number forms (await mean(), variance()): ${numbers.toFixed(1)} ms`);
for (const trainable of [false, true]) {
  for (const p of model.parameters()) p.requiresGrad_(trainable);
  const forward = await time(async () => {
    using _ = gp.settings.noGrad();
    const post = model.call(gp.autograd.tensor(testPoints));
    objective(await post.meanTensor(), await post.varianceTensor());
  });
  let gradNorm = 0;
  const recorded = await time(async () => {
    const x = gp.autograd.tensor(testPoints, { requiresGrad: true });
    const post = model.call(x);
    objective(await post.meanTensor(), await post.varianceTensor()).backward();
    gradNorm = Math.hypot(...Array.from(x.grad!.data));
  });
  console.log(
    `${trainable ? "x and every parameter" : "x only (parameters frozen)"}: forward ${
      forward.toFixed(1)
    } ms, recorded + backward ${recorded.toFixed(1)} ms, ratio ${
      (recorded / forward).toFixed(2)
    }× ` +
      `(goal ≤ 3×; ${(recorded / numbers).toFixed(2)}× the number forms; |dx| ${
        gradNorm.toExponential(3)
      })`,
  );
}
