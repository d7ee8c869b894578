/**
 * SGPR's cost: one loss + gradient (ExactMarginalLogLikelihood on an InducingPointKernel
 * model, backward included) at N = 100 000 1-D points and M = 256 inducing points, beside
 * GPyTorch 1.12 float64 on one thread (7.1 s, issue 11), with the ratio and the peak
 * memory (`Deno.memoryUsage()`: resident set and the V8 heap, sampled after each step).
 *
 *     deno task bench:approx [--n 100000] [--m 256] [--reps 2]
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

/** GPyTorch 1.12 float64, one thread, this kind of machine: one SGPR loss + gradient (s). */
export const GPYTORCH_SGPR_SECONDS = 7.1;

const args = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "100000" },
    m: { type: "string", default: "256" },
    reps: { type: "string", default: "2" },
  },
});
const n = Number(args.values.n), m = Number(args.values.m), reps = Number(args.values.reps);

let peakRss = 0, peakHeap = 0;
function sample(): void {
  const u = Deno.memoryUsage();
  peakRss = Math.max(peakRss, u.rss);
  peakHeap = Math.max(peakHeap, u.heapUsed + u.external);
}

const rng = new gp.Generator(1);
const x = new Float64Array(n), y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  x[i] = rng.uniform();
  y[i] = Math.sin(12 * x[i]) + 0.5 * Math.cos(25 * x[i]) + 0.1 * rng.normal();
}
const z = Array.from({ length: m }, (_, i) => i / (m - 1));
const likelihood = new gp.likelihoods.GaussianLikelihood();
likelihood.noise = 0.01;

class Sgpr extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.InducingPointKernel(
    new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel()),
    z,
    likelihood,
  );
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}
const model = new Sgpr(x, y, likelihood);
// The data's scale (K_ZZ, 256 points in [0, 1], then takes GPyTorch's 1e-8 jitter).
(model.covarModule.baseKernel as gp.kernels.ScaleKernel<gp.kernels.RBFKernel>).baseKernel
  .lengthscale = 0.05;
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
sample();
const base = Deno.memoryUsage().rss;
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const loss = (await mll.call(model.call(x), y)).neg();
  sample();
  loss.backward();
  sample();
  times.push((performance.now() - t0) / 1000);
  for (const p of model.parameters()) p.grad = null;
}
const best = Math.min(...times);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
console.log(
  `SGPR loss + gradient, N = ${n}, M = ${m}: ${best.toFixed(2)} s (best of ${reps}; ` +
    `GPyTorch 1.12, one thread: ${GPYTORCH_SGPR_SECONDS} s; ratio ${
      (best / GPYTORCH_SGPR_SECONDS).toFixed(2)
    }; goal < 1.5 s)`,
);
console.log(
  `peak memory: RSS ${mb(peakRss)} MB (${mb(peakRss - base)} MB over the data and runtime), ` +
    `V8 heap + external ${mb(peakHeap)} MB; one N × M float64 matrix is ${mb(8 * n * m)} MB`,
);
