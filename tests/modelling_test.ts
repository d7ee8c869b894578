// Priors, constraints with initial values, LinearMean, FixedNoiseGaussianLikelihood,
// SGD, LBFGS, fit, state dicts, and the bad-input errors of issue 4.
import * as assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

class Model extends gp.models.ExactGP {
  meanModule: gp.means.Mean = new gp.means.ConstantMean();
  covarModule: gp.kernels.Kernel = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({ lengthscalePrior: new gp.priors.GammaPrior(3, 6) }),
    { outputscalePrior: new gp.priors.LogNormalPrior(0, 1) },
  );
  forward(x: gp.Inputs) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

function data(n: number, seed = 1) {
  const g = new gp.Generator(seed);
  const x = Array.from({ length: n }, (_, i) => i / n);
  const y = x.map((v) => Math.sin(6 * v) + 0.1 * g.normal());
  return { x, y };
}

Deno.test("priors give their log densities, derivatives and sample means", () => {
  const cases: Array<[gp.priors.Prior, number, number, number]> = [
    // prior, x, log p(x), mean
    [
      new gp.priors.NormalPrior(1, 2),
      0.5,
      -0.5 * 0.0625 - Math.log(2) - 0.5 * Math.log(2 * Math.PI),
      1,
    ],
    [
      new gp.priors.LogNormalPrior(0, 0.5),
      2,
      -Math.log(2) - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) - 0.5 * (Math.log(2) / 0.5) ** 2,
      Math.exp(0.125),
    ],
    [
      new gp.priors.GammaPrior(3, 6),
      0.4,
      3 * Math.log(6) - Math.log(2) + 2 * Math.log(0.4) - 2.4,
      0.5,
    ],
    [new gp.priors.HalfCauchyPrior(1), 1, Math.log(2 / Math.PI) - Math.log(2), NaN],
    [new gp.priors.UniformPrior(0, 4), 3, -Math.log(4), 2],
  ];
  for (const [prior, x, lp, mean] of cases) {
    assertClose(prior.logProb(x), lp, { rtol: 1e-14, what: `${prior}.logProb` });
    const h = 1e-6;
    const fd = (prior.logProb(x + h) - prior.logProb(x - h)) / (2 * h);
    assertClose(prior.logProbDerivative(x), fd, { rtol: 1e-7, atol: 1e-9, what: `${prior} d/dx` });
    const s = prior.sampleN(new gp.Generator(3), 20000);
    for (const v of s) assert.ok(v >= prior.support[0] && v <= prior.support[1]);
    if (!Number.isNaN(mean)) {
      const m = s.reduce((a, b) => a + b, 0) / s.length;
      assertClose(m, mean, { rtol: 0.03, atol: 0.03, what: `${prior} sample mean` });
    }
  }
  assertClose(gp.priors.logGamma(5), Math.log(24), { rtol: 1e-14 });
});

Deno.test("the MLL adds Σ log prior / N, and its gradient matches finite differences", async () => {
  const { x, y } = data(25);
  const likelihood = new gp.likelihoods.GaussianLikelihood({
    noiseConstraint: new gp.constraints.GreaterThan(1e-4, { initialValue: 0.05 }),
  });
  likelihood.noiseCovar.registerPrior("noisePrior", new gp.priors.HalfCauchyPrior(0.1), "noise");
  const model = new Model(x, y, likelihood);
  assertClose(likelihood.noise, 0.05, { rtol: 1e-12, what: "initialValue" });
  model.initialize({ "covarModule.baseKernel.lengthscale": 0.3 });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
  const withPriors = await mll.call(model.call(x), y);
  const names = model.namedPriors().map(([n]) => n);
  assert.deepEqual(names, [
    "likelihood.noiseCovar.rawNoise",
    "covarModule.rawOutputscale",
    "covarModule.baseKernel.rawLengthscale",
  ]);
  let logPrior = 0;
  for (const [, prior, p] of model.namedPriors()) logPrior += prior.logProb(p.value);
  const plain = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  plain.loadStateDict({
    ...model.stateDict(),
    parameters: Object.fromEntries(
      Object.entries(model.stateDict().parameters).map(([k, v]) => [k, { ...v, prior: null }]),
    ),
  });
  const mll0 = new gp.mlls.ExactMarginalLogLikelihood(plain.likelihood, plain);
  const without = await mll0.call(plain.call(x), y);
  assertClose(withPriors.value, without.value + logPrior / x.length, { rtol: 1e-13 });
  withPriors.neg().backward();
  for (const [name, p] of model.namedParameters()) {
    const raw = p.rawValues, h = 1e-6;
    p.setRaw([raw[0] + h]);
    const up = (await mll.call(model.call(x), y)).value;
    p.setRaw([raw[0] - h]);
    const down = (await mll.call(model.call(x), y)).value;
    p.setRaw(raw);
    assertClose(p.grad![0], -(up - down) / (2 * h), { rtol: 1e-6, atol: 1e-8, what: name });
  }
});

