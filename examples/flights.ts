/**
 * The airline-delay workload of Hensman, Fusi & Lawrence ("Gaussian processes for big data",
 * 2013) on the 3 000 000 US flights shipped by the npm package `vega-datasets`
 * (data/flights-3m.parquet, joined with data/airports.csv for coordinates): an SVGP with an
 * ARD RBF kernel, trained with Adam on minibatches streamed from the training rows, scored on
 * a seeded random 10% held out, beside two baselines fitted in the same run (the training
 * mean, and least squares on the same features).
 *
 *     deno run -A examples/flights.ts [--epochs 1] [--m 256] [--batch 1024] [--lr 0.01]
 *       [--likelihood gaussian|studentT] [--seed 0] [--rows N] [--out examples/out/]
 *       [--file path/to/flights.parquet]
 *
 * Features (standardised with the training rows' moments): departure time of day (hours),
 * day of year, distance, origin and destination latitude and longitude. The data's `date` is
 * `MMDDHHMM` with no year, and the dataset's own description documents none, so there is no
 * weekday feature; day of year is counted in a non-leap year (the file's 181 days are
 * 1 January – 30 June with no 29 February). Target: the arrival delay in minutes, standardised
 * for training; every figure printed is back in minutes.
 *
 * Each epoch prints its time and the held-out RMSE and NLPD (mean −log p(y*) in nats per
 * flight, from the likelihood's own log marginal: exact for the Gaussian, 20-point
 * Gauss–Hermite quadrature for the Student-t). Writes flights_hour.{svg,png} and
 * flights_day.{svg,png}: the predicted delay and its ±2σ band against departure hour and
 * against day of year (the other features at their training medians), with the held-out
 * flights' binned means.
 *
 * `--rows N` uses a seeded random N of the 3 M rows (the file is sorted by date, so the first
 * N would be January only).
 *
 * @module
 */

import "vega-datasets"; // makes Deno fetch the package; its files are read from disk
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import * as Plot from "@observablehq/plot";
import * as gp from "../mod.ts";
import { render } from "../plot.ts";
import { FEATURE_NAMES, flightFeatures, parseAirports, readFlights } from "./flights_data.ts";
import {
  binnedMeans,
  columnMedians,
  columnMoments,
  gaussianScores,
  holdOutSplit,
  leastSquares,
  linearPredict,
  type Scores,
  shuffled,
  standardise,
} from "./flights_stats.ts";

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "1" },
    m: { type: "string", default: "256" },
    batch: { type: "string", default: "1024" },
    lr: { type: "string", default: "0.01" },
    likelihood: { type: "string", default: "gaussian" },
    seed: { type: "string", default: "0" },
    rows: { type: "string" },
    out: { type: "string", default: "examples/out/" },
    file: { type: "string", default: require.resolve("vega-datasets/data/flights-3m.parquet") },
  },
});

function integerOption(name: "epochs" | "m" | "batch" | "seed" | "rows", min: number): number {
  const text = args[name]!, value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`--${name} is "${text}"; give an integer ≥ ${min}`);
  }
  return value;
}
const epochs = integerOption("epochs", 1), m = integerOption("m", 1);
const batchSize = integerOption("batch", 1), seed = integerOption("seed", 0);
const lr = Number(args.lr);
if (!(lr > 0 && Number.isFinite(lr))) {
  throw new RangeError(`--lr is "${args.lr}"; give a positive number such as 0.01`);
}
if (args.likelihood !== "gaussian" && args.likelihood !== "studentT") {
  throw new RangeError(`--likelihood is "${args.likelihood}"; give gaussian or studentT`);
}
const studentT = args.likelihood === "studentT";
const rowsWanted = args.rows === undefined ? Infinity : integerOption("rows", 20);

