// ExactGP behaviour: modes, caching, and bad input.
import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { ExactGPModel } from "./_seed_model.ts";

const x = gp.linspace(0, 1, 30);
const y = x.map((v) => Math.sin(6 * v));

function fitted() {
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ExactGPModel(x, y, likelihood);
  model.initialize({ "likelihood.noise": 0.01, "covarModule.baseKernel.lengthscale": 0.2 });
  return { model, likelihood };
}

Deno.test("model.call() gives the prior in train mode and the posterior in eval mode", async () => {
  const { model } = fitted();
  const prior = await model.call([0.5]).variance();
  model.eval();
  const posterior = await model.call([0.5]).variance();
  assert.ok(Math.abs(prior[0] - model.covarModule.outputscale) < 1e-12);
  assert.ok(posterior[0] < 0.01 * prior[0]);
  // prior() and posterior() regardless of mode.
  assert.deepEqual(await model.prior([0.5]).variance(), prior);
  model.train();
  assert.deepEqual(await model.posterior([0.5]).variance(), posterior);
});

Deno.test("the posterior cache is invalidated when a parameter changes", async () => {
  const { model } = fitted();
  model.eval();
  const before = await model.call([0.55]).mean();
  model.covarModule.baseKernel.lengthscale = 0.05;
  const after = await model.call([0.55]).mean();
  assert.notDeepEqual(after, before);
  // And equals a freshly built model with the same parameters.
  const fresh = fitted().model;
  fresh.covarModule.baseKernel.lengthscale = 0.05;
  fresh.eval();
  assert.deepEqual(await fresh.call([0.55]).mean(), after);
});

Deno.test("a posterior keeps the parameters it was made with", async () => {
  const { model } = fitted();
  model.eval();
  const early = model.call([0.55]);
  model.covarModule.baseKernel.lengthscale = 0.05;
  const late = model.call([0.55]);
  const expected = fitted().model.eval();
  assert.deepEqual(await early.mean(), await expected.call([0.55]).mean());
  assert.notDeepEqual(await late.mean(), await early.mean());
});

Deno.test("the posterior covariance matrix has the posterior variances on its diagonal and is symmetric", async () => {
  const { model } = fitted();
  model.eval();
  const post = model.call([0.1, 0.5, 1.3]);
  const cov = await post.covarianceMatrix();
  const v = await post.variance();
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(cov[i * 3 + i] - v[i]) < 1e-14);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(cov[i * 3 + j] - cov[j * 3 + i]) < 1e-14);
  }
});

Deno.test("bad training data is rejected with the argument, the value and the fix", () => {
  const lik = new gp.likelihoods.GaussianLikelihood();
  assert.throws(
    () => new ExactGPModel([0, 1, NaN], [0, 1, 2], lik),
    (e: unknown) => e instanceof RangeError && /trainX\[2\] is NaN/.test(e.message),
  );
  assert.throws(
    () => new ExactGPModel([0, 1, 2], [0, -Infinity, 2], lik),
    (e: unknown) => e instanceof RangeError && /trainY\[1\] is -Infinity/.test(e.message),
  );
  assert.throws(
    () => new ExactGPModel([0, 1, 2], [0, 1], lik),
    (e: unknown) => e instanceof TypeError && /3 points but trainY has 2/.test(e.message),
  );
  assert.throws(
    () => new ExactGPModel([], [], lik),
    (e: unknown) => e instanceof RangeError && /empty/.test(e.message),
  );
  assert.throws(
    () => new ExactGPModel([0, 1], null, lik),
    (e: unknown) => e instanceof TypeError && /give both/.test(e.message),
  );
  const { model } = fitted();
  model.eval();
  assert.throws(
    () => model.call([[0, 1]]),
    (e: unknown) =>
      e instanceof TypeError && /2 dimension\(s\) per point but 1 are expected/.test(e.message),
  );
});

Deno.test("mll.call() with a posterior output or mismatched targets says what to do", async () => {
  const { model, likelihood } = fitted();
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
  await assert.rejects(
    mll.call(model.call(x), y.slice(1)),
    (e: unknown) => e instanceof TypeError && /30 points but target has 29/.test(e.message),
  );
  model.eval();
  await assert.rejects(
    mll.call(model.call(x), y),
    (e: unknown) => e instanceof TypeError && /model\.train\(\)/.test(e.message),
  );
});

Deno.test("a covariance that is not positive definite even with jitter raises NotPositiveDefiniteError", async () => {
  const dist = new gp.distributions.MultivariateNormal(
    new gp.means.ZeroMean().call([0, 1]),
    new gp.distributions.DenseCovariance(new Float64Array([1, 2, 2, 1]), 2),
  );
  const original = console.warn;
  console.warn = () => {};
  try {
    await assert.rejects(
      dist.sample({ seed: 1 }),
      (e: unknown) =>
        e instanceof gp.NotPositiveDefiniteError && e.pivot === 1 && e.jitterTried.length === 6 &&
        /pivot 1/.test(e.message),
    );
  } finally {
    console.warn = original;
  }
});