Deno.test("a prior outside its parameter's constraint is a RangeError naming both", () => {
  assert.throws(
    () =>
      new gp.kernels.RBFKernel({
        lengthscaleConstraint: new gp.constraints.LessThan(3),
        lengthscalePrior: new gp.priors.GammaPrior(2, 1),
      }),
    (e: unknown) =>
      e instanceof RangeError && /support/.test(e.message) && /LessThan/.test(e.message),
  );
  const mean = new gp.means.ConstantMean();
  assert.throws(
    () => mean.registerPrior("p", new gp.priors.LogNormalPrior(0, 1), "constant"),
    RangeError,
  );
  assert.throws(
    () =>
      new gp.kernels.RBFKernel({
        lengthscaleConstraint: new gp.constraints.Interval(0.1, 10),
        lengthscalePrior: new gp.priors.UniformPrior(0, 5),
      }),
    RangeError,
  );
  // fits: Interval inside Uniform's support
  new gp.kernels.RBFKernel({
    lengthscaleConstraint: new gp.constraints.Interval(0.1, 5),
    lengthscalePrior: new gp.priors.UniformPrior(0, 5),
  });
  assert.throws(() => new gp.constraints.Positive({ initialValue: -1 }), RangeError);
});

Deno.test("stateDict round-trips through JSON; another structure fails naming the first mismatch; atomic", async () => {
  const { x, y } = data(15);
  const a = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  a.initialize({ "covarModule.baseKernel.lengthscale": 0.37, "meanModule.constant": -0.2 });
  a.covarModule.parameters()[0].requiresGrad_(false);
  const text = JSON.stringify(a.stateDict());
  const b = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  b.loadStateDict(text);
  assert.deepEqual(b.stateDict(), a.stateDict());
  assert.equal(
    await b.call(x).logProb(y),
    await a.call(x).logProb(y),
  );

  class Other extends Model {
    override covarModule = new gp.kernels.ScaleKernel(new gp.kernels.MaternKernel());
  }
  const c = new Other(x, y, new gp.likelihoods.GaussianLikelihood());
  const before = JSON.stringify(c.stateDict());
  // Same paths, but the lengthscale prior differs: allowed (priors load with the state).
  c.loadStateDict(text);
  assert.equal(
    String(c.covarModule.baseKernel.rawLengthscale.prior),
    "GammaPrior(concentration=3, rate=6)",
  );

  class Ard extends Model {
    override covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 2 }));
  }
  const d = new Ard(null, null, new gp.likelihoods.GaussianLikelihood());
  const dBefore = JSON.stringify(d.stateDict());
  assert.throws(
    () => d.loadStateDict(text),
    (e: unknown) =>
      e instanceof TypeError && /covarModule.baseKernel.rawLengthscale/.test(e.message),
  );
  assert.equal(JSON.stringify(d.stateDict()), dBefore, "nothing changed");

  class Plus extends Model {
    override covarModule = new gp.kernels.RBFKernel().add(new gp.kernels.LinearKernel());
  }
  const e = new Plus(null, null, new gp.likelihoods.GaussianLikelihood());
  assert.throws(
    () => e.loadStateDict(text),
    (err: unknown) =>
      err instanceof TypeError && /structure differs at parameter 2/.test(err.message) &&
      /covarModule.kernels.0.rawLengthscale/.test(err.message),
  );
  assert.ok(before.length > 0);
});

