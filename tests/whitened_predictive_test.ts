// The fused whitened predictive (src/autograd/whitened_predictive.ts): values and VJPs
// against the same function composed of generic recorded primitives, at sizes below and
// across the core's blocks (the triangular routines' recursion, the GEMM's), against
// central differences (gradcheck), and the errors.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { whitenedPredictive } from "../src/autograd/whitened_predictive.ts";
import { kernelMatrix } from "../src/autograd/kernel_ops.ts";
import { cholesky, triangularSolve } from "../src/autograd/linalg.ts";
import { eye, lowerMask } from "../src/autograd/variational_primitives.ts";
import { assertClose } from "./_assert.ts";

const ag = gp.autograd;
type T = gp.autograd.Tensor;
const gen = new gp.Generator(11);
const plan = new gp.kernels.ScaleKernel(new gp.kernels.MaternKernel({ nu: 2.5 }))
  .initialize({ outputscale: 1.3, baseKernel: { lengthscale: 0.7 } }).plan(2);

function randn(shape: number[], requiresGrad = true, scale = 1): T {
  const size = shape.reduce((a, b) => a * b, 1);
  return new ag.Tensor(gen.normals(size).map((v) => v * scale), shape, { requiresGrad });
}

/** The factor of K_uu + 1e-6·I, recorded from θ and Z. */
function factor(theta: T, z: T): T {
  return cholesky(kernelMatrix(plan, theta, z).add(eye(z.shape[0], 1e-6)));
}

/** [Aᵀm, colsum((tril(R)ᵀA)²) − colsum(A²)] from generic recorded primitives. */
function composed(theta: T, z: T, x: T, l: T, m: T, r: T): [T, T] {
  const a = triangularSolve(l, kernelMatrix(plan, theta, z, x));
  const u = ag.matmul(r.mul(lowerMask(r.shape[0])), a, { transposeA: true });
  return [ag.matmul(a, m, { transposeA: true }), u.mul(u).sum(0).sub(a.mul(a).sum(0))];
}

function fused(theta: T, z: T, x: T, l: T, m: T, r: T): [T, T] {
  const p = whitenedPredictive(plan, theta, z, x, l, m, r);
  return [p.mean, p.varianceTerm];
}

function problem(nz: number, b: number) {
  const theta = new ag.Tensor(Float64Array.from(plan.theta), [plan.theta.length], {
    requiresGrad: true,
  });
  return {
    theta,
    z: randn([nz, 2], true, 2),
    x: randn([b, 2], true, 2),
    m: randn([nz]),
    r: randn([nz, nz], true, 0.5),
    wMean: randn([b], false),
    wVar: randn([b], false),
  };
}

Deno.test("whitenedPredictive equals the composed primitives, values and every gradient", () => {
  for (const [nz, b] of [[1, 1], [3, 5], [33, 7], [70, 40], [130, 97]]) {
    const p = problem(nz, b);
    const run = (f: typeof fused) => {
      for (const t of [p.theta, p.z, p.x, p.m, p.r]) t.grad = null;
      const l = factor(p.theta, p.z);
      const [mean, v] = f(p.theta, p.z, p.x, l, p.m, p.r);
      mean.mul(p.wMean).add(v.mul(p.wVar)).sum().backward();
      return {
        values: [...mean.data, ...v.data],
        grads: [p.theta, p.z, p.x, p.m, p.r].map((t) => Array.from(t.grad!.data)),
      };
    };
    const ours = run(fused), theirs = run(composed);
    const what = `M = ${nz}, B = ${b}`;
    assertClose(ours.values, theirs.values, { rtol: 1e-10, atol: 1e-10, what });
    ["θ", "Z", "X", "m", "R"].forEach((name, k) => {
      const scale = Math.max(1, ...theirs.grads[k].map(Math.abs));
      assertClose(ours.grads[k], theirs.grads[k], {
        atol: 1e-9 * scale,
        what: `${what}: ${name}'s gradient`,
      });
    });
    // R's upper triangle is not read: its gradient is zero.
    for (let i = 0; i < nz; i++) {
      for (let j = i + 1; j < nz; j++) assert.strictEqual(ours.grads[4][i * nz + j], 0);
    }
  }
});

Deno.test("whitenedPredictive passes gradcheck for every input, L included", () => {
  const p = problem(4, 3);
  const l = factor(p.theta, p.z).detach();
  const lt = new ag.Tensor(l.data.slice(), l.shape, { requiresGrad: true });
  const f = (theta: T, z: T, x: T, l: T, m: T, r: T) => {
    const q = whitenedPredictive(plan, theta, z, x, l, m, r);
    return q.mean.mul(p.wMean).add(q.varianceTerm.mul(p.wVar)).sum();
  };
  assert.ok(ag.gradcheck(f, [p.theta, p.z, p.x, lt, p.m, p.r], { atol: 1e-6, rtol: 1e-5 }));
});

