// The batch Monte-Carlo acquisitions (qEI, qLogEI, qUCB, qNEI) and their sampler: fixed base
// samples make them deterministic; for q = 1 they converge to the analytic closed forms as the
// number of samples grows; q = 2 against a 2-D quadrature; gradients by gradcheck; bad input.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const sp = gp.special;

class Model extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  forward(x: gp.Inputs) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

class ArdModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.MaternKernel({ nu: 2.5, ardNumDims: 2 });
  forward(x: gp.Inputs) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const TRAIN_X = [0.05, 0.2, 0.35, 0.5, 0.62, 0.8, 0.93];
const TRAIN_Y = TRAIN_X.map((v) => Math.sin(6 * v));
const BEST = Math.max(...TRAIN_Y);

function model1(): Model {
  const m = new Model(TRAIN_X, TRAIN_Y, new gp.likelihoods.GaussianLikelihood());
  m.initialize({
    "covarModule.baseKernel.lengthscale": 0.15,
    "covarModule.outputscale": 1.2,
    "likelihood.noise": 1e-3,
    "meanModule.constant": 0.1,
  });
  m.eval();
  for (const p of m.parameters()) p.requiresGrad_(false);
  return m;
}

function model2(): ArdModel {
  const gen = new gp.Generator(8);
  const x = Array.from({ length: 12 }, () => [gen.uniform(), gen.uniform()]);
  const y = x.map(([a, b]) => Math.cos(4 * a) + b * b);
  const m = new ArdModel(x, y, new gp.likelihoods.GaussianLikelihood());
  m.initialize({ "covarModule.lengthscale": [0.3, 0.5], "likelihood.noise": 1e-3 });
  m.eval();
  return m;
}

async function meanSigma(model: gp.models.ExactGP, x: number): Promise<[number, number]> {
  const post = model.call([x]);
  return [(await post.mean())[0], Math.sqrt((await post.variance())[0])];
}

const ei = (mu: number, sigma: number, best: number) => {
  const z = (mu - best) / sigma;
  return sigma * (z * sp.normalCdf(z) + sp.normalPdf(z));
};

const TEST_X = [0.12, 0.27, 0.44, 0.7];

Deno.test("qExpectedImprovement() converges to the analytic EI for q = 1, as the number of samples grows", async () => {
  const model = model1();
  const x = ag.tensor(TEST_X.map((v) => [[v]]));
  const errors: number[] = [];
  for (const n of [64, 1024, 16384]) {
    const acq = new gp.bo.qExpectedImprovement(model, {
      bestF: BEST,
      sampler: new gp.bo.SobolQMCNormalSampler(n, { seed: 3 }),
    });
    const v = (await acq.forward(x)).data;
    let worst = 0;
    for (let i = 0; i < TEST_X.length; i++) {
      const [mu, sigma] = await meanSigma(model, TEST_X[i]);
      worst = Math.max(worst, Math.abs(v[i] - ei(mu, sigma, BEST)) / sigma);
    }
    errors.push(worst);
  }
  assert.ok(errors[2] < errors[0] / 10, `errors ${errors}`);
  assert.ok(errors[2] < 2e-4, `errors ${errors}`); // relative to σ
  // Minimising: EI of −f over −bestF, at the lowest value seen.
  const low = Math.min(...TRAIN_Y);
  const acq = new gp.bo.qExpectedImprovement(model, {
    bestF: low,
    sampler: new gp.bo.SobolQMCNormalSampler(16384, { seed: 3 }),
    maximize: false,
  });
  const v = (await acq.forward(x)).data;
  for (let i = 0; i < TEST_X.length; i++) {
    const [mu, sigma] = await meanSigma(model, TEST_X[i]);
    assertClose(v[i], ei(-mu, sigma, -low), {
      atol: 2e-4 * sigma,
      what: `minimise, x ${TEST_X[i]}`,
    });
  }
});

