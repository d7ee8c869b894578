// Prediction on the BBMM path (mean from the CG solve, exact variances by solves, fast
// variances from the LOVE cache) against the float64 Cholesky posterior and GPyTorch's
// float64 references. WebGPU tests are ignored (and say so) without an adapter; CI sizes
// N ≤ 512 there, the N = 1000 fixture on WebGPU runs with GPTS_WEBGPU_FULL=1.
import assert from "node:assert/strict";
import { assertClose } from "./_assert.ts";
import { acquireGpu } from "../src/webgpu/gpu_device.ts";
import type { CgTrainingSolve } from "../src/engine/bbmm_posterior.ts";
import { loadReference, loadTeacher, makeStudent, NAME_MAP } from "./_seed_model.ts";
import * as gp from "../mod.ts";

const gpu = await acquireGpu();
const noAdapter = gpu === null;
if (noAdapter) console.warn("bbmm_predict_test: no WebGPU adapter, the adapter tests are SKIPPED");
const full = Deno.env.get("GPTS_WEBGPU_FULL") === "1";
const teacher = loadTeacher();

/** The student on the first n points with a reference run's final parameters, in eval mode. */
function trainedStudent(iters: 50 | 500, n: number) {
  const ref = loadReference(iters);
  const x = teacher.x.slice(0, n), y = teacher.y.slice(0, n);
  const s = makeStudent({ x, y, n });
  const named = new Map(s.model.namedParameters());
  for (const [nm, raw] of Object.entries(ref.final.raw)) named.get(NAME_MAP[nm])!.setRaw(raw);
  s.model.eval();
  return { ...s, ref, x };
}

function bandWidth(variance: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < variance.length; i++) s += 4 * Math.sqrt(variance[i]);
  return s / variance.length;
}

async function posterior(model: gp.models.ExactGP, at: number[], fast: boolean) {
  using _ = gp.settings.fastPredVar(fast);
  const f = model.call(at);
  return { mean: await f.mean(), variance: await f.variance() };
}

/**
 * CG prediction on `device` against the Cholesky one: mean within 1e-6, exact variances
 * within 1e-4 (absolute), fast variances within 1% of the exact ones, band widths too.
 */
async function checkAgainstCholesky(
  iters: 50 | 500,
  n: number,
  device: "wasm" | "webgpu",
  at: number[],
  log: boolean,
) {
  const s = trainedStudent(iters, n);
  s.model.engine = { solver: "cholesky" };
  const exact64 = await posterior(s.model, at, false);
  s.model.engine = { solver: "cg", device };
  const t0 = performance.now();
  const cg = await posterior(s.model, at, false);
  const t1 = performance.now();
  const fast = await posterior(s.model, at, true);
  const t2 = performance.now();
  const solve = await s.model.predictionSolve() as CgTrainingSolve;
  assert.equal(solve.solver, "cg");
  assertClose(cg.mean, exact64.mean, { atol: 1e-6, what: "CG posterior mean" });
  assertClose(cg.variance, exact64.variance, { atol: 1e-4, what: "CG exact variances" });
  assertClose(fast.variance, cg.variance, { rtol: 1e-2, what: "fast (LOVE) variances" });
  assertClose(fast.mean, cg.mean, { atol: 0, what: "the mean does not depend on fastPredVar" });
  const bw = { cholesky: bandWidth(exact64.variance), fast: bandWidth(fast.variance) };
  assertClose(bw.fast, bw.cholesky, { rtol: 1e-2, what: "mean band width, fast vs exact" });
  if (log) {
    let ev = 0, ef = 0;
    for (let i = 0; i < at.length; i++) {
      ev = Math.max(ev, Math.abs(cg.variance[i] - exact64.variance[i]));
      ef = Math.max(ef, Math.abs(fast.variance[i] - cg.variance[i]) / cg.variance[i]);
    }
    const love = await solve.loveDiagnostics();
    console.log(
      `  it${iters} N ${n} ${solve.device}, ${at.length} test points: exact variance error ` +
        `${ev.toExponential(2)} (${(t1 - t0).toFixed(0)} ms), LOVE relative error ` +
        `${ef.toExponential(2)} (rank ${love.rank}, ${love.lanczosSteps} Lanczos, ` +
        `${(t2 - t1).toFixed(0)} ms); mean band width (4σ) exact ${bw.cholesky.toFixed(4)}, ` +
        `fast ${bw.fast.toFixed(4)}`,
    );
  }
}

const grid = loadReference(50).posterior.grid.x;
const smallGrid = grid.filter((_, i) => i % 8 === 0);

Deno.test("BBMM prediction on the WASM device matches the Cholesky posterior, exact and fast (N = 512)", async () => {
  for (const iters of [50, 500] as const) {
    const at = [...grid, ...teacher.x.slice(0, 64)];
    await checkAgainstCholesky(iters, 512, "wasm", at, true);
  }
});

