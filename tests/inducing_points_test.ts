// gp.variational.kmeansPlusPlus and randomSubset: seeded inducing-point initialisation.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { lloyd } from "../src/variational/kmeans_plus_plus.ts";
import { assertClose } from "./_assert.ts";

/** `perCluster` points around each centre, uniform within ±spread, from a seeded generator. */
function clusters(centres: number[][], perCluster: number, spread: number, seed: number) {
  const g = new gp.Generator(seed);
  const rows: number[][] = [];
  const label: number[] = [];
  centres.forEach((c, j) => {
    for (let i = 0; i < perCluster; i++) {
      rows.push(c.map((v) => v + spread * (2 * g.uniform() - 1)));
      label.push(j);
    }
  });
  // Interleave the clusters so that no order helps.
  const order = Array.from({ length: rows.length }, (_, i) => i).sort((a, b) =>
    ((a * 7919) % rows.length) - ((b * 7919) % rows.length)
  );
  return { x: order.map((i) => rows[i]), label: order.map((i) => label[i]) };
}

function sampleMeans(x: number[][], label: number[], m: number): number[][] {
  const d = x[0].length;
  const sums = Array.from({ length: m }, () => new Array(d).fill(0));
  const counts = new Array(m).fill(0);
  x.forEach((r, i) => {
    counts[label[i]]++;
    r.forEach((v, k) => (sums[label[i]][k] += v));
  });
  return sums.map((s, j) => s.map((v) => v / counts[j]));
}

function rowsOf(z: gp.Inputs): number[][] {
  return Array.from({ length: z.n }, (_, i) => [...z.row(i)]);
}

function inBox(z: gp.Inputs, x: number[][]): boolean {
  const d = x[0].length;
  for (let k = 0; k < d; k++) {
    const lo = Math.min(...x.map((r) => r[k]));
    const hi = Math.max(...x.map((r) => r[k]));
    for (let j = 0; j < z.n; j++) if (z.row(j)[k] < lo || z.row(j)[k] > hi) return false;
  }
  return true;
}

const CENTRES = [[0, 0], [10, 0], [0, 10], [10, 10], [5, 20]];

Deno.test("kmeansPlusPlus() on well-separated clusters recovers each cluster's mean", () => {
  const { x, label } = clusters(CENTRES, 40, 1, 3);
  const means = sampleMeans(x, label, CENTRES.length);
  for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const z = gp.variational.kmeansPlusPlus(x, CENTRES.length, { seed });
    assert.strictEqual(z.n, 5);
    assert.strictEqual(z.d, 2);
    // Each found centre is one cluster's sample mean, each cluster found once.
    const matched = new Set<number>();
    for (const c of rowsOf(z)) {
      const j = means.findIndex((mu) => Math.hypot(mu[0] - c[0], mu[1] - c[1]) < 3);
      assert.ok(j >= 0, `seed ${seed}: centre ${c} is near no cluster`);
      matched.add(j);
      assertClose(c, means[j], { rtol: 1e-12, atol: 1e-12, what: `seed ${seed}: cluster ${j}` });
    }
    assert.strictEqual(matched.size, 5, `seed ${seed}: every cluster found`);
  }
});

Deno.test("kmeansPlusPlus() is reproducible from its seed, and its points lie in the data's bounding box", () => {
  const g = new gp.Generator(11);
  const x = Array.from({ length: 300 }, () => [g.normal(), 3 * g.uniform() - 1, g.normal() ** 3]);
  const a = gp.variational.kmeansPlusPlus(x, 20, { seed: 5 });
  const b = gp.variational.kmeansPlusPlus(x, 20, { seed: 5 });
  assert.deepStrictEqual(a.data, b.data);
  assert.ok(inBox(a, x));
  // The seeding alone (no Lloyd iterations) picks distinct rows of x, differing with the seed.
  const s5 = gp.variational.kmeansPlusPlus(x, 20, { seed: 5, iterations: 0 });
  const s6 = gp.variational.kmeansPlusPlus(x, 20, { seed: 6, iterations: 0 });
  assert.notDeepStrictEqual(s5.data, s6.data);
  const keys = new Set(x.map((r) => r.join()));
  const picked = rowsOf(s5).map((r) => r.join());
  assert.ok(picked.every((k) => keys.has(k)), "seeds are rows of x");
  assert.strictEqual(new Set(picked).size, 20, "seeds are distinct");
  // Lloyd lowers the within-cluster sum of squares below the seeding's.
  const wcss = (z: gp.Inputs) =>
    x.reduce((s, r) => {
      let best = Infinity;
      for (let j = 0; j < z.n; j++) {
        best = Math.min(best, r.reduce((t, v, k) => t + (v - z.row(j)[k]) ** 2, 0));
      }
      return s + best;
    }, 0);
  assert.ok(wcss(a) < wcss(s5), `${wcss(a)} < ${wcss(s5)}`);
  // m = N: every row is its own centre.
  const all = gp.variational.kmeansPlusPlus(x.slice(0, 12), 12, { seed: 1 });
  assert.deepStrictEqual(
    rowsOf(all).map((r) => r.join()).sort(),
    x.slice(0, 12).map((r) => r.join()).sort(),
  );
});

