// solver: "auto" between CG_THRESHOLD and CG_ALWAYS_THRESHOLD: CG only where its
// preconditioner captures K, so that its estimates are within the stated accuracy.
import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { CG_ALWAYS_THRESHOLD, CG_THRESHOLD, chooseSolver } from "../src/engine/select.ts";
import { ExactGPModel as Model } from "./_seed_model.ts";

async function autoLoss(n: number, lengthscale: number, noise: number) {
  const rng = new gp.Generator(1);
  const x = gp.linspace(0, 1, n);
  const y = x.map((v) => Math.sin(12 * v) + 0.2 * rng.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new Model(x, y, likelihood, { device: "wasm" });
  model.initialize({
    "likelihood.noise": noise,
    "covarModule.baseKernel.lengthscale": lengthscale,
  });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
  (await mll.call(model.call(x), y)).neg().backward();
  return mll.lastResult!;
}

Deno.test("chooseSolver() thresholds: training switches to CG before prediction does", () => {
  assert.ok(CG_THRESHOLD < CG_ALWAYS_THRESHOLD);
  assert.equal(chooseSolver(CG_THRESHOLD - 1, {}), "cholesky");
  assert.equal(chooseSolver(CG_THRESHOLD, {}), "cg");
  assert.equal(chooseSolver(CG_THRESHOLD, {}, false, "prediction"), "cholesky");
  assert.equal(chooseSolver(CG_ALWAYS_THRESHOLD, {}, false, "prediction"), "cg");
  assert.equal(chooseSolver(10, { solver: "cg" }, false, "prediction"), "cg");
});

Deno.test("solver auto uses CG from CG_THRESHOLD when the preconditioner captures K, Cholesky when it cannot", async () => {
  const n = CG_THRESHOLD;
  // Smooth: a rank-34 preconditioner leaves less than 1e-3 of the noise, CG is cheap.
  const easy = await autoLoss(n, 0.05, 0.05);
  assert.equal(easy.solver, "cg");
  assert.ok(easy.diagnostics !== null && easy.diagnostics.preconditionerRank < 256);
  // Short lengthscale, small noise: more directions above the noise than rank 256 holds.
  const hard = await autoLoss(n, 0.003, 0.001);
  assert.equal(hard.solver, "cholesky");
  assert.equal(hard.diagnostics, null);
});
