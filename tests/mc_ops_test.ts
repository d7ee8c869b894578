// The recorded operations of the Monte-Carlo acquisitions (src/bo/mc_ops.ts): values against
// closed forms, gradients by gradcheck, BoTorch's jitter rule for the joint factor.
import assert from "node:assert";
import * as gp from "../mod.ts";
import {
  absolute,
  amaxLast,
  clampMin,
  concatFirst,
  fatmaxLast,
  logFatplus,
  logMeanExpFirst,
  mvnSamples,
  psdSafeCholesky,
  selectFirst,
  sliceLast,
  stack,
} from "../src/bo/mc_ops.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const opts = { atol: 1e-7, rtol: 1e-6 };

function leaf(values: number[], shape: number[]): gp.autograd.Tensor {
  return new ag.Tensor(Float64Array.from(values), shape, { requiresGrad: true });
}

Deno.test("selectFirst/stack/concatFirst/sliceLast pass gradcheck, when they move entries around", () => {
  const x = leaf([0.3, -1.2, 0.7, 2.1, -0.4, 0.9], [3, 2]);
  const y = leaf([1.5, -0.5], [1, 2]);
  const w = ag.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
  assert.ok(ag.gradcheck((x) => selectFirst(x, 1).mul(selectFirst(x, 2)).sum(), [x], opts));
  assert.ok(ag.gradcheck((x, y) => ag.square(stack([x, x.mul(y)])).sum(), [x, y], opts));
  assert.ok(ag.gradcheck((x, y) => concatFirst(y, x).mul(w).sum(), [x, y], opts));
  assert.ok(ag.gradcheck((x) => ag.exp(sliceLast(x, 1, 2)).sum(), [x], opts));
  assert.deepStrictEqual(Array.from(concatFirst(y, x).data.slice(0, 4)), [1.5, -0.5, 0.3, -1.2]);
});

Deno.test("amaxLast/clampMin/absolute pass gradcheck away from their kinks, and give their values", () => {
  const x = leaf([0.3, -1.2, 0.7, 2.1, -0.4, 0.9], [2, 3]);
  assert.deepStrictEqual(Array.from(amaxLast(x).data), [0.7, 2.1]);
  assert.deepStrictEqual(Array.from(clampMin(x, 0.5).data), [0.5, 0.5, 0.7, 2.1, 0.5, 0.9]);
  assert.ok(ag.gradcheck((x) => amaxLast(x.mul(x)).sum(), [x], opts));
  assert.ok(ag.gradcheck((x) => ag.square(clampMin(x, 0.5)).sum(), [x], opts));
  assert.ok(ag.gradcheck((x) => absolute(x).mul(x).sum(), [x], opts));
});

Deno.test("logFatplus() equals log(τ(softplus(x/τ) + 0.1/(1 + (x/τ)²))) and passes gradcheck, in both tails", () => {
  for (const tau of [1, 1e-2, 1e-6]) {
    for (const x of [-3, -1e-6, 0, 2e-6, 0.5, 4]) {
      const u = x / tau;
      const softplus = u > 30 ? u + Math.exp(-u) : Math.log1p(Math.exp(u));
      const expect = Math.log(tau * (softplus + 0.1 / (1 + u * u)));
      assertClose(logFatplus(ag.tensor([x]), tau).item(), expect, {
        rtol: 1e-14,
        atol: 1e-15,
        what: `log_fatplus(${x}, ${tau})`,
      });
    }
  }
  // Far below 0 the Cauchy tail keeps it finite: log(0.1 τ³ / x²) when x/τ → −∞.
  assertClose(logFatplus(ag.tensor([-1]), 1e-6).item(), Math.log(0.1 * 1e-18 / (1 + 1e-12)), {
    rtol: 1e-12,
  });
  const x = leaf([-3, -0.2, 0.01, 0.5, 4], [5]);
  for (const tau of [1, 0.1]) assert.ok(ag.gradcheck((x) => logFatplus(x, tau).sum(), [x], opts));
  const tiny = leaf([-3e-6, 1e-7, 4e-6], [3]);
  assert.ok(
    ag.gradcheck((x) => logFatplus(x, 1e-6).sum(), [tiny], { eps: 1e-12, atol: 1e-3, rtol: 1e-5 }),
  );
});

