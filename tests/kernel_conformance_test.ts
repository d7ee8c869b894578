// The kernel conformance suite: every row of tests/_kernel_cases.ts must pass every
// check on the WASM device (symmetry, PSD, diag = diagonal, closed-form values, ARD /
// activeDims through the explicit references, gradients against central differences
// directly and through the exact MLL), plus composition identities.
import * as assert from "node:assert";
import * as gp from "../mod.ts";
import * as core from "../src/wasm/core.ts";
import { assertClose } from "./_assert.ts";
import { toInputs as toInputsRaw } from "../src/tensor.ts";
const toInputs = (x: number[][]) => toInputsRaw(x, "x");
import { type KernelCase, kernelCases } from "./_kernel_cases.ts";

export { kernelCases };

function points(n: number, d: number, seed: number): number[][] {
  const g = new gp.Generator(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 2 * g.uniform()));
}

async function dense(k: gp.kernels.Kernel, x: number[][]): Promise<Float64Array> {
  return await k.call(x).dense();
}

for (const c of kernelCases) {
  Deno.test(`${c.name}: matrix equals the closed form, is symmetric, and diag equals its diagonal`, async () => {
    const k = c.make();
    const x = points(37, c.d, 1);
    const n = x.length;
    const m = await dense(k, x);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        assert.equal(m[i * n + j], m[j * n + i], `symmetry (${i}, ${j})`);
        const want = c.reference(x[i], x[j]);
        assertClose(m[i * n + j], want, { rtol: 1e-13, atol: 1e-14, what: `k(x${i}, x${j})` });
      }
    }
    const diag = await k.call(x).diagonal();
    for (let i = 0; i < n; i++) assert.equal(diag[i], m[i * n + i], `diag[${i}]`);
    // cross-covariance against the reference too (x1 ≠ x2)
    const z = points(5, c.d, 2);
    const cross = core.kernelMatrix(k.plan(c.d), toInputs(x), toInputs(z));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < z.length; j++) {
        assertClose(cross[i * z.length + j], c.reference(x[i], z[j]), {
          rtol: 1e-13,
          atol: 1e-14,
          what: `k(x${i}, z${j})`,
        });
      }
    }
  });

  Deno.test(`${c.name}: positive semi-definite on random inputs`, async () => {
    if (c.notPsd) return;
    for (const seed of [3, 4, 5]) {
      const x = points(60, c.d, seed);
      const n = x.length;
      const m = await dense(c.make(), x);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += m[i * n + i] / n;
      for (let i = 0; i < n; i++) m[i * n + i] += 1e-8 * mean;
      using buf = core.F64Buffer.from(m);
      assert.equal(core.cholesky(buf, n), 0, `Cholesky of K + 1e-8·mean(diag)·I (seed ${seed})`);
    }
  });

  Deno.test(`${c.name}: kernelGradContract equals central differences of Σ G∘K`, () => {
    const k = c.make();
    const x = toInputs(points(25, c.d, 6));
    const n = x.n;
    const g = new gp.Generator(7);
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) G[i * n + j] = G[j * n + i] = g.normal();
    }
    const plan = k.plan(c.d);
    const grad = core.kernelGradContract(plan, x, G);
    const f = (theta: Float64Array) => {
      const km = core.kernelMatrix({ ops: plan.ops, theta }, x, x);
      let s = 0;
      for (let i = 0; i < km.length; i++) s += km[i] * G[i];
      return s;
    };
    for (let p = 0; p < plan.theta.length; p++) {
      const h = 1e-6 * plan.theta[p];
      const tp = plan.theta.slice(), tm = plan.theta.slice();
      tp[p] += h;
      tm[p] -= h;
      const fd = (f(tp) - f(tm)) / (2 * h);
      assertClose(grad[p], fd, { rtol: 1e-6, atol: 1e-6, what: `d/dθ${p}` });
    }
  });

  Deno.test(`${c.name}: exact MLL gradients equal central differences for every raw parameter`, async () => {
    const x = points(30, c.d, 8);
    const g = new gp.Generator(9);
    const y = x.map((r) => Math.sin(3 * r[0]) + 0.1 * g.normal());
    const likelihood = new gp.likelihoods.GaussianLikelihood().initialize({ noise: 0.05 });
    const covar = c.make();
    class Model extends gp.models.ExactGP {
      meanModule = new gp.means.ConstantMean();
      covarModule = covar;
      forward(z: gp.Inputs) {
        return new gp.distributions.MultivariateNormal(
          this.meanModule.call(z),
          this.covarModule.call(z),
        );
      }
    }
    const model = new Model(x, y, likelihood);
    const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
    const loss = async () => (await mll.call(model.call(x), y)).neg();
    const l0 = await loss();
    l0.backward();
    for (const [name, p] of model.namedParameters()) {
      for (let i = 0; i < p.size; i++) {
        const raw = p.rawValues;
        const h = 1e-5;
        raw[i] += h;
        p.setRaw(raw);
        const up = (await loss()).value;
        raw[i] -= 2 * h;
        p.setRaw(raw);
        const down = (await loss()).value;
        raw[i] += h;
        p.setRaw(raw);
        assertClose(p.grad![i], (up - down) / (2 * h), {
          rtol: 1e-5,
          atol: 1e-7,
          what: `${name}[${i}]`,
        });
      }
    }
  });
}

