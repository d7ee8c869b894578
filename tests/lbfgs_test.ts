// LBFGS's lossNoise option (not in torch): 0 is torch's search step for step; a
// positive allowance lets the search step by the gradient once loss differences drown
// in noise, where torch's search stalls.
import * as assert from "node:assert";
import * as gp from "../mod.ts";

/** f = x² + 100 y² plus a deterministic ±1e-9 "rounding noise"; the gradient is exact. */
function noisyQuadratic(p: gp.Parameter) {
  return () => {
    const [a, b] = p.rawValues;
    p.grad = new Float64Array([2 * a, 200 * b]);
    return Promise.resolve(a * a + 100 * b * b + 1e-9 * Math.sin(1e9 * (a + 3 * b)));
  };
}

const maxGrad = (p: gp.Parameter) =>
  Math.max(2 * Math.abs(p.rawValues[0]), 200 * Math.abs(p.rawValues[1]));

Deno.test("LBFGS({ lossNoise }) steps by the gradient below the loss's noise, where torch's search stalls", async () => {
  const torch = new gp.Parameter([1, 1]);
  const plain = new gp.optim.LBFGS([torch], {
    lineSearchFn: "strong_wolfe",
    maxIter: 200,
    toleranceGrad: 1e-12,
    toleranceChange: 1e-15,
  });
  await plain.step(noisyQuadratic(torch));
  const noisy = new gp.Parameter([1, 1]);
  const allowing = new gp.optim.LBFGS([noisy], {
    lineSearchFn: "strong_wolfe",
    maxIter: 200,
    toleranceGrad: 1e-12,
    toleranceChange: 1e-15,
    lossNoise: 1e-8,
  });
  await allowing.step(noisyQuadratic(noisy));
  console.log(
    `max |gradient|: torch's search ${maxGrad(torch).toExponential(2)} (${plain.funcEvals} ` +
      `evaluations), lossNoise 1e-8 ${maxGrad(noisy).toExponential(2)} (${allowing.funcEvals})`,
  );
  // torch's search stalls where a step's gain (~ g²/H) is below the noise, g ~ 1e-5;
  // with the allowance it goes on until its directional-derivative test (1e-15).
  assert.ok(maxGrad(torch) > 5e-6, `torch's search stalls: ${maxGrad(torch)}`);
  assert.ok(maxGrad(noisy) <= 1e-6, `lossNoise goes on: ${maxGrad(noisy)}`);
  assert.ok(maxGrad(noisy) < maxGrad(torch) / 50);
});

Deno.test("LBFGS({ lossNoise: 0 }) is torch's search; a negative lossNoise is a RangeError", async () => {
  const rosenbrock = (p: gp.Parameter) => () => {
    const [a, b] = p.rawValues;
    p.grad = new Float64Array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]);
    return Promise.resolve((1 - a) ** 2 + 100 * (b - a * a) ** 2);
  };
  const p = new gp.Parameter([-1.2, 1]), q = new gp.Parameter([-1.2, 1]);
  const a = new gp.optim.LBFGS([p], { lineSearchFn: "strong_wolfe", maxIter: 200 });
  const b = new gp.optim.LBFGS([q], { lineSearchFn: "strong_wolfe", maxIter: 200, lossNoise: 0 });
  await a.step(rosenbrock(p));
  await b.step(rosenbrock(q));
  assert.deepEqual(q.rawValues, p.rawValues);
  assert.equal(b.funcEvals, a.funcEvals);
  assert.throws(
    () => new gp.optim.LBFGS([p], { lossNoise: -1 }),
    /RangeError: LBFGS\(\{ lossNoise \}\): lossNoise = -1/,
  );
});
