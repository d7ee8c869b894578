/**
 * The "GPyTorch 101" notebook in TypeScript: a teacher GP (lengthscale 0.01, noise
 * 0.01) draws data at 1000 points; a student GP learns the lengthscale back with
 * Adam; predictions come with a ±2σ band; two figures show it.
 *
 *     deno run -A examples/teacher_student.ts [--seed 1] [--iters 50] [--n 1000] [--out examples/out/]
 *
 * From lengthscale 1 the student can walk to either optimum: with most draws it
 * comes down to the teacher's 0.01; with some (seed 17) it drifts to the long
 * lengthscale that explains the data as noise, as in GPyTorch.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";
import { predictionPlot, trainingCurvesPlot } from "../plot.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    seed: { type: "string", default: "1" },
    iters: { type: "string", default: "50" },
    n: { type: "string", default: "1000" },
    out: { type: "string", default: "examples/out/" },
  },
});
const seed = Number(args.seed), iters = Number(args.iters), n = Number(args.n);
for (const [name, v] of [["--seed", seed], ["--iters", iters], ["--n", n]] as const) {
  if (!Number.isInteger(v) || v < (name === "--seed" ? 0 : 1)) {
    console.error(`${name} must be a ${name === "--seed" ? "non-negative" : "positive"} integer`);
    Deno.exit(2);
  }
}

// class ExactGPModel(gpytorch.models.ExactGP)
class ExactGPModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());

  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    const meanX = this.meanModule.call(x);
    const covarX = this.covarModule.call(x);
    return new gp.distributions.MultivariateNormal(meanX, covarX);
  }
}

// The teacher: a GP with lengthscale 0.01 and noise 0.01 draws y at n points.
const trainX = gp.linspace(0, 1, n);
const teacherLikelihood = new gp.likelihoods.GaussianLikelihood();
const teacher = new ExactGPModel(null, null, teacherLikelihood);
teacher.initialize({
  "likelihood.noise": 0.01,
  "covarModule.baseKernel.lengthscale": 0.01,
  "covarModule.outputscale": 1,
});
// likelihood(model(train_x)).sample(): an exact draw (float64 Cholesky, no low-rank root).
const trainY = await teacherLikelihood.call(teacher.prior(trainX)).sample({ seed });

// The student starts far away: lengthscale 1, noise 1, outputscale 1 (frozen).
const likelihood = new gp.likelihoods.GaussianLikelihood();
const model = new ExactGPModel(trainX, trainY, likelihood);
model.initialize({
  "likelihood.noise": 1,
  "covarModule.baseKernel.lengthscale": 1,
  "covarModule.outputscale": 1,
});
model.covarModule.rawOutputscale.requiresGrad_(false);
console.log(model.toString());

model.train();
likelihood.train();
const optimizer = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);

const history = { loss: [] as number[], lengthscale: [] as number[], noise: [] as number[] };
const started = performance.now();
for (let i = 0; i < iters; i++) {
  optimizer.zeroGrad();
  const output = model.call(trainX);
  const loss = (await mll.call(output, trainY)).neg();
  loss.backward();
  const lengthscale = model.covarModule.baseKernel.lengthscale;
  const noise = likelihood.noise;
  console.log(
    `Iter ${i + 1}/${iters}, loss ${loss.value.toFixed(3)}, lengthscale ${
      lengthscale.toFixed(4)
    }, noise ${noise.toFixed(4)}`,
  );
  history.loss.push(loss.value);
  history.lengthscale.push(lengthscale);
  history.noise.push(noise);
  optimizer.step();
}
const seconds = (performance.now() - started) / 1000;
console.log(`trained ${iters} iterations on ${n} points in ${seconds.toFixed(2)} s`);

// Predictions in eval mode, with the ±2σ band.
model.eval();
likelihood.eval();
const testX = gp.linspace(0, 1, 501);
const observedPred = likelihood.call(model.call(testX));
const mean = await observedPred.mean();
const { lower, upper } = await observedPred.confidenceRegion();

const out = args.out.endsWith("/") ? args.out : args.out + "/";
await Deno.mkdir(out, { recursive: true });
const curves = trainingCurvesPlot(history, {
  title: "Student GP training",
  subtitle: `n = ${n}, Adam lr 0.1, seed ${seed}`,
  referenceLengthscale: { value: 0.01, label: "teacher lengthscale" },
});
const prediction = predictionPlot({ trainX, trainY, testX, mean, lower, upper }, {
  title: "Student GP posterior",
  subtitle: `lengthscale ${model.covarModule.baseKernel.lengthscale.toFixed(4)}, noise ${
    likelihood.noise.toFixed(4)
  }`,
});
for (const [name, figure] of [["training", curves], ["prediction", prediction]] as const) {
  const written = await figure.save(out + name);
  console.log(`wrote ${written.join(", ")}`);
}
