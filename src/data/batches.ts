/**
 * Minibatches over in-memory data, as a PyTorch `DataLoader` over a `TensorDataset`.
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
  permutation,
  rawRows,
  rawVector,
} from "./batch.ts";

const FN = "gp.data.batches(x, y, options)";

/** Options of {@link batches}. */
export interface BatchesOptions {
  /** Rows per batch, an integer ≥ 1 (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Visit the rows in a new random order each epoch (default false, as PyTorch's DataLoader). */
  shuffle?: boolean;
  /**
   * Seed of the shuffle (a non-negative integer). Omitted, one is drawn from the system and
   * kept in {@link Batches.seed}, so the run can be repeated.
   */
  seed?: number;
  /** Leave out an epoch's last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * A re-iterable source of minibatches: each `for … of` over it is one epoch, every row of the
 * data exactly once (with `dropLast`, all but the last `numData % batchSize` rows of the order).
 *
 * With `shuffle`, the k-th epoch visits the rows in the k-th permutation drawn from one
 * `Generator(seed)`: two `Batches` made with the same seed give the same epochs in the same
 * order, on every machine.
 *
 * The data are not copied (an `Inputs` or `Float64Array` is kept as it is); each batch is a
 * fresh copy of its rows, checked finite as it is assembled.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batches } from "./batches.ts";
 * const loader = batches([1, 2, 3, 4, 5], [1, 4, 9, 16, 25], { batchSize: 2, shuffle: true, seed: 7 });
 * assert.strictEqual(loader.length, 3);
 * const seen = [...loader].flatMap((b) => [...b.y]);
 * assert.deepStrictEqual(seen.sort((a, b) => a - b), [1, 4, 9, 16, 25]);
 * assert.strictEqual(loader.epoch, 1);
 * ```
 */
export class Batches implements Iterable<Batch> {
  /** Rows in the data set. */
  readonly numData: number;
  /** Dimensions of each input row. */
  readonly d: number;
  /** Rows per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the rows in a new random order. */
  readonly shuffle: boolean;
  /** Whether an epoch's last, smaller batch is left out. */
  readonly dropLast: boolean;
  /** The shuffle's seed (null without `shuffle`). */
  readonly seed: number | null;
  /** Batches per epoch. */
  readonly length: number;
  #x: Float64Array;
  #y: Float64Array;
  #generator: Generator | null;
  #epochs = 0;

