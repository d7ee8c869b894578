// UnwhitenedVariationalStrategy: equivalence with the whitened strategy under u = μ(Z) + L v,
// the closed forms at the prior and at x = Z, the lazy initialisation from the prior,
// finite-difference gradients, training, and bad input.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { cholesky } from "../src/autograd/linalg.ts";
import { Tensor } from "../src/autograd/tensor.ts";
import { checkParameterGradients } from "./_fd_parameters.ts";
import { assertClose } from "./_assert.ts";

class SVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  failNext = false;
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    if (this.failNext) throw new Error("forward failed on purpose");
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const Z = [0.1, 0.45, 0.8, 1.0];
const xs = [0.05, 0.2, 0.33, 0.5, 0.61, 0.78, 0.95];
const ys = xs.map((v) => Math.sin(6 * v) + 0.1 * Math.cos(31 * v));

function model(
  kind: "whitened" | "unwhitened",
  z: number[] = Z,
  q: gp.variational.VariationalDistribution = new gp.variational.CholeskyVariationalDistribution(
    z.length,
  ),
  options: gp.variational.VariationalStrategyOptions = {},
): SVGP {
  const m = new SVGP(
    kind === "whitened"
      ? new gp.variational.VariationalStrategy(null, z, q, options)
      : new gp.variational.UnwhitenedVariationalStrategy(null, z, q, options),
  );
  m.meanModule.rawConstant.setRaw([0.3]);
  m.covarModule.initialize({ outputscale: 1.3, baseKernel: { lengthscale: 0.3 } });
  return m;
}

function cholQ(m: SVGP): gp.variational.CholeskyVariationalDistribution {
  return m.variationalStrategy
    .variationalDistribution as gp.variational.CholeskyVariationalDistribution;
}

/** K_ZZ + jitter·I and μ(Z) of a model, as numbers. */
async function priorAtZ(m: SVGP, z: number[], jitter: number) {
  const prior = m.prior(z);
  const k = await prior.covarianceMatrix();
  for (let i = 0; i < z.length; i++) k[i * z.length + i] += jitter;
  return { mean: await prior.mean(), k };
}

/** Lower-triangular product A B (both M × M row-major). */
function lowerProduct(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let k = j; k <= i; k++) acc += a[i * n + k] * b[k * n + j];
      out[i * n + j] = acc;
    }
  }
  return out;
}

/**
 * A whitened model with a non-trivial q(v) and the unwhitened model whose q(u) corresponds
 * to it: m_u = μ(Z) + L m_v, L_u = L L_v (so S_u = L S_v Lᵀ), with L L ᵀ = K_ZZ + jitter·I.
 */
async function correspondingPair(jitter: number) {
  const w = model("whitened", Z, undefined, { jitter });
  const u = model("unwhitened", Z, undefined, { jitter });
  const M = Z.length;
  const gen = new gp.Generator(11);
  const mv = gen.normals(M).map((v) => 0.5 * v);
  const lv = gen.normals(M * M).map((v) => 0.2 * v);
  for (let i = 0; i < M; i++) {
    lv[i * M + i] = 0.5 + 0.1 * i;
    for (let j = i + 1; j < M; j++) lv[i * M + j] = 0;
  }
  cholQ(w).variationalMean.setRaw(mv);
  cholQ(w).cholVariationalCovar.setRaw(lv);
  w.variationalStrategy.variationalParamsInitialized = true;
  const { mean, k } = await priorAtZ(u, Z, jitter);
  const l = cholesky(new Tensor(k, [M, M])).data;
  const mu = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let acc = mean[i];
    for (let j = 0; j <= i; j++) acc += l[i * M + j] * mv[j];
    mu[i] = acc;
  }
  cholQ(u).variationalMean.setRaw(mu);
  cholQ(u).cholVariationalCovar.setRaw(lowerProduct(l, lv, M));
  u.variationalStrategy.variationalParamsInitialized = true;
  return { w, u };
}

Deno.test("UnwhitenedVariationalStrategy gives the whitened strategy's q(f) and KL when q(u) = μ(Z) + L q(v)", async () => {
  for (const jitter of [0, 1e-6]) {
    const { w, u } = await correspondingPair(jitter);
    for (const mode of ["train", "eval"] as const) {
      w[mode]();
      u[mode]();
      const qw = w.call(xs), qu = u.call(xs);
      assertClose(await qu.mean(), await qw.mean(), { rtol: 1e-9, atol: 1e-12 });
      // The whitened strategy adds the jitter to q(f)'s covariance as well; this one does not.
      const vw = (await qw.variance()).map((v) => v - jitter);
      assertClose(await qu.variance(), vw, { rtol: 1e-9, atol: 1e-12 });
      const cw = await qw.covarianceMatrix();
      for (let i = 0; i < xs.length; i++) cw[i * xs.length + i] -= jitter;
      const cu = await qu.covarianceMatrix();
      if (mode === "eval") {
        assertClose(cu, cw, { rtol: 1e-9, atol: 1e-12 });
      } else {
        // Training mode: GPyTorch's data term is diagonal, so only the diagonal agrees.
        for (let i = 0; i < xs.length; i++) {
          assertClose([cu[i * xs.length + i]], [cw[i * xs.length + i]], { rtol: 1e-9 });
        }
      }
    }
    assertClose([u.variationalStrategy.kl().item()], [w.variationalStrategy.kl().item()], {
      rtol: 1e-9,
    });
  }
});