// ---- data -------------------------------------------------------------------------
let t0 = performance.now();
const columns = await readFlights(Deno.readFileSync(args.file), args.file);
const total = columns.delay.length;
console.log(
  `read ${total} flights (${Object.keys(columns).join(", ")}) from ` +
    `${args.file.split("/").slice(-4).join("/")} in ${seconds(t0)} s`,
);
const airports = parseAirports(
  Deno.readTextFileSync(require.resolve("vega-datasets/data/airports.csv")),
);
const rowCount = Math.min(rowsWanted, total);
const used = rowCount === total
  ? Uint32Array.from({ length: total }, (_, i) => i)
  : shuffled(total, seed).slice(0, rowCount);
const split = holdOutSplit(rowCount, 0.1, seed + 1);
const pick = (positions: Uint32Array) => positions.map((p) => used[p]);
t0 = performance.now();
const train = flightFeatures(columns, airports, pick(split.train));
const test = flightFeatures(columns, airports, pick(split.test));
const d = FEATURE_NAMES.length;
const rawTrainX = train.x.slice();
const moments = columnMoments(train.x, d);
standardise(train.x, d, moments);
standardise(test.x, d, moments);
const yMoments = columnMoments(train.y, 1);
const yMean = yMoments.mean[0], ySd = yMoments.sd[0];
const trainY = train.y.map((v) => (v - yMean) / ySd);
console.log(
  `${rowCount} flights: ${train.y.length} for training, ${test.y.length} held out (seeded ` +
    `random 10%); features built in ${seconds(t0)} s; training delay ${yMean.toFixed(2)} ± ` +
    `${ySd.toFixed(2)} min`,
);

// ---- baselines --------------------------------------------------------------------
const meanScores = gaussianScores(test.y, new Float64Array(test.y.length).fill(yMean), ySd ** 2);
const beta = leastSquares(train.x, d, train.y);
const fitted = linearPredict(train.x, d, beta);
const residualVariance = fitted.reduce((s, f, i) => s + (train.y[i] - f) ** 2, 0) /
  (train.y.length - d - 1);
const linearScores = gaussianScores(test.y, linearPredict(test.x, d, beta), residualVariance);

// ---- model ------------------------------------------------------------------------
class FlightsSVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: d }));
  constructor(inducingPoints: gp.Inputs) {
    super(
      new gp.variational.VariationalStrategy(
        null,
        inducingPoints,
        new gp.variational.CholeskyVariationalDistribution(inducingPoints.n),
        { learnInducingLocations: true, seed },
      ),
    );
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const trainInputs = new gp.Inputs(train.x, train.y.length, d);
t0 = performance.now();
// k-means++ on a seeded subset: Lloyd's iterations on all 2.7 M rows would take minutes.
const sample = shuffled(train.y.length, seed + 2).slice(0, Math.min(train.y.length, 20 * m, 20000));
const sampleX = new Float64Array(sample.length * d);
sample.forEach((row, k) => sampleX.set(train.x.subarray(row * d, row * d + d), k * d));
const inducing = gp.variational.kmeansPlusPlus(new gp.Inputs(sampleX, sample.length, d), m, {
  seed,
});
console.log(`M = ${m} inducing points by k-means++ on ${sample.length} rows in ${seconds(t0)} s`);
const model = new FlightsSVGP(inducing);
const likelihood = studentT
  ? new gp.likelihoods.StudentTLikelihood()
  : new gp.likelihoods.GaussianLikelihood();
const data = new gp.data.Batches(trainInputs, trainY, { batchSize, shuffle: true, seed });
const mll = new gp.mlls.VariationalELBO(likelihood, model, data.numData);
const params = [...new Set([...model.parameters(), ...likelihood.parameters()])];
const optimizer = new gp.optim.Adam(params, { lr });

/** q(f) at the rows of x (standardised units), in chunks that keep K_ux small. */
function latent(x: Float64Array): { mean: Float64Array; variance: Float64Array } {
  using _ = gp.settings.noGrad();
  const n = x.length / d, chunk = 4096;
  const mean = new Float64Array(n), variance = new Float64Array(n);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const q = model.call(new gp.Inputs(x.subarray(start * d, (start + size) * d), size, d));
    mean.set(q.latentMean.data, start);
    variance.set(q.latentVariance.data, start);
  }
  return { mean, variance };
}

