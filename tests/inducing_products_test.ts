// The fused SGPR products P = R Rᵀ and q = R r, R = L⁻¹ K_Zx (src/autograd/inducing_products.ts):
// its values against the dense products, whatever the chunk, and its hand-derived VJPs
// against central differences (gradcheck), with the inputs streamed in many chunks.
import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { inducingProducts } from "../src/autograd/inducing_products.ts";
import { kernelMatrix } from "../src/autograd/kernel_ops.ts";
import { matmul } from "../src/autograd/matrix.ts";
import { cholesky, triangularSolve } from "../src/autograd/linalg.ts";
import { eye } from "../src/autograd/variational_primitives.ts";
import { gradcheck } from "../src/autograd/gradcheck.ts";
import { type Tensor, tensor } from "../src/autograd/tensor.ts";

const rng = new gp.Generator(3);
const n = 37, m = 5, d = 2;
const draw = (len: number, scale = 1) =>
  Array.from({ length: len }, () => scale * (rng.uniform() * 2 - 1));
const xs = draw(n * d), zs = draw(m * d), rs = draw(n);

const kernel = new gp.kernels.ScaleKernel(
  new gp.kernels.RBFKernel({ ardNumDims: 2 }).initialize({ lengthscale: [0.6, 1.3] }),
).initialize({ outputscale: 1.7 });
const plan = kernel.plan(d);

// A well-conditioned factor (K_ZZ + 0.1 I) as a leaf of its own.
const lData = cholesky(
  kernelMatrix(plan, tensor(Array.from(plan.theta)), tensor(zs, { shape: [m, d] })).add(
    eye(m, 0.1),
  ),
).data;

function inputs(requiresGrad: boolean): Tensor[] {
  return [
    tensor(Array.from(plan.theta), { requiresGrad }),
    tensor(zs, { shape: [m, d], requiresGrad }),
    tensor(xs, { shape: [n, d], requiresGrad }),
    tensor(rs, { requiresGrad }),
    tensor(lData, { shape: [m, m], requiresGrad }),
  ];
}

Deno.test("inducingProducts gives R Rᵀ and R r (R = L⁻¹ K_Zx) as the dense products, for every chunk size", () => {
  const [theta, z, x, r, l] = inputs(false);
  const rt = triangularSolve(l, kernelMatrix(plan, theta, z, x));
  const g = matmul(rt, rt, { transposeB: true }).data, b = matmul(rt, r).data;
  for (const chunk of [1, 4, 8, 36, 37, 1000, undefined]) {
    const out = inducingProducts(plan, theta, z, x, r, l, { chunk });
    assert.deepEqual(out.gram.shape, [m, m]);
    assert.deepEqual(out.cross.shape, [m]);
    for (let i = 0; i < m * m; i++) {
      assert.ok(Math.abs(out.gram.data[i] - g[i]) < 1e-13, `chunk ${chunk}: G[${i}]`);
    }
    for (let i = 0; i < m; i++) {
      assert.ok(Math.abs(out.cross.data[i] - b[i]) < 1e-13, `chunk ${chunk}: b[${i}]`);
    }
    // G is exactly symmetric (one triangle computed, mirrored).
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < i; j++) assert.equal(out.gram.data[i * m + j], out.gram.data[j * m + i]);
    }
  }
});

for (const keepBytes of [0, undefined]) {
  const how = keepBytes === 0 ? "R formed again" : "R kept from the forward pass";
  Deno.test(`inducingProducts' VJPs to θ, Z, X, r and L pass gradcheck, streamed in chunks of 8 (the last one short), ${how}`, () => {
    const args = inputs(true);
    const opts = { chunk: 8, keepBytes };
    // Random seeds of the output: P̄ not symmetric, so the backward's P̄ + P̄ᵀ is exercised.
    for (const output of ["gram", "cross"] as const) {
      assert.equal(
        gradcheck((t, z, x, r, l) => inducingProducts(plan, t, z, x, r, l, opts)[output], args, {
          seeds: 3,
          atol: 1e-7,
          rtol: 1e-6,
        }),
        true,
        output,
      );
    }
    // Both outputs at once: the backward adds both parts into K̄_c.
    assert.equal(
      gradcheck(
        (t, z, x, r, l) => {
          const o = inducingProducts(plan, t, z, x, r, l, opts);
          return o.gram.mul(o.gram).sum().add(o.cross.mul(o.cross).sum());
        },
        args,
        { atol: 1e-6, rtol: 1e-6 },
      ),
      true,
    );
  });
}

Deno.test("inducingProducts' backward reads the R it kept in WASM memory, bit for bit the streamed one, and a second backward forms it again", () => {
  const grads = (keepBytes: number | undefined, twice = false) => {
    const args = inputs(true);
    const o = inducingProducts(plan, args[0], args[1], args[2], args[3], args[4], {
      chunk: 8,
      keepBytes,
    });
    o.gram.mul(o.gram).sum().add(o.cross.mul(o.cross).sum()).backward(undefined, {
      retainGraph: twice,
    });
    if (twice) {
      for (const a of args) a.grad = null;
      o.gram.mul(o.gram).sum().add(o.cross.mul(o.cross).sum()).backward();
    }
    return args.map((a) => Array.from(a.grad!.data));
  };
  const streamed = grads(0);
  assert.deepEqual(grads(undefined), streamed);
  assert.deepEqual(grads(undefined, true), streamed);
});

Deno.test("inducingProducts' backward after another forward kept its own R (the first one dropped) forms R again, with the same gradients", () => {
  const run = (interleave: boolean) => {
    const args = inputs(true);
    const call = () =>
      inducingProducts(plan, args[0], args[1], args[2], args[3], args[4], { chunk: 8 });
    const o = call();
    const other = interleave ? call() : null; // keeps its R, evicting the first one's
    o.gram.mul(o.gram).sum().add(o.cross.mul(o.cross).sum()).backward();
    const first = args.map((a) => Array.from(a.grad!.data));
    if (other !== null) {
      for (const a of args) a.grad = null;
      other.gram.mul(other.gram).sum().add(other.cross.mul(other.cross).sum()).backward();
      assert.deepEqual(args.map((a) => Array.from(a.grad!.data)), first);
    }
    return first;
  };
  assert.deepEqual(run(true), run(false));
});

Deno.test("inducingProducts rejects mismatched shapes and a bad chunk with a TypeError that names them", () => {
  const [theta, z, x, r, l] = inputs(false);
  assert.throws(
    () => inducingProducts(plan, theta, z, x, r, l, { chunk: 0 }),
    (e: Error) => e instanceof TypeError && /chunk/.test(e.message) && /got 0/.test(e.message),
  );
  assert.throws(
    () => inducingProducts(plan, theta, z, x, r, l, { keepBytes: -1 }),
    (e: Error) => e instanceof TypeError && /keepBytes/.test(e.message) && /got -1/.test(e.message),
  );
  assert.throws(
    () => inducingProducts(plan, theta, z, x.reshape([-1, 1]), r, l),
    (e: Error) => e instanceof TypeError && /2 columns/.test(e.message),
  );
  assert.throws(
    () => inducingProducts(plan, theta, z, x, tensor([1, 2]), l),
    (e: Error) => e instanceof TypeError && /37 entries/.test(e.message),
  );
  assert.throws(
    () => inducingProducts(plan, theta, z, x, r, eye(3)),
    (e: Error) => e instanceof TypeError && /5 × 5/.test(e.message) && /\[3, 3\]/.test(e.message),
  );
});
