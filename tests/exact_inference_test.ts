// ExactInference: the one entry to exact inference and its one fallback ladder.
import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { ExactInference } from "../src/engine/exact_inference.ts";
import { exactLogProb } from "../src/engine/cholesky.ts";
import { acquireGpu } from "../src/webgpu/gpu_device.ts";
import { WebGpuKernelOperator } from "../src/webgpu/webgpu_kernel_operator.ts";
import { ExactGPModel as Model } from "./_seed_model.ts";

/** The prior of a seed-like model at n points, with a short lengthscale and small noise. */
function setup(n: number, lengthscale = 0.01, noise = 1e-3) {
  const rng = new gp.Generator(3);
  const x = gp.linspace(0, 1, n);
  const y = x.map((v) => Math.sin(30 * v) + 0.05 * rng.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new Model(x, y, likelihood);
  model.initialize({
    "likelihood.noise": noise,
    "covarModule.baseKernel.lengthscale": lengthscale,
  });
  const prior = ExactInference.priorOf(likelihood.call(model.prior(x)), "test");
  return { ...prior, targets: Float64Array.from(y) };
}

/** Runs `fn` collecting gpts's warnings. */
async function warnings<T>(fn: () => Promise<T>): Promise<{ value: T; seen: string[] }> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (m: string) => void seen.push(String(m));
  try {
    return { value: await fn(), seen };
  } finally {
    console.warn = original;
  }
}

Deno.test("ExactInference.logProb() on Cholesky is exactLogProb's result, bit for bit", async () => {
  const { mean, covariance, targets } = setup(100, 0.1, 0.01);
  const r = await new ExactInference({ mean, covariance, targets, options: { solver: "cholesky" } })
    .logProb({ gradient: true });
  const direct = await exactLogProb(mean, covariance, targets, true);
  assert.equal(r.solver, "cholesky");
  assert.equal(r.value, direct.value);
  assert.deepEqual([...r.gradient!.values()], [...direct.gradient!.values()]);
});

Deno.test("ExactInference: CG that does not converge retries with twice the iterations, then falls back to Cholesky", async () => {
  const { mean, covariance, targets } = setup(300);
  const options = {
    solver: "cg" as const,
    device: "wasm" as const,
    cg: { maxIterations: 1, preconditioner: { maxRank: 2 } },
  };
  const inference = new ExactInference({ mean, covariance, targets, options });
  const { value: r, seen } = await warnings(() => inference.logProb({ gradient: true }));
  assert.equal(r.solver, "cholesky");
  assert.equal(r.value, (await exactLogProb(mean, covariance, targets, false)).value);
  assert.ok(seen.some((m) => /retrying with twice the iterations/.test(m)), seen.join("\n"));
  assert.ok(seen.some((m) => /falling back to the exact Cholesky solver for N = 300/.test(m)));
  const { value: solve } = await warnings(() => inference.predictionSolve());
  assert.equal(solve.solver, "cholesky");
});

Deno.test("ExactInference: CG that converges returns its own result", async () => {
  const { mean, covariance, targets } = setup(300, 0.1, 0.05);
  const r = await new ExactInference({
    mean,
    covariance,
    targets,
    options: { solver: "cg", device: "wasm" },
  }).logProb({ gradient: true });
  assert.equal(r.solver, "cg");
  assert.ok(r.diagnostics!.converged);
  const exact = await exactLogProb(mean, covariance, targets, false);
  assert.ok(Math.abs(r.value - exact.value) < 1e-3 * Math.abs(exact.value));
});

Deno.test("ExactInference: a device lost mid-solve reruns on WASM with the same convergence checks", async () => {
  const gpu = await acquireGpu();
  if (gpu === null) {
    console.warn("exact_inference_test: no WebGPU adapter, the device-loss test is SKIPPED");
    return;
  }
  const { mean, covariance, targets } = setup(64);
  const original = WebGpuKernelOperator.prototype.mvm;
  let lostAt = 0;
  WebGpuKernelOperator.prototype.mvm = function (v: Float64Array, t: number) {
    if (lostAt++ === 0) gpu.markLost("lost by the test");
    return original.call(this, v, t);
  };
  try {
    // One CG iteration cannot converge here: the rerun on WASM must see that too and fall
    // back to Cholesky, not return an unconverged CG result.
    const inference = new ExactInference({
      mean,
      covariance,
      targets,
      options: {
        solver: "cg",
        device: "webgpu",
        cg: { maxIterations: 1, preconditioner: { maxRank: 2 } },
      },
    });
    const { value: r, seen } = await warnings(() => inference.logProb({ gradient: true }));
    assert.ok(lostAt >= 1, "the WebGPU operator was used");
    assert.ok(seen.some((m) => /device was lost \(lost by the test\)/.test(m)));
    assert.ok(seen.some((m) => /CG \(WASM \(float64\)\) reached a relative residual/.test(m)));
    assert.equal(r.solver, "cholesky");
    assert.equal(r.value, (await exactLogProb(mean, covariance, targets, false)).value);
  } finally {
    WebGpuKernelOperator.prototype.mvm = original;
  }
});

Deno.test("ExactInference.priorOf() names the caller and the fix for anything but a model's prior", () => {
  const numbers = gp.distributions.MultivariateNormal.fromArrays([0, 0], [[1, 0], [0, 1]]);
  assert.throws(
    () => ExactInference.priorOf(numbers, "mll.call(output, target)"),
    (e: unknown) =>
      e instanceof TypeError &&
      /^mll\.call\(output, target\): exact inference needs the model's prior/
        .test(e.message) &&
      /model\.train\(\)/.test(e.message),
  );
});

Deno.test("ExactInference() rejects targets of the wrong length", () => {
  const { mean, covariance } = setup(10);
  assert.throws(
    () => new ExactInference({ mean, covariance, targets: new Float64Array(9) }),
    /targets must be a Float64Array of 10 values, got 9 values/,
  );
});
