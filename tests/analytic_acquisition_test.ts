// The analytic acquisitions: values at given (mean, σ, best_f) against mpmath's closed forms
// (tests/_acquisition_cases.ts), the far tail where EI underflows and LogEI does not,
// gradients by gradcheck in (mean, σ) and end to end in x through a SingleTaskGP, bad input.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";
import { ACQ_CASES, BEST_F, SIGMA } from "./_acquisition_cases.ts";

const ag = gp.autograd;
type Acq = gp.bo.AnalyticAcquisitionFunction;

/** The acquisition's formula with the posterior replaced: x = [b, 2] rows of (mean, σ). */
function atMeanSigma(acq: Acq): Acq {
  const pick = (x: gp.autograd.Tensor, j: number) =>
    ag.matmul(x, ag.tensor(j === 0 ? [[1], [0]] : [[0], [1]])).reshape([x.shape[0]]);
  (acq as unknown as { meanAndSigma: (x: gp.autograd.Tensor) => unknown }).meanAndSigma = (x) =>
    Promise.resolve({ mean: pick(x, 0), sigma: pick(x, 1) });
  return acq;
}

const model = new gp.bo.SingleTaskGP([[0.1], [0.5], [0.9]], [0.3, 1, 0.2], { bounds: [[0], [1]] });
model.eval();

function build(kind: string, maximize: boolean): Acq {
  const o = { bestF: BEST_F, maximize };
  switch (kind) {
    case "ei":
      return atMeanSigma(new gp.bo.ExpectedImprovement(model, o));
    case "logEI":
      return atMeanSigma(new gp.bo.LogExpectedImprovement(model, o));
    case "pi":
      return atMeanSigma(new gp.bo.ProbabilityOfImprovement(model, o));
    case "logPI":
      return atMeanSigma(new gp.bo.LogProbabilityOfImprovement(model, o));
    default:
      return atMeanSigma(new gp.bo.UpperConfidenceBound(model, { beta: 2, maximize }));
  }
}

const KINDS = ["ei", "logEI", "pi", "logPI", "ucb2"] as const;

Deno.test("analytic acquisitions equal mpmath's closed forms at given mean, σ and best_f", async () => {
  for (const kind of KINDS) {
    for (const maximize of [true, false]) {
      const cases = ACQ_CASES.filter((c) => c.maximize === maximize);
      const x = ag.tensor(cases.map((c) => [c.mean, SIGMA]));
      const got = (await build(kind, maximize).forward(x)).data;
      cases.forEach((c, i) => {
        const want = c[kind];
        assertClose(got[i], want, {
          rtol: 1e-12,
          atol: kind === "ei" || kind === "pi" ? 1e-300 : 1e-14,
          what: `${kind} maximize=${maximize} mean=${c.mean}`,
        });
      });
    }
  }
});

Deno.test("LogExpectedImprovement() stays finite and accurate at u = −40, where EI underflows", async () => {
  const x = ag.tensor([[BEST_F - 40 * SIGMA, SIGMA]], { requiresGrad: true });
  const ei = await build("ei", true).forward(x);
  assert.strictEqual(ei.data[0], 0);
  const logEI = await build("logEI", true).forward(x);
  assertClose(logEI.data[0], -808.6552433005588, { rtol: 1e-13 });
  logEI.sum().backward();
  // d log EI / d mean = dLogH(u)/σ, with dLogH(−40) = 40.0499… (gp.special's doc value).
  assertClose(x.grad!.data[0], 40.04990665764852 / SIGMA, { rtol: 1e-10 });
});

Deno.test("gradcheck() passes every analytic acquisition in (mean, σ), tails included", async () => {
  for (const kind of KINDS) {
    for (const maximize of [true, false]) {
      const rows = ACQ_CASES.filter((c) =>
        c.maximize === maximize && (kind !== "ei" &&
            kind !== "pi" || Math.abs(c.mean - BEST_F) < 15)
      ).map((c) => [c.mean, SIGMA]);
      const x = ag.tensor(rows, { requiresGrad: true });
      const acq = build(kind, maximize);
      assert.ok(
        await ag.gradcheck((x) => acq.forward(x), [x], { atol: 1e-7, rtol: 1e-5, output: "each" }),
        `${kind} maximize=${maximize}`,
      );
    }
  }
});

