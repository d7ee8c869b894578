// fit(): stopping rules in units of the total log marginal likelihood (issue 13), the
// gradient at the end checked independently of fit's own bookkeeping, restarts,
// reproducibility from the seed, failing starts, and bad options.
import * as assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

const { Interval, GreaterThan } = gp.constraints;

type Mean = gp.means.ConstantMean | gp.means.ZeroMean;

class Model extends gp.models.ExactGP {
  constructor(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    likelihood: gp.likelihoods.GaussianLikelihood,
    public meanModule: Mean,
    public covarModule: gp.kernels.ScaleKernel<gp.kernels.RBFKernel>,
  ) {
    super(x, y, likelihood);
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

/**
 * scikit-learn's test_gpr.py problem: X = [1, 3, 5, 6, 7, 8], y = x·sin x,
 * C(1, (1e-2, 1e2)) · RBF(1, (1e-3, 1e3)), noise fixed at 1e-10 (its `alpha`); with
 * `constant` a learned constant (ConstantMean) stands for its "+ C(…)" term.
 */
function sklearnProblem(constant: boolean) {
  const x = [1, 3, 5, 6, 7, 8];
  const y = x.map((v) => v * Math.sin(v));
  const likelihood = new gp.likelihoods.GaussianLikelihood({
    noiseConstraint: new GreaterThan(1e-12),
  });
  likelihood.noise = 1e-10;
  likelihood.noiseCovar.rawNoise.requiresGrad_(false);
  const kernel = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({ lengthscaleConstraint: new Interval(1e-3, 1e3) }),
    { outputscaleConstraint: new Interval(1e-2, 1e2) },
  );
  kernel.outputscale = 1;
  kernel.baseKernel.lengthscale = 1;
  const mean = constant ? new gp.means.ConstantMean() : new gp.means.ZeroMean();
  return { model: new Model(x, y, likelihood, mean, kernel), likelihood };
}

/** A noisy sine, RBF + learned noise, with a GammaPrior on the lengthscale. */
function sineProblem(n: number, seed: number) {
  const g = new gp.Generator(seed);
  const x = Array.from({ length: n }, () => 4 * g.uniform());
  const y = x.map((v) => Math.sin(3 * v) + 0.1 * g.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const kernel = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({ lengthscalePrior: new gp.priors.GammaPrior(2, 2) }),
  );
  return {
    model: new Model(x, y, likelihood, new gp.means.ConstantMean(), kernel),
    likelihood,
  };
}

/**
 * The gradient of the total log p = N · MLL with respect to every trainable raw value,
 * recomputed from scratch (a fresh MLL), with the value and bounds of each element.
 */
async function totalGradient(model: Model, likelihood: gp.likelihoods.GaussianLikelihood) {
  const params = [...new Set([...model.parameters(), ...likelihood.parameters()])]
    .filter((p) => p.requiresGrad);
  for (const p of params) p.grad = null;
  model.train();
  likelihood.train();
  const n = model.trainTargets!.length;
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
  const value = await mll.call(model.call(model.trainInputs!), model.trainTargets!);
  value.backward(); // d(mll)/d raw; log p = N · mll
  const out: Array<{ g: number; value: number; atBound: boolean }> = [];
  for (const p of params) {
    const c = p.constraint;
    const [lo, hi] = gp.priors.constraintRange(c);
    p.values.forEach((v, i) => {
      const near = (b: number) =>
        Number.isFinite(b) && Math.abs(v - b) <= 1e-6 * Math.max(Math.abs(b), 1e-3);
      out.push({ g: n * p.grad![i], value: v, atBound: near(lo) || near(hi) });
    });
  }
  return { lml: n * value.value, grads: out };
}

async function assertStationary(
  what: string,
  model: Model,
  likelihood: gp.likelihoods.GaussianLikelihood,
  history: gp.optim.FitHistory,
  toleranceGrad = 1e-5,
) {
  assert.ok(history.converged, `${what}: ${history.reason}`);
  assert.ok(history.gradNorm <= toleranceGrad, `${what}: gradNorm ${history.gradNorm}`);
  const { lml, grads } = await totalGradient(model, likelihood);
  assertClose(lml, history.lml, { rtol: 1e-12, what: `${what}: log p left on the model` });
  for (const [i, { g, value, atBound }] of grads.entries()) {
    if (atBound) continue;
    assert.ok(
      Math.abs(g) <= toleranceGrad,
      `${what}: |∂ log p/∂raw[${i}]| = ${Math.abs(g)} at value ${value} > ${toleranceGrad}`,
    );
  }
  return grads;
}

Deno.test("fit() reaches |∂ log p/∂raw| ≤ 1e-5 on scikit-learn's x·sin x problem (where per-datum tolerances stopped at 1e-4)", async () => {
  const { model, likelihood } = sklearnProblem(true);
  const history = await gp.optim.fit(model, likelihood, { progress: false });
  const grads = await assertStationary("x·sin x, C·RBF + constant", model, likelihood, history);
  console.log(
    `x·sin x: log p ${history.lml.toFixed(10)} after ${history.iterations} iterations, ` +
      `max |∂ log p/∂raw| ${history.gradNorm.toExponential(2)}, per parameter ` +
      grads.map((e) => e.g.toExponential(1)).join(", "),
  );
  assert.equal(history.runs.length, 1);
  assert.equal(history.seed, null);
});

Deno.test("fit() matches scikit-learn's optimum of C·RBF on x·sin x (log p, outputscale, lengthscale)", async () => {
  // /usr/bin/python3 (Debian's sklearn 1.2.1): GaussianProcessRegressor(C(1.0, (1e-2, 1e2)) *
  // RBF(1.0, (1e-3, 1e3))).fit(X, y) → log_marginal_likelihood_value_ -14.523272133473952,
  // exp(theta) = [22.19269748, 1.67587842] with its gradient (1.7e-6, -1.6e-5) in log θ.
  const { model, likelihood } = sklearnProblem(false);
  const history = await gp.optim.fit(model, likelihood, { progress: false });
  await assertStationary("x·sin x, C·RBF", model, likelihood, history);
  assert.ok(history.lml >= -14.523272133473952 - 1e-9, `log p ${history.lml}`);
  assertClose(history.lml, -14.523272133473952, { rtol: 1e-10, what: "log p vs scikit-learn" });
  assertClose(model.covarModule.outputscale, 22.19269748, { rtol: 1e-5, what: "outputscale" });
  assertClose(model.covarModule.baseKernel.lengthscale, 1.67587842, {
    rtol: 1e-5,
    what: "lengthscale",
  });
});

Deno.test("fit()'s defaults reach a stationary point of the total log p at N = 5, 40, 400 and 1000", async () => {
  for (const [n, seed] of [[5, 1], [40, 2], [400, 3], [1000, 4]]) {
    const { model, likelihood } = sineProblem(n, seed);
    const history = await gp.optim.fit(model, likelihood, { progress: false });
    await assertStationary(`sine, N = ${n}`, model, likelihood, history);
    console.log(
      `N = ${n}: log p ${history.lml.toFixed(6)}, ${history.iterations} iterations, ` +
        `${history.evaluations.at(-1)} evaluations, max |∂ log p/∂raw| ` +
        history.gradNorm.toExponential(2),
    );
  }
});

Deno.test("fit() with a looser toleranceGrad stops earlier, still below it", async () => {
  const { model, likelihood } = sklearnProblem(true);
  const loose = await gp.optim.fit(model, likelihood, { toleranceGrad: 1e-2, progress: false });
  await assertStationary("toleranceGrad 1e-2", model, likelihood, loose, 1e-2);
  const tight = sklearnProblem(true);
  const full = await gp.optim.fit(tight.model, tight.likelihood, { progress: false });
  assert.ok(loose.iterations < full.iterations, `${loose.iterations} vs ${full.iterations}`);
});

/**
 * Two optima (the README's teacher–student problem in small): data from a GP with
 * lengthscale 0.1 and noise 0.01; a short lengthscale explains the wiggles, a long one
 * explains them as noise. Run 0 starts at lengthscale 20 and lands on the noise
 * optimum; the lengthscale is bounded to (0.02, 50), so restarts draw log-uniformly.
 */
async function twoOptima() {
  const teacherLik = new gp.likelihoods.GaussianLikelihood();
  const x = gp.linspace(0, 1, 30);
  const teacherKernel = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  teacherKernel.baseKernel.lengthscale = 0.1;
  teacherLik.noise = 0.01;
  const teacher = new Model(x, x.map(() => 0), teacherLik, new gp.means.ZeroMean(), teacherKernel);
  const y = Array.from(await teacherLik.call(teacher.prior(x)).sample({ seed: 5 }));
  const make = (lengthscale: number) => {
    const likelihood = new gp.likelihoods.GaussianLikelihood();
    const kernel = new gp.kernels.ScaleKernel(
      new gp.kernels.RBFKernel({ lengthscaleConstraint: new Interval(0.02, 50) }),
    );
    kernel.baseKernel.lengthscale = lengthscale;
    return { model: new Model(x, y, likelihood, new gp.means.ZeroMean(), kernel), likelihood };
  };
  return make;
}

Deno.test("fit() restarts find the better of two known optima and leave it on the model", async () => {
  const make = await twoOptima();
  const short = make(0.1), long = make(20);
  const good = await gp.optim.fit(short.model, short.likelihood, { progress: false });
  const bad = await gp.optim.fit(long.model, long.likelihood, { progress: false });
  assert.ok(good.converged && bad.converged, `${good.reason}; ${bad.reason}`);
  assert.ok(good.lml > bad.lml + 1, `two optima: ${good.lml} vs ${bad.lml}`);
  assert.ok(long.model.covarModule.baseKernel.lengthscale > 1, "run from 20 stays long");

  const { model, likelihood } = make(20);
  const history = await gp.optim.fit(model, likelihood, { restarts: 5, seed: 11, progress: false });
  console.log(
    `two optima: log p ${good.lml.toFixed(6)} (short) vs ${bad.lml.toFixed(6)} (long); ` +
      `restarts' final log p ${history.runs.map((r) => r.lml?.toFixed(4)).join(", ")}`,
  );
  assert.equal(history.runs.length, 6);
  assert.equal(history.seed, 11);
  assertClose(history.runs[0].lml!, bad.lml, { rtol: 1e-9, what: "run 0 = the plain fit" });
  assert.notEqual(history.best, 0);
  assertClose(history.lml, good.lml, { rtol: 1e-8, what: "best run's log p" });
  for (const r of history.runs) assert.ok(r.lml === null || r.lml <= history.lml);
  await assertStationary("best of restarts", model, likelihood, history);
  assertClose(
    model.covarModule.baseKernel.lengthscale,
    short.model.covarModule.baseKernel.lengthscale,
    { rtol: 1e-4, what: "lengthscale left on the model" },
  );
});

Deno.test("fit() with restarts is reproducible from its seed", async () => {
  const make = await twoOptima();
  const runOnce = async (seed: number) => {
    const { model, likelihood } = make(20);
    const starts: number[] = [];
    const history = await gp.optim.fit(model, likelihood, {
      restarts: 3,
      seed,
      progress: false,
      onIteration: (r) => {
        if (r.iteration === 1) starts.push(r.loss);
      },
    });
    return { history, starts, raw: model.parameters().map((p) => p.raw) };
  };
  const a = await runOnce(7), b = await runOnce(7), c = await runOnce(8);
  assert.deepEqual(a.history.runs.map((r) => r.lml), b.history.runs.map((r) => r.lml));
  assert.deepEqual(a.starts, b.starts);
  assert.deepEqual(a.raw, b.raw);
  assert.notDeepEqual(a.starts.slice(1), c.starts.slice(1), "another seed, other starts");
});

/** A model whose covariance "cannot be factored" once the lengthscale passes 2. */
class FragileModel extends Model {
  override forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    if (this.covarModule.baseKernel.lengthscale > 2) {
      throw new gp.NotPositiveDefiniteError("K (test: lengthscale > 2)", 0, [0]);
    }
    return super.forward(x);
  }
}

