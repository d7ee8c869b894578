// The GPyTorch approximate-GP fixtures load into consistent typed structures.
import assert from "node:assert";
import { assertClose } from "./_assert.ts";
import {
  loadSgprFixture,
  loadSvgpFixture,
  type ParamTrace,
  storedLength,
  trilToDense,
} from "./_approx_fixtures.ts";

function checkTrace(p: ParamTrace, iters: number, lr: number, what: string): void {
  assert.strictEqual(p.values.length, iters, `${what} ${p.name}: values per iteration`);
  assert.strictEqual(p.grads.length, iters, `${what} ${p.name}: grads per iteration`);
  const len = storedLength(p.name, p.shape);
  for (let i = 0; i < iters; i++) {
    assert.strictEqual(p.values[i].length, len, `${what} ${p.name} values[${i}] length`);
    assert.strictEqual(p.grads[i].length, len, `${what} ${p.name} grads[${i}] length`);
    assert.ok(p.values[i].every(Number.isFinite) && p.grads[i].every(Number.isFinite));
  }
  // Recorded before step(): Adam's first step is lr·g/(|g| + eps), so values[1] follows from
  // values[0] and grads[0] alone. This pins the alignment of values and grads, and the lr.
  const expected = p.values[0].map((v, k) => {
    const g = p.grads[0][k];
    return v - lr * g / (Math.abs(g) + 1e-8);
  });
  assertClose(p.values[1], expected, {
    rtol: 1e-12,
    atol: 1e-15,
    what: `${what} ${p.name} step 1`,
  });
}

for (const name of ["svgp_regression_seed1", "svgp_classification_seed1_exactlogphi"] as const) {
  Deno.test(`loadSvgpFixture("${name}") gives 100 iterations with consistent shapes`, () => {
    const f = loadSvgpFixture(name);
    assert.strictEqual(f.iters, 100);
    assert.strictEqual(f.data.x.n, f.n);
    assert.strictEqual(f.data.x.d, f.d);
    assert.strictEqual(f.data.y.length, f.n);
    assert.strictEqual(f.data.inducingInit.n, f.m);
    assert.strictEqual(f.data.inducingInit.d, f.d);
    for (const arr of [f.trace.loss, f.trace.expectedLogLikOverN, f.trace.klOverN]) {
      assert.strictEqual(arr.length, 100);
    }
    assert.strictEqual(f.trace.constrained.length, 100);
    // loss = −(ELL/N − KL/N) at every iteration.
    for (let i = 0; i < 100; i++) {
      assertClose(f.trace.loss[i], f.trace.klOverN[i] - f.trace.expectedLogLikOverN[i], {
        rtol: 1e-13,
        what: `loss[${i}]`,
      });
      assert.ok(f.trace.klOverN[i] >= 0, `KL/N[${i}] = ${f.trace.klOverN[i]} must be ≥ 0`);
    }
    assertClose(f.final.loss, f.final.klOverN - f.final.expectedLogLikOverN, {
      rtol: 1e-13,
      what: "final loss",
    });
    assert.deepStrictEqual(Object.keys(f.trace.params), f.paramNames);
    for (const p of Object.values(f.trace.params)) checkTrace(p, 100, f.lr, name);
    assert.deepStrictEqual(Object.keys(f.final.raw).sort(), [...f.paramNames].sort());
    // Iteration 0: inducing points as constructed, Cholesky factor I, a small lazy random mean.
    const vs = "variational_strategy.";
    const vd = `${vs}_variational_distribution.`;
    const params = f.trace.params;
    assert.deepStrictEqual(params[`${vs}inducing_points`].values[0], f.data.inducingInit.data);
    const chol0 = trilToDense(params[`${vd}chol_variational_covar`].values[0], f.m);
    for (let i = 0; i < f.m; i++) {
      for (let j = 0; j < f.m; j++) assert.strictEqual(chol0[i * f.m + j], i === j ? 1 : 0);
    }
    const mean0 = params[`${vd}variational_mean`].values[0];
    assert.ok(mean0.every((v) => v !== 0 && Math.abs(v) < 5e-3), "lazy 1e-3·randn mean");
    assert.ok(f.initial[`${vd}variational_mean`].every((v) => v === 0));
    // Predictions on the grid.
    assert.strictEqual(f.predictions.latentMean.length, f.data.grid.n);
    assert.strictEqual(f.predictions.latentVariance.length, f.data.grid.n);
    assert.ok(f.predictions.latentVariance.every((v) => v > 0));
    assert.strictEqual(f.settings.variationalCholeskyJitter, 1e-6);
    assert.strictEqual(f.settings.numGaussHermiteLocs, 20);
    if (f.task === "regression") {
      assert.strictEqual(f.quadrature, null);
      assert.strictEqual(f.mean, "ConstantMean");
      assert.strictEqual(f.data.grid.n, 101);
      // y variance = latent variance + noise (softplus(raw) + 1e-4 at the final raw value).
      const rawNoise = f.final.raw["likelihood.noise_covar.raw_noise"][0];
      const noise = Math.log1p(Math.exp(rawNoise)) + 1e-4;
      assertClose(
        f.predictions.yVariance!,
        f.predictions.latentVariance.map((v) => v + noise),
        { rtol: 1e-12, what: "y variance" },
      );
    } else {
      assert.strictEqual(f.mean, "ZeroMean");
      assert.ok(f.ard);
      assert.ok(f.data.y.every((v) => v === 0 || v === 1));
      assert.strictEqual(f.data.grid.n, 441);
      const q = f.quadrature!;
      assert.strictEqual(q.numLocs, 20);
      assert.strictEqual(q.locations.length, 20);
      assertClose(q.weights.reduce((a, b) => a + b, 0), Math.sqrt(Math.PI), {
        rtol: 1e-14,
        what: "Σ weights",
      });
      for (let k = 0; k < 20; k++) {
        assert.strictEqual(q.locations[k], -q.locations[19 - k]);
        if (k > 0) assert.ok(q.locations[k] > q.locations[k - 1]);
      }
      assert.strictEqual(f.predictions.probY1!.length, 441);
    }
  });
}

