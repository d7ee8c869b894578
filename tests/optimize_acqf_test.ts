// optimizeAcqf: the maximum of acquisitions checked on dense grids (1-D, 2-D, a joint q = 2
// batch, sequential greedy), one batched call per L-BFGS-B round, initializeQBatch's
// heuristic, and bad input.
import assert from "node:assert";
import * as gp from "../mod.ts";

const ag = gp.autograd;
type T = gp.autograd.Tensor;

/** An acquisition's values on a list of points (q = 1), in chunks. */
async function onGrid(acq: gp.bo.AcquisitionFunction, pts: number[][]): Promise<Float64Array> {
  const out = new Float64Array(pts.length);
  for (let s = 0; s < pts.length; s += 5000) {
    const part = pts.slice(s, s + 5000);
    out.set((await acq.forward(ag.tensor(part))).data, s);
  }
  return out;
}

function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
}

Deno.test("optimizeAcqf() finds LogEI's maximum on a 1-D grid, within its resolution", async () => {
  const f = (x: number) => Math.sin(3 * x) * x;
  const tx = [0.3, 1.1, 2.0, 2.6, 3.7, 4.4].map((v) => [v]);
  const model = new gp.bo.SingleTaskGP(tx, tx.map(([v]) => f(v)), { bounds: [[0], [5]] });
  await gp.bo.fitModel(model, { seed: 0 });
  const best = Math.max(...model.trainY);
  const acq = new gp.bo.LogExpectedImprovement(model, { bestF: best });
  const h = 5 / 4000;
  const grid = Array.from({ length: 4001 }, (_, i) => [i * h]);
  const values = await onGrid(acq, grid);
  const g = argmax(values);
  const res = await gp.bo.optimizeAcqf(acq, [[0], [5]], { numRestarts: 5, rawSamples: 64 });
  assert.ok(res.acqValue >= values[g] - 1e-9, `${res.acqValue} < grid max ${values[g]}`);
  assert.ok(Math.abs(res.candidates[0][0] - grid[g][0]) <= h, `${res.candidates[0]} vs ${grid[g]}`);
  // The reported value is the acquisition's at the candidate.
  const [check] = (await acq.forward(ag.tensor(res.candidates))).data;
  assert.ok(Math.abs(check - res.acqValue) <= 1e-12 * Math.abs(check));
});

Deno.test("optimizeAcqf() finds UCB's maximum on a 2-D grid, with one batched call per round", async () => {
  const gen = new gp.Generator(3);
  const tx = Array.from({ length: 12 }, () => [4 * gen.uniform() - 2, 2 * gen.uniform()]);
  const ty = tx.map(([a, b]) => Math.cos(2 * a) + Math.sin(3 * b) - 0.1 * a * a);
  const bounds = [[-2, 0], [2, 2]];
  const model = new gp.bo.SingleTaskGP(tx, ty, { bounds });
  await gp.bo.fitModel(model, { seed: 0 });
  const ucb = new gp.bo.UpperConfidenceBound(model, { beta: 0.5 });
  const calls: { b: number; grad: boolean }[] = [];
  const counted: gp.bo.AcquisitionFunction = {
    dim: 2,
    forward: (x: T) => {
      calls.push({ b: x.shape[0], grad: x.requiresGrad });
      return ucb.forward(x);
    },
  };
  const n = 201, hx = 4 / (n - 1), hy = 2 / (n - 1);
  const grid: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) grid.push([-2 + i * hx, j * hy]);
  const values = await onGrid(ucb, grid);
  const g = argmax(values);
  const res = await gp.bo.optimizeAcqf(counted, bounds, {
    numRestarts: 8,
    rawSamples: 256,
    seed: 1,
  });
  assert.ok(res.acqValue >= values[g] - 1e-9, `${res.acqValue} < grid max ${values[g]}`);
  const [cx, cy] = res.candidates[0];
  assert.ok(
    Math.abs(cx - grid[g][0]) <= hx && Math.abs(cy - grid[g][1]) <= hy,
    `${res.candidates}`,
  );
  assert.ok(cx >= -2 && cx <= 2 && cy >= 0 && cy <= 2);
  // Raw samples in one call, then every round one call for all running restarts.
  assert.deepStrictEqual(calls[0], { b: 256, grad: false });
  const rounds = calls.filter((c) => c.grad);
  assert.strictEqual(rounds[0].b, 8);
  for (let i = 1; i < rounds.length; i++) assert.ok(rounds[i].b <= rounds[i - 1].b);
});