Deno.test("qLogExpectedImprovement() converges to log EI for q = 1 where EI is not negligible, as samples grow", async () => {
  const model = model1();
  const near = [0.12, 0.22, 0.27, 0.31]; // z = (μ − best)/σ from −2.4 to 0.9
  const x = ag.tensor(near.map((v) => [[v]]));
  const errors: number[] = [];
  for (const n of [1024, 16384]) {
    const acq = new gp.bo.qLogExpectedImprovement(model, {
      bestF: BEST,
      sampler: new gp.bo.SobolQMCNormalSampler(n, { seed: 5 }),
    });
    const v = (await acq.forward(x)).data;
    let worst = 0;
    for (let i = 0; i < near.length; i++) {
      const [mu, sigma] = await meanSigma(model, near[i]);
      worst = Math.max(worst, Math.abs(v[i] - (Math.log(sigma) + sp.logH((mu - BEST) / sigma))));
    }
    errors.push(worst);
  }
  assert.ok(errors[1] < errors[0] / 10 && errors[1] < 1e-2, `errors ${errors}`);
});

Deno.test("qLogExpectedImprovement() is BoTorch's fat-tailed value where qEI underflows to 0, with gradients", async () => {
  const model = model1();
  const sampler = new gp.bo.SobolQMCNormalSampler(512, { seed: 0 });
  const acq = new gp.bo.qLogExpectedImprovement(model, { bestF: BEST, sampler });
  const qei = new gp.bo.qExpectedImprovement(model, { bestF: BEST, sampler });
  for (const xf of [0.44, 0.7]) { // z = −6 and −15: every sample is below best
    const [mu, sigma] = await meanSigma(model, xf);
    assert.strictEqual((await qei.forward(ag.tensor([[[xf]]]))).item(), 0);
    // log mean_s log_fatplus(μ + σ z_s − best, τ = 1e-6), written out from the base samples.
    const z = sampler.baseSamples(1), tau = 1e-6;
    const logs = Array.from(z, (zs) => {
      const u = (mu + sigma * zs - BEST) / tau;
      return Math.log(tau * (Math.log1p(Math.exp(u)) + 0.1 / (1 + u * u)));
    });
    const m = Math.max(...logs);
    const expect = m + Math.log(logs.reduce((s, v) => s + Math.exp(v - m), 0) / logs.length);
    const xt = ag.tensor([[[xf]]], { requiresGrad: true });
    const v = await acq.forward(xt);
    assertClose(v.item(), expect, { rtol: 1e-12, what: `qLogEI at ${xf}` });
    // Finite, with a gradient (qEI's is exactly 0 here).
    v.backward();
    assert.ok(Number.isFinite(xt.grad!.item()) && xt.grad!.item() !== 0);
  }
});

Deno.test("qUpperConfidenceBound() converges to μ + √β σ for q = 1", async () => {
  const model = model1();
  const x = ag.tensor(TEST_X.map((v) => [v])); // b × d
  for (const beta of [0.2, 4]) {
    const acq = new gp.bo.qUpperConfidenceBound(model, {
      beta: beta,
      sampler: new gp.bo.SobolQMCNormalSampler(16384, { seed: 1 }),
    });
    const v = (await acq.forward(x)).data;
    for (let i = 0; i < TEST_X.length; i++) {
      const [mu, sigma] = await meanSigma(model, TEST_X[i]);
      assertClose(v[i], mu + Math.sqrt(beta) * sigma, {
        atol: 2e-4 * sigma,
        what: `β ${beta}, x ${TEST_X[i]}`,
      });
    }
  }
});

Deno.test("qNoisyExpectedImprovement() converges to E[(f(x) − f(x_b))⁺] in closed form, for one baseline point", async () => {
  const model = model1();
  for (const [xb, xq] of [[0.2, 0.27], [0.5, 0.12], [0.35, 0.7]]) {
    const post = model.call([xb, xq]);
    const [mb, mq] = await post.mean();
    const c = await post.covarianceMatrix();
    const s = Math.sqrt(c[0] - 2 * c[1] + c[3]);
    const acq = new gp.bo.qNoisyExpectedImprovement(model, [xb], {
      sampler: new gp.bo.SobolQMCNormalSampler(16384, { seed: 2 }),
    });
    const v = (await acq.forward(ag.tensor([[[xq]]]))).item();
    assertClose(v, ei(mq - mb, s, 0), { atol: 3e-4 * s, what: `baseline ${xb}, x ${xq}` });
  }
});

