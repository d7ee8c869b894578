/**
 * SGPR's cost: one loss + gradient (ExactMarginalLogLikelihood on an InducingPointKernel
 * model, backward included) at N = 100 000 1-D points and M = 256 inducing points, on one
 * and on two threads (`gp.settings.threads`), beside GPyTorch 1.12 float64 on one thread
 * (7.1 s, issue 11), with the ratio, the goal (< 1.5 s), and the peak memory
 * (`Deno.memoryUsage()`: resident set and the V8 heap + external, sampled after each
 * step). `--predict` also times the posterior at 1000 test points (the training-side
 * cache). The record goes to bench/results/sgpr-<date>-n<N>-m<M>.json (`--no-save`: not).
 *
 *     deno task bench:approx [--n 100000] [--m 256] [--reps 2] [--threads 1,2] [--predict]
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

/** GPyTorch 1.12 float64, one thread, this kind of machine: one SGPR loss + gradient (s). */
export const GPYTORCH_SGPR_SECONDS = 7.1;
/** The goal for one loss + gradient at N = 100 000, M = 256 (s). */
export const GOAL_SECONDS = 1.5;

const args = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "100000" },
    m: { type: "string", default: "256" },
    reps: { type: "string", default: "2" },
    threads: { type: "string", default: "1,2" },
    predict: { type: "boolean", default: false },
    "no-save": { type: "boolean", default: false },
  },
});
const n = Number(args.values.n), m = Number(args.values.m), reps = Number(args.values.reps);
const threadCounts = args.values.threads.split(",").map(Number);
/** Whether this run is at the size GPyTorch's figure and the goal are for. */
const atReference = n === 100000 && m === 256;

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
model.covarModule.jitter = 1e-8; // decided once, not re-tried (and warned about) each call
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
sample();
const base = Deno.memoryUsage().rss;

const mb = (b: number) => Math.round(b / 2 ** 20);
const runs: { threads: number; seconds: number; times: number[] }[] = [];
for (const t of threadCounts) {
  using _ = gp.settings.threads(t);
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
  runs.push({ threads: t, seconds: best, times });
  console.log(
    `SGPR loss + gradient, N = ${n}, M = ${m}, ${t} thread${t > 1 ? "s" : ""}: ` +
      `${best.toFixed(2)} s (best of ${reps})` +
      (atReference
        ? `; GPyTorch 1.12, one thread: ${GPYTORCH_SGPR_SECONDS} s; ratio ${
          (best / GPYTORCH_SGPR_SECONDS).toFixed(2)
        }; goal < ${GOAL_SECONDS} s ${best < GOAL_SECONDS ? "met" : "NOT met"}`
        : " (GPyTorch's figure and the goal are for N = 100000, M = 256)"),
  );
}

let predictSeconds: number | null = null;
if (args.values.predict) {
  model.eval();
  likelihood.eval();
  const grid = Array.from({ length: 1000 }, (_, i) => i / 999);
  const t0 = performance.now();
  const post = model.call(grid);
  await post.mean();
  await post.variance();
  sample();
  predictSeconds = (performance.now() - t0) / 1000;
  console.log(`SGPR posterior mean + variance at 1000 points: ${predictSeconds.toFixed(2)} s`);
}

console.log(
  `peak memory: RSS ${mb(peakRss)} MB (${mb(peakRss - base)} MB over the data and runtime), ` +
    `V8 heap + external ${mb(peakHeap)} MB; one N × M float64 matrix is ${mb(8 * n * m)} MB`,
);

if (!args.values["no-save"]) {
  const date = new Date().toISOString();
  const record = {
    bench: "sgpr",
    date,
    n,
    m,
    reps,
    gpytorchOneThreadSeconds: GPYTORCH_SGPR_SECONDS,
    goalSeconds: GOAL_SECONDS,
    runs: runs.map((r) => ({
      ...r,
      ratio: atReference ? r.seconds / GPYTORCH_SGPR_SECONDS : null,
      goalMet: atReference ? r.seconds < GOAL_SECONDS : null,
    })),
    predictSeconds,
    peakRssMB: mb(peakRss),
    peakRssOverBaseMB: mb(peakRss - base),
    peakHeapPlusExternalMB: mb(peakHeap),
    note: "timings on a machine shared by other jobs are noisy; best of reps",
  };
  await Deno.mkdir(new URL("results/", import.meta.url), { recursive: true });
  const file = new URL(`results/sgpr-${date.slice(0, 10)}-n${n}-m${m}.json`, import.meta.url)
    .pathname;
  await Deno.writeTextFile(file, JSON.stringify(record, null, 1) + "\n");
  console.log(`saved ${file}`);
}