function assertSameMatrix(a: Float64Array, b: Float64Array, what: string, rtol = 1e-14) {
  assertClose(a, b, { rtol, atol: 1e-15, what });
}

Deno.test("composition identities: k + k = 2k, scale of a product, flattening, k·k = k²", async () => {
  const x = points(20, 2, 10);
  const base = () => new gp.kernels.MaternKernel({ nu: 1.5 }).initialize({ lengthscale: 0.7 });
  const k = base();
  const sum = await dense(k.add(k), x);
  const twice = await dense(new gp.kernels.ScaleKernel(k).initialize({ outputscale: 2 }), x);
  assertSameMatrix(sum, twice, "k + k vs 2k");

  const k1 = base(), k2 = new gp.kernels.PeriodicKernel().initialize({ periodLength: 0.9 });
  const a = await dense(new gp.kernels.ScaleKernel(k1.mul(k2)).initialize({ outputscale: 3 }), x);
  const b = await dense(new gp.kernels.ScaleKernel(k1).initialize({ outputscale: 3 }).mul(k2), x);
  assertSameMatrix(a, b, "s·(k1·k2) vs (s·k1)·k2");

  const flat = k1.add(k2).add(k1.add(k2));
  assert.ok(flat instanceof gp.kernels.AdditiveKernel);
  assert.equal(flat.kernels.length, 4);
  const prod = k1.mul(k2).mul(k1);
  assert.ok(prod instanceof gp.kernels.ProductKernel);
  assert.equal(prod.kernels.length, 3);
  assert.equal(prod.plan(2).structureKey.split(",").filter((v) => v === "4").length >= 2, true);

  const sq = await dense(k1.mul(k1), x);
  const single = await dense(k1, x);
  assertSameMatrix(sq, single.map((v) => v * v), "k·k vs k²");

  const add3 = await dense(new gp.kernels.AdditiveKernel(k1, k2, k1), x);
  const s1 = await dense(k2, x);
  assertSameMatrix(add3, single.map((v, i) => 2 * v + s1[i]), "k1 + k2 + k1");
});

Deno.test("kernels evaluate at hand-computed points", async () => {
  const at = async (k: gp.kernels.Kernel, x: number[]) => (await k.call(x).dense())[1];
  const close = (a: number, b: number, what: string) => assertClose(a, b, { rtol: 1e-14, what });
  close(
    await at(new gp.kernels.MaternKernel({ nu: 0.5 }).initialize({ lengthscale: 2 }), [0, 1]),
    Math.exp(-0.5),
    "matern12",
  );
  close(
    await at(new gp.kernels.MaternKernel({ nu: 1.5 }).initialize({ lengthscale: 1 }), [0, 1]),
    (1 + Math.sqrt(3)) * Math.exp(-Math.sqrt(3)),
    "matern32",
  );
  close(
    await at(new gp.kernels.MaternKernel({ nu: 2.5 }).initialize({ lengthscale: 1 }), [0, 1]),
    (1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)),
    "matern52",
  );
  // periodic: quarter period, lengthscale 2 (not squared): exp(−2 · sin²(π/4) / 2) = exp(−½)
  close(
    await at(new gp.kernels.PeriodicKernel().initialize({ lengthscale: 2, periodLength: 4 }), [
      0,
      1,
    ]),
    Math.exp(-0.5),
    "periodic",
  );
  close(
    await at(new gp.kernels.RQKernel().initialize({ lengthscale: 1, alpha: 1 }), [0, 2]),
    1 / 3,
    "rq",
  );
  close(await at(new gp.kernels.LinearKernel().initialize({ variance: 3 }), [2, 5]), 30, "linear");
  close(
    await at(new gp.kernels.PolynomialKernel({ power: 2 }).initialize({ offset: 1 }), [2, 3]),
    49,
    "poly",
  );
  close(
    await at(new gp.kernels.CosineKernel().initialize({ periodLength: 3 }), [0, 1]),
    0.5,
    "cosine",
  );
});

Deno.test("the conformance table is exported for other devices", () => {
  const names = new Set(kernelCases.map((c: KernelCase) => c.name));
  assert.equal(names.size, kernelCases.length);
  for (
    const kind of ["RBF", "Matern", "RQ", "Periodic", "Linear", "Polynomial", "Cosine", "Spectral"]
  ) {
    assert.ok([...names].some((n) => n.includes(kind)), kind);
  }
});