Deno.test("LinearMean: values and MLL gradient", async () => {
  const m = new gp.means.LinearMean(2).initialize({ weights: [0.5, -1], bias: 2 });
  assert.deepEqual(Array.from(m.call([[1, 2], [0, 0]]).values), [0.5, 2]);
  const g = new gp.Generator(4);
  const x = Array.from({ length: 20 }, () => [g.uniform(), g.uniform()]);
  const y = x.map(([a, b]) => 2 * a - b + 0.05 * g.normal());
  class LM extends gp.models.ExactGP {
    meanModule = new gp.means.LinearMean(2);
    covarModule = new gp.kernels.RBFKernel();
    forward(z: gp.Inputs) {
      return new gp.distributions.MultivariateNormal(
        this.meanModule.call(z),
        this.covarModule.call(z),
      );
    }
  }
  const lik = new gp.likelihoods.GaussianLikelihood();
  const model = new LM(x, y, lik).initialize({ "meanModule.weights": [1, 0.5] });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(lik, model);
  (await mll.call(model.call(x), y)).backward();
  for (const p of [model.meanModule.weights, model.meanModule.bias!]) {
    for (let i = 0; i < p.size; i++) {
      const raw = p.rawValues, h = 1e-6;
      raw[i] += h;
      p.setRaw(raw);
      const up = (await mll.call(model.call(x), y)).value;
      raw[i] -= 2 * h;
      p.setRaw(raw);
      const down = (await mll.call(model.call(x), y)).value;
      raw[i] += h;
      p.setRaw(raw);
      assertClose(p.grad![i], (up - down) / (2 * h), { rtol: 1e-6, atol: 1e-9 });
    }
  }
  assert.throws(() => m.call([1, 2]), TypeError);
  assert.throws(() => new gp.means.LinearMean(0), RangeError);
});

Deno.test("FixedNoiseGaussianLikelihood: training noise, learned extra noise, noise at new points", async () => {
  const { x, y } = data(12);
  const noise = x.map((_, i) => 0.01 + 0.001 * i);
  const lik = new gp.likelihoods.FixedNoiseGaussianLikelihood(noise, {
    learnAdditionalNoise: true,
  });
  lik.initialize({ secondNoise: 0.02 });
  class M extends gp.models.ExactGP {
    meanModule = new gp.means.ZeroMean();
    covarModule = new gp.kernels.RBFKernel();
    forward(z: gp.Inputs) {
      return new gp.distributions.MultivariateNormal(
        this.meanModule.call(z),
        this.covarModule.call(z),
      );
    }
  }
  const model = new M(x, y, lik);
  const v = await lik.call(model.call(x)).variance();
  assertClose(v, noise.map((n) => 1 + n + 0.02), { rtol: 1e-12 });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(lik, model);
  const loss = (await mll.call(model.call(x), y)).neg();
  loss.backward();
  assert.ok(lik.secondNoiseCovar!.rawNoise.grad !== null);
  model.eval();
  const test = [0.5, 2];
  const withNoise = await lik.call(model.call(test), { noise: [0.3, 0.4] }).variance();
  const latent = await model.call(test).variance();
  assertClose(withNoise, [latent[0] + 0.3 + 0.02, latent[1] + 0.4 + 0.02], { rtol: 1e-12 });
  assert.throws(() => lik.call(model.call(test), { noise: [1] }), TypeError);
  assert.throws(
    () => new gp.likelihoods.FixedNoiseGaussianLikelihood([0.1, -0.2]),
    (e: unknown) => e instanceof RangeError && /noise\[1\] = -0.2/.test(e.message),
  );
  assert.throws(() => new gp.likelihoods.FixedNoiseGaussianLikelihood([]), TypeError);
});

Deno.test("SGD matches torch's momentum, dampening, Nesterov and weight decay", () => {
  const p = new gp.Parameter([1, -2]);
  const opt = new gp.optim.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true });
  // hand-computed torch trajectory: g = grad + wd·θ; b = g (first) or 0.9b + g; d = g + 0.9b
  let theta = [1, -2], buf: number[] | null = null;
  for (let step = 0; step < 3; step++) {
    const grad = [theta[0] * 2, theta[1] - 1];
    p.grad = Float64Array.from(grad);
    opt.step();
    const g = grad.map((v, i) => v + 0.01 * theta[i]);
    const b: number[] = buf === null ? g : buf.map((v, i) => 0.9 * v + g[i]);
    buf = b;
    theta = theta.map((v, i) => v - 0.1 * (g[i] + 0.9 * b[i]));
    assertClose(p.rawValues, theta, { rtol: 1e-15, what: `step ${step}` });
  }
  assert.throws(() => new gp.optim.SGD([p], { nesterov: true }), RangeError);
});

