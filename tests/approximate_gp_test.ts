// ApproximateGP, VariationalStrategy and the variational objectives: bad input, the lazy
// initialisation, atomic failure, closed forms, and finite-difference gradients.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { checkParameterGradients } from "./_fd_parameters.ts";

class SVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 1 }));
  failNext = false;
  constructor(strategy: gp.variational.VariationalStrategy) {
    super(strategy);
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    if (this.failNext) throw new Error("forward failed on purpose");
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

function model1d(
  z: ArrayLike<number>,
  q: gp.variational.VariationalDistribution = new gp.variational.CholeskyVariationalDistribution(
    z.length,
  ),
  seed = 0,
): SVGP {
  return new SVGP(new gp.variational.VariationalStrategy(null, Array.from(z), q, { seed }));
}

const xs = [0.05, 0.2, 0.33, 0.5, 0.61, 0.78, 0.95];
const ys = xs.map((v) => Math.sin(6 * v) + 0.1 * Math.cos(31 * v));

/** Non-trivial values for every parameter (so no gradient vanishes by symmetry). */
function perturb(model: SVGP, gen: gp.Generator): void {
  const q = model.variationalStrategy.variationalDistribution as
    | gp.variational.CholeskyVariationalDistribution
    | gp.variational.MeanFieldVariationalDistribution;
  q.variationalMean.setRaw(gen.normals(q.numInducingPoints).map((v) => 0.5 * v));
  if (q instanceof gp.variational.CholeskyVariationalDistribution) {
    const m = q.numInducingPoints;
    const l = gen.normals(m * m).map((v) => 0.2 * v);
    for (let i = 0; i < m; i++) l[i * m + i] = 0.5 + 0.1 * i;
    q.cholVariationalCovar.setRaw(l);
  } else if (q instanceof gp.variational.MeanFieldVariationalDistribution) {
    q.variationalStddev.setRaw(gen.normals(q.numInducingPoints).map((v) => 0.5 + 0.1 * v));
  }
  model.variationalStrategy.variationalParamsInitialized = true;
  model.meanModule.rawConstant.setRaw([0.3]);
  model.covarModule.initialize({ outputscale: 1.3, baseKernel: { lengthscale: 0.3 } });
}

Deno.test("VariationalStrategy() rejects a variational distribution whose size differs from the inducing points'", () => {
  assert.throws(
    () => model1d([0, 0.5, 1, 1.5], new gp.variational.CholeskyVariationalDistribution(5)),
    (e: Error) =>
      e instanceof RangeError && /size 5/.test(e.message) && /4 inducing points/.test(e.message) &&
      /CholeskyVariationalDistribution\(4\)/.test(e.message),
  );
  assert.throws(() => new gp.variational.MeanFieldVariationalDistribution(0), RangeError);
});

Deno.test("ApproximateGP.call(x) rejects inputs whose dimension differs from the inducing points'", () => {
  const model = model1d([0, 0.5, 1]);
  assert.throws(
    () => model.call([[0, 1], [1, 2]]),
    (e: Error) =>
      e instanceof TypeError && /2 dimension/.test(e.message) && /have 1/.test(e.message),
  );
  // Nothing was initialised by the failed call.
  assert.strictEqual(model.variationalStrategy.variationalParamsInitialized, false);
});

Deno.test("VariationalELBO.call() rejects a batch larger than numData, naming both", async () => {
  const model = model1d([0, 0.5, 1]);
  const mll = new gp.mlls.VariationalELBO(new gp.likelihoods.GaussianLikelihood(), model, 3);
  assert.throws(() => new gp.mlls.VariationalELBO(mll.likelihood, model, 0), RangeError);
  await assert.rejects(
    async () => await mll.call(model.call(xs), ys),
    (e: Error) =>
      e instanceof RangeError && /7 points/.test(e.message) && /numData = 3/.test(e.message),
  );
});

Deno.test("VariationalStrategy initialises q(u) lazily and seeded at the first call; a failed first call leaves it untouched", () => {
  const a = model1d([0, 0.5, 1], undefined, 5), b = model1d([0, 0.5, 1], undefined, 5);
  const q = a.variationalStrategy
    .variationalDistribution as gp.variational.CholeskyVariationalDistribution;
  q.cholVariationalCovar.setRaw([2, 0, 0, 0, 2, 0, 0, 0, 2]);
  a.failNext = true;
  assert.throws(() => a.call(xs), /on purpose/);
  assert.strictEqual(a.variationalStrategy.variationalParamsInitialized, false);
  assert.deepStrictEqual(Array.from(q.cholVariationalCovar.rawValues), [2, 0, 0, 0, 2, 0, 0, 0, 2]);
  a.failNext = false;
  a.call(xs);
  b.call(xs);
  assert.strictEqual(a.variationalStrategy.variationalParamsInitialized, true);
  const m = q.variationalMean.rawValues;
  assert.ok(m.some((v) => v !== 0) && m.every((v) => Math.abs(v) < 5e-3), `mean ${m}`);
  assert.deepStrictEqual(Array.from(q.cholVariationalCovar.rawValues), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepStrictEqual(
    m,
    (b.variationalStrategy
      .variationalDistribution as gp.variational.CholeskyVariationalDistribution).variationalMean
      .rawValues,
  );
  // Values set by the user survive when the flag says they are initialised.
  const c = model1d([0, 0.5, 1]);
  (c.variationalStrategy.variationalDistribution as gp.variational.CholeskyVariationalDistribution)
    .variationalMean.setRaw([1, 2, 3]);
  c.variationalStrategy.variationalParamsInitialized = true;
  c.call(xs);
  assert.deepStrictEqual(
    Array.from(
      (c.variationalStrategy
        .variationalDistribution as gp.variational.CholeskyVariationalDistribution).variationalMean
        .rawValues,
    ),
    [1, 2, 3],
  );
});

Deno.test("q(f) is the prior plus GPyTorch's 1e-6 jitter when m = 0 and S = I", async () => {
  const model = model1d([0.1, 0.4, 0.9]);
  model.variationalStrategy.variationalParamsInitialized = true;
  model.covarModule.initialize({ outputscale: 1.7, baseKernel: { lengthscale: 0.4 } });
  model.meanModule.rawConstant.setRaw([0.25]);
  const q = model.call(xs);
  const prior = model.prior(xs);
  const k = await prior.covarianceMatrix();
  const s = await q.covarianceMatrix();
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs((await q.mean())[i] - 0.25) < 1e-14);
    for (let j = 0; j < n; j++) {
      const want = k[i * n + j] + (i === j ? 1e-6 : 0);
      assert.ok(
        Math.abs(s[i * n + j] - want) < 1e-12,
        `Σ[${i}][${j}] = ${s[i * n + j]}, want ${want}`,
      );
    }
  }
  assert.strictEqual(model.variationalStrategy.kl().item(), 0);
});

