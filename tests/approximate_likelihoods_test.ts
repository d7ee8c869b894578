// Likelihoods for approximate GPs: closed forms of known cases, the quadrature against an
// independent evaluation, finite-difference gradients, and bad input.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { gradcheck, tensor } from "../src/autograd/mod.ts";
import { logNormalCdf, normalCdf } from "../src/special.ts";
import { checkParameterGradients } from "./_fd_parameters.ts";

const y = new Float64Array([0.3, -1.2, 2.5, 0.0]);
const mu = [0.1, -0.4, 1.0, 0.2];
const v = [0.05, 0.3, 1.5, 0.8];

Deno.test("StudentTLikelihood's log density is Student-t's closed form (ν = 3 and 5)", () => {
  const lik = new gp.likelihoods.StudentTLikelihood({ degFree: 3, noise: 4 }); // scale 2
  const r = [0, 0.5, -3, 10];
  const e = lik.expectedLogProb(new Float64Array(r), tensor([0, 0, 0, 0]), tensor([0, 0, 0, 0]));
  r.forEach((ri, i) => {
    const z = ri / 2;
    const want = Math.log(0.5 * 2 / (Math.PI * Math.sqrt(3)) * (1 + z * z / 3) ** -2);
    assert.ok(
      Math.abs(e.data[i] - want) < 1e-13 * Math.abs(want),
      `r = ${ri}: ${e.data[i]} vs ${want}`,
    );
  });
  lik.degFree = 5;
  lik.noise = 1;
  const logC = Math.log(2) - Math.log(3 * Math.sqrt(Math.PI) / 4) - 0.5 * Math.log(5 * Math.PI);
  const e5 = lik.expectedLogProb(new Float64Array([1.5]), tensor([0]), tensor([0]));
  const want5 = logC - 3 * Math.log1p(1.5 * 1.5 / 5);
  assert.ok(Math.abs(e5.item() - want5) < 1e-13 * Math.abs(want5));
});

Deno.test("StudentTLikelihood's expected log-likelihood is the 20-point Gauss–Hermite sum, and Gaussian's closed form as ν → ∞", () => {
  const lik = new gp.likelihoods.StudentTLikelihood({ degFree: 4, noise: 0.5 });
  const q = new gp.variational.GaussHermiteQuadrature1D(20);
  const logC = gp.variational.logGamma(2.5) - gp.variational.logGamma(2) -
    0.5 * Math.log(4 * Math.PI * 0.5);
  const want = q.expect((f, i) => logC - 2.5 * Math.log1p((y[i] - f) ** 2 / (4 * 0.5)), mu, v);
  const got = lik.expectedLogProb(y, tensor(mu), tensor(v)).data;
  for (let i = 0; i < y.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) < 1e-14 * Math.abs(want[i]), `${got[i]} vs ${want[i]}`);
  }
  const big = new gp.likelihoods.StudentTLikelihood({ degFree: 1e8, noise: 0.5 });
  const e = big.expectedLogProb(y, tensor(mu), tensor(v)).data;
  for (let i = 0; i < y.length; i++) {
    const gauss = -0.5 * (((y[i] - mu[i]) ** 2 + v[i]) / 0.5 + Math.log(2 * Math.PI * 0.5));
    assert.ok(Math.abs(e[i] - gauss) < 1e-6 * Math.abs(gauss), `${e[i]} vs ${gauss}`);
  }
});

Deno.test("StudentTLikelihood's gradients in μ, σ², ν and the noise match finite differences", async () => {
  const lik = new gp.likelihoods.StudentTLikelihood({ degFree: 3.5, noise: 0.7 });
  assert.ok(gradcheck(
    (m, s) => lik.expectedLogProb(y, m, s),
    [tensor(mu, { requiresGrad: true }), tensor(v, { requiresGrad: true })],
    { output: "each" },
  ));
  const m = tensor(mu), s = tensor(v);
  // A larger step: log Γ's last-bit rounding is not smooth, and 1e-6 would amplify it.
  const options = { eps: 1e-4 };
  await checkParameterGradients(
    () => lik.expectedLogProb(y, m, s).sum(),
    lik.namedParameters(),
    options,
  );
  await checkParameterGradients(
    () => lik.logMarginal(y, m, s).sum(),
    lik.namedParameters(),
    options,
  );
});

