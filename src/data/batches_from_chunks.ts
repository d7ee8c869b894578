/**
 * Minibatches streamed from chunks of data (a file read piece by piece), in bounded memory.
 *
 * @module
 */
import { Generator } from "../random.ts";
import { type InputLike, Inputs, type VectorLike } from "../tensor.ts";
import {
  type Batch,
  checkBatchSize,
  checkFlag,
  checkSeed,
  copyRowChecked,
  rawRows,
  rawVector,
} from "./batch.ts";

const FN = "gp.data.batchesFromChunks(chunks, options)";

/** A piece of a data set: some rows of inputs and their targets. */
export interface Chunk {
  /** Rows of inputs: a flat array (n × 1), an array of n rows of d, or an `Inputs`. */
  x: InputLike;
  /** One target per row of `x`. */
  y: VectorLike;
}

/**
 * Where the chunks come from: an async (or sync) iterable that can be iterated again for each
 * epoch (an object whose `[Symbol.asyncIterator]()` starts a fresh pass, e.g. reopens a file), or
 * a function returning a fresh iterable per epoch (`() => readChunks(path)`). A one-shot async
 * generator serves one epoch only.
 */
export type ChunkSource =
  | AsyncIterable<Chunk>
  | Iterable<Chunk>
  | (() => AsyncIterable<Chunk> | Iterable<Chunk>);

/** Options of {@link batchesFromChunks}. */
export interface ChunkedBatchesOptions {
  /** Rows per batch, an integer ≥ 1 (the last batch of an epoch may be smaller). */
  batchSize: number;
  /**
   * Shuffle within a buffer of this many rows (an integer ≥ 1), as `tf.data`'s
   * `shuffle(bufferSize)`: the buffer is filled from the stream, and each row sent on is drawn
   * uniformly from the buffer and replaced by the stream's next row; at the stream's end the
   * buffer is emptied in a random order. A row can move at most this far earlier in the order,
   * and arbitrarily later. Omitted: rows keep the stream's order.
   */
  shuffleBuffer?: number;
  /** Seed of the shuffle; omitted, one is drawn and kept in {@link ChunkedBatches.seed}. */
  seed?: number;
  /** Leave out an epoch's last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

type RowSource = { data: Float64Array; y: Float64Array; d: number; chunk: number; rows: number };

/**
 * A re-iterable async source of minibatches over streamed chunks: each `for await … of` is one
 * epoch, one pass over the chunks, every row exactly once (with `dropLast`, all but the last
 * `rows % batchSize`). It holds at most `shuffleBuffer` + `batchSize` rows plus the chunk being
 * read, whatever the number of chunks ({@link ChunkedBatches.peakRowsHeld} counts them).
 *
 * With a shuffle buffer, the k-th epoch draws from the k-th stretch of one `Generator(seed)`:
 * the same seed and the same stream give the same batches.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batchesFromChunks } from "./batches_from_chunks.ts";
 * const chunks = [{ x: [0, 1, 2], y: [0, 1, 2] }, { x: [3, 4], y: [3, 4] }];
 * const loader = batchesFromChunks(chunks, { batchSize: 2, shuffleBuffer: 3, seed: 1 });
 * const ys: number[] = [];
 * for await (const batch of loader) ys.push(...batch.y);
 * assert.deepStrictEqual(ys.sort(), [0, 1, 2, 3, 4]);
 * assert.strictEqual(loader.numData, 5);
 * assert.ok(loader.peakRowsHeld <= 3 + 2 + 3);
 * ```
 */
export class ChunkedBatches implements AsyncIterable<Batch> {
  /** Rows per batch. */
  readonly batchSize: number;
  /** Rows of the shuffle buffer (0: stream order). */
  readonly shuffleBuffer: number;
  /** The shuffle's seed (null without a shuffle buffer). */
  readonly seed: number | null;
  /** Whether an epoch's last, smaller batch is left out. */
  readonly dropLast: boolean;
  #source: ChunkSource;
  #generator: Generator | null;
  #epochs = 0;
  #numData: number | null = null;
  #d: number | null = null;
  #held = 0;
  #peak = 0;
  #oneShotUsed = false;

