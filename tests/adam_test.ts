import assert from "node:assert/strict";
import * as gp from "../mod.ts";

Deno.test("Adam.step() follows PyTorch's formula with bias correction", () => {
  const p = new gp.Parameter([1, -2]);
  const opt = new gp.optim.Adam([p], { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8 });
  const grads = [[0.5, -1], [0.2, 3], [-0.7, 0.1]];
  // Reference written out from torch.optim.Adam's documentation.
  const theta = [1, -2], m = [0, 0], v = [0, 0];
  for (const [t, g] of grads.entries()) {
    p.grad = Float64Array.from(g);
    opt.step();
    for (let i = 0; i < 2; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const mHat = m[i] / (1 - 0.9 ** (t + 1));
      const vHat = v[i] / (1 - 0.999 ** (t + 1));
      theta[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
    }
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(p.rawValues[i] - theta[i]) < 1e-12);
  }
});

Deno.test("Adam steps a parameter listed twice only once", () => {
  const a = new gp.Parameter(0), b = new gp.Parameter(0);
  const opt = new gp.optim.Adam([a, b, a], { lr: 0.1 });
  assert.equal(opt.params.length, 2);
  a.grad = new Float64Array([1]);
  b.grad = new Float64Array([1]);
  opt.step();
  assert.ok(Math.abs(a.raw - b.raw) < 1e-15);
  assert.ok(Math.abs(a.raw + 0.1) < 1e-6);
});

Deno.test("Adam skips frozen parameters and parameters without a gradient", () => {
  const a = new gp.Parameter(1),
    b = new gp.Parameter(1).requiresGrad_(false),
    c = new gp.Parameter(1);
  const opt = new gp.optim.Adam([a, b, c], { lr: 0.1 });
  a.grad = new Float64Array([1]);
  b.grad = new Float64Array([1]);
  opt.step();
  assert.notEqual(a.raw, 1);
  assert.equal(b.raw, 1);
  assert.equal(c.raw, 1);
  opt.zeroGrad();
  assert.equal(a.grad, null);
});

Deno.test("Adam with no trainable parameter is a RangeError that says how to fix it", () => {
  assert.throws(
    () => new gp.optim.Adam([new gp.Parameter(0).requiresGrad_(false)]),
    (e: unknown) => e instanceof RangeError && /requiresGrad_\(true\)/.test(e.message),
  );
  assert.throws(() => new gp.optim.Adam([]), RangeError);
  assert.throws(() => new gp.optim.Adam([1 as never]), TypeError);
  assert.throws(() => new gp.optim.Adam([new gp.Parameter(0)], { lr: -1 }), RangeError);
});

Deno.test("a failed Adam step leaves every parameter and the optimizer state as they were", () => {
  const a = new gp.Parameter(1), b = new gp.Parameter(2);
  const opt = new gp.optim.Adam([a, b], { lr: 0.1 });
  a.grad = new Float64Array([1]);
  b.grad = new Float64Array([1]);
  opt.step();
  const after1 = [a.raw, b.raw];
  a.grad = new Float64Array([1]);
  b.grad = new Float64Array([NaN]);
  assert.throws(() => opt.step(), (e: unknown) => e instanceof RangeError && /NaN/.test(e.message));
  assert.deepEqual([a.raw, b.raw], after1);
  // The next good step is the same as if the failed one never happened.
  const twin = [new gp.Parameter(1), new gp.Parameter(2)];
  const opt2 = new gp.optim.Adam(twin, { lr: 0.1 });
  for (const grads of [[1, 1], [1, 0.5]]) {
    twin.forEach((p, i) => (p.grad = new Float64Array([grads[i]])));
    opt2.step();
  }
  a.grad = new Float64Array([1]);
  b.grad = new Float64Array([0.5]);
  opt.step();
  assert.deepEqual([a.raw, b.raw], twin.map((p) => p.raw));
});