Deno.test({
  name: `BBMM prediction on WebGPU matches the Cholesky posterior, exact and fast (N = 512)${
    noAdapter ? " (SKIPPED: no WebGPU adapter)" : ""
  }`,
  ignore: noAdapter,
  fn: async () => {
    for (const iters of [50, 500] as const) {
      await checkAgainstCholesky(
        iters,
        512,
        "webgpu",
        [...smallGrid, ...teacher.x.slice(0, 16)],
        true,
      );
    }
  },
});

/** On the N = 1000 fixture against GPyTorch's float64 posterior: grid and training inputs. */
async function checkFixture(device: "wasm" | "webgpu", trainStride: number) {
  for (const iters of [50, 500] as const) {
    const s = trainedStudent(iters, 1000);
    s.model.engine = { solver: "cg", device };
    for (const where of ["grid", "train"] as const) {
      const post = s.ref.posterior[where];
      const keep = (_: unknown, i: number) => where === "grid" || i % trainStride === 0;
      const at = post.x.filter(keep);
      const exact = await posterior(s.model, at, false);
      const fast = await posterior(s.model, at, true);
      assertClose(exact.mean, post.f_mean.filter(keep), { atol: 1e-5, what: `${where} mean` });
      assertClose(exact.variance, post.f_var.filter(keep), {
        atol: 1e-4,
        what: `${where} exact variances vs GPyTorch float64`,
      });
      assertClose(fast.variance, exact.variance, { rtol: 1e-2, what: `${where} fast variances` });
      const bw = { exact: bandWidth(exact.variance), fast: bandWidth(fast.variance) };
      console.log(
        `  it${iters} ${where} (${at.length} points, ${device}): mean band width exact ` +
          `${bw.exact.toFixed(4)}, fast ${bw.fast.toFixed(4)} (GPyTorch float64 ` +
          `${bandWidth(post.f_var.filter(keep)).toFixed(4)})`,
      );
      assertClose(bw.fast, bw.exact, { rtol: 1e-2, what: `${where} band width` });
    }
  }
}

Deno.test("BBMM prediction on the WASM device matches GPyTorch's float64 posterior on the N = 1000 fixture", async () => {
  await checkFixture("wasm", 1);
});

Deno.test({
  name: `BBMM prediction on WebGPU matches GPyTorch's float64 posterior on the N = 1000 fixture${
    noAdapter ? " (SKIPPED: no WebGPU adapter)" : full ? "" : " (SKIPPED: set GPTS_WEBGPU_FULL=1)"
  }`,
  ignore: noAdapter || !full,
  fn: async () => {
    await checkFixture("webgpu", 10);
  },
});

Deno.test("ExactGP engine options: prediction uses them, the MLL inherits them and overrides them key by key", async () => {
  const n = 200;
  const x = teacher.x.slice(0, n), y = teacher.y.slice(0, n);
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const s = makeStudent({ x, y, n });
  const model = s.model;
  assert.deepEqual(model.engine, {});
  model.engine = { solver: "cg", device: "wasm" };
  const mll = new gp.mlls.ExactMarginalLogLikelihood(s.likelihood, model);
  await mll.call(model.call(x), y);
  assert.equal(mll.lastResult!.solver, "cg");
  const over = new gp.mlls.ExactMarginalLogLikelihood(s.likelihood, model, { solver: "cholesky" });
  await over.call(model.call(x), y);
  assert.equal(over.lastResult!.solver, "cholesky");
  model.eval();
  const solveCg = await model.predictionSolve();
  assert.equal(solveCg.solver, "cg");
  assert.equal(solveCg.device, "WASM (float64)");
  const meanCg = await model.call([0.25, 0.5]).mean();
  model.engine = { solver: "cholesky" };
  const solveChol = await model.predictionSolve();
  assert.equal(solveChol.solver, "cholesky");
  assertClose(meanCg, await model.call([0.25, 0.5]).mean(), { atol: 1e-6, what: "mean" });
  // The constructor takes them too.
  class M extends gp.models.ExactGP {
    meanModule = new gp.means.ZeroMean();
    covarModule = new gp.kernels.RBFKernel();
    forward(v: gp.Inputs) {
      return new gp.distributions.MultivariateNormal(
        this.meanModule.call(v),
        this.covarModule.call(v),
      );
    }
  }
  const m = new M(x, y, likelihood, { solver: "cg", device: "wasm" });
  m.eval();
  assert.equal((await m.predictionSolve()).solver, "cg");
  // The covariance on the CG path is the Cholesky one.
  const at = [0.1, 0.2, 0.3];
  const cCg = await m.call(at).lazyCovarianceMatrix.dense();
  m.engine = {};
  const cChol = await m.call(at).lazyCovarianceMatrix.dense();
  assertClose(cCg, cChol, { atol: 1e-8, what: "posterior covariance, CG vs Cholesky" });
});