Deno.test("lloyd() moves an emptied centre to the worst-served point and leaves no cluster empty", () => {
  // Centre 1 at 100 gets no point in the first assignment.
  const x = new gp.Inputs(new Float64Array([0, 1, 2, 10]), 4, 1);
  const centres = new Float64Array([5, 100]);
  const { assignment } = lloyd(x, centres, 2, 50);
  // Converged: {0, 1, 2} and {10}, each centre its cluster's mean.
  assert.deepStrictEqual([...centres].sort((a, b) => a - b), [1, 10]);
  assert.strictEqual(new Set(assignment).size, 2);
});

Deno.test("randomSubset() draws m distinct rows uniformly, reproducibly from its seed", () => {
  const x = Array.from({ length: 50 }, (_, i) => [i, -i]);
  const a = gp.variational.randomSubset(x, 10, { seed: 2 });
  assert.deepStrictEqual(a.data, gp.variational.randomSubset(x, 10, { seed: 2 }).data);
  assert.notDeepStrictEqual(a.data, gp.variational.randomSubset(x, 10, { seed: 3 }).data);
  const idx = rowsOf(a).map((r) => {
    assert.strictEqual(r[1], -r[0], "a row of x");
    return r[0];
  });
  assert.strictEqual(new Set(idx).size, 10);
  assert.ok(inBox(a, x));
  // m = N: a permutation of the rows.
  const perm = rowsOf(gp.variational.randomSubset(x, 50, { seed: 9 })).map((r) => r[0]);
  assert.deepStrictEqual([...perm].sort((p, q) => p - q), x.map((r) => r[0]));
  // Each row is chosen with probability m/N: 4000 draws of 5 out of 20.
  const counts = new Array(20).fill(0);
  for (let seed = 0; seed < 4000; seed++) {
    for (const v of gp.variational.randomSubset(gp.linspace(0, 19, 20), 5, { seed }).data) {
      counts[v]++;
    }
  }
  // Binomial(4000, 1/4): mean 1000, sd ≈ 27.4; 5 sd either side.
  counts.forEach((c, i) => assert.ok(Math.abs(c - 1000) < 137, `row ${i}: ${c} times`));
});

Deno.test("kmeansPlusPlus() and randomSubset() reject m > N, bad m and options, naming them", () => {
  const x = [[0, 0], [1, 1], [2, 2]];
  for (const f of [gp.variational.kmeansPlusPlus, gp.variational.randomSubset]) {
    assert.throws(() => f(x, 4), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /m = 4 inducing points exceeds the N = 3 rows of x; use m ≤ 3/);
      return true;
    });
    assert.throws(() => f(x, 0), /m = 0 must be an integer ≥ 1/);
    assert.throws(() => f(x, 1.5), RangeError);
    assert.throws(() => f(x, "2" as never), (e: Error) => e instanceof TypeError);
    assert.throws(() => f(x, 2, { seed: -1 }), /options\.seed = -1 must be a non-negative/);
    assert.throws(() => f([[0, NaN], [1, 1]], 1), RangeError);
  }
  assert.throws(
    () => gp.variational.kmeansPlusPlus(x, 2, { iterations: 2.5 }),
    /options\.iterations = 2\.5/,
  );
  assert.throws(
    () => gp.variational.kmeansPlusPlus([[1, 1], [1, 1], [2, 2], [1, 1]], 3),
    (e: Error) =>
      e instanceof RangeError && /x has only 2 distinct row\(s\) but m = 3/.test(e.message),
  );
});