Deno.test("LBFGS with strong Wolfe minimises Rosenbrock; a failing closure leaves parameters as they were", async () => {
  const p = new gp.Parameter([-1.2, 1]);
  const opt = new gp.optim.LBFGS([p], { lineSearchFn: "strong_wolfe", maxIter: 200 });
  const closure = () => {
    const [a, b] = p.rawValues;
    p.grad = new Float64Array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]);
    return Promise.resolve((1 - a) ** 2 + 100 * (b - a * a) ** 2);
  };
  await opt.step(closure);
  // torch's default tolerances (change 1e-9) stop within ~1e-5 of the minimum
  assertClose(p.rawValues, [1, 1], { atol: 1e-4, what: "Rosenbrock minimum" });
  assert.ok(opt.funcEvals < 100, `${opt.funcEvals} evaluations`);

  const q = new gp.Parameter([3]);
  const failing = new gp.optim.LBFGS([q], { lineSearchFn: "strong_wolfe" });
  let calls = 0;
  await assert.rejects(
    failing.step(() => {
      calls++;
      if (calls > 1) throw new gp.NotPositiveDefiniteError("test", 0, [0]);
      q.grad = new Float64Array([2 * q.raw]);
      return Promise.resolve(q.raw ** 2);
    }),
    gp.NotPositiveDefiniteError,
  );
  assert.equal(q.raw, 3);
  await assert.rejects(failing.step(undefined as unknown as gp.optim.Closure), TypeError);
});

Deno.test("fit trains with a stopping rule, prints nothing when not a terminal, returns the history", async () => {
  const { x, y } = data(40);
  const lik = new gp.likelihoods.GaussianLikelihood();
  const model = new Model(x, y, lik);
  const history = await gp.optim.fit(model, lik, { maxIter: 50, progress: false });
  assert.equal(history.loss.length, history.iterations + 1);
  assert.ok(history.loss.at(-1)! < history.loss[0]);
  assert.ok(history.converged, history.reason);
  const adamLik = new gp.likelihoods.GaussianLikelihood();
  const adam = await gp.optim.fit(new Model(x, y, adamLik), adamLik, {
    optimizer: "adam",
    maxIter: 20,
    progress: false,
  });
  assert.equal(adam.iterations, 20);
  assert.equal(adam.converged, false);
  assert.equal(adam.loss.length, 21);
  assert.ok(adam.loss[20] < adam.loss[0], `adam: ${adam.loss[0]} → ${adam.loss[20]}`);
  await assert.rejects(gp.optim.fit(model, lik, { maxIter: 0 }), RangeError);
});

Deno.test("bad kernel input is a clear TypeError/RangeError naming argument, value and fix", async () => {
  const x3 = [[0, 1, 2], [1, 2, 3]];
  assert.throws(
    () => new gp.kernels.RBFKernel({ ardNumDims: 2 }).call(x3),
    (e: unknown) =>
      e instanceof RangeError && /ardNumDims = 2/.test(e.message) &&
      /ardNumDims: 3/.test(e.message),
  );
  assert.throws(
    () => new gp.kernels.MaternKernel({ activeDims: [0, 5] }).call(x3),
    (e: unknown) => e instanceof RangeError && /activeDims\[1\] = 5/.test(e.message),
  );
  assert.throws(
    () => new gp.kernels.PeriodicKernel().initialize({ periodLength: 0 }),
    (e: unknown) => e instanceof RangeError && /periodLength = 0/.test(e.message),
  );
  assert.throws(
    () => new gp.kernels.RBFKernel().initialize({ lengthscale: -1 }),
    (e: unknown) => e instanceof RangeError && /lengthscale = -1/.test(e.message),
  );
  assert.throws(() => new gp.kernels.MaternKernel({ nu: 1 as 0.5 }), RangeError);
  assert.throws(() => new gp.kernels.PolynomialKernel({ power: 0 }), RangeError);
  assert.throws(() => new gp.kernels.SpectralMixtureKernel({ numMixtures: 0 }), RangeError);
  assert.throws(() => new gp.kernels.RBFKernel().add(3 as unknown as gp.kernels.Kernel), TypeError);
  assert.throws(() => new gp.kernels.AdditiveKernel(), TypeError);
  const sm = new gp.kernels.SpectralMixtureKernel({ numMixtures: 2 });
  assert.throws(() => sm.initializeFromData([[0, 1], [1, 2]], [0, 1]), RangeError);
  sm.initializeFromData([0, 0.1, 0.3, 0.35, 1], [0, 1, 0, 1, 2], new gp.Generator(1));
  const std = Math.sqrt([0, 1, 0, 1, 2].reduce((s, v) => s + (v - 0.8) ** 2, 0) / 4);
  assertClose(sm.mixtureWeights, [std / 2, std / 2], { rtol: 1e-12 });
  for (const m of sm.mixtureMeans) assert.ok(m > 0 && m <= 0.5 / 0.05 + 1e-9);
  await sm.call([0, 1]).dense();
});
