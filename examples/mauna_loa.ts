/**
 * The Mauna Loa CO₂ model of Rasmussen & Williams (2006, ch. 5.4.3) on the monthly
 * record shipped by the npm package `vega-datasets` (data/co2-concentration.csv):
 *
 *   k = s₁·RBF(ℓ₁)                       long-term rise
 *     + s₂·RBF(ℓ₂)·Periodic(ℓ₃, p = 1 yr) seasonal cycle that drifts
 *     + s₃·RQ(ℓ₄, α)                     medium-term irregularities
 *     + s₄·RBF(ℓ₅)                       short-term, correlated noise
 *     + σ²                               white noise
 *
 * trained with `gp.optim.fit` (strong-Wolfe L-BFGS, run until every
 * |∂ log p/∂raw| ≤ 1e-5 of the total log marginal likelihood) on the data before
 * 2010, evaluated on the data from 2010 on (RMSE, negative log predictive density,
 * ±2σ coverage), and plotted with a forecast 20 years past the last observation.
 *
 *     deno run -A examples/mauna_loa.ts [--out examples/out/] [--iters 1000]
 *                                       [--restarts 0] [--seed 0]
 *
 * A single start from R&W's values reaches scikit-learn's optimum (its own example's
 * kernel and bounds, fitted by bench/mauna_loa_sklearn.py on the same months);
 * `--restarts k` adds k runs from random starts (see `gp.optim.fit`) and keeps the best.
 *
 * Note the periodic kernel's lengthscale is GPyTorch's: exp(−2 sin²(πΔ/p)/ℓ) with ℓ
 * not squared, so R&W's ℓ = 1.3 reads here as ℓ = 1.69.
 *
 * @module
 */

import "vega-datasets"; // makes Deno fetch the package; the CSV is read from its files
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import * as gp from "../mod.ts";
import { predictionPlot } from "../plot.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string", default: "examples/out/" },
    iters: { type: "string", default: "1000" },
    restarts: { type: "string", default: "0" },
    seed: { type: "string", default: "0" },
  },
});
const restarts = Number(args.restarts), seed = Number(args.seed);
const iters = Number(args.iters);
if (!Number.isInteger(iters) || iters < 1) {
  console.error("--iters must be a positive integer");
  Deno.exit(2);
}
if (!Number.isInteger(restarts) || restarts < 0 || !Number.isInteger(seed) || seed < 0) {
  console.error("--restarts and --seed must be non-negative integers");
  Deno.exit(2);
}

// ---- data -------------------------------------------------------------------------
const csvPath = createRequire(import.meta.url).resolve(
  "vega-datasets/data/co2-concentration.csv",
);
const rows = Deno.readTextFileSync(csvPath).trim().split("\n").slice(1).map((line) => {
  const [date, co2] = line.split(",");
  const [y, m] = date.split("-").map(Number);
  return { t: y + (m - 0.5) / 12, co2: Number(co2) };
}).filter((r) => Number.isFinite(r.co2));
const train = rows.filter((r) => r.t < 2010);
const test = rows.filter((r) => r.t >= 2010);
const trainX = train.map((r) => r.t);
// Standardise the targets (as scikit-learn's normalize_y); hyperparameters are
// reported back in ppm.
const mu = trainX.length === 0 ? 0 : train.reduce((s, r) => s + r.co2, 0) / train.length;
const sd = Math.sqrt(train.reduce((s, r) => s + (r.co2 - mu) ** 2, 0) / (train.length - 1));
const trainY = train.map((r) => (r.co2 - mu) / sd);
console.log(
  `${rows.length} monthly values ${rows[0].t.toFixed(1)}–${rows.at(-1)!.t.toFixed(1)} ` +
    `(${csvPath.split("/").slice(-4).join("/")}); training on ${train.length} before 2010, ` +
    `holding out ${test.length}`,
);