Deno.test("UnwhitenedVariationalStrategy: at x = Z, q(f) is q(u) itself; at q(u) = p(u), q(f) is the prior and KL is 0", async () => {
  const { u } = await correspondingPair(1e-6);
  const q = cholQ(u);
  const qz = u.call(Z);
  assert.deepStrictEqual(await qz.mean(), q.variationalMean.rawValues);
  const M = Z.length;
  const l = q.covarianceRoot().data;
  const s = new Float64Array(M * M);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) {
      for (let k = 0; k < M; k++) s[i * M + j] += l[i * M + k] * l[j * M + k];
    }
  }
  assertClose(await qz.covarianceMatrix(), s, { rtol: 1e-14, atol: 1e-15 });
  // The lazy initialisation with no noise puts q(u) at the prior.
  const p = model(
    "unwhitened",
    Z,
    new gp.variational.CholeskyVariationalDistribution(M, {
      meanInitStd: 0,
    }),
  );
  p.eval();
  const qf = p.call(xs);
  const prior = p.prior(xs);
  assertClose(await qf.mean(), await prior.mean(), { rtol: 1e-12, atol: 1e-12 });
  assertClose(await qf.covarianceMatrix(), await prior.covarianceMatrix(), {
    rtol: 1e-9,
    atol: 1e-9,
  });
  assert.ok(Math.abs(p.variationalStrategy.kl().item()) < 1e-10);
});

Deno.test("UnwhitenedVariationalStrategy initialises q(u) lazily from the prior N(μ(Z), K_ZZ + 1e-6 I), seeded", async () => {
  const M = Z.length;
  const a = model("unwhitened", Z, undefined, { seed: 5 });
  const b = model("unwhitened", Z, undefined, { seed: 5 });
  a.call(xs);
  b.variationalStrategy.kl(); // kl() before any call initialises too
  const { mean, k } = await priorAtZ(a, Z, 1e-6);
  const l = cholesky(new Tensor(k, [M, M])).data;
  assert.deepStrictEqual(cholQ(a).cholVariationalCovar.rawValues, l);
  const m = cholQ(a).variationalMean.rawValues;
  const noise = m.map((v, i) => v - mean[i]);
  assert.ok(noise.some((v) => v !== 0) && noise.every((v) => Math.abs(v) < 5e-3), `${noise}`);
  assert.deepStrictEqual(cholQ(b).variationalMean.rawValues, m);
  // Mean-field: s = √diag(K); natural: θ₂ = −½K⁻¹, so S = K.
  const mf = model("unwhitened", Z, new gp.variational.MeanFieldVariationalDistribution(M));
  mf.call(xs);
  const sd = (mf.variationalStrategy
    .variationalDistribution as gp.variational.MeanFieldVariationalDistribution).variationalStddev
    .rawValues;
  assertClose(sd, Array.from({ length: M }, (_, i) => Math.sqrt(k[i * M + i])), { rtol: 1e-15 });
  const nat = model("unwhitened", Z, new gp.variational.NaturalVariationalDistribution(M));
  nat.call(xs);
  const root = nat.variationalStrategy.variationalDistribution.moments().root.data;
  assertClose(root, l, { rtol: 1e-6, atol: 1e-9 });
  assert.ok(Math.abs(nat.variationalStrategy.kl().item()) < 1e-5);
});

Deno.test("UnwhitenedVariationalStrategy's ELBO gradients (Z, q(u), hyperparameters, noise) match finite differences", async () => {
  const meanField = () => {
    const u = model("unwhitened", Z, new gp.variational.MeanFieldVariationalDistribution(4));
    const q = u.variationalStrategy
      .variationalDistribution as gp.variational.MeanFieldVariationalDistribution;
    q.variationalMean.setRaw([0.2, -0.4, 0.9, 0.1]);
    q.variationalStddev.setRaw([0.4, 0.7, 0.5, 0.6]);
    u.variationalStrategy.variationalParamsInitialized = true;
    return u;
  };
  for (const u of [(await correspondingPair(1e-6)).u, meanField()]) {
    const likelihood = new gp.likelihoods.GaussianLikelihood();
    likelihood.noise = 0.2;
    const mll = new gp.mlls.VariationalELBO(likelihood, u, 20, { beta: 0.7 });
    const params: [string, gp.Parameter][] = [
      ...u.namedParameters(),
      ...likelihood.namedParameters(),
    ];
    await checkParameterGradients(async () => (await mll.call(u.call(xs), ys)).neg(), params);
  }
});

