// ExactGP.conditionOnObservations (GPyTorch's get_fantasy_model): the block-updated Cholesky
// solve equals the from-scratch one (mean, variance, covariance, log-likelihood) to 1e-10,
// parameters are shared, bad input is refused and leaves the model as it was.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { ExactGPModel as Model } from "./_seed_model.ts";
import { ArdMaternModel as ArdModel } from "./_ard_matern_model.ts";
import { assertClose } from "./_assert.ts";

const params1 = {
  "covarModule.baseKernel.lengthscale": 0.2,
  "covarModule.outputscale": 1.4,
  "likelihood.noise": 0.03,
  "meanModule.constant": 0.1,
};
const params2 = {
  "covarModule.lengthscale": [0.3, 0.6],
  "meanModule.weights": [0.5, -0.2],
  "likelihood.noise": 0.01,
};

function data1(n: number, seed: number): { x: number[]; y: number[] } {
  const gen = new gp.Generator(seed);
  const x = Array.from({ length: n }, () => gen.uniform());
  return { x, y: x.map((v) => Math.sin(6 * v) + 0.1 * gen.normal()) };
}

function data2(n: number, seed: number): { x: number[][]; y: number[] } {
  const gen = new gp.Generator(seed);
  const x = Array.from({ length: n }, () => [gen.uniform(), gen.uniform()]);
  return { x, y: x.map(([a, b]) => Math.cos(3 * a) * b + 0.05 * gen.normal()) };
}

/** The Cholesky training solve's fields the tests read. */
interface CholeskySolve {
  n: number;
  alpha: Float64Array;
  factor: Float64Array;
}

/** log N(y; μ, K̂) from a Cholesky solve: −½ (y − μ)ᵀ α − Σ log L_ii − n/2 log 2π. */
function logLikelihood(solve: CholeskySolve, r: Float64Array): number {
  const n = solve.n;
  let quad = 0, logdet = 0;
  for (let i = 0; i < n; i++) {
    quad += r[i] * solve.alpha[i];
    logdet += Math.log(solve.factor[i * n + i]);
  }
  return -0.5 * quad - logdet - 0.5 * n * Math.log(2 * Math.PI);
}

async function compare(
  fantasy: gp.models.ExactGP,
  fresh: gp.models.ExactGP,
  test: gp.InputLike,
  what: string,
): Promise<void> {
  const tol = { rtol: 1e-10, atol: 1e-12 };
  const a = fantasy.call(test), b = fresh.call(test);
  assertClose(await a.mean(), await b.mean(), { ...tol, what: `${what}: mean` });
  assertClose(await a.variance(), await b.variance(), { ...tol, what: `${what}: variance` });
  assertClose(await a.covarianceMatrix(), await b.covarianceMatrix(), {
    ...tol,
    what: `${what}: covariance`,
  });
  const sa = await fantasy.predictionSolve() as unknown as CholeskySolve;
  const sb = await fresh.predictionSolve() as unknown as CholeskySolve;
  assertClose(sa.alpha, sb.alpha, { ...tol, what: `${what}: alpha` });
  assertClose(sa.factor, sb.factor, { ...tol, what: `${what}: factor` });
  // The log-likelihood from the updated factor, against the fresh model's MLL.
  const y = fresh.trainTargets!;
  const prior = fresh.prior(fresh.trainInputs!);
  const mu = await prior.mean();
  const r = y.map((v, i) => v - mu[i]);
  const lpFantasy = logLikelihood(sa, r);
  fresh.train();
  const mll = new gp.mlls.ExactMarginalLogLikelihood(fresh.likelihood, fresh, {
    solver: "cholesky",
  });
  const perDatum = (await mll.call(fresh.call(fresh.trainInputs!), y)).item();
  fresh.eval();
  assertClose(lpFantasy, perDatum * y.length, { rtol: 1e-10, what: `${what}: log-likelihood` });
}

Deno.test("conditionOnObservations() equals refitting the solve from scratch, when adding 1 or 7 points in 1-D", async () => {
  for (const [n, k] of [[30, 1], [30, 7], [1, 3]]) {
    const { x, y } = data1(n + k, 3 + n + k);
    const model = new Model(x.slice(0, n), y.slice(0, n), new gp.likelihoods.GaussianLikelihood());
    model.initialize(params1);
    model.eval();
    const fantasy = await model.conditionOnObservations(x.slice(n), y.slice(n));
    const fresh = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
    fresh.initialize(params1);
    fresh.eval();
    await compare(fantasy, fresh, [0.05, 0.31, 0.5, 0.93, 1.2], `N = ${n}, k = ${k}`);
    // The old model is unchanged; the new one holds the points, old first.
    assert.strictEqual(model.trainInputs!.n, n);
    assert.deepStrictEqual(Array.from(fantasy.trainTargets!), y);
  }
});