Deno.test("analytic acquisitions on a SingleTaskGP: formula of its posterior, gradcheck in x", async () => {
  const gen = new gp.Generator(7);
  const tx = Array.from({ length: 10 }, () => [gen.uniform(), 2 * gen.uniform()]);
  const ty = tx.map(([a, b]) => Math.sin(5 * a) + b * b);
  const m = new gp.bo.SingleTaskGP(tx, ty, { bounds: [[0, 0], [1, 2]] });
  m.initialize({ "covarModule.lengthscale": [0.3, 0.4], "likelihood.noise": 1e-3 });
  m.eval();
  const best = Math.max(...ty);
  const pts = [[0.2, 0.3], [0.7, 1.9], [0.95, 0.05]];
  const post = m.predict(pts);
  const mu = await post.mean(), s = Array.from(await post.variance(), Math.sqrt);
  const u = Array.from(mu, (v, i) => (v - best) / s[i]);
  const ei = u.map((z, i) => s[i] * (gp.special.normalPdf(z) + z * gp.special.normalCdf(z)));
  const acqs: [Acq, number[]][] = [
    [new gp.bo.ExpectedImprovement(m, { bestF: best }), ei],
    [new gp.bo.LogExpectedImprovement(m, { bestF: best }), ei.map(Math.log)],
    [new gp.bo.ProbabilityOfImprovement(m, { bestF: best }), u.map(gp.special.normalCdf)],
    [new gp.bo.LogProbabilityOfImprovement(m, { bestF: best }), u.map(gp.special.logNormalCdf)],
    [
      new gp.bo.UpperConfidenceBound(m, { beta: 0.5 }),
      Array.from(mu, (v, i) => v + Math.sqrt(0.5) * s[i]),
    ],
    [new gp.bo.PosteriorMean(m, { maximize: false }), Array.from(mu, (v) => -v)],
  ];
  for (const [acq, want] of acqs) {
    const name = acq.constructor.name;
    assertClose((await acq.forward(ag.tensor(pts))).data, want, { rtol: 1e-10, what: name });
    // b × 1 × d gives the same values as b × d.
    const x3 = ag.tensor([pts.map((p) => [p])].flat());
    assertClose((await acq.forward(x3)).data, want, { rtol: 1e-10, what: `${name} b×1×d` });
    const x = ag.tensor(pts, { requiresGrad: true });
    assert.ok(await ag.gradcheck((x) => acq.forward(x), [x], { atol: 1e-7, rtol: 1e-5 }), name);
  }
});

Deno.test("analytic acquisitions reject q > 1, wrong dimensions, bad options and data-less models", async () => {
  const ei = new gp.bo.ExpectedImprovement(model, { bestF: 1 });
  await assert.rejects(
    ei.forward(ag.tensor([[[0.1], [0.2]]])),
    (e) => e instanceof RangeError && /q = 2/.test(e.message),
  );
  await assert.rejects(
    ei.forward(ag.tensor([[0.1, 0.2]])),
    (e) => e instanceof TypeError && /\[b, 1\]/.test(e.message),
  );
  assert.throws(
    () => new gp.bo.ExpectedImprovement(model, { bestF: NaN }),
    (e) => e instanceof RangeError && /bestF = NaN/.test(e.message),
  );
  assert.throws(
    () => new gp.bo.UpperConfidenceBound(model, { beta: -1 }),
    (e) => e instanceof RangeError && /beta = -1/.test(e.message),
  );
  class Empty extends gp.models.ExactGP {
    forward(x: gp.Inputs) {
      return new gp.distributions.MultivariateNormal(
        new gp.means.ZeroMean().call(x),
        new gp.kernels.RBFKernel().call(x),
      );
    }
  }
  const empty = new Empty(null, null, new gp.likelihoods.GaussianLikelihood());
  assert.throws(
    () => new gp.bo.PosteriorMean(empty),
    (e) => e instanceof TypeError && /no training data/.test(e.message),
  );
});