/** E[max(max(f₁, f₂) − best, 0)] for (f₁, f₂) ~ N(μ, Σ), by the midpoint rule on [−8, 8]². */
function qeiQuadrature(mu: number[], cov: Float64Array, best: number): number {
  const l11 = Math.sqrt(cov[0]), l21 = cov[2] / l11, l22 = Math.sqrt(cov[3] - l21 * l21);
  const k = 1200, h = 16 / k;
  let total = 0;
  for (let i = 0; i < k; i++) {
    const z1 = -8 + (i + 0.5) * h, w1 = sp.normalPdf(z1);
    const f1 = mu[0] + l11 * z1;
    for (let j = 0; j < k; j++) {
      const z2 = -8 + (j + 0.5) * h;
      const f2 = mu[1] + l21 * z1 + l22 * z2;
      const imp = Math.max(f1, f2) - best;
      if (imp > 0) total += imp * w1 * sp.normalPdf(z2);
    }
  }
  return total * h * h;
}

Deno.test("qExpectedImprovement() for q = 2 equals a 2-D quadrature over the joint posterior", async () => {
  const model = model1();
  const acq = new gp.bo.qExpectedImprovement(model, {
    bestF: BEST,
    sampler: new gp.bo.SobolQMCNormalSampler(16384, { seed: 7 }),
  });
  const pairs = [[0.27, 0.44], [0.22, 0.3], [0.12, 0.27]];
  const v = (await acq.forward(ag.tensor(pairs.map(([a, b]) => [[a], [b]])))).data;
  for (let i = 0; i < pairs.length; i++) {
    const post = model.call(pairs[i]);
    const expect = qeiQuadrature(
      Array.from(await post.mean()),
      await post.covarianceMatrix(),
      BEST,
    );
    assertClose(v[i], expect, { rtol: 2e-3, atol: 1e-6, what: `q = 2 at ${pairs[i]}` });
  }
});

Deno.test("MC acquisitions are deterministic for fixed base samples, and batch elements are independent", async () => {
  const model = model2();
  const x = ag.tensor([
    [[0.2, 0.4], [0.7, 0.1], [0.5, 0.55]],
    [[0.9, 0.9], [0.1, 0.2], [0.3, 0.8]],
    [[0.45, 0.5], [0.5, 0.5], [0.55, 0.5]],
  ]);
  const best = Math.max(...model.trainTargets!);
  const make = (seed: number) => [
    new gp.bo.qExpectedImprovement(model, { bestF: best, seed }),
    new gp.bo.qLogExpectedImprovement(model, { bestF: best, seed }),
    new gp.bo.qUpperConfidenceBound(model, { beta: 2, seed }),
    new gp.bo.qNoisyExpectedImprovement(model, model.trainInputs!, { seed }),
  ];
  const [a, b, c] = [make(11), make(11), make(12)];
  for (let k = 0; k < a.length; k++) {
    const va = (await a[k].forward(x)).data;
    assert.deepStrictEqual(va, (await a[k].forward(x)).data, `${a[k].constructor.name} twice`);
    assert.deepStrictEqual(va, (await b[k].forward(x)).data, `${a[k].constructor.name} same seed`);
    const vc = (await c[k].forward(x)).data;
    assert.notDeepStrictEqual(va, vc);
    assertClose(vc, va, { rtol: 0.1, atol: 1e-3, what: `${a[k].constructor.name} other seed` });
    for (let t = 0; t < 3; t++) {
      const alone = (await a[k].forward(ag.tensor([x.toArray().slice(t * 6, t * 6 + 6)], {
        shape: [1, 3, 2],
      }))).item();
      assert.strictEqual(alone, va[t], `${a[k].constructor.name} batch ${t}`);
    }
  }
});

