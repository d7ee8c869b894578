// gp.data.batchesFromChunks: minibatches streamed from chunks, in bounded memory.
import assert from "node:assert";
import * as gp from "../mod.ts";

/** A "file" of `chunks` chunks of `rows` rows of width 2 (x = [i, −i], y = i), counting reads. */
function file(chunks: number, rows: number) {
  const stats = { rowsRead: 0 };
  async function* read(): AsyncGenerator<gp.data.Chunk> {
    for (let c = 0; c < chunks; c++) {
      const x = Array.from({ length: rows }, (_, r) => [c * rows + r, -(c * rows + r)]);
      stats.rowsRead += rows;
      yield { x, y: x.map(([v]) => v) };
    }
  }
  return { read, stats };
}

async function epoch(loader: gp.data.ChunkedBatches): Promise<gp.data.Batch[]> {
  const out: gp.data.Batch[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

Deno.test("batchesFromChunks() visits every row exactly once per epoch, for several epochs", async () => {
  const { read } = file(17, 30);
  const loader = gp.data.batchesFromChunks(read, { batchSize: 32, shuffleBuffer: 100, seed: 4 });
  const orders: string[] = [];
  for (let e = 0; e < 3; e++) {
    const batches = await epoch(loader);
    const counts = new Array(510).fill(0);
    batches.forEach((b, i) => {
      assert.strictEqual(b.index, i);
      assert.strictEqual(b.epoch, e);
      for (let r = 0; r < b.x.n; r++) {
        const v = b.y[r];
        counts[v]++;
        assert.deepStrictEqual([...b.x.row(r)], [v, -v]);
        assert.strictEqual(b.rowIndices[r], v); // stream order = value here
      }
    });
    assert.deepStrictEqual(batches.map((b) => b.x.n), [...new Array(15).fill(32), 30]);
    assert.ok(counts.every((c) => c === 1), `epoch ${e}`);
    orders.push(batches.flatMap((b) => [...b.y]).join());
  }
  assert.strictEqual(loader.numData, 510);
  assert.strictEqual(loader.epoch, 3);
  assert.strictEqual(new Set(orders).size, 3, "each epoch is shuffled anew");
});

Deno.test("batchesFromChunks() holds at most buffer + batch + chunk rows, for 10 chunks as for 1000", async () => {
  const peaks: number[] = [];
  for (const chunks of [10, 1000]) {
    const { read, stats } = file(chunks, 50);
    const loader = gp.data.batchesFromChunks(read, {
      batchSize: 32,
      shuffleBuffer: 200,
      seed: 1,
    });
    let received = 0;
    let maxAhead = 0;
    for await (const b of loader) {
      received += b.x.n;
      // Read from the source but not yet handed out: what the loader can be holding.
      maxAhead = Math.max(maxAhead, stats.rowsRead - received);
      assert.ok(loader.rowsHeld <= 200 + 32 + 50, `rows held ${loader.rowsHeld}`);
    }
    assert.strictEqual(received, chunks * 50);
    assert.ok(maxAhead <= 200 + 32 + 50, `${chunks} chunks: ${maxAhead} rows read ahead`);
    assert.ok(loader.peakRowsHeld <= 200 + 32 + 50);
    assert.ok(loader.peakRowsHeld >= 200, "the buffer fills");
    peaks.push(loader.peakRowsHeld);
  }
  // The bound (buffer + one batch + one chunk) does not involve the number of chunks; the peaks
  // differ only by where batch boundaries fall within chunks.
  assert.ok(Math.abs(peaks[0] - peaks[1]) < 32, `peaks ${peaks}`);
});

Deno.test("batchesFromChunks() shuffles within its buffer: a row moves at most b places earlier", async () => {
  const { read } = file(20, 25); // 500 rows
  for (const b of [1, 16, 64]) {
    const loader = gp.data.batchesFromChunks(read, { batchSize: 10, shuffleBuffer: b, seed: 9 });
    const order = (await epoch(loader)).flatMap((t) => [...t.rowIndices]);
    let moved = 0;
    order.forEach((row, position) => {
      assert.ok(position >= row - b, `b = ${b}: row ${row} at position ${position}`);
      if (row !== position) moved++;
    });
    if (b === 1) assert.strictEqual(moved, 0, "a buffer of one keeps the order");
    else assert.ok(moved > 400, `b = ${b}: ${moved} rows moved`);
  }
  // A buffer as large as the stream is a full shuffle; without one, the stream's order.
  const full = gp.data.batchesFromChunks(read, { batchSize: 10, shuffleBuffer: 500, seed: 9 });
  const order = (await epoch(full)).flatMap((t) => [...t.rowIndices]);
  assert.ok(order.slice(0, 50).some((r) => r >= 450), "late rows reach the front");
  const plain = gp.data.batchesFromChunks(read, { batchSize: 10 });
  assert.strictEqual(plain.seed, null);
  assert.deepStrictEqual(
    (await epoch(plain)).flatMap((t) => [...t.rowIndices]),
    Array.from({ length: 500 }, (_, i) => i),
  );
});

Deno.test("batchesFromChunks() with the same seed gives the same batches", async () => {
  const { read } = file(8, 40);
  const run = async (seed: number) => {
    const loader = gp.data.batchesFromChunks(read, { batchSize: 16, shuffleBuffer: 64, seed });
    return [
      (await epoch(loader)).flatMap((b) => [...b.y]),
      (await epoch(loader)).flatMap((b) => [...b.y]),
    ];
  };
  assert.deepStrictEqual(await run(3), await run(3));
  assert.notDeepStrictEqual(await run(3), await run(4));
});

Deno.test("batchesFromChunks() takes re-iterable sources, Inputs and Float64Array chunks, dropLast", async () => {
  const chunks: gp.data.Chunk[] = [
    { x: new gp.Inputs(new Float64Array([0, 0, 1, 1]), 2, 2), y: new Float64Array([0, 1]) },
    { x: [], y: [] }, // an empty chunk is skipped
    { x: [[2, 2], [3, 3], [4, 4]], y: [2, 3, 4] },
  ];
  const loader = gp.data.batchesFromChunks(chunks, { batchSize: 2 });
  for (let e = 0; e < 2; e++) {
    assert.deepStrictEqual((await epoch(loader)).map((b) => [...b.y]), [[0, 1], [2, 3], [4]]);
  }
  const dropped = gp.data.batchesFromChunks(chunks, { batchSize: 2, dropLast: true });
  assert.deepStrictEqual((await epoch(dropped)).map((b) => [...b.y]), [[0, 1], [2, 3]]);
  const flat = gp.data.batchesFromChunks([{ x: new Float64Array([5, 6]), y: [7, 8] }], {
    batchSize: 4,
  });
  const [only] = await epoch(flat);
  assert.strictEqual(only.x.d, 1);
  assert.deepStrictEqual(only.x.data, new Float64Array([5, 6]));
});

Deno.test("batchesFromChunks() over a one-shot generator serves one epoch, then says how to fix it", async () => {
  const { read } = file(3, 5);
  const loader = gp.data.batchesFromChunks(read(), { batchSize: 4 });
  assert.strictEqual((await epoch(loader)).length, 4);
  await assert.rejects(() => epoch(loader), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /one-shot iterator .* pass a function returning a fresh one per epoch/);
    return true;
  });
});