Deno.test("UnwhitenedVariationalStrategy trains with fitApproximate (the ELBO rises, the fit follows the data)", async () => {
  const x = gp.linspace(0, 1, 60);
  const y = x.map((v) => Math.sin(6 * v));
  // Few inducing points and a short lengthscale keep K_ZZ well conditioned: unwhitened
  // parameters move in K⁻¹'s metric, so Adam struggles where K_ZZ is nearly singular.
  const u = model("unwhitened", Array.from(gp.linspace(0, 1, 6)), undefined, { seed: 1 });
  u.covarModule.initialize({ baseKernel: { lengthscale: 0.2 } });
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const history = await gp.optim.fitApproximate(u, likelihood, x, y, {
    epochs: 40,
    batchSize: 20,
    lr: 0.05,
    seed: 2,
    progress: false,
  });
  assert.ok(history.epochLoss[39] < history.epochLoss[0] - 1, `${history.epochLoss}`);
  u.eval();
  const mean = await u.call(x).mean();
  const rmse = Math.sqrt(mean.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / x.length);
  assert.ok(rmse < 0.15, `rmse ${rmse}`);
});

Deno.test("UnwhitenedVariationalStrategy rejects bad input as the whitened one, and a failed first call initialises nothing", () => {
  const U = gp.variational.UnwhitenedVariationalStrategy;
  assert.throws(
    () => new U(null, Z, new gp.variational.CholeskyVariationalDistribution(5)),
    (e: Error) =>
      e instanceof RangeError && /UnwhitenedVariationalStrategy/.test(e.message) &&
      /size 5/.test(e.message) && /4 inducing points/.test(e.message),
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new U(null, Z, {} as any),
    (e: Error) => e instanceof TypeError && /CholeskyVariationalDistribution\(4\)/.test(e.message),
  );
  assert.throws(
    () => new U(null, Z, new gp.variational.CholeskyVariationalDistribution(4), { jitter: -1 }),
    (e: Error) => e instanceof RangeError && /jitter = -1/.test(e.message),
  );
  const lone = new U(null, Z, new gp.variational.CholeskyVariationalDistribution(4));
  assert.throws(
    () => lone.kl(),
    (e: Error) => e instanceof TypeError && /no model/.test(e.message),
  );
  const u = model("unwhitened");
  assert.throws(
    () => u.call([[0, 1], [1, 2]]),
    (e: Error) =>
      e instanceof TypeError && /2 dimension/.test(e.message) && /have 1/.test(e.message),
  );
  const q = cholQ(u);
  const before = q.parameters().map((p) => p.rawValues);
  u.failNext = true;
  assert.throws(() => u.call(xs), /on purpose/);
  assert.throws(() => u.variationalStrategy.kl(), /on purpose/);
  assert.strictEqual(u.variationalStrategy.variationalParamsInitialized, false);
  q.parameters().forEach((p, i) => assert.deepStrictEqual(p.rawValues, before[i]));
});

Deno.test("UnwhitenedVariationalStrategy with a natural q(u): one NGD step of rate 1 reaches the whitened strategy's optimal q(f)", async () => {
  const gen = new gp.Generator(8);
  const x = Array.from({ length: 30 }, () => gen.uniform());
  const y = x.map((v) => Math.sin(7 * v) + 0.1 * gen.normal());
  const z = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const test = [0.03, 0.31, 0.5, 0.77, 0.99];
  const fitted = async (kind: "whitened" | "unwhitened") => {
    const q = new gp.variational.NaturalVariationalDistribution(z.length);
    const m = model(kind, z, q, { seed: 3 });
    const likelihood = new gp.likelihoods.GaussianLikelihood();
    likelihood.noise = 0.05;
    const mll = new gp.mlls.VariationalELBO(likelihood, m, x.length);
    const ngd = new gp.optim.NGD(q.parameters(), { numData: x.length, lr: 1 });
    (await mll.call(m.call(x), y)).neg().backward();
    ngd.step();
    m.eval();
    return m.call(test);
  };
  const qw = await fitted("whitened"), qu = await fitted("unwhitened");
  assertClose(await qu.mean(), await qw.mean(), { rtol: 1e-8, atol: 1e-10, what: "mean" });
  const vw = (await qw.variance()).map((v) => v - 1e-6); // the whitened strategy's q(f) jitter
  assertClose(await qu.variance(), vw, { rtol: 1e-7, atol: 1e-10, what: "variance" });
});

Deno.test("UnwhitenedVariationalStrategy clamps the data variance at 0 in training mode only, as GPyTorch", () => {
  // S = 0 and no jitter: q(f)'s variance is diag(K_xx − K_xZ K⁻¹ K_Zx), which rounds to ±2e-16 at
  // points of Z (x ≠ Z as a whole, so the q(u) shortcut does not apply).
  const u = model("unwhitened", Z, undefined, { jitter: 0 });
  cholQ(u).cholVariationalCovar.setRaw(new Float64Array(Z.length * Z.length));
  u.variationalStrategy.variationalParamsInitialized = true;
  const x = [0.1, 0.45, 0.8];
  const train = u.call(x).latentVariance.data;
  u.eval();
  const exact = u.call(x).latentVariance.data;
  assert.ok(exact.some((v) => v < 0), `rounding gave no negative variance here: ${exact}`);
  assert.deepStrictEqual(Array.from(train), Array.from(exact, (v) => Math.max(0, v)));
});