Deno.test("kl() is KL(N(m, LLᵀ) ‖ N(0, I)) in closed form, for Cholesky and mean-field q(u)", () => {
  const gen = new gp.Generator(3);
  for (
    const q of [
      new gp.variational.CholeskyVariationalDistribution(4),
      new gp.variational.MeanFieldVariationalDistribution(4),
    ]
  ) {
    const model = model1d([0, 0.3, 0.6, 0.9], q);
    perturb(model, gen);
    const m = q.variationalMean.rawValues;
    const l = q.covarianceRoot().data;
    // S = L Lᵀ; KL = ½ (tr S + mᵀm − M − log det S), log det S = 2 Σ log |Lᵢᵢ|.
    let tr = 0, mm = 0, logdet = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) tr += l[i * 4 + j] ** 2;
      mm += m[i] ** 2;
      logdet += 2 * Math.log(Math.abs(l[i * 4 + i]));
    }
    const want = 0.5 * (tr + mm - 4 - logdet);
    const got = model.variationalStrategy.kl().item();
    assert.ok(
      Math.abs(got - want) < 1e-14 * Math.abs(want),
      `${q.constructor.name}: ${got} vs ${want}`,
    );
  }
});

function allParameters(model: SVGP, likelihood: gp.Module): [string, gp.Parameter][] {
  return [...model.namedParameters(), ...likelihood.namedParameters()];
}

