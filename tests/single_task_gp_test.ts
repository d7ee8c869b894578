// SingleTaskGP: BoTorch's defaults, the transforms undone in predictions (against a dense
// closed form computed here), gradients in x, fixed noise, and fitModel's retries.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;

function data(n: number, seed: number) {
  const gen = new gp.Generator(seed);
  const x = Array.from({ length: n }, () => [10 * gen.uniform() - 5, 3 * gen.uniform()]);
  const y = x.map(([a, b]) => 50 + 20 * Math.sin(a / 2) * Math.cos(b) + gen.normal());
  return { x, y };
}
const bounds = [[-5, 0], [5, 3]];

/** The posterior mean and variance in the original units by a dense Cholesky, from scratch. */
function denseReference(
  x: number[][],
  y: number[],
  test: number[][],
  p: { ls: number[]; noise: number; c: number },
) {
  const n = x.length, d = x[0].length;
  const norm = (r: number[]) => r.map((v, j) => (v - bounds[0][j]) / (bounds[1][j] - bounds[0][j]));
  const mu = y.reduce((a, b) => a + b) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1));
  const ys = y.map((v) => (v - mu) / sd);
  const k = (a: number[], b: number[]) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += ((a[j] - b[j]) / p.ls[j]) ** 2;
    return Math.exp(-0.5 * s);
  };
  const xn = x.map(norm), tn = test.map(norm);
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = k(xn[i], xn[j]) + (i === j ? p.noise : 0);
      for (let m = 0; m < j; m++) s -= L[i][m] * L[j][m];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  const fwd = (b: number[]) => {
    const z = b.slice();
    for (let i = 0; i < n; i++) {
      for (let m = 0; m < i; m++) z[i] -= L[i][m] * z[m];
      z[i] /= L[i][i];
    }
    return z;
  };
  const r = fwd(ys.map((v) => v - p.c));
  return tn.map((t) => {
    const ks = xn.map((xi) => k(xi, t));
    const v = fwd(ks);
    const mean = p.c + v.reduce((a, vi, i) => a + vi * r[i], 0);
    const variance = 1 - v.reduce((a, vi) => a + vi * vi, 0);
    return { mean: mu + sd * mean, variance: sd * sd * variance };
  });
}

Deno.test("SingleTaskGP() has BoTorch 0.12's priors, constraints and starting values, when built", () => {
  const { x, y } = data(12, 1);
  const model = new gp.bo.SingleTaskGP(x, y, { bounds });
  const d = 2, loc = Math.SQRT2 + 0.5 * Math.log(d), scale = Math.sqrt(3);
  const ls = model.covarModule.rawLengthscale;
  assertClose(ls.values, [Math.exp(loc - 3), Math.exp(loc - 3)], { rtol: 1e-12 });
  assert.strictEqual(String(ls.prior), String(new gp.priors.LogNormalPrior(loc, scale)));
  assert.strictEqual((ls.constraint as gp.constraints.GreaterThan).lowerBound, 0.025);
  const noise = (model.likelihood as gp.likelihoods.GaussianLikelihood).noiseCovar.rawNoise;
  assertClose(noise.values, [Math.exp(-5)], { rtol: 1e-12 });
  assert.strictEqual(String(noise.prior), String(new gp.priors.LogNormalPrior(-4, 1)));
  assert.strictEqual((noise.constraint as gp.constraints.GreaterThan).lowerBound, 1e-4);
  // Learned bounds (no bounds given): the training inputs' min and max.
  const learned = new gp.bo.SingleTaskGP(x, y);
  const lo = [0, 1].map((j) => Math.min(...x.map((r) => r[j])));
  assertClose(learned.inputTransform!.lower, lo, { rtol: 0 });
});

Deno.test("SingleTaskGP.predict() undoes Normalize and Standardize, against a dense Cholesky", async () => {
  const { x, y } = data(15, 2);
  const model = new gp.bo.SingleTaskGP(x, y, { bounds });
  const p = { ls: [0.3, 0.7], noise: 0.02, c: 0.15 };
  model.initialize({
    "covarModule.lengthscale": p.ls,
    "likelihood.noise": p.noise,
    "meanModule.constant": p.c,
  });
  model.eval();
  const test = [[-4.5, 0.2], [0, 1.5], [3.3, 2.9], [x[3][0], x[3][1]]];
  const ref = denseReference(x, y, test, p);
  const post = model.predict(test);
  assertClose(await post.mean(), ref.map((r) => r.mean), { rtol: 1e-9, what: "mean" });
  assertClose(await post.variance(), ref.map((r) => r.variance), {
    rtol: 1e-9,
    atol: 1e-12,
    what: "variance",
  });
  const t = await post.meanTensor();
  assertClose(t.data, ref.map((r) => r.mean), { rtol: 1e-9, what: "meanTensor" });
  const cov = await post.covarianceTensor();
  assertClose([cov.data[0], cov.data[5]], [ref[0].variance, ref[1].variance], {
    rtol: 1e-9,
    atol: 1e-12,
    what: "covariance diagonal",
  });
  // With observation noise: the noise in original units (σ² · std²) is added.
  const noisy = await model.predict(test, { observationNoise: true }).variance();
  const sd2 = model.outcomeTransform!.std ** 2;
  assertClose(noisy, ref.map((r) => r.variance + p.noise * sd2), { rtol: 1e-9 });
});