  /**
   * Prefer {@link batchesFromChunks}, which documents the arguments.
   *
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { ChunkedBatches } from "./batches_from_chunks.ts";
   * const loader = new ChunkedBatches([{ x: [1, 2], y: [3, 4] }], { batchSize: 8 });
   * assert.strictEqual(loader.shuffleBuffer, 0);
   * ```
   */
  constructor(chunks: ChunkSource, options: ChunkedBatchesOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${FN}: options is ${options}; pass { batchSize: 1024, … }`);
    }
    const batchSize = checkBatchSize(FN, options.batchSize);
    const dropLast = checkFlag(FN, "dropLast", options.dropLast, false);
    const seed = checkSeed(FN, options.seed);
    const buf = options.shuffleBuffer;
    if (buf !== undefined) {
      if (typeof buf !== "number") {
        throw new TypeError(
          `${FN}: options.shuffleBuffer is ${typeof buf}; pass a row count (e.g. 100000) or omit it`,
        );
      }
      if (!Number.isSafeInteger(buf) || buf < 1) {
        throw new RangeError(
          `${FN}: options.shuffleBuffer = ${buf} must be an integer ≥ 1 (rows held for the ` +
            `shuffle, e.g. 100000), or omitted for the stream's order`,
        );
      }
    }
    const ok = typeof chunks === "function" ||
      (chunks !== null && typeof chunks === "object" &&
        (Symbol.asyncIterator in chunks || Symbol.iterator in chunks));
    if (!ok) {
      throw new TypeError(
        `${FN}: chunks is ${chunks === null ? "null" : typeof chunks}; pass an async iterable ` +
          `of { x, y } chunks, or a function returning a fresh one per epoch`,
      );
    }
    this.#source = chunks;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.shuffleBuffer = buf ?? 0;
    this.#generator = buf !== undefined ? new Generator(seed) : null;
    this.seed = this.#generator ? this.#generator.seed : null;
  }

  /** Epochs started so far. */
  get epoch(): number {
    return this.#epochs;
  }

  /** Rows in the stream, counted by the last complete epoch or {@link countRows} (null before). */
  get numData(): number | null {
    return this.#numData;
  }

  /** Rows held now: the shuffle buffer, the batch being filled and the chunk being read. */
  get rowsHeld(): number {
    return this.#held;
  }

  /** The most rows held at once since the current (or last) epoch began. */
  get peakRowsHeld(): number {
    return this.#peak;
  }

  #open(): AsyncIterable<Chunk> | Iterable<Chunk> {
    const src = this.#source;
    const it = typeof src === "function" ? src() : src;
    if (
      it === null || typeof it !== "object" ||
      !(Symbol.asyncIterator in it || Symbol.iterator in it)
    ) {
      throw new TypeError(
        `${FN}: the chunks function returned ${it === null ? "null" : typeof it}; ` +
          `return an async iterable of { x, y } chunks`,
      );
    }
    const async = Symbol.asyncIterator in it;
    const iterator = async
      ? (it as AsyncIterable<Chunk>)[Symbol.asyncIterator]()
      : (it as Iterable<Chunk>)[Symbol.iterator]();
    // An iterator that is its own iterable (a generator object) cannot start over.
    if (typeof src !== "function" && (iterator as unknown) === it) {
      if (this.#oneShotUsed) {
        throw new TypeError(
          `${FN}: chunks is a one-shot iterator (e.g. a generator object) already used for an ` +
            `earlier epoch; pass a function returning a fresh one per epoch, e.g. ` +
            `() => readChunks(path)`,
        );
      }
      this.#oneShotUsed = true;
    }
    return async
      ? { [Symbol.asyncIterator]: () => iterator as AsyncIterator<Chunk> }
      : { [Symbol.iterator]: () => iterator as Iterator<Chunk> };
  }

  #chunkRows(chunk: unknown, c: number): RowSource {
    if (chunk === null || typeof chunk !== "object" || !("x" in chunk) || !("y" in chunk)) {
      throw new TypeError(`${FN}: chunk ${c} is not an object { x, y }; yield { x, y } chunks`);
    }
    const { x, y } = chunk as Chunk;
    const rows = rawRows(x, `chunk ${c}: x`);
    const targets = rawVector(y, `chunk ${c}: y`);
    if (targets.length !== rows.n) {
      throw new TypeError(
        `${FN}: chunk ${c} has ${rows.n} rows of x but ${targets.length} values of y; ` +
          `give one target per row`,
      );
    }
    if (rows.n === 0) return { data: rows.data, y: targets, d: rows.d, chunk: c, rows: 0 };
    if (this.#d === null) this.#d = rows.d;
    if (rows.d !== this.#d) {
      throw new TypeError(
        `${FN}: chunk ${c} has rows of ${rows.d} dimension(s) but the stream's first chunk ` +
          `had ${this.#d}; every chunk must have the same number of columns`,
      );
    }
    return { data: rows.data, y: targets, d: rows.d, chunk: c, rows: rows.n };
  }

  /**
   * One pass over the chunks that only counts their rows (checking each chunk's shape, not its
   * values): no batch is made, no shuffle drawn and no epoch counted. Sets {@link numData}, so
   * that an ELBO can be scaled before the first epoch. A one-shot iterator spends its one pass
   * here: give such a stream's row count instead.
   *
   * @throws {TypeError} a chunk that is not `{ x, y }` or whose shapes disagree
   * @throws {RangeError} a stream with no rows
   *
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { batchesFromChunks } from "./batches_from_chunks.ts";
   * const loader = batchesFromChunks(() => [{ x: [1, 2, 3], y: [1, 2, 3] }, { x: [4], y: [4] }], {
   *   batchSize: 2,
   * });
   * assert.strictEqual(loader.numData, null);
   * assert.strictEqual(await loader.countRows(), 4);
   * assert.strictEqual(loader.numData, 4);
   * assert.strictEqual(loader.epoch, 0);
   * ```
   */
  async countRows(): Promise<number> {
    let rows = 0, c = 0;
    for await (const chunk of this.#open()) rows += this.#chunkRows(chunk, c++).rows;
    if (rows === 0) {
      throw new RangeError(
        `${FN}: counting rows read ${c} chunk(s) and no rows; give a stream with data`,
      );
    }
    this.#numData = rows;
    return rows;
  }

  /** One epoch: one pass over the chunks. */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const epoch = this.#epochs++;
    const source = this.#open();
    const gen = this.#generator;
    const B = this.batchSize;
    const cap = this.shuffleBuffer;
    this.#peak = 0;
    this.#held = 0;
    let d = this.#d ?? 0;
    // The shuffle buffer (rows copied in, with where each came from) and the batch being filled.
    let bufX = new Float64Array(0);
    let bufY = new Float64Array(0);
    let bufOrigin = new Float64Array(0); // stream row, chunk, row in chunk
    let count = 0;
    let bx = new Float64Array(0);
    let by = new Float64Array(0);
    let bIdx = new Float64Array(0);
    let filled = 0;
    let index = 0;
    let streamRow = 0;
    const ready: Batch[] = [];
    const startBatch = () => {
      bx = new Float64Array(B * d);
      by = new Float64Array(B);
      bIdx = new Float64Array(B);
      filled = 0;
    };
    // Move one row into the batch (checked), closing the batch when full.
    const emit = (
      x: Float64Array,
      y: Float64Array,
      src: number,
      stream: number,
      chunk: number,
      row: number,
    ) => {
      copyRowChecked(
        FN,
        x,
        y,
        d,
        src,
        bx,
        by,
        filled,
        { epoch, index },
        () => `stream row ${stream}: row ${row} of chunk ${chunk}`,
      );
      bIdx[filled++] = stream;
      if (filled === B) {
        ready.push({ x: new Inputs(bx, B, d), y: by, index: index++, epoch, rowIndices: bIdx });
        startBatch();
      }
    };
    const fromBuffer = (j: number) => {
      emit(bufX, bufY, j, bufOrigin[3 * j], bufOrigin[3 * j + 1], bufOrigin[3 * j + 2]);
    };
    const track = (chunkLeft: number) => {
      this.#held = count + filled + chunkLeft;
      if (this.#held > this.#peak) this.#peak = this.#held;
    };
    let started = false;
    let c = 0;
    for await (const chunk of source) {
      const rows = this.#chunkRows(chunk, c++);
      if (rows.rows === 0) continue;
      if (!started) {
        d = this.#d!;
        bufX = new Float64Array(cap * d);
        bufY = new Float64Array(cap);
        bufOrigin = new Float64Array(3 * cap);
        startBatch();
        started = true;
      }
      for (let r = 0; r < rows.rows; r++) {
        track(rows.rows - r);
        if (cap === 0) {
          emit(rows.data, rows.y, r, streamRow, rows.chunk, r);
        } else {
          let slot: number;
          if (count < cap) {
            slot = count++;
          } else {
            slot = Math.floor(gen!.uniform() * cap);
            fromBuffer(slot);
          }
          bufX.set(rows.data.subarray(r * d, (r + 1) * d), slot * d);
          bufY[slot] = rows.y[r];
          bufOrigin[3 * slot] = streamRow;
          bufOrigin[3 * slot + 1] = rows.chunk;
          bufOrigin[3 * slot + 2] = r;
        }
        streamRow++;
        while (ready.length > 0) yield ready.shift()!;
      }
      track(0);
    }
    // The stream has ended: empty the buffer in a random order.
    while (count > 0) {
      const j = Math.floor(gen!.uniform() * count);
      fromBuffer(j);
      const last = count - 1;
      if (j !== last) {
        bufX.copyWithin(j * d, last * d, (last + 1) * d);
        bufY[j] = bufY[last];
        bufOrigin.copyWithin(3 * j, 3 * last, 3 * last + 3);
      }
      count--;
      track(0);
      while (ready.length > 0) yield ready.shift()!;
    }
    if (streamRow === 0) {
      throw new RangeError(
        `${FN}: epoch ${epoch} read ${c} chunk(s) and no rows; a stream that can be read ` +
          `again each epoch must give rows every time (pass a function that reopens it)`,
      );
    }
    if (filled > 0 && !this.dropLast) {
      yield {
        x: new Inputs(bx.slice(0, filled * d), filled, d),
        y: by.slice(0, filled),
        index: index++,
        epoch,
        rowIndices: bIdx.slice(0, filled),
      };
    }
    if (this.dropLast && index === 0) {
      throw new RangeError(
        `${FN}: options.batchSize = ${B} exceeds the stream's ${streamRow} rows, so dropLast ` +
          `left no batch; use a batchSize ≤ ${streamRow} or dropLast: false`,
      );
    }
    this.#held = 0;
    this.#numData = streamRow;
  }
}

