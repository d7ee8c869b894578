// Differentiable predictions of ExactGP: posterior mean, variance and covariance with
// respect to the test inputs (gradcheck) and every parameter (finite differences), and a
// user's objective backpropagated to the raw lengthscale and the noise.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { ExactGPModel as Model } from "./_seed_model.ts";
import { ArdMaternModel as ArdModel } from "./_ard_matern_model.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;

function makeModel(): Model {
  const gen = new gp.Generator(21);
  const x = Array.from({ length: 30 }, () => gen.uniform());
  const y = x.map((v) => Math.sin(6 * v) + 0.1 * gen.normal());
  const model = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  model.initialize({
    "covarModule.baseKernel.lengthscale": 0.2,
    "covarModule.outputscale": 1.4,
    "likelihood.noise": 0.03,
    "meanModule.constant": 0.1,
  });
  model.eval();
  return model;
}

const opts = { atol: 1e-7, rtol: 1e-5 };
const testX = () => ag.tensor([0.13, 0.48, 0.77, 1.05], { requiresGrad: true });

Deno.test("posterior meanTensor()/varianceTensor() equal the number forms, recorded or from the cache", async () => {
  const model = makeModel();
  const x = testX();
  const post = model.call(x);
  const [mean, variance] = [await post.mean(), await post.variance()];
  assertClose((await post.meanTensor()).data, mean, { rtol: 1e-12, atol: 1e-14 });
  assertClose((await post.varianceTensor()).data, variance, { rtol: 1e-10, atol: 1e-14 });
  for (const p of model.parameters()) p.requiresGrad_(false);
  const cached = model.call(x);
  assertClose((await cached.meanTensor()).data, mean, { rtol: 1e-12, atol: 1e-14 });
  assertClose((await cached.varianceTensor()).data, variance, { rtol: 1e-10, atol: 1e-14 });
  const cov = await cached.covarianceTensor();
  assertClose(cov.data, await cached.covarianceMatrix(), { rtol: 1e-10, atol: 1e-13 });
});

Deno.test("gradcheck() passes the posterior mean, variance and covariance with respect to x", async () => {
  for (const frozen of [false, true]) {
    const model = makeModel();
    for (const p of model.parameters()) p.requiresGrad_(!frozen);
    const x = testX();
    assert.ok(await ag.gradcheck(async (x) => await model.call(x).meanTensor(), [x], opts));
    assert.ok(await ag.gradcheck(async (x) => await model.call(x).varianceTensor(), [x], opts));
    assert.ok(await ag.gradcheck(async (x) => await model.call(x).covarianceTensor(), [x], opts));
  }
  // Two dimensions, ARD, a linear mean (its input derivative) and the likelihood's noise.
  const gen = new gp.Generator(4);
  const trainX = Array.from({ length: 25 }, () => [gen.uniform(), gen.uniform()]);
  const trainY = trainX.map(([a, b]) => Math.cos(3 * a) * b + 0.05 * gen.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ArdModel(trainX, trainY, likelihood);
  model.initialize({ "covarModule.lengthscale": [0.3, 0.6], "meanModule.weights": [0.5, -0.2] });
  model.eval();
  const x = new ag.Tensor(Float64Array.from([0.2, 0.4, 0.9, 0.1, 0.5, 0.55]), [3, 2], {
    requiresGrad: true,
  });
  assert.ok(
    await ag.gradcheck(async (x) => await likelihood.call(model.call(x)).meanTensor(), [x], opts),
  );
  assert.ok(
    await ag.gradcheck(
      async (x) => await likelihood.call(model.call(x)).varianceTensor(),
      [x],
      opts,
    ),
  );
});

/** d objective / d raw for every parameter, against central differences. */
async function checkParameterGradients(
  model: gp.models.ExactGP,
  objective: () => Promise<gp.autograd.Tensor>,
  what: string,
): Promise<void> {
  for (const p of model.parameters()) p.grad = null;
  (await objective()).backward();
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    const raw = p.rawValues;
    for (let e = 0; e < raw.length; e++) {
      const h = 1e-6;
      const at = async (v: number) => {
        const r = raw.slice();
        r[e] = v;
        p.setRaw(r);
        using _ = gp.settings.noGrad();
        return (await objective()).item();
      };
      const fd = (await at(raw[e] + h) - await at(raw[e] - h)) / (2 * h);
      p.setRaw(raw);
      assertClose(p.grad?.[e] ?? 0, fd, { rtol: 1e-5, atol: 1e-8, what: `${what}: ${name}[${e}]` });
    }
  }
}

Deno.test("the posterior mean, variance and covariance reach every parameter as finite differences", async () => {
  const model = makeModel();
  const x = gp.autograd.tensor([0.2, 0.6, 0.95]);
  const w = gp.autograd.tensor([0.7, -1.3, 0.4]);
  await checkParameterGradients(
    model,
    async () => (await model.call(x).meanTensor()).mul(w).sum(),
    "mean",
  );
  await checkParameterGradients(
    model,
    async () => (await model.call(x).varianceTensor()).mul(w).sum(),
    "variance",
  );
  await checkParameterGradients(
    model,
    async () => (await model.likelihood.call(model.call(x)).covarianceTensor()).sum(),
    "covariance + noise",
  );
});

Deno.test("a user's objective (squared error of the posterior mean on held-out points) reaches the raw lengthscale and the noise", async () => {
  const model = makeModel();
  const heldX = gp.autograd.tensor([0.05, 0.35, 0.62, 0.91]);
  const heldY = gp.autograd.tensor([0.3, 0.86, -0.6, -0.7]);
  const objective = async () => {
    const mean = await model.call(heldX).meanTensor();
    return gp.autograd.square(mean.sub(heldY)).mean();
  };
  await checkParameterGradients(model, objective, "held-out MSE");
  const ls = model.covarModule.baseKernel.rawLengthscale,
    noise = (model.likelihood as gp.likelihoods.GaussianLikelihood).noiseCovar.rawNoise;
  assert.ok(ls.grad![0] !== 0 && noise.grad![0] !== 0);
});

Deno.test("the CG path refuses gradients with respect to the test inputs, with the fix", async () => {
  const model = makeModel();
  model.engine = { solver: "cg" };
  const x = testX();
  await assert.rejects(
    async () => await model.call(x).meanTensor(),
    (e: Error) =>
      e instanceof TypeError && /Cholesky solver/.test(e.message) &&
      /solver: "cholesky"/.test(e.message),
  );
  model.engine = { solver: "cholesky" };
  assert.strictEqual((await model.call(x).meanTensor()).requiresGrad, true);
});