Deno.test("loadSgprFixture() gives 100 iterations of SGPR and of the exact GP, shapes consistent", () => {
  const f = loadSgprFixture();
  assert.strictEqual(f.iters, 100);
  assert.strictEqual(f.data.x.n, f.n);
  assert.strictEqual(f.data.inducingInit.n, f.m);
  assert.strictEqual(f.lr, 0.05);
  for (const [which, run] of [["sgpr", f.sgpr], ["exact", f.exactGp]] as const) {
    assert.strictEqual(run.train.loss.length, 100);
    assert.deepStrictEqual(Object.keys(run.train.params), run.train.paramNames);
    for (const p of Object.values(run.train.params)) checkTrace(p, 100, f.lr, which);
    for (const p of Object.values(run.predictions)) {
      if (typeof p !== "number") assert.strictEqual(p.length, f.data.grid.n);
    }
  }
  assert.strictEqual(f.sgpr.train.traceTermOverN.length, 100);
  assert.strictEqual(f.exactGp.train.traceTermOverN.length, 0);
  assert.deepStrictEqual(
    f.sgpr.train.params["covar_module.inducing_points"].values[0],
    f.data.inducingInit.data,
  );
  // K_ZZ needed psd_safe_cholesky's 1e-8 jitter at iterations 0–30, and only there.
  assert.deepStrictEqual(
    f.sgpr.train.warnings.map((w) => w.iter),
    Array.from({ length: 31 }, (_, i) => i),
  );
  assert.ok(f.sgpr.train.warnings.every((w) => /jitter of 1\.0e-08/.test(w.message)));
  // At the start, with 20 inducing points on 500 smooth 1-D data, SGPR ≈ the exact GP.
  assertClose(f.sgpr.train.loss[0], f.exactGp.train.loss[0], { rtol: 1e-6, what: "loss[0]" });
  assert.strictEqual(f.settings.sgprDiagonalCorrection, true);
});

Deno.test("trilToDense() expands torch.tril_indices order row by row, and rejects a wrong length", () => {
  assert.deepStrictEqual(
    trilToDense([1, 2, 3, 4, 5, 6], 3),
    new Float64Array([1, 0, 0, 2, 3, 0, 4, 5, 6]),
  );
  assert.throws(() => trilToDense([1, 2], 2), RangeError);
});
