// Bad input to the autograd core: each a TypeError/RangeError naming the op, what was
// seen and the fix; nothing half-done.
import assert from "node:assert";
import * as gp from "../mod.ts";

const ag = gp.autograd;
const t = (shape: number[], requiresGrad = true) =>
  new ag.Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, {
    requiresGrad,
  });

function throwsWith(
  kind: typeof TypeError | typeof RangeError,
  fn: () => unknown,
  ...parts: RegExp[]
) {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${e.constructor.name}: ${e.message}`);
    for (const p of parts) assert.match(e.message, p);
    return true;
  });
}

Deno.test("backward() refuses a non-scalar without a seed, a value needing no gradient, a wrong seed and a freed record", () => {
  const x = t([3]);
  throwsWith(TypeError, () => x.mul(2).backward(), /backward\(\)/, /shape \[3\]/, /\.sum\(\)|seed/);
  throwsWith(
    TypeError,
    () => t([3], false).sum().backward(),
    /does not require a gradient/,
    /requiresGrad: true/,
  );
  throwsWith(TypeError, () => x.mul(2).backward([1, 2]), /seed has 2 values/, /shape \[3\]/);
  const y = ag.exp(x).sum();
  y.backward();
  const before = x.grad!.data.slice();
  throwsWith(TypeError, () => y.backward(), /freed/, /exp|sum/, /retainGraph: true/);
  assert.deepStrictEqual(Array.from(x.grad!.data), Array.from(before));
  throwsWith(TypeError, () => t([2]).item(), /item\(\)/, /\[2\]/, /\.sum\(\)/);
});

Deno.test("every op names itself, the shapes seen and the fix on a shape mismatch", () => {
  for (const op of ["add", "sub", "mul", "div", "pow"] as const) {
    throwsWith(
      TypeError,
      () => t([2, 3])[op](t([4])),
      new RegExp(op),
      /\[2, 3\]/,
      /\[4\]/,
      /broadcast/,
    );
  }
  throwsWith(
    TypeError,
    () => ag.matmul(t([2, 3]), t([2, 3])),
    /matmul/,
    /\[2, 3\]/,
    /inner sizes 3 and 2/,
  );
  throwsWith(TypeError, () => ag.matmul(t([2, 3, 4]), t([3, 4, 2])), /matmul/, /batches 2 and 3/);
  throwsWith(TypeError, () => ag.transpose(t([3])), /transpose/, /\[3\]/, /matrix/);
  throwsWith(TypeError, () => ag.diagonal(t([2, 3])), /diagonal/, /\[2, 3\]/, /square/);
  throwsWith(TypeError, () => ag.diagEmbed(t([2, 2, 2])), /diagEmbed/, /\[2, 2, 2\]/);
  throwsWith(TypeError, () => ag.cholesky(t([2, 3])), /cholesky/, /\[2, 3\]/, /square/);
  throwsWith(
    TypeError,
    () => ag.triangularSolve(t([3, 3]), t([2, 1])),
    /triangularSolve/,
    /\[3, 3\]/,
    /\[2, 1\]/,
    /3 rows/,
  );
  throwsWith(
    TypeError,
    () => ag.choleskySolve(t([2, 1]), t([3, 3])),
    /choleskySolve/,
    /\[3, 3\]/,
    /\[2, 1\]/,
  );
  throwsWith(TypeError, () => ag.choleskyLogdet(t([3])), /choleskyLogdet/, /\[3\]/);
  throwsWith(RangeError, () => t([2, 3]).sum(2), /sum\(axis\)/, /axis = 2/, /\[2, 3\]/);
  throwsWith(TypeError, () => t([2, 3]).reshape([4, 2]), /reshape/, /\[2, 3\]/, /\[4, 2\]/);
  throwsWith(TypeError, () => ag.exp(3 as unknown as gp.autograd.Tensor), /exp\(x\)/, /tensor\(\)/);
  const plan = new gp.kernels.RBFKernel().plan(2);
  const theta = ag.tensor(Array.from(plan.theta));
  throwsWith(
    TypeError,
    () => ag.kernelMatrix(plan, theta, t([3, 2]), t([3, 1])),
    /kernelMatrix/,
    /\[3, 2\]/,
    /\[3, 1\]/,
  );
  throwsWith(
    TypeError,
    () => ag.kernelMatrix(plan, theta, t([3])),
    /kernelMatrix/,
    /\[n, d\]/,
    /reshape/,
  );
  throwsWith(
    TypeError,
    () => new gp.kernels.RBFKernel().forward(t([4])),
    /RBFKernel\.forward/,
    /\[n, d\]/,
  );
  throwsWith(
    TypeError,
    () => new ag.Tensor(new Float64Array(5), [2, 2]),
    /shape \[2, 2\] holds 4/,
    /data has 5/,
  );
  throwsWith(TypeError, () => ag.tensor([[1, 2], [3]]), /rectangular/);
});

Deno.test("gradcheck() refuses a non-scalar function where a scalar is required, and names a wrong gradient's input and entry", () => {
  const x = t([3]);
  throwsWith(
    TypeError,
    () => ag.gradcheck((x) => x.mul(2), [x], { output: "scalar" }),
    /gradcheck/,
    /shape \[3\]/,
    /scalar/,
    /\.sum\(\)/,
  );
  throwsWith(
    TypeError,
    () => ag.gradcheck((x) => x.sum(), [t([3], false)]),
    /no input requires a gradient/,
  );
  throwsWith(RangeError, () => ag.gradcheck((x) => x.sum(), [x], { eps: 0 }), /eps/);
  // A primitive with a wrong VJP is caught, naming the input and the entry.
  const wrong = (a: gp.autograd.Tensor) =>
    ag.record("wrong", a.data.map((v) => v * v), a.shape, [a], (g) => [g.map((v) => 3 * v)]);
  assert.throws(
    () => ag.gradcheck((_y, a) => wrong(a).sum(), [t([2], false), t([2])]),
    (e: Error) =>
      e instanceof ag.GradcheckError && e.input === 1 && e.entry === 0 &&
      /input 1 \(shape \[2\]\), entry 0/.test(e.message) &&
      /recorded gradient is 3/.test(e.message),
  );
});

Deno.test("requiresGrad_() only on leaves; a mean without an input derivative refuses x that requires a gradient", () => {
  throwsWith(TypeError, () => t([2]).mul(2).requiresGrad_(false), /only a leaf/, /detach/);
  class Odd extends gp.means.Mean {
    evaluate(x: gp.Inputs) {
      return x.data.slice(0, x.n);
    }
    vectorJacobian() {}
  }
  throwsWith(TypeError, () => new Odd().forward(t([2, 1])), /Odd\.forward/, /inputVectorJacobian/);
});
