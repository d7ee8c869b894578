// SVGP classification against GPyTorch 1.12 with an exact log Φ
// (tests/fixtures/gpytorch_approx/svgp_classification_seed1_exactlogphi*): 2-D moons, N = 300,
// whitened VariationalStrategy, CholeskyVariationalDistribution (M = 20), ZeroMean,
// ScaleKernel(RBF, ARD), BernoulliLikelihood (20-point Gauss–Hermite), VariationalELBO, Adam
// lr 0.05 × 100.
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

const f = loadSvgpFixture("svgp_classification_seed1_exactlogphi");
const setup = () => setupSvgp(f, new gp.likelihoods.BernoulliLikelihood());

Deno.test("VariationalELBO gives GPyTorch's loss, its two parts and every gradient, at each of the 100 recorded iterations", async () => {
  const { lossErr, ellErr, klErr, gradErr, perTensor, finalErr } = await replayElbo(
    f,
    setup(),
  );
  assert.ok(lossErr < 1e-12, `loss: max relative error ${lossErr}`);
  assert.ok(ellErr < 1e-12, `expected log-likelihood / N: max relative error ${ellErr}`);
  assert.ok(klErr < 1e-9, `KL / N: max relative error ${klErr}`);
  assert.ok(gradErr < 1e-10, `gradients: max error relative to the gradient ${gradErr}`);
  for (const [name, e] of Object.entries(perTensor)) {
    assert.ok(e < 1e-10, `${name}: max relative error ${e}`);
  }
  // Adam stepping on our gradient at each of GPyTorch's iterates: measured 5.7e-15 worst.
  for (const [name, e] of Object.entries(finalErr)) {
    assert.ok(e < 1e-12, `${name}: final raw values after Adam on our gradients, error ${e}`);
  }
});

Deno.test("Adam replays GPyTorch's recorded trajectory from its recorded gradients", () => {
  const err = replayAdamFromRecordedGrads(f, setup().mapped);
  assert.ok(err < 1e-12, `raw values: max relative error ${err}`);
});

Deno.test("SVGP trained by Adam from iteration 0 ends where GPyTorch's run ends, to Adam's own sensitivity", async () => {
  const { lossErr, finalErr } = await trainAdamFromStart(f, setup());
  for (const [name, e] of Object.entries(finalErr)) {
    assert.ok(e < 1e-7, `${name}: final raw values, relative error ${e}`);
  }
  assert.ok(lossErr < 1e-8, `loss along the run: max relative error ${lossErr}`);
});

Deno.test("BernoulliLikelihood.call(q(f)) gives GPyTorch's predictive probabilities Φ(μ/√(1+σ²)) on the grid", () => {
  const { model, likelihood, mapped } = setup();
  setToFinal(f, mapped);
  model.eval();
  const q = model.call(f.data.grid);
  const checks: [string, Float64Array, Float64Array][] = [
    ["latent mean", q.latentMean.data, f.predictions.latentMean],
    ["latent variance", q.latentVariance.data, f.predictions.latentVariance],
    ["P(y = 1)", likelihood.call(q).probs, f.predictions.probY1!],
  ];
  for (const [what, ours, theirs] of checks) {
    const e = relError(ours, theirs);
    assert.ok(e < 1e-8, `${what}: relative error ${e}`);
  }
});

Deno.test("BernoulliLikelihood uses the recorded quadrature rule and rejects labels outside {0, 1}", async () => {
  const { model, likelihood, mll } = setup();
  assert.deepStrictEqual(likelihood.quadrature.numLocs, f.quadrature!.numLocs);
  assert.ok(relError(likelihood.quadrature.locations, f.quadrature!.locations) < 1e-14);
  assert.ok(relError(likelihood.quadrature.weights, f.quadrature!.weights) < 1e-14);
  const y = f.data.y.map((v) => 2 * v - 1); // ±1 labels
  await assert.rejects(
    async () => await mll.call(model.call(f.data.x), y),
    (e: Error) =>
      e instanceof RangeError && /-1/.test(e.message) && /\(y \+ 1\) \/ 2/.test(e.message),
  );
});
