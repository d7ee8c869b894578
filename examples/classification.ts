/**
 * SVGP classification of two moons: a whitened variational GP with a probit
 * (Bernoulli) likelihood, trained on minibatches, drawn as the predictive probability
 * P(y = 1 | x) = Φ(μ/√(1 + σ²)) on a grid with the data on top.
 *
 *     deno run -A examples/classification.ts [--n 300] [--m 20] [--epochs 60] [--batch 100]
 *       [--noise 0.15] [--seed 1] [--out examples/out/]
 *
 * Writes classification.svg and classification.png.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as Plot from "@observablehq/plot";
import * as gp from "../mod.ts";
import { render } from "../plot.ts";

const args = parseArgs({
  options: {
    n: { type: "string", default: "300" },
    m: { type: "string", default: "20" },
    epochs: { type: "string", default: "60" },
    batch: { type: "string", default: "100" },
    noise: { type: "string", default: "0.15" },
    seed: { type: "string", default: "1" },
    out: { type: "string", default: "examples/out/" },
  },
});
const n = Number(args.values.n), m = Number(args.values.m);
const epochs = Number(args.values.epochs), batchSize = Number(args.values.batch);
const noise = Number(args.values.noise), seed = Number(args.values.seed);

/** Two interleaved half circles (scikit-learn's make_moons), with Gaussian noise. */
function moons(count: number, sd: number, generator: gp.Generator) {
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < count; i++) {
    const upper = i < Math.ceil(count / 2);
    const t = Math.PI * generator.uniform();
    const px = upper ? Math.cos(t) : 1 - Math.cos(t);
    const py = upper ? Math.sin(t) : 0.5 - Math.sin(t);
    x.push([px + sd * generator.normal(), py + sd * generator.normal()]);
    y.push(upper ? 0 : 1);
  }
  return { x, y };
}

class Classifier extends gp.models.ApproximateGP {
  meanModule = new gp.means.ZeroMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 2 }));
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

const data = moons(n, noise, new gp.Generator(seed));
const model = new Classifier(gp.variational.kmeansPlusPlus(data.x, m, { seed }));
const likelihood = new gp.likelihoods.BernoulliLikelihood();
const history = await gp.optim.fitApproximate(model, likelihood, data.x, data.y, {
  epochs,
  batchSize,
  lr: 0.05,
  seed,
});
model.eval();
const train = likelihood.call(model.call(data.x)).probs;
const accuracy = data.y.filter((label, i) => (train[i] > 0.5 ? 1 : 0) === label).length / n;
console.log(
  `${history.steps} steps in ${history.seconds.toFixed(1)} s; final epoch loss ` +
    `${history.epochLoss[history.epochLoss.length - 1].toFixed(4)}; training accuracy ` +
    `${(100 * accuracy).toFixed(1)}%`,
);

// The predictive probability on a grid over the data's range.
const side = 61;
const lo = [-1.6, -1.2], hi = [2.6, 1.7];
const step = [(hi[0] - lo[0]) / (side - 1), (hi[1] - lo[1]) / (side - 1)];
const grid: number[][] = [];
for (let j = 0; j < side; j++) {
  for (let i = 0; i < side; i++) grid.push([lo[0] + i * step[0], lo[1] + j * step[1]]);
}
const probs = likelihood.call(model.call(grid)).probs;
const cells = grid.map(([gx, gy], k) => ({
  x1: gx - step[0] / 2,
  x2: gx + step[0] / 2,
  y1: gy - step[1] / 2,
  y2: gy + step[1] / 2,
  p: probs[k],
}));
const points = data.x.map(([px, py], i) => ({ x: px, y: py, label: data.y[i] }));
const z = model.variationalStrategy.inducingTensor().data;
const inducing = Array.from({ length: m }, (_, k) => ({ x: z[2 * k], y: z[2 * k + 1] }));

const figure = render({
  width: 720,
  height: 520,
  x: { label: "x₁", domain: [lo[0], hi[0]] },
  y: { label: "x₂", domain: [lo[1], hi[1]] },
  color: { type: "diverging", scheme: "RdBu", domain: [0, 1], pivot: 0.5, reverse: true },
  marks: [
    Plot.rect(cells, {
      x1: "x1",
      x2: "x2",
      y1: "y1",
      y2: "y2",
      fill: "p",
      shapeRendering: "crispEdges",
    }),
    Plot.dot(points.filter((p) => p.label === 0), {
      x: "x",
      y: "y",
      r: 2.6,
      fill: "#2166ac",
      stroke: "white",
      strokeWidth: 0.6,
    }),
    Plot.dot(points.filter((p) => p.label === 1), {
      x: "x",
      y: "y",
      r: 2.6,
      fill: "#b2182b",
      stroke: "white",
      strokeWidth: 0.6,
    }),
    Plot.dot(inducing, {
      x: "x",
      y: "y",
      symbol: "times",
      r: 4,
      stroke: "black",
      strokeWidth: 1.5,
    }),
  ],
}, {
  title: "SVGP classification of two moons",
  subtitle: `P(y = 1 | x) = Φ(μ/√(1 + σ²)) from blue (0) to red (1); n = ${n}, M = ${m}, ` +
    `training accuracy ${(100 * accuracy).toFixed(1)}%`,
  legend: [
    { label: "class 0", mark: "dot", color: "#2166ac" },
    { label: "class 1", mark: "dot", color: "#b2182b" },
    { label: "× learned inducing points", mark: "rule", color: "black" },
  ],
});
const out = args.values.out.endsWith("/") ? args.values.out : args.values.out + "/";
await Deno.mkdir(out, { recursive: true });
const written = await figure.save(out + "classification");
console.log(`wrote ${written.join(", ")}`);
