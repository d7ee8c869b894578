// Every autograd primitive against central differences (gradcheck), over several shapes,
// and the engine's bookkeeping (accumulation, retainGraph, noGrad).
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
const gen = new gp.Generator(7);

function randn(shape: number[], requiresGrad = true, scale = 1, shift = 0): gp.autograd.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const d = gen.normals(size).map((v) => shift + scale * v);
  return new ag.Tensor(d, shape, { requiresGrad });
}

function spd(n: number, batch?: number): gp.autograd.Tensor {
  const one = () => {
    const a = gen.normals(n * n);
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
        m[i * n + j] = s;
      }
    }
    return m;
  };
  if (batch === undefined) return new ag.Tensor(one(), [n, n], { requiresGrad: true });
  const d = new Float64Array(batch * n * n);
  for (let t = 0; t < batch; t++) d.set(one(), t * n * n);
  return new ag.Tensor(d, [batch, n, n], { requiresGrad: true });
}

function lowerTri(n: number, batch?: number): gp.autograd.Tensor {
  const l = ag.cholesky(spd(n, batch)).detach();
  return new ag.Tensor(l.data.slice(), l.shape, { requiresGrad: true });
}

const opts = { atol: 1e-7, rtol: 1e-6 };

Deno.test("gradcheck() passes element-wise arithmetic with broadcasting of scalars, rows and columns", () => {
  const pairs: [number[], number[]][] = [
    [[3], [3]],
    [[2, 3], [2, 3]],
    [[2, 3], []],
    [[2, 3], [1, 3]],
    [[2, 3], [2, 1]],
    [[4, 1], [1, 3]],
    [[2, 2, 3], [3]],
  ];
  for (const [sa, sb] of pairs) {
    const a = randn(sa, true, 0.5, 1.5), b = randn(sb, true, 0.5, 1.5);
    for (const f of ["add", "sub", "mul", "div", "pow"] as const) {
      assert.ok(ag.gradcheck((x, y) => x[f](y), [a, b], opts), `${f} ${sa} ${sb}`);
    }
  }
  const x = randn([2, 3]);
  assert.ok(ag.gradcheck((x) => x.neg().mul(2).add(1).div(3), [x], opts));
});

Deno.test("gradcheck() passes exp, log, log1p, expm1, sqrt, square, softplus, sigmoid and the normal functions", () => {
  for (const shape of [[5], [2, 3], [2, 2, 2]]) {
    const x = randn(shape);
    const pos = randn(shape, true, 0.3, 2);
    for (
      const f of [
        ag.exp,
        ag.expm1,
        ag.square,
        ag.softplus,
        ag.sigmoid,
        ag.normalPdf,
        ag.normalCdf,
        ag.logNormalCdf,
      ]
    ) {
      assert.ok(ag.gradcheck(f, [x], opts), `${f.name} ${shape}`);
    }
    for (const f of [ag.log, ag.log1p, ag.sqrt]) assert.ok(ag.gradcheck(f, [pos], opts), f.name);
  }
  // The tails of log Φ and softplus's threshold.
  const tails = new ag.Tensor(new Float64Array([-40, -12, -3, 3, 12, 25]), [6], {
    requiresGrad: true,
  });
  assert.ok(ag.gradcheck(ag.logNormalCdf, [tails], { atol: 1e-6, rtol: 1e-7 }));
  assert.ok(ag.gradcheck(ag.softplus, [tails], opts));
  assertClose(ag.logNormalCdf(ag.tensor([-40])).item(), -804.6084420137539, { rtol: 1e-12 });
});

Deno.test("gradcheck() passes every constraint transform as a recorded op", () => {
  const raw = randn([4], true, 2);
  const c = gp.constraints;
  for (
    const k of [new c.Positive(), new c.GreaterThan(1e-4), new c.LessThan(2), new c.Interval(-1, 3)]
  ) {
    assert.ok(ag.gradcheck((r) => ag.constrain(r, k), [raw], opts), String(k));
    const v = ag.constrain(raw, k);
    assert.deepStrictEqual(Array.from(v.data), Array.from(raw.data, (r) => k.transform(r)));
  }
});

Deno.test("gradcheck() passes sum and mean over every axis and in all", () => {
  const x = randn([2, 3, 4]);
  for (const f of ["sum", "mean"] as const) {
    assert.ok(ag.gradcheck((x) => x[f](), [x], opts));
    for (const axis of [0, 1, 2, -1]) {
      assert.ok(ag.gradcheck((x) => x[f](axis), [x], opts));
      assert.ok(ag.gradcheck((x) => x[f](axis, { keepdim: true }), [x], opts));
    }
  }
  assert.deepStrictEqual(x.sum(1).shape, [2, 4]);
  assert.deepStrictEqual(x.mean(-1, { keepdim: true }).shape, [2, 3, 1]);
  assertClose(x.mean().item(), x.sum().item() / 24, { rtol: 1e-15 });
});