Deno.test("VariationalELBO's gradients (inducing points, q(u), hyperparameters, noise) match finite differences", async () => {
  const model = model1d([0.1, 0.45, 0.8, 1.0]);
  perturb(model, new gp.Generator(11));
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  likelihood.noise = 0.2;
  const mll = new gp.mlls.VariationalELBO(likelihood, model, 20, { beta: 0.7 });
  await checkParameterGradients(
    async () => (await mll.call(model.call(xs), ys)).neg(),
    allParameters(model, likelihood),
  );
});

Deno.test("PredictiveLogLikelihood with a mean-field q(u) and a Gaussian likelihood matches finite differences and log N(y; μ, σ² + s)", async () => {
  const model = model1d([0.1, 0.45, 0.8], new gp.variational.MeanFieldVariationalDistribution(3));
  perturb(model, new gp.Generator(12));
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  likelihood.noise = 0.3;
  const pll = new gp.mlls.PredictiveLogLikelihood(likelihood, model, 7);
  await checkParameterGradients(
    async () => (await pll.call(model.call(xs), ys)).neg(),
    allParameters(model, likelihood),
  );
  const q = model.call(xs);
  const mu = await q.mean(), v = await q.variance();
  let want = 0;
  for (let i = 0; i < xs.length; i++) {
    const s = v[i] + likelihood.noise;
    want += -0.5 * ((ys[i] - mu[i]) ** 2 / s + Math.log(2 * Math.PI * s));
  }
  want = want / xs.length - model.variationalStrategy.kl().item() / 7;
  const got = (await pll.call(q, ys)).item();
  assert.ok(Math.abs(got - want) < 1e-13 * Math.abs(want), `${got} vs ${want}`);
});

Deno.test("BernoulliLikelihood's ELBO on 2-D inputs matches finite differences", async () => {
  class Classifier extends gp.models.ApproximateGP {
    meanModule = new gp.means.ZeroMean();
    covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 2 }));
    constructor() {
      super(
        new gp.variational.VariationalStrategy(
          null,
          [[0, 0], [1, 0.5], [0.3, 1]],
          new gp.variational.CholeskyVariationalDistribution(3),
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
  const model = new Classifier();
  const q = model.variationalStrategy
    .variationalDistribution as gp.variational.CholeskyVariationalDistribution;
  q.variationalMean.setRaw([0.8, -1.2, 0.4]);
  q.cholVariationalCovar.setRaw([0.7, 0, 0, 0.2, 0.6, 0, -0.1, 0.3, 0.5]);
  model.variationalStrategy.variationalParamsInitialized = true;
  model.covarModule.initialize({ outputscale: 2, baseKernel: { lengthscale: [0.5, 0.8] } });
  const x = [[0.1, 0.2], [0.9, 0.4], [0.5, 0.9], [0.2, 0.7], [0.7, 0.1]];
  const y = [1, 0, 1, 1, 0];
  const likelihood = new gp.likelihoods.BernoulliLikelihood();
  const mll = new gp.mlls.VariationalELBO(likelihood, model, 5);
  await checkParameterGradients(
    async () => (await mll.call(model.call(x), y)).neg(),
    model.namedParameters(),
  );
});

Deno.test("A failed Adam step leaves every parameter, variational ones included, as it was", async () => {
  const model = model1d([0.1, 0.5, 0.9]);
  perturb(model, new gp.Generator(2));
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const params = [...model.parameters(), ...likelihood.parameters()];
  const optimizer = new gp.optim.Adam(params, { lr: 0.1 });
  const mll = new gp.mlls.VariationalELBO(likelihood, model, 7);
  const before = params.map((p) => p.rawValues);
  (await mll.call(model.call(xs), ys)).neg().backward();
  const q = model.variationalStrategy
    .variationalDistribution as gp.variational.CholeskyVariationalDistribution;
  q.variationalMean.grad![1] = NaN;
  assert.throws(() => optimizer.step(), RangeError);
  params.forEach((p, i) => assert.deepStrictEqual(p.rawValues, before[i]));
});
