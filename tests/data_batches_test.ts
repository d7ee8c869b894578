// gp.data.batches: minibatches over in-memory data.
import assert from "node:assert";
import * as gp from "../mod.ts";

function grid(n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => i + k / 10));
}

function epochRows(loader: Iterable<gp.data.Batch>): number[] {
  const rows: number[] = [];
  for (const b of loader) rows.push(...b.rowIndices);
  return rows;
}

Deno.test("batches() visits every row exactly once per epoch, reshuffled each epoch", () => {
  const n = 103;
  const x = grid(n, 3);
  const y = x.map((r) => 10 * r[0]);
  const loader = gp.data.batches(x, y, { batchSize: 10, shuffle: true, seed: 5 });
  assert.strictEqual(loader.length, 11);
  for (let epoch = 0; epoch < 4; epoch++) {
    const counts = new Array(n).fill(0);
    const sizes: number[] = [];
    let expectIndex = 0;
    for (const b of loader) {
      assert.strictEqual(b.index, expectIndex++);
      assert.strictEqual(b.epoch, epoch);
      assert.strictEqual(b.x.d, 3);
      assert.strictEqual(b.y.length, b.x.n);
      sizes.push(b.x.n);
      for (let r = 0; r < b.x.n; r++) {
        const src = b.rowIndices[r];
        counts[src]++;
        // The batch carries that row's inputs and target.
        assert.deepStrictEqual([...b.x.row(r)], x[src]);
        assert.strictEqual(b.y[r], y[src]);
      }
    }
    assert.deepStrictEqual(sizes, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    assert.ok(counts.every((c) => c === 1), `epoch ${epoch}: every row exactly once`);
  }
  // Each epoch has its own order.
  const again = gp.data.batches(x, y, { batchSize: 10, shuffle: true, seed: 5 });
  const e0 = epochRows(again).join();
  const e1 = epochRows(again).join();
  assert.notStrictEqual(e0, e1);
  assert.notStrictEqual(e0, Array.from({ length: n }, (_, i) => i).join());
  assert.strictEqual(again.epoch, 2);
});

Deno.test("batches() with the same seed gives the same epochs; another seed, others", () => {
  const x = gp.linspace(0, 1, 50);
  const y = x.map((v) => v * v);
  const a = gp.data.batches(x, y, { batchSize: 7, shuffle: true, seed: 11 });
  const b = gp.data.batches(x, y, { batchSize: 7, shuffle: true, seed: 11 });
  const c = gp.data.batches(x, y, { batchSize: 7, shuffle: true, seed: 12 });
  for (let epoch = 0; epoch < 3; epoch++) {
    const ea = [...a];
    const eb = [...b];
    assert.deepStrictEqual(ea.map((t) => [...t.y]), eb.map((t) => [...t.y]));
    assert.notDeepStrictEqual(epochRows(c), ea.flatMap((t) => [...t.rowIndices]));
  }
  assert.strictEqual(a.seed, 11);
  // Without a seed one is drawn and reported, so the run can be repeated.
  const d = gp.data.batches(x, y, { batchSize: 7, shuffle: true });
  const seed = d.seed!;
  assert.ok(Number.isSafeInteger(seed) && seed >= 0);
  assert.deepStrictEqual(
    epochRows(d),
    epochRows(gp.data.batches(x, y, { batchSize: 7, shuffle: true, seed })),
  );
});

Deno.test("batches() without shuffle keeps the data's order; dropLast leaves out the short batch", () => {
  const x = grid(10, 2);
  const y = x.map((r) => r[0]);
  const plain = gp.data.batches(x, y, { batchSize: 4 });
  assert.strictEqual(plain.seed, null);
  assert.deepStrictEqual(epochRows(plain), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepStrictEqual([...plain].map((b) => b.x.n), [4, 4, 2]);
  const dropped = gp.data.batches(x, y, { batchSize: 4, dropLast: true, shuffle: true, seed: 2 });
  assert.strictEqual(dropped.length, 2);
  for (let e = 0; e < 3; e++) {
    const rows = epochRows(dropped);
    assert.strictEqual(rows.length, 8);
    assert.strictEqual(new Set(rows).size, 8);
  }
  // One batch larger than the data is the whole data.
  assert.deepStrictEqual([...gp.data.batches(x, y, { batchSize: 64 })].map((b) => b.x.n), [10]);
});

Deno.test("batches() shuffles uniformly: all 6 orders of 3 rows about equally often", () => {
  const loader = gp.data.batches([0, 1, 2], [0, 1, 2], { batchSize: 3, shuffle: true, seed: 1 });
  const counts = new Map<string, number>();
  const epochs = 6000;
  for (let e = 0; e < epochs; e++) {
    const key = epochRows(loader).join();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.strictEqual(counts.size, 6);
  // Binomial(6000, 1/6): sd ≈ 28.9; 5 sd either side.
  for (const [key, c] of counts) assert.ok(Math.abs(c - 1000) < 145, `order ${key}: ${c} times`);
});

Deno.test("batches() takes Inputs and Float64Array without a copy, and names the batch, row and column of a value made non-finite later", () => {
  const data = new Float64Array(20 * 2).map((_, i) => i);
  const x = new gp.Inputs(data, 20, 2);
  const y = new Float64Array(20).map((_, i) => i);
  const loader = gp.data.batches(x, y, { batchSize: 8 });
  assert.strictEqual(loader.d, 2);
  assert.strictEqual([...loader].length, 3);
  data[13 * 2 + 1] = NaN; // row 13, column 1: batch 1, its row 5
  assert.throws(() => [...loader], (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /batch 1 of epoch 1, row 5 \(x row 13\), column 1 of x is NaN/);
    return true;
  });
  data[13 * 2 + 1] = 0;
  y[2] = Infinity;
  assert.throws(() => [...loader], /batch 0 of epoch 2, row 2 \(x row 2\): y is Infinity/);
  // A flat Float64Array is N × 1.
  const flat = gp.data.batches(new Float64Array([1, 2, 3]), [4, 5, 6], { batchSize: 2 });
  assert.strictEqual(flat.d, 1);
  assert.deepStrictEqual([...flat][1].x.data, new Float64Array([3]));
});

Deno.test("batches() rejects non-finite data at once, naming the row and the column", () => {
  const x = grid(6, 3);
  x[4][2] = NaN;
  assert.throws(
    () => gp.data.batches(x, [0, 1, 2, 3, 4, 5], { batchSize: 2 }),
    (e: Error) => e instanceof RangeError && /x row 4, column 2 is NaN/.test(e.message),
  );
  assert.throws(
    () => gp.data.batches([1, 2, 3], [0, -Infinity, 2], { batchSize: 2 }),
    (e: Error) => e instanceof RangeError && /y\[1\] is -Infinity/.test(e.message),
  );
});

Deno.test("batches() rejects bad options and shapes, naming the argument, the value and the fix", () => {
  const x = [1, 2, 3];
  const y = [1, 2, 3];
  const cases: Array<[() => unknown, ErrorConstructor, RegExp]> = [
    [
      () => gp.data.batches(x, y, { batchSize: 0 }),
      RangeError,
      /batchSize = 0 must be an integer ≥ 1/,
    ],
    [() => gp.data.batches(x, y, { batchSize: 2.5 }), RangeError, /batchSize = 2\.5/],
    [() => gp.data.batches(x, y, { batchSize: NaN }), RangeError, /batchSize = NaN/],
    [
      () => gp.data.batches(x, y, { batchSize: "2" as never }),
      TypeError,
      /batchSize is "2"; pass a positive integer/,
    ],
    [() => gp.data.batches(x, y, undefined as never), TypeError, /options is undefined/],
    [
      () => gp.data.batches(x, y, { batchSize: 2, shuffle: 1 as never }),
      TypeError,
      /options\.shuffle is 1; pass true or false/,
    ],
    [() => gp.data.batches(x, y, { batchSize: 2, seed: -1 }), RangeError, /options\.seed = -1/],
    [
      () => gp.data.batches(x, [1, 2], { batchSize: 2 }),
      TypeError,
      /x has 3 rows but y has 2 values/,
    ],
    [() => gp.data.batches([], [], { batchSize: 2 }), RangeError, /x is empty/],
    [
      () => gp.data.batches([[1, 2], [3]], [1, 2], { batchSize: 2 }),
      TypeError,
      /x\[1\] .*length 1.*same number of dimensions/,
    ],
    [
      () => gp.data.batches(x, y, { batchSize: 4, dropLast: true }),
      RangeError,
      /batchSize = 4 exceeds the 3 rows/,
    ],
    [
      () => gp.data.batches(x, ["a", 1, 2] as never, { batchSize: 2 }),
      TypeError,
      /y\[0\] is "a", not a number/,
    ],
  ];
  for (const [f, type, pattern] of cases) {
    assert.throws(f, (e: Error) => {
      assert.ok(e instanceof type, `${e.constructor.name}: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    });
  }
});