Deno.test("fit() skips and reports a start that fails, never leaving it on the model; all failing rethrows", async () => {
  const x = gp.linspace(0, 1, 20);
  const y = x.map((v) => Math.sin(8 * v));
  const make = (lengthscale: number) => {
    const likelihood = new gp.likelihoods.GaussianLikelihood();
    const kernel = new gp.kernels.ScaleKernel(
      new gp.kernels.RBFKernel({ lengthscaleConstraint: new Interval(0.01, 100) }),
    );
    kernel.baseKernel.lengthscale = lengthscale;
    const model = new FragileModel(x, y, likelihood, new gp.means.ZeroMean(), kernel);
    return { model, likelihood };
  };
  const { model, likelihood } = make(0.3);
  const history = await gp.optim.fit(model, likelihood, { restarts: 6, seed: 2, progress: false });
  const failed = history.runs.filter((r) => r.loss === null);
  assert.ok(failed.length >= 1, `some draws above 2: ${history.runs.map((r) => r.reason)}`);
  for (const r of failed) {
    assert.ok(r.error instanceof gp.NotPositiveDefiniteError, r.reason);
    assert.match(r.reason, /starting point failed/);
    assert.equal(r.lml, null);
    assert.equal(r.converged, false);
  }
  assert.ok(history.runs[history.best].loss !== null);
  assert.ok(model.covarModule.baseKernel.lengthscale <= 2);
  const { lml } = await totalGradient(model, likelihood);
  assertClose(lml, history.lml, { rtol: 1e-12, what: "the best run is on the model" });

  const doomed = make(5);
  const before = doomed.model.parameters().map((p) => p.raw);
  await assert.rejects(
    gp.optim.fit(doomed.model, doomed.likelihood, { progress: false }),
    gp.NotPositiveDefiniteError,
  );
  assert.deepEqual(doomed.model.parameters().map((p) => p.raw), before);
});