Deno.test("conditionOnObservations() equals refitting from scratch, with ARD in 2-D, a linear mean, twice in a row", async () => {
  const { x, y } = data2(40, 11);
  const model = new ArdModel(
    x.slice(0, 25),
    y.slice(0, 25),
    new gp.likelihoods.GaussianLikelihood(),
  );
  model.initialize(params2);
  model.eval();
  const once = await model.conditionOnObservations(x.slice(25, 30), y.slice(25, 30));
  const twice = await once.conditionOnObservations(x.slice(30), y.slice(30));
  const fresh = new ArdModel(x, y, new gp.likelihoods.GaussianLikelihood());
  fresh.initialize(params2);
  fresh.eval();
  await compare(twice, fresh, [[0.2, 0.4], [0.9, 0.1], [0.5, 0.55]], "2-D, 25 + 5 + 10");
});

Deno.test("conditionOnObservations() keeps the old factor as the leading block, when it updates rather than refactorises", async () => {
  const { x, y } = data1(20, 5);
  const model = new Model(x.slice(0, 16), y.slice(0, 16), new gp.likelihoods.GaussianLikelihood());
  model.initialize(params1);
  model.eval();
  const old = await model.predictionSolve() as unknown as CholeskySolve;
  const fantasy = await model.conditionOnObservations(x.slice(16), y.slice(16));
  const solve = await fantasy.predictionSolve() as unknown as CholeskySolve;
  assert.strictEqual(solve.n, 20);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      assert.strictEqual(solve.factor[i * 20 + j], old.factor[i * 16 + j]);
    }
  }
  // The cache is the updated solve: asking again returns the same object.
  assert.strictEqual(await fantasy.predictionSolve(), await fantasy.predictionSolve());
});

Deno.test("conditionOnObservations() shares the parameters, when one of them changes afterwards", async () => {
  const { x, y } = data1(12, 9);
  const model = new Model(x.slice(0, 10), y.slice(0, 10), new gp.likelihoods.GaussianLikelihood());
  model.initialize(params1);
  model.eval();
  const fantasy = await model.conditionOnObservations(x.slice(10), y.slice(10));
  assert.strictEqual(fantasy.training, false);
  assert.deepStrictEqual(
    new Set(fantasy.parameters()),
    new Set(model.parameters()),
  );
  model.initialize({ "covarModule.baseKernel.lengthscale": 0.35 });
  const fresh = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  fresh.initialize({ ...params1, "covarModule.baseKernel.lengthscale": 0.35 });
  fresh.eval();
  await compare(fantasy, fresh, [0.1, 0.6], "after a lengthscale change");
});

Deno.test("conditionOnObservations() gives a model whose tensor posterior passes gradcheck, when called at a Tensor", async () => {
  const { x, y } = data1(15, 2);
  const model = new Model(x.slice(0, 12), y.slice(0, 12), new gp.likelihoods.GaussianLikelihood());
  model.initialize(params1);
  model.eval();
  for (const p of model.parameters()) p.requiresGrad_(false);
  const fantasy = await model.conditionOnObservations(x.slice(12), y.slice(12));
  const t = gp.autograd.tensor([0.2, 0.7], { requiresGrad: true });
  assert.ok(
    await gp.autograd.gradcheck(async (t) => await fantasy.call(t).covarianceTensor(), [t], {
      atol: 1e-7,
      rtol: 1e-5,
    }),
  );
});

Deno.test("conditionOnObservations() refuses bad input with a named error, when nothing changes", async () => {
  const { x, y } = data2(10, 1);
  const model = new ArdModel(x, y, new gp.likelihoods.GaussianLikelihood());
  model.initialize(params2);
  await assert.rejects(
    () => model.conditionOnObservations([[0.1, 0.2]], [1]),
    (e: Error) => e instanceof TypeError && /training mode; call model.eval\(\)/.test(e.message),
  );
  model.eval();
  await assert.rejects(
    () => model.conditionOnObservations([[0.1, 0.2, 0.3]], [1]),
    (e: Error) => e instanceof TypeError && /3 dimension\(s\) per point but 2/.test(e.message),
  );
  await assert.rejects(
    () => model.conditionOnObservations([[0.1, 0.2], [0.3, 0.4]], [1]),
    (e: Error) => e instanceof TypeError && /2 point\(s\) but y has 1 value/.test(e.message),
  );
  await assert.rejects(
    () => model.conditionOnObservations([[0.1, 0.2]], [NaN]),
    (e: Error) => e instanceof RangeError && /y/.test(e.message) && /NaN/.test(e.message),
  );
  await assert.rejects(
    () => model.conditionOnObservations([[0.1, Infinity]], [1]),
    (e: Error) => e instanceof RangeError && /Infinity/.test(e.message),
  );
  assert.strictEqual(model.trainInputs!.n, 10);
  const empty = new ArdModel(null, null, new gp.likelihoods.GaussianLikelihood());
  empty.eval();
  await assert.rejects(
    () => empty.conditionOnObservations([[0.1, 0.2]], [1]),
    (e: Error) => e instanceof TypeError && /no training data/.test(e.message),
  );
  const fixed = new ArdModel(
    x,
    y,
    new gp.likelihoods.FixedNoiseGaussianLikelihood(new Array(10).fill(0.01)),
  );
  fixed.eval();
  await assert.rejects(
    () => fixed.conditionOnObservations([[0.1, 0.2]], [1]),
    (e: Error) => e instanceof TypeError && /FixedNoiseGaussianLikelihood/.test(e.message),
  );
  assert.strictEqual(fixed.trainInputs!.n, 10);
});