Deno.test("gradcheck() passes matmul with either operand transposed, batched, small and GEMM-sized", () => {
  for (const [m, k, n] of [[2, 3, 4], [1, 5, 1], [40, 33, 30]]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        // GEMM-sized: one operand checked at a time (keeps the differences cheap).
        const big = m * k * n > 10000;
        const a = randn(ta ? [k, m] : [m, k], !big || ta),
          b = randn(tb ? [n, k] : [k, n], !big || !ta);
        const fn = (a: gp.autograd.Tensor, b: gp.autograd.Tensor) =>
          ag.matmul(a, b, { transposeA: ta, transposeB: tb });
        const o = m * k * n > 10000 ? { ...opts, output: "random" as const, seeds: 1 } : opts;
        if (m * k * n > 10000) {
          // GEMM-sized: check the value against the plain product, and the gradient.
          const c = fn(a, b);
          assert.deepStrictEqual(c.shape, [m, n]);
        }
        assert.ok(ag.gradcheck(fn, [a, b], o), `${m}×${k}×${n} ${ta} ${tb}`);
      }
    }
  }
  const batch = randn([3, 2, 4]), mat = randn([4, 5]), vec = randn([4]);
  assert.ok(ag.gradcheck((a, b) => ag.matmul(a, b), [batch, mat], opts));
  assert.ok(ag.gradcheck((a, b) => ag.matmul(a, b), [batch, randn([3, 4, 2])], opts));
  assert.ok(ag.gradcheck((a, v) => ag.matmul(a, v), [randn([3, 4]), vec], opts));
  assert.deepStrictEqual(ag.matmul(randn([3, 4]), vec).shape, [3]);
});

Deno.test("matmul() on the core's GEMM equals the plain triple loop", () => {
  const a = randn([50, 40], false), b = randn([40, 30], false);
  const c = ag.matmul(a, b);
  for (const [i, j] of [[0, 0], [17, 29], [49, 3]]) {
    let s = 0;
    for (let p = 0; p < 40; p++) s += a.data[i * 40 + p] * b.data[p * 30 + j];
    assertClose(c.data[i * 30 + j], s, { rtol: 1e-13, atol: 1e-13 });
  }
});

Deno.test("gradcheck() passes transpose, diagonal and diagEmbed, batched too", () => {
  for (const shape of [[3, 4], [2, 3, 4]]) {
    assert.ok(ag.gradcheck(ag.transpose, [randn(shape)], opts));
  }
  for (const shape of [[3, 3], [2, 3, 3]]) {
    assert.ok(ag.gradcheck(ag.diagonal, [randn(shape)], opts));
  }
  for (const shape of [[4], [2, 3]]) assert.ok(ag.gradcheck(ag.diagEmbed, [randn(shape)], opts));
});

Deno.test("gradcheck() passes cholesky (symmetric gradient), batched, and through its jitter", () => {
  for (const n of [1, 3, 6]) assert.ok(ag.gradcheck(ag.cholesky, [spd(n)], opts), `n = ${n}`);
  assert.ok(ag.gradcheck(ag.cholesky, [spd(3, 2)], opts));
  const a = spd(4);
  const l = ag.cholesky(a);
  const back = ag.matmul(l, l, { transposeB: true });
  assertClose(back.data, a.data, { rtol: 1e-13, atol: 1e-13 });
  // A rank-deficient matrix factors with the ladder's jitter (a warning), as the engine does.
  const v = [1, 2, 3];
  const singular = ag.tensor(v.flatMap((x) => v.map((y) => x * y)), { shape: [3, 3] });
  const lj = ag.cholesky(singular);
  assert.ok(lj.data.every(Number.isFinite));
});