/** A 1-D test function with three peaks: 0.3x plus three Gaussian bumps, recorded. */
function bumpsTensor(x: T): T {
  return x.mul(0.3).add(gauss(x, 0.17, 0.1, 0.4)).add(gauss(x, 0.5, 0.08, 0.9)).add(
    gauss(x, 0.83, 0.07, 1.1),
  );
}
function gauss(x: T, c: number, w: number, a: number): T {
  const z = x.sub(c).div(w);
  return ag.exp(z.mul(z).mul(-0.5)).mul(a);
}
function bumpsNumber(x: number): number {
  const ga = (c: number, w: number, a: number) => a * Math.exp(-0.5 * ((x - c) / w) ** 2);
  return 0.3 * x + ga(0.17, 0.1, 0.4) + ga(0.5, 0.08, 0.9) + ga(0.83, 0.07, 1.1);
}

Deno.test("optimizeAcqf({ q: 2 }) maximises a joint q-batch, checked on the 2-D grid of pairs", async () => {
  // f(x1, x2) = b(x1) + b(x2) − 1.5·exp(−(x1 − x2)²/(2·0.05²)): the pair spreads over two peaks.
  const joint: gp.bo.AcquisitionFunction = {
    dim: 1,
    forward(x: T) {
      const b = x.shape[0];
      const x1 = ag.matmul(x.reshape([b, 2]), ag.tensor([[1], [0]])).reshape([b]);
      const x2 = ag.matmul(x.reshape([b, 2]), ag.tensor([[0], [1]])).reshape([b]);
      const r = x1.sub(x2).div(0.05);
      return Promise.resolve(
        bumpsTensor(x1).add(bumpsTensor(x2)).sub(ag.exp(r.mul(r).mul(-0.5)).mul(1.5)),
      );
    },
  };
  const F = (a: number, c: number) =>
    bumpsNumber(a) + bumpsNumber(c) - 1.5 * Math.exp(-0.5 * ((a - c) / 0.05) ** 2);
  const n = 801, h = 1 / (n - 1);
  let bi = 0, bj = 0, bv = -Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = F(i * h, j * h);
      if (v > bv) [bi, bj, bv] = [i, j, v];
    }
  }
  const res = await gp.bo.optimizeAcqf(joint, [[0], [1]], {
    q: 2,
    numRestarts: 10,
    rawSamples: 128,
  });
  assert.ok(res.acqValue >= bv - 1e-9, `${res.acqValue} < ${bv}`);
  const got = res.candidates.map((r) => r[0]).sort((a, b) => a - b);
  const want = [bi * h, bj * h].sort((a, b) => a - b);
  assert.ok(
    Math.abs(got[0] - want[0]) <= h && Math.abs(got[1] - want[1]) <= h,
    `${got} vs ${want}`,
  );
});

/** b(x) − Σ_pending 2·exp(−(x − p)²/(2·0.05²)), with BoTorch's X_pending protocol. */
class PendingAware implements gp.bo.AcquisitionFunction {
  readonly dim = 1;
  xPending: T | null = null;
  setXPending(x: T | null) {
    this.xPending = x;
  }
  forward(x: T): Promise<T> {
    const b = x.shape[0];
    const x1 = x.reshape([b]);
    let v = bumpsTensor(x1);
    for (const p of this.xPending?.data ?? []) {
      const r = x1.sub(p).div(0.05);
      v = v.sub(ag.exp(r.mul(r).mul(-0.5)).mul(2));
    }
    return Promise.resolve(v);
  }
  value(x: number): number {
    let v = bumpsNumber(x);
    for (const p of this.xPending?.data ?? []) v -= 2 * Math.exp(-0.5 * ((x - p) / 0.05) ** 2);
    return v;
  }
}

