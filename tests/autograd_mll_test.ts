// The exact MLL composed from recorded primitives (kernel matrix, noise, Cholesky, solve,
// logdet, constraint transforms, priors) against the fused operation mll.call returns.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;

class Model extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({ ardNumDims: 3, lengthscalePrior: new gp.priors.GammaPrior(3, 6) }),
  );
  forward(x: gp.Inputs) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

function problem() {
  const gen = new gp.Generator(11);
  const n = 40;
  const x = Array.from({ length: n }, () => [gen.uniform(), gen.uniform(), gen.uniform()]);
  const y = x.map(([a, b, c]) => Math.sin(4 * a) + b * c + 0.1 * gen.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new Model(x, y, likelihood);
  model.initialize({
    "covarModule.baseKernel.lengthscale": [0.4, 0.7, 1.1],
    "covarModule.outputscale": 1.3,
    "likelihood.noise": 0.05,
    "meanModule.constant": 0.2,
  });
  return { x, y, n, model, likelihood };
}

async function composed(
  model: Model,
  likelihood: gp.likelihoods.GaussianLikelihood,
  x: number[][],
  y: number[],
): Promise<gp.autograd.Tensor> {
  const n = y.length;
  const output = likelihood.call(model.call(x));
  const khat = await output.covarianceTensor();
  const mu = await output.meanTensor();
  const l = ag.cholesky(khat);
  const r = ag.tensor(y).sub(mu).reshape([n, 1]);
  const alpha = ag.choleskySolve(r, l);
  let logp = r.mul(alpha).sum().add(ag.choleskyLogdet(l)).add(n * Math.log(2 * Math.PI)).mul(-0.5);
  for (const [, prior, parameter] of model.namedPriors()) {
    logp = logp.add(prior.logProbTensor(parameter.valueTensor()).sum());
  }
  return logp.div(n);
}

function grads(model: Model): Float64Array[] {
  return model.parameters().map((p) => p.grad!.slice());
}

Deno.test("the exact MLL composed from recorded primitives equals the fused mll.call to 1e-12, value and gradients", async () => {
  const { x, y, model, likelihood } = problem();
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, { solver: "cholesky" });
  model.train();
  for (const p of model.parameters()) p.grad = null;
  const fused = await mll.call(model.call(x), y);
  assert.ok(fused instanceof ag.Tensor);
  fused.backward();
  const gFused = grads(model);
  for (const p of model.parameters()) p.grad = null;
  const rec = await composed(model, likelihood, x, y);
  rec.backward();
  const gRec = grads(model);
  assertClose(rec.item(), fused.value, { rtol: 1e-12, what: "mll" });
  for (let k = 0; k < gFused.length; k++) {
    assertClose(gRec[k], gFused[k], {
      rtol: 1e-12,
      atol: 1e-14,
      what: model.namedParameters()[k][0],
    });
  }
});

Deno.test("mll.call's result composes with recorded ops: loss + an L2 penalty reaches the raw values of both", async () => {
  const { x, y, model, likelihood } = problem();
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
  model.train();
  const raw = model.covarModule.rawOutputscale;
  raw.grad = null;
  const fused = await mll.call(model.call(x), y);
  const loss = fused.neg().add(ag.square(raw.rawTensor()).sum().mul(0.5));
  loss.backward();
  const want = -fused.gradient.get(raw)![0] + raw.raw;
  assertClose(raw.grad![0], want, { rtol: 1e-13 });
  // The README's uses keep working: .value, .item(), .neg(), .backward(), .gradientVariance.
  const l2 = (await mll.call(model.call(x), y)).neg();
  assert.strictEqual(l2.value, l2.item());
  assert.strictEqual(l2.gradientVariance, null);
  assert.strictEqual(l2.value, -fused.value);
});