Deno.test("setXPending() appends the pending points to every candidate set, as BoTorch's X_pending", async () => {
  const model = model2();
  const best = Math.max(...model.trainTargets!);
  const pending = ag.tensor([[0.3, 0.3], [0.6, 0.9]]);
  const x = ag.tensor([[[0.2, 0.4]], [[0.8, 0.5]]]);
  const joint = ag.tensor([
    [[0.2, 0.4], [0.3, 0.3], [0.6, 0.9]],
    [[0.8, 0.5], [0.3, 0.3], [0.6, 0.9]],
  ]);
  const makers = [
    (o: gp.bo.MCAcquisitionOptions) => new gp.bo.qExpectedImprovement(model, { ...o, bestF: best }),
    (o: gp.bo.MCAcquisitionOptions) =>
      new gp.bo.qLogExpectedImprovement(model, { ...o, bestF: best }),
    (o: gp.bo.MCAcquisitionOptions) => new gp.bo.qUpperConfidenceBound(model, { ...o, beta: 2 }),
    (o: gp.bo.MCAcquisitionOptions) =>
      new gp.bo.qNoisyExpectedImprovement(model, model.trainInputs!, o),
  ];
  for (const make of makers) {
    const withPending = make({ seed: 3, xPending: pending });
    const plain = make({ seed: 3 });
    const expect = (await plain.forward(joint)).data;
    assert.deepStrictEqual((await withPending.forward(x)).data, expect, plain.constructor.name);
    assert.strictEqual(withPending.xPending!.shape[0], 2);
    withPending.setXPending(null);
    assert.strictEqual(withPending.xPending, null);
    assert.deepStrictEqual((await withPending.forward(x)).data, (await plain.forward(x)).data);
    plain.setXPending(pending);
    assert.deepStrictEqual((await plain.forward(x)).data, expect);
  }
  const acq = new gp.bo.qExpectedImprovement(model, { bestF: best });
  assert.throws(() => acq.setXPending(ag.tensor([0.1, 0.2])), TypeError);
  assert.throws(() => acq.setXPending(ag.tensor([[0.1, NaN]])), RangeError);
});

Deno.test("MC acquisitions use model.predict(x) where the model has it (original units), posterior(x) in any mode", async () => {
  const model = model1();
  const x = ag.tensor([[[0.27], [0.44]]]);
  const plain = await new gp.bo.qUpperConfidenceBound(model, { beta: 2, seed: 1 }).forward(x);
  model.train(); // ExactGP.posterior is the posterior whatever the mode
  assert.deepStrictEqual(
    (await new gp.bo.qUpperConfidenceBound(model, { beta: 2, seed: 1 }).forward(x)).data,
    plain.data,
  );
  model.eval();
  const shifted: gp.bo.PosteriorModel = {
    trainInputs: model.trainInputs,
    dim: 1,
    posterior: (x) => model.posterior(x),
    predict: (x) => {
      const post = model.posterior(x);
      return {
        meanTensor: async () => (await post.meanTensor()).add(10),
        covarianceTensor: () => post.covarianceTensor(),
      };
    },
  };
  const v = await new gp.bo.qUpperConfidenceBound(shifted, { beta: 2, seed: 1 }).forward(x);
  assertClose(v.item(), plain.item() + 10, { rtol: 1e-14 });
});

Deno.test("gradcheck() passes qEI, qLogEI, qUCB and qNEI with respect to x, for b = 2, q = 3, d = 2", async () => {
  const model = model2();
  const best = Math.max(...model.trainTargets!);
  const sampler = new gp.bo.SobolQMCNormalSampler(64, { seed: 4 });
  const acqs = [
    new gp.bo.qExpectedImprovement(model, { bestF: best - 0.3, sampler }),
    new gp.bo.qLogExpectedImprovement(model, { bestF: best, sampler }),
    new gp.bo.qUpperConfidenceBound(model, { beta: 2, sampler }),
    new gp.bo.qNoisyExpectedImprovement(model, model.trainInputs!, { sampler }),
    new gp.bo.qExpectedImprovement(model, {
      bestF: Math.min(...model.trainTargets!) + 0.3,
      sampler,
      maximize: false,
    }),
  ];
  const x = new ag.Tensor(
    Float64Array.from([0.2, 0.4, 0.7, 0.1, 0.5, 0.55, 0.9, 0.8, 0.15, 0.25, 0.35, 0.75]),
    [2, 3, 2],
    { requiresGrad: true },
  );
  for (const acq of acqs) {
    assert.ok(
      await ag.gradcheck(async (x) => await acq.forward(x), [x], { atol: 1e-6, rtol: 1e-4 }),
      acq.constructor.name,
    );
  }
});

