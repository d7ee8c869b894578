// The fused quadratic forms of the whitened predictive (src/autograd/quadratic_forms.ts):
// values against the plain products, VJPs against central differences (gradcheck), at
// sizes below and across the core's GEMM blocks, and the errors.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { columnQuadraticForms, gram } from "../src/autograd/quadratic_forms.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const gen = new gp.Generator(11);
const opts = { atol: 1e-7, rtol: 1e-6 };

function randn(shape: number[], requiresGrad = true): gp.autograd.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new ag.Tensor(gen.normals(size), shape, { requiresGrad });
}

/** A fixed weighting of an output, so that a matrix output is checked entry by entry. */
function weights(shape: number[]): gp.autograd.Tensor {
  return randn(shape, false);
}

Deno.test("gram(R) equals R Rᵀ, exactly symmetric, for square and wide R across the GEMM blocks", () => {
  for (const [n, k] of [[1, 1], [3, 3], [5, 2], [70, 130], [300, 257]]) {
    const r = randn([n, k], false);
    const got = gram(r);
    assert.deepStrictEqual(got.shape, [n, n]);
    const want = ag.matmul(r, r, { transposeB: true });
    assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 * k, what: `gram ${n} × ${k}` });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) assert.strictEqual(got.data[j * n + i], got.data[i * n + j]);
    }
  }
});

function lowerTriangular(n: number): gp.autograd.Tensor {
  const d = gen.normals(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = 0;
  return new ag.Tensor(d, [n, n], { requiresGrad: true });
}

Deno.test("gram(R)'s VJP on a lower-triangular R (the triangular product) equals the general one", () => {
  for (const n of [1, 5, 40, 130]) {
    const r = lowerTriangular(n), w = weights([n, n]);
    gram(r).mul(w).sum().backward();
    const triangular = r.grad!.data.slice();
    const dense = ag.tensor(r.data.slice(), { shape: [n, n], requiresGrad: true });
    dense.data[n - 1] = n > 1 ? 1e-300 : dense.data[n - 1]; // a nonzero above: the GEMM path
    gram(dense).mul(w).sum().backward();
    assertClose(triangular, dense.grad!.data, { rtol: 1e-12, atol: 1e-12 * n, what: `n = ${n}` });
  }
  const w6 = weights([6, 6]);
  assert.ok(ag.gradcheck((r) => gram(r).mul(w6).sum(), [lowerTriangular(6)], opts));
});

Deno.test("gradcheck() passes gram(R), square and rectangular", () => {
  for (const [n, k] of [[1, 1], [4, 4], [5, 3], [9, 17]]) {
    const w = weights([n, n]);
    assert.ok(ag.gradcheck((r) => gram(r).mul(w).sum(), [randn([n, k])], opts), `${n} × ${k}`);
  }
});

Deno.test("columnQuadraticForms(A, C) equals diag(Aᵀ C A) for a C that is not symmetric", () => {
  for (const [n, m] of [[1, 1], [3, 5], [40, 7], [257, 130]]) {
    const a = randn([n, m], false), c = randn([n, n], false);
    const got = columnQuadraticForms(a, c);
    assert.deepStrictEqual(got.shape, [m]);
    const full = ag.matmul(a, ag.matmul(c, a), { transposeA: true });
    const want = Array.from({ length: m }, (_, j) => full.data[j * m + j]);
    const scale = Math.max(...want.map(Math.abs));
    got.data.forEach((v, j) =>
      assert.ok(
        Math.abs(v - want[j]) <= 1e-12 * scale,
        `${n} × ${m}, column ${j}: ${v} vs ${want[j]}`,
      )
    );
  }
});

Deno.test("gradcheck() passes columnQuadraticForms(A, C) in A and in C, with either alone requiring grad", () => {
  for (const [n, m] of [[1, 1], [3, 4], [6, 2], [12, 9]]) {
    const w = weights([m]);
    const f = (a: gp.autograd.Tensor, c: gp.autograd.Tensor) =>
      columnQuadraticForms(a, c).mul(w).sum();
    assert.ok(ag.gradcheck(f, [randn([n, m]), randn([n, n])], opts), `${n} × ${m}`);
    assert.ok(ag.gradcheck(f, [randn([n, m]), randn([n, n], false)], opts));
    assert.ok(ag.gradcheck(f, [randn([n, m], false), randn([n, n])], opts));
  }
});

Deno.test("the whitened variance as column forms matches colsum((RᵀA)²) − colsum(A²), gradients included", () => {
  const n = 20, b = 9;
  const root = ag.tensor(
    Array.from(gen.normals(n * n)).map((v, i) => (i % n <= Math.floor(i / n) ? v : 0)),
    { shape: [n, n], requiresGrad: true },
  );
  const a = randn([n, b]);
  const eye = ag.tensor(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), {
    shape: [n, n],
  });
  const w = weights([b]);
  const fused = (r: gp.autograd.Tensor, a: gp.autograd.Tensor) =>
    columnQuadraticForms(a, gram(r).sub(eye)).mul(w).sum();
  const plain = (r: gp.autograd.Tensor, a: gp.autograd.Tensor) => {
    const u = ag.matmul(r, a, { transposeA: true });
    return u.mul(u).sum(0).sub(a.mul(a).sum(0)).mul(w).sum();
  };
  const grads = (f: typeof fused) => {
    root.grad = null;
    a.grad = null;
    const v = f(root, a);
    v.backward();
    return [v.item(), ...root.grad!.data, ...a.grad!.data];
  };
  assertClose(grads(fused), grads(plain), { rtol: 1e-10, atol: 1e-11, what: "fused vs plain" });
  assert.ok(ag.gradcheck(fused, [root, a], opts));
});

Deno.test("gram() and columnQuadraticForms() name the argument and the shape they need", () => {
  assert.throws(
    () => gram(ag.tensor([1, 2])),
    (e: Error) => e instanceof TypeError && /gram: r/.test(e.message) && /\[2\]/.test(e.message),
  );
  assert.throws(
    () => columnQuadraticForms(randn([3, 2], false), randn([2, 2], false)),
    (e: Error) =>
      e instanceof TypeError && /columnQuadraticForms/.test(e.message) &&
      /\[3, 3\]/.test(e.message),
  );
  assert.throws(
    () => columnQuadraticForms(randn([3, 2], false), randn([3, 4], false)),
    (e: Error) => e instanceof TypeError && /c must be \[3, 3\]/.test(e.message),
  );
});
