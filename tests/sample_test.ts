// Prior samples are exact draws at any size, seeded and reproducible.
import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { ExactGPModel } from "./_seed_model.ts";
import { choleskyFactor } from "../src/wasm/cholesky_factor.ts";

function teacher(): ExactGPModel {
  const t = new ExactGPModel(null, null, new gp.likelihoods.GaussianLikelihood());
  t.initialize({
    "likelihood.noise": 0.01,
    "covarModule.baseKernel.lengthscale": 0.01,
    "covarModule.outputscale": 1,
  });
  return t;
}

/** mean(z²) for z = L⁻¹(y − μ), with L the exact factor of the distribution's covariance. */
async function whiteness(dist: gp.distributions.MultivariateNormal, y: Float64Array) {
  const n = dist.size;
  using f = choleskyFactor(await dist.covarianceMatrix(), n, "test covariance");
  const mean = await dist.mean();
  const z = f.solveTriangular(y.map((v, i) => v - mean[i]), 1, false);
  return z.reduce((s, v) => s + v * v, 0) / n;
}

Deno.test("likelihood(model(x)).sample() passes the whiteness check at N = 1000, where GPyTorch's rank-100 sampler fails", async () => {
  const n = 1000;
  const t = teacher();
  const x = gp.linspace(0, 1, n);
  const dist = t.likelihood.call(t.prior(x));
  const bound = 4 * Math.sqrt(2 / n);
  for (const seed of [17, 18, 19]) {
    const y = await dist.sample({ seed });
    const w = await whiteness(dist, y);
    assert.ok(Math.abs(w - 1) < bound, `seed ${seed}: mean(z²) = ${w}, not within 1 ± ${bound}`);
  }
  // The same seed draws the same data.
  assert.deepEqual(await dist.sample({ seed: 17 }), await dist.sample({ seed: 17 }));
});

Deno.test("GPyTorch's own teacher draw fails the whiteness check that ours passes", async () => {
  const fixture = JSON.parse(
    Deno.readTextFileSync(new URL("fixtures/teacher_n1000_seed17.json", import.meta.url)),
  );
  const t = teacher();
  const dist = t.likelihood.call(t.prior(fixture.x));
  const w = await whiteness(dist, Float64Array.from(fixture.y));
  assert.ok(Math.abs(w - 1) > 4 * Math.sqrt(2 / 1000), `mean(z²) = ${w}`);
});

Deno.test("samples() draws independent samples whose covariance matches the kernel", async () => {
  const x = [0, 0.3, 1];
  const k = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel()).initialize({
    outputscale: 2,
    "baseKernel.lengthscale": 0.5,
  });
  const dist = new gp.distributions.MultivariateNormal(new gp.means.ZeroMean().call(x), k.call(x));
  const count = 40_000;
  const draws = await dist.samples(count, { generator: new gp.Generator(3) });
  const cov = await dist.covarianceMatrix();
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (const d of draws) s += d[a] * d[b];
      s /= count;
      // Standard error of a sample covariance ≤ sqrt((σa²σb² + σab²)/count) ≈ 0.014 here.
      assert.ok(
        Math.abs(s - cov[a * 3 + b]) < 0.06,
        `cov[${a}][${b}] = ${s}, expected ${cov[a * 3 + b]}`,
      );
    }
  }
});

Deno.test("a noiseless prior sample at small lengthscale factors with jitter and says so", async () => {
  const t = teacher();
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    const f = await t.prior(gp.linspace(0, 1, 300)).sample({ seed: 1 });
    assert.equal(f.length, 300);
    assert.ok(f.every(Number.isFinite));
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /not positive definite in float64 .*added jitter/);
});