/** Held-out RMSE and NLPD in minutes, the NLPD from the likelihood's log marginal. */
function heldOutScores(): Scores {
  model.eval();
  likelihood.eval();
  const q = latent(test.x);
  using _ = gp.settings.noGrad();
  const target = test.y.map((v) => (v - yMean) / ySd);
  const logp = likelihood.logMarginal(
    target,
    new gp.autograd.Tensor(q.mean, [q.mean.length]),
    new gp.autograd.Tensor(q.variance, [q.variance.length]),
  ).data;
  let se = 0, nlpd = 0;
  for (let i = 0; i < target.length; i++) {
    se += (target[i] - q.mean[i]) ** 2;
    nlpd -= logp[i];
  }
  model.train();
  likelihood.train();
  // Undo the scaling: y = μ + s·ỹ, so p(y) = p(ỹ)/s.
  return { rmse: ySd * Math.sqrt(se / target.length), nlpd: nlpd / target.length + Math.log(ySd) };
}

// ---- training, one table row per epoch ----------------------------------------------
const f2 = (v: number) => v.toFixed(2).padStart(8);
const f3 = (v: number) => v.toFixed(3).padStart(8);
console.log(
  `SVGP: ARD RBF, ${args.likelihood} likelihood, M = ${m}, batch ${batchSize} ` +
    `(${data.length} steps an epoch), Adam lr ${lr}; held out: RMSE / NLPD (minutes, nats)`,
);
console.log(
  "epoch   steps   train s  ms/step  score s     loss |  SVGP RMSE     NLPD | mean RMSE     NLPD | " +
    "linear RMSE    NLPD",
);
const baselineColumns = `| ${f2(meanScores.rmse)} ${f3(meanScores.nlpd)} | ` +
  `${f2(linearScores.rmse)}   ${f3(linearScores.nlpd)}`;
const progress = isTerminal() ? (line: string) => Deno.stderr.writeSync(encode(`\r${line}`)) : null;
model.train();
likelihood.train();
let steps = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const started = performance.now();
  let sum = 0, count = 0;
  for (const batch of data) {
    optimizer.zeroGrad();
    const loss = (await mll.call(model.call(batch.x), batch.y)).neg();
    loss.backward();
    optimizer.step();
    sum += loss.item();
    count++;
    steps++;
    if (progress !== null && count % 20 === 0) {
      const perStep = (performance.now() - started) / 1000 / count;
      progress(
        `epoch ${epoch} step ${count}/${data.length} loss ${(sum / count).toFixed(4)} ` +
          `${(1000 * perStep).toFixed(0)} ms/step, ~${
            (perStep * (data.length - count)).toFixed(0)
          } s left   `,
      );
    }
  }
  if (progress !== null) progress(" ".repeat(72) + "\r");
  const trainedMs = performance.now() - started;
  const trained = (trainedMs / 1000).toFixed(1);
  const scoring = performance.now();
  const scores = heldOutScores();
  console.log(
    `${String(epoch).padStart(5)} ${String(steps).padStart(7)} ${trained.padStart(9)} ` +
      `${(trainedMs / count).toFixed(0).padStart(8)} ` +
      `${seconds(scoring).padStart(8)} ${f3(sum / count)} |   ${f2(scores.rmse)} ` +
      `${f3(scores.nlpd)} ${baselineColumns}`,
  );
}

const lengthscales = model.covarModule.baseKernel.lengthscales;
console.log(
  "lengthscales (feature units): " +
    FEATURE_NAMES.map((name, k) => `${name} ${(lengthscales[k] * moments.sd[k]).toPrecision(3)}`)
      .join(", ") +
    `; outputscale ${(model.covarModule.outputscale * ySd ** 2).toPrecision(3)} min²; ` +
    (likelihood instanceof gp.likelihoods.StudentTLikelihood
      ? `Student-t ν ${likelihood.degFree.toPrecision(3)}, scale ${
        (Math.sqrt(likelihood.noise) * ySd).toPrecision(3)
      } min`
      : `noise sd ${
        (Math.sqrt((likelihood as gp.likelihoods.GaussianLikelihood).noise) * ySd).toPrecision(3)
      } min`),
);

