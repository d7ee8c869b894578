// The fused whitened variance term (src/autograd/whitened_variance.ts): values against the
// plain products, VJPs against central differences (gradcheck) and against the same
// function composed of generic primitives, at sizes below and across the core's blocks
// (the triangular multiply's recursion, the GEMM's), and the errors.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { whitenedVarianceTerm } from "../src/autograd/whitened_variance.ts";
import { lowerMask } from "../src/autograd/variational_primitives.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const gen = new gp.Generator(11);
const opts = { atol: 1e-7, rtol: 1e-6 };

function randn(shape: number[], requiresGrad = true): gp.autograd.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new ag.Tensor(gen.normals(size), shape, { requiresGrad });
}

/** colsum((tril(R)ᵀ A)²) − colsum(A²) from generic recorded primitives. */
function plain(r: gp.autograd.Tensor, a: gp.autograd.Tensor): gp.autograd.Tensor {
  const u = ag.matmul(r.mul(lowerMask(r.shape[0])), a, { transposeA: true });
  return u.mul(u).sum(0).sub(a.mul(a).sum(0));
}

Deno.test("whitenedVarianceTerm(R, A) equals colsum((RᵀA)²) − colsum(A²), R's upper triangle ignored", () => {
  for (const [m, b] of [[1, 1], [3, 5], [33, 7], [130, 97], [257, 300]]) {
    const r = randn([m, m], false), a = randn([m, b], false);
    const got = whitenedVarianceTerm(r, a);
    assert.deepStrictEqual(got.shape, [b]);
    assertClose(got.data, plain(r, a).data, { rtol: 1e-12, atol: 1e-12 * m, what: `${m} × ${b}` });
  }
});

Deno.test("whitenedVarianceTerm's VJP equals the composed primitives' and passes gradcheck", () => {
  for (const [m, b] of [[1, 1], [4, 3], [9, 17], [70, 40]]) {
    const w = randn([b], false);
    const r = randn([m, m]), a = randn([m, b]);
    const grads = (f: typeof plain) => {
      r.grad = null;
      a.grad = null;
      const v = f(r, a).mul(w).sum();
      v.backward();
      return [v.item(), ...r.grad!.data, ...a.grad!.data];
    };
    const fused = grads(whitenedVarianceTerm);
    // The upper triangle is ignored: its gradient is zero.
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) assert.ok(r.grad!.data[i * m + j] === 0, `(${i}, ${j})`);
    }
    assertClose(fused, grads(plain), { rtol: 1e-11, atol: 1e-11 * m, what: `${m} × ${b}` });
    if (m * b <= 60) {
      const f = (r: gp.autograd.Tensor, a: gp.autograd.Tensor) =>
        whitenedVarianceTerm(r, a).mul(w).sum();
      assert.ok(ag.gradcheck(f, [r, a], opts), `gradcheck ${m} × ${b}`);
      assert.ok(ag.gradcheck(f, [r, randn([m, b], false)], opts));
      assert.ok(ag.gradcheck(f, [randn([m, m], false), a], opts));
    }
  }
});

Deno.test("whitenedVarianceTerm() names the argument and the shape it needs", () => {
  assert.throws(
    () => whitenedVarianceTerm(ag.tensor([1, 2]), randn([2, 2], false)),
    (e: Error) =>
      e instanceof TypeError && /whitenedVarianceTerm: root/.test(e.message) &&
      /\[2\]/.test(e.message),
  );
  assert.throws(
    () => whitenedVarianceTerm(randn([2, 2], false), randn([3, 4], false)),
    (e: Error) => e instanceof TypeError && /root must be \[3, 3\]/.test(e.message),
  );
});
