// fitApproximate: GPyTorch's minibatch SVGP loop with a progress line.
import assert from "node:assert";
import * as gp from "../mod.ts";

class SVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  constructor(
    q: gp.variational.VariationalDistribution = new gp.variational
      .CholeskyVariationalDistribution(6),
  ) {
    super(
      new gp.variational.VariationalStrategy(null, Array.from(gp.linspace(0, 1, 6)), q, {
        seed: 4,
      }),
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

// ---- Batch sources: in memory (gp.data.batches) and streamed (gp.data.batchesFromChunks).

/** (x, y) as a "file" of chunks of uneven sizes, read anew per call; `opens` counts the reads. */
function chunkedFile(sizes: number[], poison?: { chunk: number; row: number }) {
  const stats = { opens: 0 };
  async function* read(): AsyncGenerator<gp.data.Chunk> {
    stats.opens++;
    let start = 0;
    for (const [c, size] of sizes.entries()) {
      const cx = Array.from(x.slice(start, start + size));
      const cy = Array.from(y.slice(start, start + size));
      if (poison?.chunk === c) cx[poison.row] = NaN;
      start += size;
      await Promise.resolve(); // a real reader awaits I/O between chunks
      yield { x: cx, y: cy };
    }
  }
  return { read, stats };
}

function rawState(model: SVGP, likelihood: gp.likelihoods.GaussianLikelihood): Float64Array[] {
  return [...model.parameters(), ...likelihood.parameters()].map((p) => p.rawValues);
}

Deno.test("fitApproximate() over streamed chunks equals the in-memory run with the same batches, bit for bit", async () => {
  const options = { epochs: 3, lr: 0.03, progress: false } as const;
  const a = new SVGP(), la = new gp.likelihoods.GaussianLikelihood();
  const inMemory = await gp.optim.fitApproximate(a, la, x, y, {
    ...options,
    batchSize: 12,
    shuffle: false,
  });
  // 40 rows in chunks of 7, 13, 20: batches of 12 straddle the chunks' edges.
  const { read, stats } = chunkedFile([7, 13, 20]);
  const b = new SVGP(), lb = new gp.likelihoods.GaussianLikelihood();
  const stream = gp.data.batchesFromChunks(read, { batchSize: 12 });
  const streamed = await gp.optim.fitApproximate(b, lb, stream, options);
  assert.strictEqual(streamed.numData, 40);
  assert.strictEqual(stats.opens, 4, "one counting pass, then one read per epoch");
  assert.deepStrictEqual(streamed.loss, inMemory.loss);
  assert.deepStrictEqual(rawState(b, lb), rawState(a, la));
  // Given numData, the stream is read once per epoch only.
  const again = chunkedFile([7, 13, 20]);
  const c = new SVGP(), lc = new gp.likelihoods.GaussianLikelihood();
  await gp.optim.fitApproximate(c, lc, gp.data.batchesFromChunks(again.read, { batchSize: 12 }), {
    ...options,
    numData: 40,
  });
  assert.strictEqual(again.stats.opens, 3);
  assert.deepStrictEqual(rawState(c, lc), rawState(a, la));
  // An in-memory source with a shuffle is the (x, y) path with the same seed.
  const d = new SVGP(), ld = new gp.likelihoods.GaussianLikelihood();
  const shuffled = await gp.optim.fitApproximate(d, ld, x, y, {
    ...options,
    batchSize: 12,
    seed: 5,
  });
  const e = new SVGP(), le = new gp.likelihoods.GaussianLikelihood();
  const source = gp.data.batches(x, y, { batchSize: 12, shuffle: true, seed: 5 });
  assert.deepStrictEqual(
    (await gp.optim.fitApproximate(e, le, source, options)).loss,
    shuffled.loss,
  );
  assert.deepStrictEqual(rawState(e, le), rawState(d, ld));
});

Deno.test("fitApproximate() over a stream prints epoch, step of the known length, loss and time left", async () => {
  const lines: string[] = [];
  const { read } = chunkedFile([7, 13, 20]);
  await gp.optim.fitApproximate(
    new SVGP(),
    new gp.likelihoods.GaussianLikelihood(),
    gp.data.batchesFromChunks(read, { batchSize: 12, shuffleBuffer: 10, seed: 1 }),
    { epochs: 2, lr: 0.05, progress: (line) => lines.push(line) },
  );
  assert.strictEqual(lines.length, 8);
  assert.match(lines[0], /^epoch 1\/2 {2}step 1\/4 {2}loss -?\d+\.\d{6} {2}~\d+\.\d s left$/);
  assert.match(lines[3], /^epoch 1\/2 {2}step 4\/4 /);
  assert.match(lines[7], /^epoch 2\/2 {2}step 4\/4 .* ~0\.0 s left$/);
});

Deno.test("fitApproximate() stops at a non-finite row of a stream, naming batch and row, with the earlier steps kept", async () => {
  const model = new SVGP(), lik = new gp.likelihoods.GaussianLikelihood();
  const { read } = chunkedFile([7, 13, 20], { chunk: 2, row: 5 }); // stream row 25: batch 2
  const snapshots: Float64Array[][] = [];
  await assert.rejects(
    () =>
      gp.optim.fitApproximate(model, lik, gp.data.batchesFromChunks(read, { batchSize: 12 }), {
        numData: 40,
        lr: 0.05,
        progress: () => snapshots.push(rawState(model, lik)),
      }),
    (err: Error) =>
      err instanceof RangeError && /batch 2 of epoch 0, row 1/.test(err.message) &&
      /stream row 25: row 5 of chunk 2/.test(err.message) && /NaN/.test(err.message),
  );
  assert.strictEqual(snapshots.length, 2);
  assert.deepStrictEqual(rawState(model, lik), snapshots[1]);
});

/** A Gaussian likelihood that spoils the loss (NaN) or only its gradient from some call on. */
class FaultyLikelihood extends gp.likelihoods.GaussianLikelihood {
  fault: "none" | "loss" | "gradient" = "none";
  calls = 0;
  failFrom = 0;
  override expectedLogProb(
    target: Float64Array,
    mean: gp.autograd.Tensor,
    variance: gp.autograd.Tensor,
  ): gp.autograd.Tensor {
    const t = super.expectedLogProb(target, mean, variance);
    if (this.calls++ < this.failFrom) return t;
    if (this.fault === "loss") return t.mul(NaN);
    // √(0·μ) is 0 but its derivative is infinite: a finite loss with a NaN gradient.
    if (this.fault === "gradient") return t.add(gp.autograd.sqrt(mean.mul(0)));
    return t;
  }
}

Deno.test("fitApproximate(): a non-finite loss or gradient leaves every parameter, lazy initialisation included, as before that step", async () => {
  for (const fault of ["loss", "gradient"] as const) {
    // At the first step: even q(u)'s lazy initialisation is undone.
    const model = new SVGP(), lik = new FaultyLikelihood();
    lik.fault = fault;
    const before = rawState(model, lik);
    await assert.rejects(
      () => gp.optim.fitApproximate(model, lik, x, y, { batchSize: 10, progress: false }),
      (err: Error) =>
        err instanceof RangeError && /epoch 1, batch 0 \(step 1\)/.test(err.message) &&
        (fault === "loss" ? /loss is NaN/ : /gradient/).test(err.message),
    );
    assert.deepStrictEqual(rawState(model, lik), before);
    assert.strictEqual(model.variationalStrategy.variationalParamsInitialized, false);
    // A retry draws the same initial q(u) as a fresh model (the generator went back too).
    const fresh = new SVGP();
    fresh.call([0.5]);
    model.call([0.5]);
    assert.deepStrictEqual(rawState(model, lik), rawState(fresh, lik));
    // At a later step: the parameters after the last good step.
    const later = new SVGP(), lik2 = new FaultyLikelihood();
    lik2.fault = fault;
    lik2.failFrom = 5;
    const snapshots: Float64Array[][] = [];
    await assert.rejects(
      () =>
        gp.optim.fitApproximate(later, lik2, x, y, {
          batchSize: 10,
          lr: 0.05,
          progress: () => snapshots.push(rawState(later, lik2)),
        }),
      (err: Error) => err instanceof RangeError && /epoch 2, batch 1 \(step 6\)/.test(err.message),
    );
    assert.strictEqual(snapshots.length, 5);
    assert.deepStrictEqual(rawState(later, lik2), snapshots[4]);
  }
});

Deno.test("fitApproximate() with a source rejects misplaced and wrong options, naming the fix", async () => {
  const model = new SVGP(), lik = new gp.likelihoods.GaussianLikelihood();
  const before = rawState(model, lik);
  const { read } = chunkedFile([20, 20]);
  const stream = () => gp.data.batchesFromChunks(read, { batchSize: 8 });
  await assert.rejects(
    () => gp.optim.fitApproximate(model, lik, stream(), { batchSize: 4 } as never),
    (e: Error) =>
      e instanceof TypeError && /batchSize is given with a batch source/.test(e.message),
  );
  await assert.rejects(
    () => gp.optim.fitApproximate(model, lik, stream(), y as never),
    (e: Error) => e instanceof TypeError && /fourth argument is the options/.test(e.message),
  );
  await assert.rejects(
    () => gp.optim.fitApproximate(model, lik, stream(), { numData: 0 }),
    (e: Error) => e instanceof RangeError && /numData = 0/.test(e.message),
  );
  await assert.rejects(
    () => gp.optim.fitApproximate(model, lik, read as never, y),
    (e: Error) => e instanceof TypeError && /batchesFromChunks\(chunks/.test(e.message),
  );
  await assert.rejects(
    () =>
      gp.optim.fitApproximate(model, lik, gp.data.batches(x, y, { batchSize: 8 }), {
        numData: 39,
      }),
    (e: Error) => e instanceof RangeError && /holds 40 rows/.test(e.message),
  );
  assert.deepStrictEqual(rawState(model, lik), before);
  assert.strictEqual(model.variationalStrategy.variationalParamsInitialized, false);
  // A numData that the stream contradicts is reported at the end of the first epoch.
  await assert.rejects(
    () =>
      gp.optim.fitApproximate(new SVGP(), lik, stream(), {
        numData: 50,
        epochs: 2,
        progress: false,
      }),
    (e: Error) =>
      e instanceof RangeError && /read 40 rows/.test(e.message) && /numData = 50/.test(e.message) &&
      /numData: 40/.test(e.message),
  );
});

// ---- Own optimizers: continuing a run, GPyTorch's NGD + Adam recipe.

Deno.test("fitApproximate() continued with history.optimizers is one longer run, Adam's moments kept", async () => {
  const options = { batchSize: 12, shuffle: false, progress: false } as const;
  const a = new SVGP(), la = new gp.likelihoods.GaussianLikelihood();
  const whole = await gp.optim.fitApproximate(a, la, x, y, { ...options, epochs: 4, lr: 0.03 });
  const b = new SVGP(), lb = new gp.likelihoods.GaussianLikelihood();
  const first = await gp.optim.fitApproximate(b, lb, x, y, { ...options, epochs: 2, lr: 0.03 });
  assert.strictEqual(first.optimizers.length, 1);
  assert.ok(first.optimizers[0] instanceof gp.optim.Adam);
  const second = await gp.optim.fitApproximate(b, lb, x, y, {
    ...options,
    epochs: 2,
    optimizers: first.optimizers,
  });
  assert.strictEqual(second.optimizers[0], first.optimizers[0]);
  assert.deepStrictEqual([...first.loss, ...second.loss], whole.loss);
  assert.deepStrictEqual(rawState(b, lb), rawState(a, la));
  // A fresh Adam for the second half (no optimizers) restarts the moments: another path.
  const c = new SVGP(), lc = new gp.likelihoods.GaussianLikelihood();
  await gp.optim.fitApproximate(c, lc, x, y, { ...options, epochs: 2, lr: 0.03 });
  const restarted = await gp.optim.fitApproximate(c, lc, x, y, { ...options, epochs: 2, lr: 0.03 });
  assert.notDeepStrictEqual(restarted.loss, second.loss);
});

const natural = () => new SVGP(new gp.variational.NaturalVariationalDistribution(6));

Deno.test("fitApproximate() steps GPyTorch's NGD + Adam recipe as the hand-written loop does", async () => {
  const split = (model: SVGP, lik: gp.likelihoods.GaussianLikelihood) => {
    const q = model.variationalStrategy.variationalDistribution.parameters();
    const others = [...model.parameters(), ...lik.parameters()].filter((p) => !q.includes(p));
    return [new gp.optim.NGD(q, { numData: 40, lr: 0.5 }), new gp.optim.Adam(others, { lr: 0.02 })];
  };
  const a = natural(), la = new gp.likelihoods.GaussianLikelihood();
  const history = await gp.optim.fitApproximate(a, la, x, y, {
    epochs: 3,
    batchSize: 20,
    shuffle: false,
    optimizers: split(a, la),
    progress: false,
  });
  const b = natural(), lb = new gp.likelihoods.GaussianLikelihood();
  const optimizers = split(b, lb);
  const mll = new gp.mlls.VariationalELBO(lb, b, 40);
  const losses: number[] = [];
  b.train();
  lb.train();
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const start of [0, 20]) {
      for (const o of optimizers) o.zeroGrad();
      const loss = (await mll.call(b.call(x.slice(start, start + 20)), y.slice(start, start + 20)))
        .neg();
      loss.backward();
      for (const o of optimizers) o.step();
      losses.push(loss.item());
    }
  }
  assert.deepStrictEqual(history.loss, losses);
  assert.deepStrictEqual(rawState(a, la), rawState(b, lb));
});

Deno.test("fitApproximate() rejects optimizers that miss, repeat or mis-scale a parameter, naming it", async () => {
  const model = new SVGP(), lik = new gp.likelihoods.GaussianLikelihood();
  const before = rawState(model, lik);
  const all = [...model.parameters(), ...lik.parameters()];
  const fit = (options: gp.optim.FitApproximateOptions) => () =>
    gp.optim.fitApproximate(model, lik, x, y, { progress: false, ...options });
  const fails = (f: () => Promise<unknown>, type: typeof TypeError, re: RegExp) =>
    assert.rejects(f, (e: Error) => e instanceof type && re.test(e.message), String(re));
  const adam = new gp.optim.Adam(all);
  await fails(fit({ optimizers: adam, lr: 0.1 }), TypeError, /lr = 0\.1 is given with/);
  await fails(fit({ optimizers: [] }), TypeError, /non-empty array/);
  await fails(fit({ optimizers: [adam, {} as never] }), TypeError, /optimizers\[1\] is/);
  await fails(
    fit({ optimizers: new gp.optim.LBFGS(all) }),
    TypeError,
    /LBFGS, whose line search needs the full objective/,
  );
  await fails(
    fit({ optimizers: new gp.optim.Adam(all.slice(1)) }),
    RangeError,
    /1 trainable parameter\(s\) .*\(the first: model\.[\w.]+\)/,
  );
  await fails(
    fit({ optimizers: [adam, new gp.optim.Adam(all.slice(0, 1))] }),
    RangeError,
    /parameter model\.[\w.]+ is in options\.optimizers\[0\] and \[1\]/,
  );
  await fails(
    fit({ optimizers: [new gp.optim.NGD(all, { numData: 39 })] }),
    RangeError,
    /NGD with numData = 39 .* \{ numData: 40 \}/,
  );
  assert.deepStrictEqual(rawState(model, lik), before);
  assert.strictEqual(model.variationalStrategy.variationalParamsInitialized, false);
});
