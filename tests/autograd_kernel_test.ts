// The kernel matrix op: gradcheck with respect to θ and both inputs over every kernel
// of the conformance table (ARD with d = 3 and activeDims included), symmetric, cross
// and diagonal; and the raw parameters reached through Kernel.forward.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { kernelCases } from "./_kernel_cases.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const opts = { atol: 1e-7, rtol: 1e-6 };

function points(gen: gp.Generator, n: number, d: number): gp.autograd.Tensor {
  return new ag.Tensor(gen.normals(n * d).map((v) => 0.6 * v), [n, d], { requiresGrad: true });
}

for (const c of kernelCases) {
  Deno.test(`kernelMatrix() passes gradcheck in θ, x1 and x2: ${c.name}`, () => {
    const gen = new gp.Generator(3);
    const plan = c.make().plan(c.d);
    const theta = new ag.Tensor(plan.theta.slice(), [plan.theta.length], { requiresGrad: true });
    const x1 = points(gen, 4, c.d), x2 = points(gen, 3, c.d);
    const k = ag.kernelMatrix(plan, theta, x1, x2);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        const a = Array.from(x1.data.subarray(i * c.d, (i + 1) * c.d));
        const b = Array.from(x2.data.subarray(j * c.d, (j + 1) * c.d));
        assertClose(k.data[i * 3 + j], c.reference(a, b), { rtol: 1e-12, atol: 1e-14 });
      }
    }
    assert.ok(ag.gradcheck((t, a, b) => ag.kernelMatrix(plan, t, a, b), [theta, x1, x2], opts));
    assert.ok(ag.gradcheck((t, a) => ag.kernelMatrix(plan, t, a), [theta, x1], opts));
    assert.ok(ag.gradcheck((t, a) => ag.kernelDiagonal(plan, t, a), [theta, x1], opts));
  });
}

Deno.test("Kernel.forward() reaches the raw parameters (ARD over 3 dims, scaled) as finite differences", () => {
  const kernel = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 3 }))
    .initialize({ outputscale: 1.3, "baseKernel.lengthscale": [0.5, 1.2, 0.8] });
  const gen = new gp.Generator(5);
  const x = points(gen, 5, 3);
  const w = gen.normals(25);
  const objective = () => {
    const k = kernel.forward(x);
    return k.mul(new ag.Tensor(w, [5, 5])).sum();
  };
  objective().backward();
  for (const p of kernel.parameters()) {
    const raw = p.rawValues;
    for (let e = 0; e < raw.length; e++) {
      const h = 1e-6;
      const at = (v: number) => {
        const r = raw.slice();
        r[e] = v;
        p.setRaw(r);
        using _ = gp.settings.noGrad();
        return objective().item();
      };
      const fd = (at(raw[e] + h) - at(raw[e] - h)) / (2 * h);
      p.setRaw(raw);
      assertClose(p.grad![e], fd, { rtol: 1e-6, atol: 1e-9, what: `raw[${e}]` });
    }
  }
  assert.ok(x.grad !== null && x.grad.data.some((v) => v !== 0));
});

Deno.test("Kernel.forward() with { diag: true } equals the matrix's diagonal", () => {
  const kernel = new gp.kernels.MaternKernel({ nu: 2.5, ardNumDims: 2 });
  const x = points(new gp.Generator(1), 4, 2);
  const full = kernel.forward(x), diag = kernel.forward(x, undefined, { diag: true });
  assertClose(diag.data, ag.diagonal(full).data, { rtol: 1e-14 });
});
