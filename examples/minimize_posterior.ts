/**
 * Minimise a GP's posterior mean over its input with autograd: fit the seed model (the
 * "GPyTorch 101" teacher–student problem), then run Adam on x from several starts in
 * [0, 1], each x kept inside the interval by a sigmoid (an Interval constraint), with
 * the gradient d mean / dx from the recorded posterior. Prints each start's minimiser,
 * the mean there and the gradient's norm, and the best against a dense grid.
 *
 *     deno run -A examples/minimize_posterior.ts [--seed 1] [--n 1000] [--iters 50] [--starts 8] [--steps 300]
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    seed: { type: "string", default: "1" },
    n: { type: "string", default: "1000" },
    iters: { type: "string", default: "50" },
    starts: { type: "string", default: "8" },
    steps: { type: "string", default: "300" },
  },
});
const [seed, n, iters, starts, steps] = [args.seed, args.n, args.iters, args.starts, args.steps]
  .map(Number);
for (const [name, v] of Object.entries({ seed, n, iters, starts, steps })) {
  if (!Number.isInteger(v) || v < (name === "seed" ? 0 : 1)) {
    console.error(`--${name} must be a ${name === "seed" ? "non-negative" : "positive"} integer`);
    Deno.exit(2);
  }
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

// The seed problem: a teacher draw at n points, a student trained with Adam.
const trainX = gp.linspace(0, 1, n);
const teacherLikelihood = new gp.likelihoods.GaussianLikelihood();
const teacher = new ExactGPModel(null, null, teacherLikelihood);
teacher.initialize({
  "likelihood.noise": 0.01,
  "covarModule.baseKernel.lengthscale": 0.01,
  "covarModule.outputscale": 1,
});
const trainY = await teacherLikelihood.call(teacher.prior(trainX)).sample({ seed });

const likelihood = new gp.likelihoods.GaussianLikelihood();
const model = new ExactGPModel(trainX, trainY, likelihood);
model.initialize({
  "likelihood.noise": 1,
  "covarModule.baseKernel.lengthscale": 1,
  "covarModule.outputscale": 1,
});
model.covarModule.rawOutputscale.requiresGrad_(false);
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
const fitter = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
model.train();
let loss = 0;
for (let i = 0; i < iters; i++) {
  fitter.zeroGrad();
  const l = (await mll.call(model.call(trainX), trainY)).neg();
  l.backward();
  fitter.step();
  loss = l.value;
}
console.log(
  `fitted: loss ${loss.toFixed(4)}, lengthscale ${
    model.covarModule.baseKernel.lengthscale.toFixed(4)
  }, noise ${likelihood.noise.toFixed(4)}`,
);

// The model is fixed now: only x needs a gradient, so the cached solve is reused.
model.eval();
for (const p of model.parameters()) p.requiresGrad_(false);

const startX = Array.from({ length: starts }, (_, k) => (k + 0.5) / starts);
const x = new gp.Parameter(startX, { constraint: new gp.constraints.Interval(0, 1) });
x.setValues(startX);
const optimizer = new gp.optim.Adam([x], { lr: 0.05 });
for (let step = 0; step < steps; step++) {
  optimizer.zeroGrad();
  const mean = await model.call(x.valueTensor()).meanTensor();
  mean.sum().backward(); // the points are independent: each x gets its own gradient
  optimizer.step();
}

// The gradient d mean / dx at each end point, in x's own units.
const xEnd = gp.autograd.tensor(Array.from(x.values), { requiresGrad: true });
const meanEnd = await model.call(xEnd).meanTensor();
meanEnd.sum().backward();
console.log("start   minimiser   posterior mean   |d mean / dx|");
for (let k = 0; k < starts; k++) {
  console.log(
    `${startX[k].toFixed(4)}  ${xEnd.data[k].toFixed(6)}  ${
      meanEnd.data[k].toFixed(6).padStart(14)
    }  ${Math.abs(xEnd.grad!.data[k]).toExponential(2).padStart(13)}`,
  );
}
let best = 0;
for (let k = 1; k < starts; k++) if (meanEnd.data[k] < meanEnd.data[best]) best = k;
const grid = gp.linspace(0, 1, 20001);
const gridMean = await model.call(grid).mean();
let g = 0;
for (let i = 1; i < grid.length; i++) if (gridMean[i] < gridMean[g]) g = i;
const gradNorm = Math.hypot(...Array.from(xEnd.grad!.data));
console.log(
  `best: x = ${xEnd.data[best].toFixed(6)}, mean ${meanEnd.data[best].toFixed(6)}, ` +
    `gradient norm over all starts ${gradNorm.toExponential(2)}; ` +
    `grid of 20001 points: x = ${grid[g].toFixed(6)}, mean ${gridMean[g].toFixed(6)}`,
);