// ---- figures ----------------------------------------------------------------------
model.eval();
likelihood.eval();
const medians = columnMedians(rawTrainX, d);
const noiseVariance = likelihood instanceof gp.likelihoods.StudentTLikelihood
  ? likelihood.noise * likelihood.degFree / (likelihood.degFree - 2)
  : (likelihood as gp.likelihoods.GaussianLikelihood).noise;
const rawTestX = test.x.map((v, i) => v * moments.sd[i % d] + moments.mean[i % d]);

/** The prediction along feature k (raw units grid), the other features at their medians. */
function curve(k: number, grid: number[]) {
  const x = new Float64Array(grid.length * d);
  grid.forEach((g, i) => {
    for (let j = 0; j < d; j++) {
      x[i * d + j] = ((j === k ? g : medians[j]) - moments.mean[j]) / moments.sd[j];
    }
  });
  const q = latent(x);
  return grid.map((g, i) => {
    const mu = yMean + ySd * q.mean[i], sd = ySd * Math.sqrt(q.variance[i]);
    return { x: g, mean: mu, lo: mu - 2 * sd, hi: mu + 2 * sd };
  });
}

const out = args.out.endsWith("/") ? args.out : args.out + "/";
await Deno.mkdir(out, { recursive: true });
const at = (k: number) => {
  const place = (j: number) => `(${medians[j].toFixed(1)}°, ${medians[j + 1].toFixed(1)}°)`;
  return [
    k === 0 ? "" : `${medians[0].toFixed(1)} h`,
    k === 1 ? "" : `day ${medians[1]}`,
    `${medians[2]} mi`,
    `from ${place(3)} to ${place(5)}`,
  ].filter((t) => t !== "").join(", ");
};
const minCount = 20;
const written: string[] = [];
for (
  const [k, name, lo, hi, bins, label] of [
    [0, "hour", 0, 24, 48, "departure time of day (hours)"],
    [1, "day", 1, 182, 181, "day of year (1 = 1 January)"],
  ] as const
) {
  const grid = Array.from({ length: 200 }, (_, i) => lo + (i / 199) * (hi - lo));
  const predicted = curve(k, grid);
  const heldOut = binnedMeans(
    Float64Array.from({ length: test.y.length }, (_, i) => rawTestX[i * d + k]),
    test.y,
    lo,
    hi,
    bins,
  ).filter((bin) => bin.count >= minCount);
  const figure = render({
    width: 760,
    height: 420,
    x: { label, domain: [lo, hi] },
    y: { label: "arrival delay (minutes)", grid: true },
    marks: [
      Plot.areaY(predicted, { x: "x", y1: "lo", y2: "hi", fill: "#4682b4", fillOpacity: 0.25 }),
      Plot.lineY(predicted, { x: "x", y: "mean", stroke: "#1f4e79", strokeWidth: 2 }),
      Plot.dot(heldOut, { x: "centre", y: "mean", r: 2.5, fill: "#c0392b" }),
    ],
  }, {
    title: `Flight delays: SVGP (${args.likelihood}, M = ${m}) against ${label.split(" (")[0]}`,
    subtitle: `others at their training medians: ${at(k)}; one flight's noise adds ±${
      (2 * ySd * Math.sqrt(noiseVariance)).toFixed(0)
    } min (2σ)`,
    legend: [
      { label: "predicted mean delay", mark: "line", color: "#1f4e79" },
      { label: "±2σ of the mean delay", mark: "area", color: "#4682b4", opacity: 0.25 },
      {
        label: `held-out flights' mean per bin (${bins} bins, ≥ ${minCount} flights)`,
        mark: "dot",
        color: "#c0392b",
      },
    ],
  });
  written.push(...await figure.save(out + "flights_" + name));
}
console.log(`wrote ${written.join(", ")}`);

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function isTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}