Deno.test("fit() reports a restart whose prior cannot draw inside the constraint, and keeps run 0", async () => {
  const x = gp.linspace(0, 1, 10);
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const kernel = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({
      lengthscaleConstraint: new Interval(100, 101),
      lengthscalePrior: new gp.priors.GammaPrior(2, 2), // mass near 1, none in (100, 101)
    }),
  );
  const model = new Model(x, x.map((v) => v * v), likelihood, new gp.means.ZeroMean(), kernel);
  const history = await gp.optim.fit(model, likelihood, { restarts: 1, seed: 4, progress: false });
  assert.equal(history.best, 0);
  assert.equal(history.runs[1].loss, null);
  assert.ok(history.runs[1].error instanceof RangeError);
  assert.match(history.runs[1].reason, /drawing the starting point failed: .*100 draws/);
});

Deno.test("fit() rejects bad options with errors naming the option", async () => {
  const { model, likelihood } = sklearnProblem(true);
  const cases: Array<[gp.optim.FitOptions, RegExp]> = [
    [{ restarts: -1 }, /restarts = -1/],
    [{ restarts: 1.5 }, /restarts = 1.5/],
    [{ toleranceGrad: 0 }, /toleranceGrad = 0/],
    [{ toleranceGrad: -1e-5 }, /toleranceGrad = -0.00001/],
    [{ toleranceChange: 0 }, /toleranceChange = 0/],
    [{ toleranceChange: NaN }, /toleranceChange = NaN/],
    [{ maxIter: 0 }, /maxIter = 0/],
    [{ maxEval: 2.5 }, /maxEval = 2.5/],
    [{ patience: 0 }, /patience = 0/],
    [{ seed: -3 }, /seed = -3/],
    [{ lr: 0 }, /lr = 0/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      gp.optim.fit(model, likelihood, { ...options, progress: false }),
      (e: Error) => e instanceof RangeError && message.test(e.message),
      JSON.stringify(options),
    );
  }
  await assert.rejects(
    gp.optim.fit(model, likelihood, { tolerance: 1e-9 } as gp.optim.FitOptions),
    /TypeError: fit\(\{ tolerance \}\).*toleranceChange/,
  );
  await assert.rejects(
    gp.optim.fit(model, likelihood, { optimizer: "newton" as "lbfgs" }),
    /RangeError: fit\(\{ optimizer \}\)/,
  );
});