Deno.test("whitenedPredictive without gradients keeps nothing and gives the same values, in chunks of inputs too", () => {
  const p = problem(9, 17);
  const l = factor(p.theta, p.z);
  const withGrad = whitenedPredictive(plan, p.theta, p.z, p.x, l, p.m, p.r);
  const plain = (() => {
    using _ = gp.settings.noGrad();
    return whitenedPredictive(plan, p.theta, p.z, p.x, l, p.m, p.r);
  })();
  assert.strictEqual(plain.mean.requiresGrad, false);
  // Formed in chunks of 5 inputs (the last one short): the same bits.
  const chunked = (() => {
    using _ = gp.settings.noGrad();
    return whitenedPredictive(plan, p.theta, p.z, p.x, l, p.m, p.r, { chunk: 5 });
  })();
  assert.deepStrictEqual(Array.from(chunked.mean.data), Array.from(withGrad.mean.data));
  assert.deepStrictEqual(
    Array.from(chunked.varianceTerm.data),
    Array.from(withGrad.varianceTerm.data),
  );
  assert.deepStrictEqual(Array.from(plain.mean.data), Array.from(withGrad.mean.data));
  assert.deepStrictEqual(
    Array.from(plain.varianceTerm.data),
    Array.from(withGrad.varianceTerm.data),
  );
});

Deno.test("whitenedPredictive() names the argument and the shape it needs", () => {
  const p = problem(3, 2);
  const l = factor(p.theta, p.z);
  const call = (over: Partial<Record<"z" | "x" | "l" | "m" | "r", T>>) => () =>
    whitenedPredictive(
      plan,
      p.theta,
      over.z ?? p.z,
      over.x ?? p.x,
      over.l ?? l,
      over.m ?? p.m,
      over.r ?? p.r,
    );
  const fails = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: Error) => e instanceof TypeError && re.test(e.message), String(re));
  fails(call({ x: randn([2, 3]) }), /z has 2 columns but x has 3/);
  fails(call({ x: randn([4]) }), /x must be a Tensor of shape \[n, d\], got shape \[4\]/);
  fails(call({ l: randn([2, 2]) }), /l must be the lower Cholesky factor of K_uu, \[3, 3\]/);
  fails(call({ r: randn([3, 2]) }), /root must be the lower-triangular root of S, \[3, 3\]/);
  fails(call({ m: randn([4]) }), /m must be a Tensor of 3 entries/);
  assert.throws(
    () => whitenedPredictive(plan, p.theta, p.z, p.x, l, p.m, p.r, { chunk: 0 }),
    (e: Error) =>
      e instanceof TypeError && /options\.chunk must be a positive integer, got 0/.test(e.message),
  );
});

Deno.test("whitenedPredictive's backward after another forward kept its own A and U (the first pair spilled to JS) gives the same gradients", () => {
  const p = problem(9, 17);
  const grads = (interleave: boolean) => {
    for (const t of [p.theta, p.z, p.x, p.m, p.r]) t.grad = null;
    const q = whitenedPredictive(plan, p.theta, p.z, p.x, factor(p.theta, p.z), p.m, p.r);
    // A second forward with gradients keeps its pair in WASM memory and evicts the first.
    const other = interleave
      ? whitenedPredictive(plan, p.theta, p.z, p.x, factor(p.theta, p.z), p.m, p.r)
      : null;
    q.mean.mul(p.wMean).add(q.varianceTerm.mul(p.wVar)).sum().backward();
    const out = [p.theta, p.z, p.x, p.m, p.r].map((t) => Array.from(t.grad!.data));
    if (other !== null) {
      for (const t of [p.theta, p.z, p.x, p.m, p.r]) t.grad = null;
      other.mean.mul(p.wMean).add(other.varianceTerm.mul(p.wVar)).sum().backward();
      assert.deepStrictEqual(
        [p.theta, p.z, p.x, p.m, p.r].map((t) => Array.from(t.grad!.data)),
        out,
      );
    }
    return out;
  };
  assert.deepStrictEqual(grads(true), grads(false));
});

Deno.test("whitenedPredictive's second backward through a retained graph forms A and U again, with the same gradients", () => {
  const p = problem(9, 17);
  const q = whitenedPredictive(plan, p.theta, p.z, p.x, factor(p.theta, p.z), p.m, p.r);
  const loss = q.mean.mul(p.wMean).add(q.varianceTerm.mul(p.wVar)).sum();
  const leaves = [p.theta, p.z, p.x, p.m, p.r];
  loss.backward(undefined, { retainGraph: true });
  const first = leaves.map((t) => Array.from(t.grad!.data));
  for (const t of leaves) t.grad = null;
  loss.backward();
  assert.deepStrictEqual(leaves.map((t) => Array.from(t.grad!.data)), first);
});