Deno.test("SobolQMCNormalSampler() draws fixed, stratified normal base samples, Sobol up to 500 dimensions", () => {
  const s = new gp.bo.SobolQMCNormalSampler(256, { seed: 9 });
  const z = s.baseSamples(1);
  assert.strictEqual(z, s.baseSamples(1));
  // Scrambled Sobol with n = 2^8 puts one point in each [k/n, (k+1)/n): Φ(z) is stratified.
  const cells = new Set(Array.from(z, (v) => Math.floor(sp.normalCdf(v) * 256)));
  assert.strictEqual(cells.size, 256);
  assert.deepStrictEqual(
    new gp.bo.SobolQMCNormalSampler([256], { seed: 9 }).baseSamples(3),
    s.baseSamples(3),
  );
  assert.notDeepStrictEqual(
    new gp.bo.SobolQMCNormalSampler(256, { seed: 10 }).baseSamples(3),
    s.baseSamples(3),
  );
  const wide = new gp.bo.SobolQMCNormalSampler(4, { seed: 1 }).baseSamples(600);
  assert.strictEqual(wide.length, 2400);
  assert.ok(wide.every(Number.isFinite));
  assert.strictEqual(new gp.bo.SobolQMCNormalSampler([4, 8]).numSamples, 32);
  for (const bad of [0, -1, 2.5, [], [3, 0]]) {
    assert.throws(() => new gp.bo.SobolQMCNormalSampler(bad as number), RangeError);
  }
  assert.throws(() => s.baseSamples(0), RangeError);
  assert.throws(() => s.sample(ag.tensor([1, 2]), ag.tensor([[1, 0], [0, 1]])), TypeError);
});

Deno.test("qNoisyExpectedImprovement() prunes baseline points that are never best, unless told not to", async () => {
  const model = model1();
  const baseline = [0.05, 0.2, 0.27, 0.35, 0.8, 0.93]; // the peak of sin(6x) is at 0.26
  const pruned = await new gp.bo.qNoisyExpectedImprovement(model, baseline, { seed: 0 }).baseline();
  assert.ok(pruned.n >= 1 && pruned.n < baseline.length, `kept ${pruned.n}`);
  assert.ok(Array.from(pruned.data).every((v) => v > 0.1 && v < 0.4), `kept ${pruned.data}`);
  const kept = await new gp.bo.qNoisyExpectedImprovement(model, baseline, {
    seed: 0,
    pruneBaseline: false,
  }).baseline();
  assert.strictEqual(kept.n, baseline.length);
  const top = await gp.bo.pruneInferiorPoints(model, baseline, { seed: 0, maxFrac: 0.2 });
  assert.strictEqual(top.n, 2);
  await assert.rejects(
    () => gp.bo.pruneInferiorPoints(model, baseline, { maxFrac: 0 }),
    RangeError,
  );
});

Deno.test("MC acquisitions refuse bad input with a named TypeError/RangeError", async () => {
  const model = model1();
  const acq = new gp.bo.qExpectedImprovement(model, { bestF: BEST, seed: 0 });
  await assert.rejects(
    () => acq.forward(ag.tensor([[[0.1, 0.2]]])),
    (e: Error) => e instanceof TypeError && /\[1, 1, 2\].*\[b, q, 1\]/.test(e.message),
  );
  await assert.rejects(
    () => acq.forward(new ag.Tensor(new Float64Array(0), [1, 0, 1])),
    (e: Error) => e instanceof RangeError && /q must be at least 1/.test(e.message),
  );
  await assert.rejects(
    () => acq.forward(ag.tensor([[[NaN]]])),
    (e: Error) => e instanceof RangeError && /NaN/.test(e.message),
  );
  await assert.rejects(
    () => acq.forward([[[0.1]]] as unknown as gp.autograd.Tensor),
    TypeError,
  );
  const empty = new Model(null, null, new gp.likelihoods.GaussianLikelihood());
  assert.throws(
    () => new gp.bo.qUpperConfidenceBound(empty, { beta: 1 }),
    (e: Error) => e instanceof TypeError && /no training data/.test(e.message),
  );
  assert.throws(() => new gp.bo.qExpectedImprovement(model, { bestF: NaN }), RangeError);
  assert.throws(() => new gp.bo.qUpperConfidenceBound(model, { beta: -1 }), RangeError);
  assert.throws(
    () => new gp.bo.qLogExpectedImprovement(model, { bestF: 0, tauMax: 0 }),
    RangeError,
  );
  assert.throws(
    () => new gp.bo.qLogExpectedImprovement(model, { bestF: 0, tauRelu: -1 }),
    RangeError,
  );
  assert.throws(
    () =>
      new gp.bo.qExpectedImprovement(model, {
        bestF: 0,
        sampler: {} as gp.bo.SobolQMCNormalSampler,
      }),
    TypeError,
  );
  assert.throws(
    () => new gp.bo.qNoisyExpectedImprovement(model, [[0.1, 0.2]]),
    (e: Error) => e instanceof TypeError && /xBaseline/.test(e.message),
  );
});
