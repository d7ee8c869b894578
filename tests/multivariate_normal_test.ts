import assert from "node:assert/strict";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

Deno.test("logProb() equals the closed form for a 2 × 2 covariance", async () => {
  const [a, b, c] = [2, 0.6, 1.5];
  const mvn = gp.distributions.MultivariateNormal.fromArrays([1, -1], [[a, b], [b, c]]);
  const y = [0.3, 0.2];
  const det = a * c - b * b;
  const r = [y[0] - 1, y[1] + 1];
  const quad = (c * r[0] * r[0] - 2 * b * r[0] * r[1] + a * r[1] * r[1]) / det;
  const expected = -0.5 * (quad + Math.log(det) + 2 * Math.log(2 * Math.PI));
  assertClose(await mvn.logProb(y), expected, { rtol: 1e-14, what: "logProb" });
  await assert.rejects(
    mvn.logProb([1]),
    (e: unknown) => e instanceof TypeError && /1 entries/.test(e.message),
  );
});

Deno.test("confidenceRegion() is mean ± 2 standard deviations", async () => {
  const mvn = gp.distributions.MultivariateNormal.fromArrays([1, 2], [[4, 0], [0, 9]]);
  const { lower, upper } = await mvn.confidenceRegion();
  assert.deepEqual(Array.from(lower), [-3, -4]);
  assert.deepEqual(Array.from(upper), [5, 8]);
  assert.deepEqual(Array.from(await mvn.stddev()), [2, 3]);
});

Deno.test("a likelihood applied to a distribution adds the noise to the diagonal only", async () => {
  const x = [0, 0.5];
  const k = new gp.kernels.RBFKernel().initialize({ lengthscale: 1 });
  const f = new gp.distributions.MultivariateNormal(new gp.means.ZeroMean().call(x), k.call(x));
  const likelihood = new gp.likelihoods.GaussianLikelihood().initialize({ noise: 0.25 });
  const fc = await f.covarianceMatrix();
  const yc = await likelihood.call(f).covarianceMatrix();
  assertClose(yc, [fc[0] + 0.25, fc[1], fc[2], fc[3] + 0.25], { rtol: 1e-15, what: "K + σ²I" });
  // And on a dense (non-kernel) covariance too.
  const dense = gp.distributions.MultivariateNormal.fromArrays([0, 0], [[1, 0.5], [0.5, 1]]);
  assertClose(await likelihood.call(dense).variance(), [1.25, 1.25], {
    rtol: 1e-15,
    what: "variance",
  });
});

Deno.test("MultivariateNormal rejects mismatched sizes and asymmetric covariances", () => {
  assert.throws(
    () => gp.distributions.MultivariateNormal.fromArrays([0, 0, 0], [[1, 0], [0, 1]]),
    TypeError,
  );
  assert.throws(
    () => gp.distributions.MultivariateNormal.fromArrays([0, 0], [[1, 0.2], [0.3, 1]]),
    (e: unknown) => e instanceof RangeError && /not symmetric/.test(e.message),
  );
  assert.throws(
    () => new gp.distributions.MultivariateNormal(null as never, null as never),
    TypeError,
  );
});