Deno.test("StudentTLikelihood() rejects degrees of freedom ≤ 0, and ≤ 2 under its default GreaterThan(2)", () => {
  for (const df of [0, -1, NaN]) {
    assert.throws(
      () => new gp.likelihoods.StudentTLikelihood({ degFree: df }),
      (e: Error) => e instanceof RangeError && e.message.includes(`degFree = ${df}`),
    );
  }
  assert.throws(() => new gp.likelihoods.StudentTLikelihood({ degFree: 1.5 }), RangeError);
  const heavy = new gp.likelihoods.StudentTLikelihood({
    degFree: 1.5,
    degFreeConstraint: new gp.constraints.Positive(),
  });
  assert.ok(Math.abs(heavy.degFree - 1.5) < 1e-12);
});

Deno.test("LaplaceLikelihood's expected log-likelihood approaches the closed form −log 2b − E|y − f|/b", () => {
  const b = 0.8;
  const expAbs = (d: number, s2: number) => {
    const s = Math.sqrt(s2);
    return s * Math.sqrt(2 / Math.PI) * Math.exp(-d * d / (2 * s2)) +
      d * (1 - 2 * normalCdf(-d / s));
  };
  for (const [numLocs, tol] of [[20, 2e-2], [200, 2e-3]] as const) {
    const lik = new gp.likelihoods.LaplaceLikelihood({ noise: b * b, numLocs });
    const got = lik.expectedLogProb(y, tensor(mu), tensor(v)).data;
    for (let i = 0; i < y.length; i++) {
      const want = -Math.log(2 * b) - expAbs(y[i] - mu[i], v[i]) / b;
      assert.ok(Math.abs(got[i] - want) < tol * Math.abs(want), `${numLocs}: ${got[i]} vs ${want}`);
    }
  }
  // The 20-point rule, evaluated independently.
  const lik = new gp.likelihoods.LaplaceLikelihood({ noise: b * b });
  const q = new gp.variational.GaussHermiteQuadrature1D();
  const want = q.expect((f, i) => -Math.log(2 * b) - Math.abs(y[i] - f) / b, mu, v);
  const got = lik.expectedLogProb(y, tensor(mu), tensor(v)).data;
  for (let i = 0; i < y.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) < 1e-14 * Math.abs(want[i]));
  }
});

Deno.test("LaplaceLikelihood's gradients match finite differences; its predictive variance is σ² + 2b²", async () => {
  const lik = new gp.likelihoods.LaplaceLikelihood({ noise: 0.6 });
  assert.ok(gradcheck(
    (m, s) => lik.expectedLogProb(y, m, s),
    [tensor(mu, { requiresGrad: true }), tensor(v, { requiresGrad: true })],
    { output: "each" },
  ));
  const m = tensor(mu), s = tensor(v);
  await checkParameterGradients(() => lik.expectedLogProb(y, m, s).sum(), lik.namedParameters());
  await checkParameterGradients(() => lik.logMarginal(y, m, s).sum(), lik.namedParameters());
  const q = new gp.variational.VariationalMultivariateNormal(
    tensor(mu),
    tensor(v),
    () => tensor([[0.05, 0, 0, 0], [0, 0.3, 0, 0], [0, 0, 1.5, 0], [0, 0, 0, 0.8]]),
  );
  const moments = lik.call(q);
  moments.variance.forEach((w, i) => assert.ok(Math.abs(w - (v[i] + 1.2)) < 1e-14));
});

Deno.test("BernoulliLikelihood: quadrature of log Φ as an independent sum, log marginal log Φ(±μ/√(1+σ²)), Jensen's gap", () => {
  const lik = new gp.likelihoods.BernoulliLikelihood();
  const labels = new Float64Array([1, 0, 1, 0]);
  const q = new gp.variational.GaussHermiteQuadrature1D();
  const want = q.expect((f, i) => logNormalCdf((2 * labels[i] - 1) * f), mu, v);
  const e = lik.expectedLogProb(labels, tensor(mu), tensor(v)).data;
  const lm = lik.logMarginal(labels, tensor(mu), tensor(v)).data;
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(e[i] - want[i]) < 1e-14 * Math.abs(want[i]));
    const z = (2 * labels[i] - 1) * mu[i] / Math.sqrt(1 + v[i]);
    assert.ok(Math.abs(lm[i] - logNormalCdf(z)) < 1e-15 * Math.abs(lm[i]));
    assert.ok(lm[i] > e[i]);
  }
  assert.ok(gradcheck(
    (m, s) => lik.expectedLogProb(labels, m, s),
    [tensor(mu, { requiresGrad: true }), tensor(v, { requiresGrad: true })],
    { output: "each" },
  ));
  assert.throws(
    () => lik.expectedLogProb(new Float64Array([1, 0.5, -1, 0]), tensor(mu), tensor(v)),
    (err: Error) => err instanceof RangeError && /0\.5, -1/.test(err.message),
  );
});
