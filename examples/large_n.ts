/**
 * Teacher/student at large N on the best device: the seed workflow of
 * examples/teacher_student.ts with N = 20 000 points, trained with BBMM (CG) where
 * `solver: "auto"` picks it, on WebGPU where a hardware adapter is there, else on the
 * float64 WASM core. Prints each iteration's time and the solver and device used, then
 * predicts on a grid with fast variances (LOVE).
 *
 *     deno run -A examples/large_n.ts [--n 20000] [--iters 10] [--device auto] [--solver auto]
 *
 * On a CPU-only machine start small: `--n 2000 --iters 5` takes well under a minute.
 *
 * The teacher: an exact draw needs an N × N Cholesky (3.2 GB at N = 20 000), so the
 * teacher function here is a random-Fourier-feature draw (4 096 features) of a GP with
 * lengthscale 0.01 — a faithful sample of that GP to within the features' error — plus
 * noise of variance 0.01.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20000" },
    iters: { type: "string", default: "10" },
    device: { type: "string", default: "auto" },
    solver: { type: "string", default: "auto" },
    seed: { type: "string", default: "1" },
  },
});
const n = Number(args.n), iters = Number(args.iters), seed = Number(args.seed);
for (const [name, v] of [["--n", n], ["--iters", iters]] as const) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`${name} must be a positive integer, got ${args[name.slice(2) as "n"]}`);
    Deno.exit(2);
  }
}
const device = args.device as "wasm" | "webgpu" | "auto";
const solver = args.solver as "cholesky" | "cg" | "auto";

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

// The teacher: f(x) = √(2/D) Σ cos(ω_j x + b_j), ω_j ~ N(0, 1/ℓ²), b_j ~ U(0, 2π).
const rng = new gp.Generator(seed);
const features = 4096, teacherLengthscale = 0.01, teacherNoise = 0.01;
const omega = rng.normals(features).map((w) => w / teacherLengthscale);
const phase = Float64Array.from({ length: features }, () => 2 * Math.PI * rng.uniform());
const teacher = (x: number) => {
  let s = 0;
  for (let j = 0; j < features; j++) s += Math.cos(omega[j] * x + phase[j]);
  return Math.sqrt(2 / features) * s;
};
const trainX = gp.linspace(0, 1, n);
const trainY = trainX.map((x) => teacher(x) + Math.sqrt(teacherNoise) * rng.normal());

// The student, as in the seed: lengthscale 1, noise 1, outputscale 1 (frozen).
const likelihood = new gp.likelihoods.GaussianLikelihood();
const model = new ExactGPModel(trainX, trainY, likelihood, { device, solver });
model.initialize({
  "likelihood.noise": 1,
  "covarModule.baseKernel.lengthscale": 1,
  "covarModule.outputscale": 1,
});
model.covarModule.rawOutputscale.requiresGrad_(false);
model.train();
const optimizer = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);

console.log(`N = ${n}, ${iters} Adam iterations, device ${device}, solver ${solver}`);
const started = performance.now();
for (let i = 0; i < iters; i++) {
  const t0 = performance.now();
  optimizer.zeroGrad();
  const loss = (await mll.call(model.call(trainX), trainY)).neg();
  loss.backward();
  optimizer.step();
  const r = mll.lastResult!;
  const d = r.diagnostics;
  console.log(
    `iter ${String(i + 1).padStart(3)}/${iters}  loss ${loss.value.toFixed(4)}  ` +
      `lengthscale ${model.covarModule.baseKernel.lengthscale.toFixed(4)}  ` +
      `noise ${likelihood.noise.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(2)} s  ` +
      (d === null
        ? `[cholesky, WASM (float64)]`
        : `[cg on ${d.device}: ${d.iterations} CG it, rank ${d.preconditionerRank}, ` +
          `residual ${d.residual.toExponential(1)}, loss ± ${
            (d.standardError / n).toExponential(1)
          }]`),
  );
}
console.log(`training: ${((performance.now() - started) / 1000).toFixed(1)} s`);

// Prediction on a grid: the mean from the cached solve, fast variances from LOVE.
model.eval();
const grid = gp.linspace(0, 1, 200);
const t0 = performance.now();
using _ = gp.settings.fastPredVar();
const f = model.call(grid);
const mean = await f.mean(), variance = await f.variance();
const solve = await model.predictionSolve();
let rmse = 0, width = 0;
for (let i = 0; i < grid.length; i++) {
  rmse += (mean[i] - teacher(grid[i])) ** 2;
  width += 4 * Math.sqrt(variance[i]);
}
console.log(
  `prediction on ${grid.length} points (${solve.solver} on ${solve.device}, fast variances): ` +
    `${((performance.now() - t0) / 1000).toFixed(2)} s, RMSE against the teacher ` +
    `${Math.sqrt(rmse / grid.length).toFixed(4)}, mean band width (4σ) ${
      (width / grid.length).toFixed(4)
    }`,
);
