// SVGP regression against GPyTorch 1.12 (tests/fixtures/gpytorch_approx/svgp_regression_seed1*):
// whitened VariationalStrategy, CholeskyVariationalDistribution (M = 25), ConstantMean,
// ScaleKernel(RBF), GaussianLikelihood, VariationalELBO(numData = N = 500), Adam lr 0.01 × 100.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { loadSvgpFixture } from "./_approx_fixtures.ts";
import {
  replayAdamFromRecordedGrads,
  replayElbo,
  setToFinal,
  setupSvgp,
  trainAdamFromStart,
} from "./_svgp_replay.ts";
import { relError } from "./_svgp_fixture_model.ts";

const f = loadSvgpFixture("svgp_regression_seed1");
const setup = () => setupSvgp(f, new gp.likelihoods.GaussianLikelihood());

Deno.test("VariationalELBO gives GPyTorch's loss, its two parts and every gradient, at each of the 100 recorded iterations", async () => {
  const { lossErr, ellErr, klErr, gradErr, perTensor, finalErr } = await replayElbo(
    f,
    setup(),
  );
  assert.ok(lossErr < 1e-11, `loss: max relative error ${lossErr}`);
  assert.ok(ellErr < 1e-11, `expected log-likelihood / N: max relative error ${ellErr}`);
  assert.ok(klErr < 1e-10, `KL / N: max relative error ${klErr}`);
  // Relative to the gradient's ∞-norm at that iteration (all parameters together).
  assert.ok(gradErr < 1e-8, `gradients: max error relative to the gradient ${gradErr}`);
  // Relative to each tensor's own largest entry (the mean constant's gradient passes 1.2e-4 at
  // iteration 60, where ~1.5e-12 absolute — K_uu's conditioning times float64's rounding — is
  // 1.3e-8 of it; 1.1e-8 with an exp one bit different).
  for (const [name, e] of Object.entries(perTensor)) {
    assert.ok(e < 2e-8, `${name}: max relative error ${e}`);
  }
  // Adam stepping on our gradient at each of GPyTorch's iterates ends at GPyTorch's final raw
  // values (measured: 2.4e-11 worst, the inducing points; the issue asks for 1e-7).
  for (const [name, e] of Object.entries(finalErr)) {
    assert.ok(e < 1e-9, `${name}: final raw values after Adam on our gradients, error ${e}`);
  }
});

Deno.test("Adam replays GPyTorch's recorded trajectory from its recorded gradients", () => {
  const err = replayAdamFromRecordedGrads(f, setup().mapped);
  assert.ok(err < 1e-12, `raw values: max relative error ${err}`);
});

Deno.test("SVGP trained by Adam from iteration 0 ends where GPyTorch's run ends, to Adam's own sensitivity", async () => {
  const { lossErr, finalErr } = await trainAdamFromStart(f, setup());
  // Adam divides each gradient entry by its own running magnitude (+ 1e-8), so entries near
  // zero amplify float64 rounding: perturbing our own gradients by 1e-12 relative moves the
  // final inducing points by 2.2e-6 relative (measured), farther than we are from GPyTorch
  // (5.2e-7; 2.6e-6 with an exp one bit different). Hence 1e-5 here; the tight comparison of
  // the final values is the per-iteration test above (Adam on our gradients at GPyTorch's
  // iterates ends within 1e-9 of its final values).
  for (const [name, e] of Object.entries(finalErr)) {
    assert.ok(e < 1e-5, `${name}: final raw values, relative error ${e}`);
  }
  assert.ok(lossErr < 1e-6, `loss along the run: max relative error ${lossErr}`);
});

Deno.test("ApproximateGP predicts GPyTorch's latent and observed means and variances on the grid", async () => {
  const { model, likelihood, mapped } = setup();
  setToFinal(f, mapped);
  model.eval();
  const q = model.call(f.data.grid);
  const y = likelihood.call(q);
  const checks: [string, Float64Array, Float64Array][] = [
    ["latent mean", await q.mean(), f.predictions.latentMean],
    ["latent variance", await q.variance(), f.predictions.latentVariance],
    ["observed mean", await y.mean(), f.predictions.yMean!],
    ["observed variance", await y.variance(), f.predictions.yVariance!],
  ];
  for (const [what, ours, theirs] of checks) {
    const e = relError(ours, theirs);
    assert.ok(e < 1e-8, `${what}: relative error ${e}`);
  }
  // The full covariance's diagonal is the variance.
  const dense = await q.covarianceMatrix();
  const v = await q.variance();
  for (let i = 0; i < v.length; i++) {
    assert.ok(Math.abs(dense[i * v.length + i] - v[i]) < 1e-12 * v[i]);
  }
});