Deno.test("optimizeAcqf({ sequential: true }) picks greedily with the earlier points pending", async () => {
  const acq = new PendingAware();
  const res = await gp.bo.optimizeAcqf(acq, [[0], [1]], {
    q: 3,
    sequential: true,
    numRestarts: 6,
    rawSamples: 64,
  });
  assert.strictEqual(acq.xPending, null); // restored
  const n = 20001, h = 1 / (n - 1);
  const chosen: number[] = [];
  for (let k = 0; k < 3; k++) {
    const ref = new PendingAware();
    ref.setXPending(chosen.length ? ag.tensor(chosen.map((c) => [c])) : null);
    let bx = 0, bv = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = ref.value(i * h);
      if (v > bv) [bx, bv] = [i * h, v];
    }
    assert.ok(Math.abs(res.candidates[k][0] - bx) <= h, `step ${k}: ${res.candidates[k]} vs ${bx}`);
    assert.ok(res.acqValues[k] >= bv - 1e-9);
    chosen.push(res.candidates[k][0]);
  }
});

Deno.test("initializeQBatch() keeps the best, samples without replacement, favours high values", () => {
  const values = Array.from({ length: 50 }, (_, i) => i / 10);
  const counts = new Array(50).fill(0);
  for (let s = 0; s < 200; s++) {
    const idx = gp.bo.initializeQBatch(values, 5, { seed: s });
    assert.ok(idx.includes(49));
    assert.strictEqual(new Set(idx).size, 5);
    for (const i of idx) counts[i]++;
  }
  const low = counts.slice(0, 10).reduce((a, b) => a + b),
    high = counts.slice(39, 49).reduce((a, b) => a + b);
  assert.ok(high > 5 * low, `high ${high}, low ${low}`);
  assert.deepStrictEqual(
    gp.bo.initializeQBatch(values, 5, { seed: 3 }),
    gp.bo.initializeQBatch(values, 5, { seed: 3 }),
  );
  // Equal values: a random subset; −Infinity values are avoided while enough are finite.
  assert.strictEqual(new Set(gp.bo.initializeQBatch(new Array(9).fill(1), 4, { seed: 0 })).size, 4);
  const withInf = [-Infinity, 1, 2, -Infinity, 3, 0.5];
  for (const i of gp.bo.initializeQBatch(withInf, 3, { seed: 1 })) {
    assert.ok(Number.isFinite(withInf[i]));
  }
  assert.throws(() => gp.bo.initializeQBatch(values, 51), RangeError);
});

Deno.test("optimizeAcqf() rejects bad bounds, q < 1, too few raw samples and sequential analytic acquisitions", async () => {
  const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
  const acq = new gp.bo.LogExpectedImprovement(model, { bestF: 2 });
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[1], [0]]),
    (e) => e instanceof RangeError && /lower\[0\] = 1 is not below upper\[0\] = 0/.test(e.message),
  );
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0, 0], [1, 1]]),
    (e) => e instanceof TypeError && /2 dimension\(s\) but 1 are expected/.test(e.message),
  );
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0], [1]], { q: 0 }),
    (e) => e instanceof RangeError && /q = 0 must be an integer ≥ 1/.test(e.message),
  );
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0], [1]], { numRestarts: 10, rawSamples: 5 }),
    (e) => e instanceof RangeError && /rawSamples = 5/.test(e.message),
  );
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0], [1]], { q: 2, sequential: true }),
    (e) => e instanceof TypeError && /setXPending/.test(e.message),
  );
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0], [1]], { q: 2 }),
    (e) => e instanceof RangeError && /q = 2/.test(e.message),
  );
  await assert.rejects(gp.bo.optimizeAcqf(acq, [[0], [NaN]]), RangeError);
  await assert.rejects(
    gp.bo.optimizeAcqf(acq, [[0], [1]], { q: 501 }),
    (e) => e instanceof RangeError && /501 raw-sample dimensions/.test(e.message),
  );
  // @ts-expect-error: not an acquisition
  await assert.rejects(gp.bo.optimizeAcqf({}, [[0], [1]]), TypeError);
});