Deno.test("fatmaxLast() is BoTorch's fatmax: M + τ log Σ p((M − x)/τ), within τ·log k of the max, gradcheck", () => {
  const values = [0.2, 1.0, 0.97];
  const tau = 0.05;
  const p = (z: number) => 2 / (2 + 2 * z + z * z);
  const expect = 1.0 + tau * Math.log(values.reduce((s, v) => s + p((1.0 - v) / tau), 0));
  assertClose(fatmaxLast(ag.tensor([values]), tau).item(), expect, { rtol: 1e-15 });
  // alpha = 4: p(z) = (8 / (8 + 4z + z²))².
  const p4 = (z: number) => (8 / (8 + 4 * z + z * z)) ** 2;
  const expect4 = 1.0 + tau * Math.log(values.reduce((s, v) => s + p4((1.0 - v) / tau), 0));
  assertClose(fatmaxLast(ag.tensor([values]), tau, 4).item(), expect4, { rtol: 1e-15 });
  const y = fatmaxLast(ag.tensor([[0, 1, 3]]), 1e-2).item();
  assert.ok(y >= 3 && y - 3 < 1e-2 * Math.log(3));
  const x = leaf([0.3, -1.2, 0.7, 2.1, -0.4, 2.08], [2, 3]);
  for (const t of [1, 0.05]) {
    for (const alpha of [2, 3]) {
      assert.ok(ag.gradcheck((x) => fatmaxLast(x, t, alpha).sum(), [x], opts));
    }
  }
  // BoTorch's infinity rule: all −∞ gives −∞.
  assert.strictEqual(fatmaxLast(ag.tensor([[-Infinity, -Infinity]]), 1).item(), -Infinity);
});

Deno.test("logMeanExpFirst() is log mean exp over the samples, stable at −1000, and passes gradcheck", () => {
  const x = ag.tensor([[-1000, 1], [-1001, 2], [-1002, 3]]);
  const y = logMeanExpFirst(x).data;
  const lme = (v: number[]) => {
    const m = Math.max(...v);
    return m + Math.log(v.reduce((s, a) => s + Math.exp(a - m), 0) / v.length);
  };
  assertClose(y, [lme([-1000, -1001, -1002]), lme([1, 2, 3])], { rtol: 1e-15 });
  const z = leaf([0.3, -1.2, 0.7, 2.1, -0.4, 0.9], [3, 2]);
  assert.ok(ag.gradcheck((z) => logMeanExpFirst(z).sum(), [z], opts));
});

Deno.test("mvnSamples() gives μ + L z in the sample-first layout, and passes gradcheck in μ and L", () => {
  const mean = leaf([1, 2, -1, 0.5], [2, 2]);
  const l = leaf([1, 0, 0.5, 2, 0.3, 0, -0.2, 0.7], [2, 2, 2]);
  const z = Float64Array.from([0.1, -0.3, 1.2, 0.4, -0.8, 0.9]); // n = 3, q = 2
  const s = mvnSamples(mean, l, z, 3);
  assert.deepStrictEqual(s.shape, [3, 2, 2]);
  // Sample 2, batch 1: (−1 + 0.3·(−0.8), 0.5 − 0.2·(−0.8) + 0.7·0.9).
  assertClose(Array.from(s.data.slice(10, 12)), [-1 + 0.3 * -0.8, 0.5 + 0.16 + 0.63], {
    rtol: 1e-15,
  });
  const w = ag.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), { shape: [3, 2, 2] });
  assert.ok(ag.gradcheck((m, l) => mvnSamples(m, l, z, 3).mul(w).sum(), [mean, l], opts));
});

Deno.test("psdSafeCholesky() adds GPyTorch's jitter 1e-8 only to the failing matrix, and throws past 1e-6", () => {
  const a = ag.tensor([[[4, 2], [2, 2]], [[1, 1], [1, 1]]]); // the second is singular
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (m: string) => warnings.push(String(m));
  let l: gp.autograd.Tensor;
  try {
    l = psdSafeCholesky(a);
  } finally {
    console.warn = original;
  }
  assert.deepStrictEqual(Array.from(l.data.slice(0, 4)), [2, 0, 1, 1]);
  const l2 = l.data.slice(4);
  // L Lᵀ = [[1 + 1e-8, 1], [1, 1 + 1e-8]].
  assertClose([l2[0] * l2[0], l2[2] * l2[0], l2[2] * l2[2] + l2[3] * l2[3]], [
    1 + 1e-8,
    1,
    1 + 1e-8,
  ], {
    rtol: 1e-15,
  });
  assert.ok(warnings.some((w) => /candidate set 1 .*jitter 1e-8/.test(w)), warnings.join("\n"));
  assert.throws(
    () => psdSafeCholesky(ag.tensor([[[1, 0], [0, -1e-3]]])),
    (e: Error) => e instanceof gp.NotPositiveDefiniteError && /candidate set 0/.test(e.message),
  );
  assert.throws(() => psdSafeCholesky(ag.tensor([[1, 0], [0, 1]])), TypeError);
  const c = leaf([2, 0.5, 0.3, 1.5], [1, 2, 2]);
  assert.ok(
    ag.gradcheck((c) => psdSafeCholesky(c).mul(ag.tensor([[[1, 0], [2, 3]]])).sum(), [c], opts),
  );
});