Deno.test("batchesFromChunks() names the batch, its row, the chunk's row and the column of a non-finite value", async () => {
  const chunks = [
    { x: [[0, 0], [1, 1], [2, 2]], y: [0, 1, 2] },
    { x: [[3, 3], [4, NaN], [5, 5]], y: [3, 4, 5] },
  ];
  const loader = gp.data.batchesFromChunks(chunks, { batchSize: 2 });
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const b of loader) seen.push(...b.y);
  }, (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(
      e.message,
      /batch 2 of epoch 0, row 0 \(stream row 4: row 1 of chunk 1\), column 1 of x is NaN/,
    );
    return true;
  });
  assert.deepStrictEqual(seen, [0, 1, 2, 3], "the batches before it came through, not the bad one");
  const badY = gp.data.batchesFromChunks([{ x: [1, 2], y: [1, Infinity] }], {
    batchSize: 8,
    shuffleBuffer: 4,
    seed: 1,
  });
  await assert.rejects(() => epoch(badY), /row 1 of chunk 0\): y is Infinity/);
});

Deno.test("batchesFromChunks() rejects bad options and chunks, naming the argument, the value and the fix", async () => {
  const ok = [{ x: [1, 2], y: [1, 2] }];
  const sync: Array<[() => unknown, ErrorConstructor, RegExp]> = [
    [() => gp.data.batchesFromChunks(ok, { batchSize: 0 }), RangeError, /batchSize = 0/],
    [
      () => gp.data.batchesFromChunks(ok, { batchSize: 2, shuffleBuffer: 0 }),
      RangeError,
      /shuffleBuffer = 0 must be an integer ≥ 1/,
    ],
    [
      () => gp.data.batchesFromChunks(ok, { batchSize: 2, shuffleBuffer: 1.5 }),
      RangeError,
      /shuffleBuffer = 1\.5/,
    ],
    [() => gp.data.batchesFromChunks(ok, { batchSize: 2, seed: 0.5 }), RangeError, /seed = 0\.5/],
    [() => gp.data.batchesFromChunks(42 as never, { batchSize: 2 }), TypeError, /chunks is number/],
  ];
  for (const [f, type, pattern] of sync) {
    assert.throws(f, (e: Error) => e instanceof type && pattern.test(e.message));
  }
  const bad: Array<[unknown, ErrorConstructor, RegExp]> = [
    [[{ x: [1, 2, 3], y: [1, 2] }], TypeError, /chunk 0 has 3 rows of x but 2 values of y/],
    [
      [{ x: [[1, 2]], y: [1] }, { x: [[1, 2, 3]], y: [1] }],
      TypeError,
      /chunk 1 has rows of 3 dimension\(s\) but the stream's first chunk had 2/,
    ],
    [[{ x: [1] }], TypeError, /chunk 0 is not an object \{ x, y \}/],
    [[], RangeError, /epoch 0 read 0 chunk\(s\) and no rows/],
  ];
  for (const [chunks, type, pattern] of bad) {
    const loader = gp.data.batchesFromChunks(chunks as gp.data.Chunk[], { batchSize: 2 });
    await assert.rejects(
      () => epoch(loader),
      (e: Error) => e instanceof type && pattern.test(e.message),
    );
  }
  const tooBig = gp.data.batchesFromChunks(ok, { batchSize: 3, dropLast: true });
  await assert.rejects(() => epoch(tooBig), /batchSize = 3 exceeds the stream's 2 rows/);
});