// ---- model ------------------------------------------------------------------------
const { ScaleKernel, RBFKernel, PeriodicKernel, RQKernel } = gp.kernels;
const seasonal = new PeriodicKernel();
seasonal.rawPeriodLength.requiresGrad_(false); // period fixed at one year

class MaunaLoaModel extends gp.models.ExactGP {
  meanModule = new gp.means.ZeroMean();
  covarModule = new ScaleKernel(new RBFKernel())
    .add(new ScaleKernel(new RBFKernel().mul(seasonal)))
    .add(new ScaleKernel(new RQKernel()))
    .add(new ScaleKernel(new RBFKernel())) as gp.kernels.AdditiveKernel;
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const likelihood = new gp.likelihoods.GaussianLikelihood({
  noiseConstraint: new gp.constraints.GreaterThan(1e-6),
});
const model = new MaunaLoaModel(trainX, trainY, likelihood);
const v = (ppm2: number) => ppm2 / (sd * sd); // ppm² → standardised units
// Starting point: the hyperparameters R&W report under eq. (5.19), rounded.
model.initialize({
  "likelihood.noise": v(0.04),
  "covarModule.kernels.0.outputscale": v(66 ** 2),
  "covarModule.kernels.0.baseKernel.lengthscale": 67,
  "covarModule.kernels.1.outputscale": v(2.4 ** 2),
  "covarModule.kernels.1.baseKernel.kernels.0.lengthscale": 90,
  "covarModule.kernels.1.baseKernel.kernels.1.lengthscale": 1.3 ** 2,
  "covarModule.kernels.1.baseKernel.kernels.1.periodLength": 1,
  "covarModule.kernels.2.outputscale": v(0.66 ** 2),
  "covarModule.kernels.2.baseKernel.lengthscale": 1.2,
  "covarModule.kernels.2.baseKernel.alpha": 0.78,
  "covarModule.kernels.3.outputscale": v(0.18 ** 2),
  "covarModule.kernels.3.baseKernel.lengthscale": 0.134,
});

// ---- training ---------------------------------------------------------------------
const t0 = performance.now();
const history = await gp.optim.fit(model, likelihood, { maxIter: iters, restarts, seed });
const n = train.length;
const lmlStd = history.lml;
const lmlPpm = lmlStd - n * Math.log(sd); // the same density, in ppm
console.log(
  `L-BFGS: ${history.iterations} iterations, ${history.evaluations.at(-1)} evaluations, ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s, max |∂ log p/∂raw| ` +
    `${history.gradNorm.toExponential(2)} (${history.reason})`,
);
if (restarts > 0) {
  console.log(
    `restarts (seed ${history.seed}): final log p per run (ppm units) ` +
      history.runs.map((r) => r.lml === null ? "failed" : (r.lml - n * Math.log(sd)).toFixed(2))
        .join(", ") +
      `; kept run ${history.best}`,
  );
}

const k = model.covarModule.kernels.items as [
  gp.kernels.ScaleKernel<gp.kernels.RBFKernel>,
  gp.kernels.ScaleKernel<gp.kernels.ProductKernel>,
  gp.kernels.ScaleKernel<gp.kernels.RQKernel>,
  gp.kernels.ScaleKernel<gp.kernels.RBFKernel>,
];
const ppm = (s: number) => Math.sqrt(s) * sd;
const longRbf = k[0].baseKernel;
const [decay, periodic] = k[1].baseKernel.kernels.items as [
  gp.kernels.RBFKernel,
  gp.kernels.PeriodicKernel,
];
const fitted = {
  "long-term: amplitude (ppm)": ppm(k[0].outputscale),
  "long-term: lengthscale (yr)": longRbf.lengthscale,
  "seasonal: amplitude (ppm)": ppm(k[1].outputscale),
  "seasonal: decay lengthscale (yr)": decay.lengthscale,
  "seasonal: periodic lengthscale ℓ (GPyTorch, = R&W ℓ²)": periodic.lengthscale,
  "seasonal: period (yr, fixed)": periodic.periodLength,
  "medium-term: amplitude (ppm)": ppm(k[2].outputscale),
  "medium-term: lengthscale (yr)": k[2].baseKernel.lengthscale,
  "medium-term: alpha": k[2].baseKernel.alpha,
  "short-term: amplitude (ppm)": ppm(k[3].outputscale),
  "short-term: lengthscale (yr)": k[3].baseKernel.lengthscale,
  "noise: std (ppm)": ppm(likelihood.noise),
};
console.log("fitted hyperparameters:");
for (const [name, value] of Object.entries(fitted)) {
  console.log(`  ${name.padEnd(56)} ${value.toPrecision(4)}`);
}
console.log(
  `log marginal likelihood: ${lmlPpm.toFixed(2)} (ppm units; ${lmlStd.toFixed(2)} on ` +
    `standardised targets; per datum ${(-history.loss.at(-1)!).toFixed(4)})`,
);

// ---- held-out evaluation (2010 on) ---------------------------------------------------
model.eval();
const testX = test.map((r) => r.t);
const predictive = likelihood.call(model.call(testX));
const [pm, pv] = await Promise.all([predictive.mean(), predictive.variance()]);
let se = 0, nlpd = 0, covered = 0;
for (let i = 0; i < test.length; i++) {
  const m = mu + sd * pm[i];
  const s2 = sd * sd * pv[i];
  const r = test[i].co2 - m;
  se += r * r;
  nlpd += 0.5 * Math.log(2 * Math.PI * s2) + (r * r) / (2 * s2);
  if (Math.abs(r) <= 2 * Math.sqrt(s2)) covered++;
}
const metrics = {
  rmse: Math.sqrt(se / test.length),
  nlpd: nlpd / test.length,
  coverage: covered / test.length,
};
console.log(
  `held out ${test.length} months from 2010: RMSE ${metrics.rmse.toFixed(3)} ppm, NLPD ` +
    `${metrics.nlpd.toFixed(3)} (nats per point), ±2σ coverage ${
      (100 * metrics.coverage).toFixed(1)
    }%`,
);

// ---- forecast figure ------------------------------------------------------------------
const last = rows.at(-1)!.t;
const grid = gp.linspace(rows[0].t, last + 20, 1200);
const forecast = likelihood.call(model.call(grid));
const [fm, fv] = await Promise.all([forecast.mean(), forecast.variance()]);
const mean = fm.map((m) => mu + sd * m);
const band = fv.map((s2) => 2 * sd * Math.sqrt(s2));
const figure = predictionPlot(
  {
    trainX: rows.map((r) => r.t),
    trainY: rows.map((r) => r.co2),
    testX: grid,
    mean,
    lower: mean.map((m, i) => m - band[i]),
    upper: mean.map((m, i) => m + band[i]),
  },
  {
    title: "Mauna Loa CO₂: R&W kernel, trained before 2010, forecast to " +
      Math.floor(last + 20),
    subtitle: `held out 2010–${Math.floor(last)}: RMSE ${metrics.rmse.toFixed(2)} ppm, ` +
      `NLPD ${metrics.nlpd.toFixed(2)}, ±2σ coverage ${(100 * metrics.coverage).toFixed(0)}%`,
    xLabel: "year",
    xTickFormat: "d",
    yLabel: "CO₂ (ppm)",
    dataLabel: "monthly mean CO₂",
    meanLabel: "posterior mean (trained < 2010)",
    bandLabel: "±2σ predictive band",
  },
);
const outDir = args.out!.endsWith("/") ? args.out! : args.out! + "/";
await Deno.mkdir(outDir, { recursive: true });
const written = await figure.save(`${outDir}mauna_loa`);
await Deno.writeTextFile(
  `${outDir}mauna_loa.json`,
  JSON.stringify(
    { fitted, lml: lmlPpm, lmlStandardised: lmlStd, metrics, history, state: model.stateDict() },
    null,
    1,
  ),
);
console.log(`wrote ${written.join(", ")} and ${outDir}mauna_loa.json`);
