// gp.variational.hermgauss / GaussHermiteQuadrature1D against numpy, GPyTorch's recorded rule and
// closed forms.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";
import { HERMGAUSS_NUMPY } from "./_hermgauss_numpy.ts";
import { loadSvgpFixture } from "./_approx_fixtures.ts";

/** E[z^j] for z ~ N(0, 1): (j − 1)!! for even j, 0 for odd. */
function normalMoment(j: number): number {
  if (j % 2 === 1) return 0;
  let m = 1;
  for (let i = j - 1; i > 1; i -= 2) m *= i;
  return m;
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return b;
}

/** E[f^k] for f ~ N(μ, σ²), and the sum of the terms' magnitudes (the scale of rounding). */
function rawMoment(k: number, mu: number, sigma: number): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  for (let j = 0; j <= k; j++) {
    const term = binomial(k, j) * mu ** (k - j) * sigma ** j * normalMoment(j);
    value += term;
    scale += Math.abs(term);
  }
  return { value, scale };
}

Deno.test("hermgauss(n) matches numpy's hermgauss for n = 1 … 100", () => {
  for (const [n, ref] of Object.entries(HERMGAUSS_NUMPY)) {
    const rule = gp.variational.hermgauss(Number(n));
    assert.strictEqual(rule.locations.length, Number(n));
    assertClose(rule.locations, ref.locations, {
      rtol: 1e-15,
      atol: 1e-15,
      what: `n = ${n} locations`,
    });
    assertClose(rule.weights, ref.weights, { rtol: 1e-12, what: `n = ${n} weights` });
  }
});

Deno.test("GaussHermiteQuadrature1D() is GPyTorch's rule as recorded in the classification fixture", () => {
  const q = new gp.variational.GaussHermiteQuadrature1D();
  const recorded = loadSvgpFixture("svgp_classification_seed1_exactlogphi").quadrature!;
  assert.strictEqual(q.numLocs, recorded.numLocs);
  assert.strictEqual(q.numLocs, 20);
  assertClose(q.locations, recorded.locations, { rtol: 1e-15, atol: 1e-15, what: "locations" });
  assertClose(q.weights, recorded.weights, { rtol: 1e-13, what: "weights" });
  // The instance's arrays are its own: writing to them leaves other instances' rules alone.
  q.weights[0] = 0;
  assert.notStrictEqual(new gp.variational.GaussHermiteQuadrature1D().weights[0], 0);
});

Deno.test("expect() is exact for polynomials up to degree 2n − 1 and not beyond", () => {
  for (const n of [1, 2, 3, 5, 10, 20]) {
    const q = new gp.variational.GaussHermiteQuadrature1D(n);
    const mean = [0, 0.3, -1.2];
    const variance = [1, 0.7, 2.5];
    for (let k = 0; k <= 2 * n - 1; k++) {
      const got = q.expect((f) => f ** k, mean, variance);
      // Rounding scales with the sum of the magnitudes, in the closed form and in the rule.
      const absSum = q.expect((f) => Math.abs(f) ** k, mean, variance);
      for (let i = 0; i < mean.length; i++) {
        const { value, scale } = rawMoment(k, mean[i], Math.sqrt(variance[i]));
        assert.ok(
          Math.abs(got[i] - value) <= 1e-13 * Math.max(scale, absSum[i]),
          `n = ${n}, E[f^${k}] under N(${mean[i]}, ${variance[i]}): got ${got[i]}, exact ${value}`,
        );
      }
    }
    // Degree 2n is where exactness ends: the n-point rule misses E[z^{2n}] = (2n − 1)!! by n!
    // (its remainder n!·√π/2ⁿ · g⁽²ⁿ⁾/(2n)! in t = z/√2).
    const [z2n] = q.expect((f) => f ** (2 * n), [0], [1]);
    let factorial = 1;
    for (let i = 2; i <= n; i++) factorial *= i;
    const exact = normalMoment(2 * n);
    assertClose(exact - z2n, factorial, {
      rtol: 1e-6,
      what: `n = ${n}: E[z^${2 * n}] missed by n!`,
    });
  }
});

Deno.test("expect(exp) matches exp(μ + σ²/2), and expect(f ↦ e^{tf}) the moment generating function", () => {
  const q = new gp.variational.GaussHermiteQuadrature1D();
  const mean = [-3, -0.5, 0, 0.25, 2];
  const variance = [0.01, 0.3, 1, 2, 0.5];
  const got = q.expect(Math.exp, mean, variance);
  assertClose(got, mean.map((m, i) => Math.exp(m + variance[i] / 2)), {
    rtol: 1e-13,
    what: "E[exp f]",
  });
  const t = -1.7;
  const mgf = q.expect((f) => Math.exp(t * f), mean, variance);
  assertClose(mgf, mean.map((m, i) => Math.exp(t * m + (t * t * variance[i]) / 2)), {
    rtol: 1e-12,
    what: "E[exp(tf)]",
  });
});

Deno.test("expect() passes each element's index, gives fn(mean) at variance 0, and follows GPyTorch's formula", () => {
  const q = new gp.variational.GaussHermiteQuadrature1D();
  const y = [0, 1, 1];
  // E[(2y − 1) f] = (2y − 1) μ: the index reaches fn.
  const got = q.expect((f, i) => (2 * y[i] - 1) * f, [0.5, 0.5, -2], [1, 1, 3]);
  assertClose(got, [-0.5, 0.5, -2], { rtol: 1e-14, atol: 1e-15, what: "E[(2y−1)f]" });
  const at0 = q.expect((f) => Math.sin(f), [0.7], [0]);
  assertClose(at0, [Math.sin(0.7)], { rtol: 1e-15, what: "variance 0" });
  // (1/√π) Σ w_k g(√(2σ²) t_k + μ), written out from numpy's numbers.
  const ref = HERMGAUSS_NUMPY[20];
  const g = (f: number) => Math.log1p(Math.exp(-f));
  let byHand = 0;
  for (let k = 0; k < 20; k++) {
    byHand += ref.weights[k] * g(Math.sqrt(2 * 0.8) * ref.locations[k] + 0.1);
  }
  assertClose(q.expect(g, [0.1], [0.8]), [byHand / Math.sqrt(Math.PI)], {
    rtol: 1e-14,
    what: "E[softplus(−f)]",
  });
});

Deno.test("GaussHermiteQuadrature1D rejects bad numLocs and bad arguments, naming them", () => {
  const Q = gp.variational.GaussHermiteQuadrature1D;
  assert.throws(() => new Q(0), /numLocs = 0 must be an integer from 1 to 370/);
  assert.throws(() => new Q(2.5), RangeError);
  assert.throws(() => new Q(371), RangeError);
  assert.throws(() => gp.variational.hermgauss(-1), /hermgauss\(n\): n = -1/);
  const q = new Q();
  assert.throws(() => q.expect(Math.exp, [0, 1], [1]), (e: Error) => {
    return e instanceof TypeError && /mean has 2 values but variance has 1/.test(e.message);
  });
  assert.throws(() => q.expect(Math.exp, [0], [-1]), (e: Error) => {
    return e instanceof RangeError && /variance\[0\] is -1; every variance must be finite and ≥ 0/
      .test(e.message);
  });
  assert.throws(() => q.expect(Math.exp, [NaN], [1]), /mean\[0\] is NaN/);
  assert.throws(() => q.expect(42 as never, [0], [1]), /fn is 42; pass a function/);
  assert.throws(() => q.expect(Math.exp, 3 as never, [1]), /mean is 3; pass an array/);
});