/**
 * Minibatches streamed from chunks (PyTorch's `IterableDataset` + `DataLoader`, `tf.data`'s
 * `shuffle(bufferSize).batch(batchSize)`), so that a file larger than memory passes through an
 * epoch holding at most `shuffleBuffer` + `batchSize` rows besides the chunk being read.
 *
 * The shuffle is within a buffer: with `shuffleBuffer` = b, each row sent on is drawn uniformly
 * from b rows held (and replaced by the stream's next row), so rows mix with their neighbours
 * within about b rows of the stream; a stream sorted by some column stays roughly sorted at
 * scales above b. For a full shuffle of data that fit in memory, use {@link batches}.
 *
 * @param chunks an iterable of `{ x, y }` chunks that can be iterated again per epoch, or a
 *   function returning a fresh one per epoch
 * @param options `batchSize` (required), `shuffleBuffer` (rows; omitted: stream order), `seed`,
 *   `dropLast` (default false)
 * @throws {TypeError} an option of the wrong type, a chunk whose x and y differ in length or
 *   whose rows differ in width from the first chunk's, a one-shot iterator asked for a second
 *   epoch
 * @throws {RangeError} a batchSize or shuffleBuffer that is not an integer ≥ 1, a bad seed, an
 *   epoch with no rows, a non-finite value (naming the batch, its row, the stream row, the chunk
 *   and row within it, and the column)
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batchesFromChunks } from "./batches_from_chunks.ts";
 * // A "file" of 10 chunks of 100 rows, read anew each epoch.
 * async function* read() {
 *   for (let c = 0; c < 10; c++) {
 *     const x = Array.from({ length: 100 }, (_, r) => [c * 100 + r]);
 *     yield { x, y: x.map(([v]) => v) };
 *   }
 * }
 * const loader = batchesFromChunks(read, { batchSize: 64, shuffleBuffer: 256, seed: 3 });
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   const seen = new Set<number>();
 *   for await (const batch of loader) for (const v of batch.y) seen.add(v);
 *   assert.strictEqual(seen.size, 1000);
 * }
 * assert.ok(loader.peakRowsHeld <= 256 + 64 + 100);
 * ```
 */
export function batchesFromChunks(
  chunks: ChunkSource,
  options: ChunkedBatchesOptions,
): ChunkedBatches {
  return new ChunkedBatches(chunks, options);
}