  /**
   * Prefer {@link batches}, which documents the arguments.
   *
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { Batches } from "./batches.ts";
   * const loader = new Batches([[0], [1], [2]], [0, 1, 2], { batchSize: 2, dropLast: true });
   * assert.strictEqual(loader.length, 1);
   * ```
   */
  constructor(x: InputLike, y: VectorLike, options: BatchesOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${FN}: options is ${options}; pass { batchSize: 1024, … }`);
    }
    const batchSize = checkBatchSize(FN, options.batchSize);
    const shuffle = checkFlag(FN, "shuffle", options.shuffle, false);
    const dropLast = checkFlag(FN, "dropLast", options.dropLast, false);
    const seed = checkSeed(FN, options.seed);
    const rows = rawRows(x, "x");
    const targets = rawVector(y, "y");
    if (rows.n === 0) throw new RangeError(`${FN}: x is empty; pass at least one row`);
    if (targets.length !== rows.n) {
      throw new TypeError(
        `${FN}: x has ${rows.n} rows but y has ${targets.length} values; ` +
          `give one target per row of x`,
      );
    }
    if (dropLast && batchSize > rows.n) {
      throw new RangeError(
        `${FN}: options.batchSize = ${batchSize} exceeds the ${rows.n} rows, so dropLast ` +
          `would leave no batch at all; use a batchSize ≤ ${rows.n} or dropLast: false`,
      );
    }
    // Fail before the first step, not in the middle of an epoch.
    for (let i = 0; i < rows.n; i++) {
      for (let k = 0; k < rows.d; k++) {
        const v = rows.data[i * rows.d + k];
        if (!Number.isFinite(v)) {
          throw new RangeError(
            `${FN}: x row ${i}, column ${k} is ${v}; every value must be finite: ` +
              `remove or impute that row before batching`,
          );
        }
      }
      if (!Number.isFinite(targets[i])) {
        throw new RangeError(
          `${FN}: y[${i}] is ${targets[i]}; every target must be finite: ` +
            `remove or impute that row before batching`,
        );
      }
    }
    this.numData = rows.n;
    this.d = rows.d;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.#x = rows.data;
    this.#y = targets;
    this.#generator = shuffle ? new Generator(seed) : null;
    this.seed = this.#generator ? this.#generator.seed : null;
    this.length = dropLast ? Math.floor(rows.n / batchSize) : Math.ceil(rows.n / batchSize);
  }

  /** Epochs started so far (the next `for … of` is epoch `epoch`). */
  get epoch(): number {
    return this.#epochs;
  }

  /** One epoch of batches; the rows' order is drawn when the iteration starts. */
  *[Symbol.iterator](): Iterator<Batch> {
    const epoch = this.#epochs++;
    const n = this.numData;
    const d = this.d;
    const order = this.#generator ? permutation(n, () => this.#generator!.uniform()) : null;
    const x = this.#x;
    const y = this.#y;
    for (let index = 0; index < this.length; index++) {
      const start = index * this.batchSize;
      const size = Math.min(this.batchSize, n - start);
      const bx = new Float64Array(size * d);
      const by = new Float64Array(size);
      const rowIndices = new Float64Array(size);
      for (let r = 0; r < size; r++) {
        const src = order ? order[start + r] : start + r;
        rowIndices[r] = src;
        // The data are the caller's (not copied): check again, in case they changed since.
        copyRowChecked(FN, x, y, d, src, bx, by, r, { epoch, index }, () => `x row ${src}`);
      }
      yield { x: new Inputs(bx, size, d), y: by, index, epoch, rowIndices };
    }
  }
}

/**
 * Minibatches over in-memory data (PyTorch's `DataLoader(TensorDataset(x, y), batch_size,
 * shuffle, drop_last)` with a seeded generator). The result is re-iterable: each `for … of` is
 * one epoch with every row exactly once, reshuffled per epoch when `shuffle` is on.
 *
 * @param x N inputs: a flat array (N × 1), an array of N rows of d, or an `Inputs`
 * @param y N targets
 * @param options `batchSize` (required), `shuffle` (default false), `seed`, `dropLast`
 *   (default false)
 * @throws {TypeError} an option of the wrong type, x and y of different lengths, ragged rows
 * @throws {RangeError} a batchSize that is not an integer ≥ 1, a bad seed, empty data, a
 *   non-finite value (naming the row and column; when the data change after this call, the
 *   batch that meets the value names the batch, its row, the data's row and the column)
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batches } from "./batches.ts";
 * const x = Array.from({ length: 10 }, (_, i) => [i, -i]);
 * const y = x.map(([a]) => 2 * a);
 * const loader = batches(x, y, { batchSize: 4, shuffle: true, seed: 1 });
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   const sizes = [];
 *   for (const batch of loader) {
 *     sizes.push(batch.x.n);
 *     for (let r = 0; r < batch.x.n; r++) assert.strictEqual(batch.y[r], 2 * batch.x.row(r)[0]);
 *   }
 *   assert.deepStrictEqual(sizes, [4, 4, 2]);
 * }
 * const again = batches(x, y, { batchSize: 4, shuffle: true, seed: 1 });
 * assert.deepStrictEqual([...again][0].rowIndices, [...batches(x, y, { batchSize: 4, shuffle: true, seed: 1 })][0].rowIndices);
 * ```
 */
export function batches(x: InputLike, y: VectorLike, options: BatchesOptions): Batches {
  return new Batches(x, y, options);
}