Deno.test("gradcheck() passes triangularSolve: left and right, upper and lower, transposed, batched", () => {
  for (const upper of [false, true]) {
    for (const left of [true, false]) {
      for (const transpose of [false, true]) {
        const l = lowerTri(4);
        const a = upper
          ? new ag.Tensor(ag.transpose(l).data.slice(), [4, 4], { requiresGrad: true })
          : l;
        const b = randn(left ? [4, 3] : [3, 4]);
        const f = (a: gp.autograd.Tensor, b: gp.autograd.Tensor) =>
          ag.triangularSolve(a, b, { upper, left, transpose });
        assert.ok(
          ag.gradcheck(f, [a, b], opts),
          `upper ${upper} left ${left} transpose ${transpose}`,
        );
        // It solves: op(A) X = B (or X op(A) = B).
        const x = f(a, b);
        const opA = transpose ? ag.transpose(a) : a;
        const back = left ? ag.matmul(opA, x) : ag.matmul(x, opA);
        assertClose(back.data, b.data, { rtol: 1e-12, atol: 1e-12 });
      }
    }
  }
  assert.ok(
    ag.gradcheck((a, b) => ag.triangularSolve(a, b), [lowerTri(3, 2), randn([2, 3, 2])], opts),
  );
});

Deno.test("gradcheck() passes choleskySolve and choleskyLogdet, batched", () => {
  assert.ok(ag.gradcheck((b, l) => ag.choleskySolve(b, l), [randn([4, 2]), lowerTri(4)], opts));
  assert.ok(
    ag.gradcheck((b, l) => ag.choleskySolve(b, l), [randn([2, 3, 2]), lowerTri(3, 2)], opts),
  );
  assert.ok(ag.gradcheck(ag.choleskyLogdet, [lowerTri(4)], opts));
  assert.ok(ag.gradcheck(ag.choleskyLogdet, [lowerTri(3, 2)], opts));
  // Through the factorization: d log|A| / dA = A⁻¹.
  assert.ok(ag.gradcheck((a) => ag.choleskyLogdet(ag.cholesky(a)), [spd(5)], opts));
  assert.ok(
    ag.gradcheck((a, b) => ag.choleskySolve(b, ag.cholesky(a)), [spd(4), randn([4, 3])], opts),
  );
});

Deno.test("gradcheck() passes spdSolve and invQuad (full and diagonal), which equal the Cholesky composition", () => {
  const a = spd(5), b = randn([5, 3]);
  assert.ok(ag.gradcheck((a, b) => ag.spdSolve(a, b), [a, b], opts));
  assert.ok(ag.gradcheck((a, b) => ag.invQuad(a, b), [a, b], opts));
  assert.ok(ag.gradcheck((a, b) => ag.invQuad(a, b, { diag: true }), [a, b], opts));
  const l = ag.cholesky(a);
  assertClose(ag.spdSolve(a, b).data, ag.choleskySolve(b, l).data, { rtol: 1e-12, atol: 1e-13 });
  const v = ag.triangularSolve(l, b);
  const quad = ag.matmul(v, v, { transposeA: true });
  assertClose(ag.invQuad(a, b).data, quad.data, { rtol: 1e-12, atol: 1e-13 });
  assertClose(ag.invQuad(a, b, { diag: true }).data, ag.diagonal(quad).data, { rtol: 1e-12 });
  // A factor given up front is used as is.
  const given = ag.spdSolve(a, b, { factor: l.data });
  assertClose(given.data, ag.spdSolve(a, b).data, { rtol: 1e-15, atol: 1e-15 });
});

Deno.test("backward() accumulates into leaves as PyTorch, over shared subexpressions", () => {
  const x = ag.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x).add(x); // x² + x, x used three times
  y.sum().backward();
  assert.deepStrictEqual(Array.from(x.grad!.data), [3, 5]);
  x.mul(3).sum().backward();
  assert.deepStrictEqual(Array.from(x.grad!.data), [6, 8]);
  const s = x.sum();
  s.backward(undefined, { retainGraph: true });
  s.backward();
  assert.deepStrictEqual(Array.from(x.grad!.data), [8, 10]);
  const h = x.mul(2).retainGrad();
  h.sum().backward();
  assert.deepStrictEqual(Array.from(h.grad!.data), [1, 1]);
  const seeded = x.mul(x);
  x.grad = null;
  seeded.backward([1, 10]);
  assert.deepStrictEqual(Array.from(x.grad!.data), [2, 40]);
});

Deno.test("settings.noGrad() records nothing inside its scope", () => {
  const x = ag.tensor([1, 2], { requiresGrad: true });
  {
    using _ = gp.settings.noGrad();
    const y = x.mul(2);
    assert.strictEqual(y.requiresGrad, false);
    assert.strictEqual(y.gradFn, null);
    {
      using _on = gp.settings.noGrad(false);
      assert.strictEqual(x.mul(2).requiresGrad, true);
    }
  }
  assert.strictEqual(x.mul(2).requiresGrad, true);
});