Deno.test("gradcheck() passes SingleTaskGP.predict()'s mean and variance in x (original units)", async () => {
  const { x, y } = data(10, 3);
  const model = new gp.bo.SingleTaskGP(x, y, { bounds });
  model.initialize({ "covarModule.lengthscale": [0.4, 0.5], "likelihood.noise": 0.01 });
  model.eval();
  const xt = ag.tensor([[-1, 0.5], [2, 2.5], [4, 1]], { requiresGrad: true });
  const opts = { atol: 1e-7, rtol: 1e-5 };
  assert.ok(await ag.gradcheck(async (x) => await model.predict(x).meanTensor(), [xt], opts));
  assert.ok(await ag.gradcheck(async (x) => await model.predict(x).varianceTensor(), [xt], opts));
});

Deno.test("SingleTaskGP({ trainYvar }) uses the known noise, scaled to standardized units", async () => {
  const { x, y } = data(8, 4);
  const yVar = y.map((_, i) => 0.1 + 0.05 * i);
  const model = new gp.bo.SingleTaskGP(x, y, { bounds, trainYvar: yVar });
  assert.ok(model.likelihood instanceof gp.likelihoods.FixedNoiseGaussianLikelihood);
  const sd = model.outcomeTransform!.std;
  const fixed = (model.likelihood as gp.likelihoods.FixedNoiseGaussianLikelihood).noise;
  assertClose(fixed, yVar.map((v) => v / sd ** 2), { rtol: 1e-14 });
  model.initialize({ "covarModule.lengthscale": [0.4, 0.5] });
  model.eval();
  // At a training point with tiny lengthscale influence, the posterior variance is below the
  // noise (in original units) it was given.
  const [v] = await model.predict([x[0]]).variance();
  assert.ok(v < yVar[0] && v > 0, `variance ${v}, noise ${yVar[0]}, std ${sd}`);
  assert.throws(() => model.predict([x[0]], { observationNoise: true }), TypeError);
});

Deno.test("SingleTaskGP() rejects missing data, mismatched lengths and bad bounds, naming them", () => {
  assert.throws(
    () => new gp.bo.SingleTaskGP([], []),
    (e) => e instanceof TypeError && /no training data/.test(e.message),
  );
  assert.throws(
    () => new gp.bo.SingleTaskGP([[0], [1]], [1]),
    (e) => e instanceof TypeError && /2 point\(s\) but trainY 1/.test(e.message),
  );
  assert.throws(() => new gp.bo.SingleTaskGP([[0], [1]], [1, NaN]), RangeError);
  assert.throws(
    () => new gp.bo.SingleTaskGP([[0], [1]], [1, 2], { bounds: [[1], [0]] }),
    (e) => e instanceof RangeError && /lower\[0\] = 1 is not below upper\[0\] = 0/.test(e.message),
  );
  assert.throws(
    () => new gp.bo.SingleTaskGP([[0], [1]], [1, 2], { bounds: [[0, 0], [1, 1]] }),
    (e) => e instanceof TypeError && /2 dimension\(s\) but trainX has 1/.test(e.message),
  );
  const model = new gp.bo.SingleTaskGP([[0, 0], [1, 1]], [1, 2]);
  assert.throws(() => model.predict([[0.5]]), TypeError);
});

/** A SingleTaskGP whose prior fails (as a non-PD covariance would) for the first `fails` calls. */
class Flaky extends gp.bo.SingleTaskGP {
  fails = 0;
  override forward(x: gp.Inputs) {
    if (this.training && this.fails > 0) {
      this.fails--;
      throw new RangeError("synthetic failure");
    }
    return super.forward(x);
  }
}

Deno.test("fitModel() retries from sampled starts and restores the parameters when all fail", async () => {
  const { x, y } = data(12, 5);
  const ok = new gp.bo.SingleTaskGP(x, y, { bounds });
  const res = await gp.bo.fitModel(ok, { seed: 0 });
  assert.strictEqual(res.attempts, 1);
  assert.ok(res.converged && !ok.training);
  // The fitted lml beats the starting point's.
  const fresh = new gp.bo.SingleTaskGP(x, y, { bounds });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(fresh.likelihood, fresh);
  fresh.train();
  const start = (await mll.call(fresh.call(fresh.trainInputs!), fresh.trainTargets!)).item();
  assert.ok(res.lml / 12 > start, `fitted ${res.lml / 12} vs start ${start}`);

  const flaky = new Flaky(x, y, { bounds });
  flaky.fails = 1;
  const retried = await gp.bo.fitModel(flaky, { seed: 0 });
  assert.strictEqual(retried.attempts, 2);
  assert.ok(Number.isFinite(retried.lml));

  const broken = new Flaky(x, y, { bounds });
  broken.fails = 1e9;
  const before = broken.parameters().map((p) => Array.from(p.rawValues));
  await assert.rejects(
    () => gp.bo.fitModel(broken, { seed: 0, maxAttempts: 3 }),
    (e) => e instanceof gp.bo.ModelFittingError && e.errors.length === 3,
  );
  assert.deepStrictEqual(broken.parameters().map((p) => Array.from(p.rawValues)), before);
  assert.ok(!broken.training);
});
