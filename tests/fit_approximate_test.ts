// fitApproximate: GPyTorch's minibatch SVGP loop with a progress line.
import assert from "node:assert";
import * as gp from "../mod.ts";

class SVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  constructor() {
    super(
      new gp.variational.VariationalStrategy(
        null,
        Array.from(gp.linspace(0, 1, 6)),
        new gp.variational.CholeskyVariationalDistribution(6),
        { seed: 4 },
      ),
    );
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const x = gp.linspace(0, 1, 40);
const y = x.map((v) => Math.sin(6 * v) + 0.05 * Math.cos(40 * v));

Deno.test("fitApproximate() with one full batch is the hand-written ELBO + Adam loop, step for step", async () => {
  const a = new SVGP(), la = new gp.likelihoods.GaussianLikelihood();
  const history = await gp.optim.fitApproximate(a, la, x, y, {
    epochs: 6,
    batchSize: 40,
    shuffle: false,
    lr: 0.03,
    progress: false,
  });
  const b = new SVGP(), lb = new gp.likelihoods.GaussianLikelihood();
  const mll = new gp.mlls.VariationalELBO(lb, b, 40);
  const optimizer = new gp.optim.Adam([...b.parameters(), ...lb.parameters()], { lr: 0.03 });
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) {
    optimizer.zeroGrad();
    const loss = (await mll.call(b.call(x), y)).neg();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  assert.deepStrictEqual(history.loss, losses);
  assert.deepStrictEqual(
    a.variationalStrategy.inducingPoints.rawValues,
    b.variationalStrategy.inducingPoints.rawValues,
  );
});

Deno.test("fitApproximate() prints epoch, step, loss and time left for every step, and is reproducible by seed", async () => {
  const lines: string[] = [];
  const run = async (progress: false | ((line: string) => void)) =>
    await gp.optim.fitApproximate(new SVGP(), new gp.likelihoods.GaussianLikelihood(), x, y, {
      epochs: 2,
      batchSize: 12,
      seed: 9,
      lr: 0.05,
      progress,
    });
  const h1 = await run((line) => lines.push(line));
  const h2 = await run(false);
  assert.strictEqual(h1.steps, 8); // ⌈40 / 12⌉ = 4 batches × 2 epochs
  assert.deepStrictEqual(h1.loss, h2.loss);
  assert.strictEqual(lines.length, 8);
  assert.match(lines[0], /^epoch 1\/2 {2}step 1\/4 {2}loss -?\d+\.\d{6} {2}~\d+\.\d s left$/);
  assert.match(lines[7], /^epoch 2\/2 {2}step 4\/4 /);
  assert.strictEqual(h1.epochLoss.length, 2);
});

Deno.test("fitApproximate() rejects bad options before changing anything", async () => {
  const model = new SVGP();
  const before = model.variationalStrategy.inducingPoints.rawValues;
  const lik = new gp.likelihoods.GaussianLikelihood();
  await assert.rejects(() => gp.optim.fitApproximate(model, lik, x, y, { epochs: 0 }), RangeError);
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => gp.optim.fitApproximate(model, lik, x, y, { objective: "mll" as any }),
    RangeError,
  );
  await assert.rejects(() => gp.optim.fitApproximate(model, lik, x, y.slice(1)), TypeError);
  assert.deepStrictEqual(model.variationalStrategy.inducingPoints.rawValues, before);
  assert.strictEqual(model.variationalStrategy.variationalParamsInitialized, false);
});
