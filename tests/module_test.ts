import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { ExactGPModel } from "./_seed_model.ts";

function model(): ExactGPModel {
  return new ExactGPModel([0, 0.5, 1], [0, 1, 0], new gp.likelihoods.GaussianLikelihood());
}

Deno.test("namedParameters() lists the tree with dotted names, likelihood first", () => {
  assert.deepEqual(model().namedParameters().map(([n]) => n), [
    "likelihood.noiseCovar.rawNoise",
    "meanModule.rawConstant",
    // PyTorch's order: a module's own parameters before its submodules'.
    "covarModule.rawOutputscale",
    "covarModule.baseKernel.rawLengthscale",
  ]);
});

Deno.test("parameters start at GPyTorch's defaults: raw 0", () => {
  const m = model();
  for (const p of m.parameters()) assert.equal(p.raw, 0);
  assert.equal(m.covarModule.baseKernel.lengthscale, Math.log(2));
  assert.equal(m.likelihood instanceof gp.likelihoods.GaussianLikelihood, true);
});

Deno.test("initialize() sets constrained values through dotted paths, aliases and nested objects", () => {
  const m = model();
  m.initialize({
    "likelihood.noise": 0.01,
    covarModule: { baseKernel: { lengthscale: 0.01 }, outputscale: 2 },
    "meanModule.constant": -1,
  });
  const lik = m.likelihood as gp.likelihoods.GaussianLikelihood;
  assert.ok(Math.abs(lik.noise - 0.01) < 1e-15);
  assert.ok(Math.abs(m.covarModule.baseKernel.lengthscale - 0.01) < 1e-15);
  assert.ok(Math.abs(m.covarModule.outputscale - 2) < 1e-15);
  assert.equal(m.meanModule.constant, -1);
  // GPyTorch's raw value for lengthscale 1 and noise 1 (GreaterThan(1e-4)).
  m.initialize({ "covarModule.baseKernel.lengthscale": 1, "likelihood.noise": 1 });
  assert.ok(Math.abs(m.covarModule.baseKernel.rawLengthscale.raw - 0.5413248546129181) < 1e-15);
  // GPyTorch stores the bound 1e-4 in float32 (9.99999975e-5), hence 4e-12 apart.
  assert.ok(Math.abs(lik.noiseCovar.rawNoise.raw - 0.5411666523425278) < 1e-11);
  // A raw name sets the raw value as it is.
  m.initialize({ "covarModule.rawOutputscale": -3 });
  assert.equal(m.covarModule.rawOutputscale.raw, -3);
});

Deno.test("initialize() rejects a non-positive value for a positive parameter and changes nothing", () => {
  const m = model();
  const before = m.parameters().map((p) => p.raw);
  assert.throws(
    () =>
      m.initialize({ "covarModule.outputscale": 3, "covarModule.baseKernel.lengthscale": -0.5 }),
    (e: unknown) =>
      e instanceof RangeError && /covarModule\.baseKernel\.lengthscale = -0\.5/.test(e.message) &&
      /positive/.test(e.message),
  );
  assert.throws(
    () => m.initialize({ "likelihood.noise": 1e-5 }),
    (e: unknown) => e instanceof RangeError && /greater than 0\.0001/.test(e.message),
  );
  assert.throws(() => m.initialize({ "covarModule.baseKernel.lengthscale": NaN }), RangeError);
  assert.deepEqual(m.parameters().map((p) => p.raw), before);
});

Deno.test("initialize() names the unknown parameter and lists the real ones", () => {
  assert.throws(
    () => model().initialize({ "covarModule.baseKernel.lenghtscale": 1 }),
    (e: unknown) =>
      e instanceof TypeError && /lenghtscale/.test(e.message) && /lengthscale/.test(e.message),
  );
  assert.throws(
    () => model().initialize({ "covarModul.outputscale": 1 }),
    (e: unknown) => e instanceof TypeError && /covarModule/.test(e.message),
  );
});

Deno.test("train() and eval() switch every submodule", () => {
  const m = model();
  assert.equal(m.training, true);
  m.eval();
  assert.equal(m.training, false);
  assert.equal(m.covarModule.baseKernel.training, false);
  assert.equal(m.likelihood.training, false);
  m.train();
  assert.equal(m.covarModule.baseKernel.training, true);
});

Deno.test("toString() prints the module tree like GPyTorch", () => {
  assert.equal(
    model().toString(),
    [
      "ExactGPModel(",
      "  (likelihood): GaussianLikelihood(",
      "    (noiseCovar): HomoskedasticNoise(",
      "      (rawNoiseConstraint): GreaterThan(1.000E-04)",
      "    )",
      "  )",
      "  (meanModule): ConstantMean()",
      "  (covarModule): ScaleKernel(",
      "    (baseKernel): RBFKernel(",
      "      (rawLengthscaleConstraint): Positive()",
      "    )",
      "    (rawOutputscaleConstraint): Positive()",
      "  )",
      ")",
    ].join("\n"),
  );
});

Deno.test("Parameter shows raw and constrained values, and a version that moves on every change", () => {
  const k = new gp.kernels.RBFKernel();
  const p = k.rawLengthscale;
  const v0 = p.version;
  p.value = 2;
  assert.ok(p.version > v0);
  assert.ok(Math.abs(p.value - 2) < 1e-15);
  assert.ok(Math.abs(p.raw - (2 + Math.log(-Math.expm1(-2)))) < 1e-15);
  assert.equal(
    String(p.requiresGrad_(false)),
    `Parameter(raw=[${Number(p.raw.toPrecision(6))}], value=[2], frozen)`,
  );
});

Deno.test("RBFKernel with ardNumDims has one lengthscale per dimension", () => {
  const k = new gp.kernels.RBFKernel({ ardNumDims: 3 });
  assert.equal(k.rawLengthscale.size, 3);
  k.initialize({ lengthscale: [1, 2, 3] });
  assert.deepEqual(Array.from(k.lengthscales, (v) => Math.round(v * 1e12) / 1e12), [1, 2, 3]);
  assert.throws(() => k.lengthscale, TypeError);
  assert.throws(() => new gp.kernels.RBFKernel({ ardNumDims: 0 }), RangeError);
  assert.throws(() => new gp.kernels.RBFKernel({ ardNumDims: 2, activeDims: [0] }), RangeError);
});
