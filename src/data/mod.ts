/**
 * Minibatches for approximate GPs: over in-memory data ({@link batches}) and streamed from
 * chunks in bounded memory ({@link batchesFromChunks}).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as data from "./mod.ts";
 * const loader = data.batches([[0], [1], [2]], [0, 1, 2], { batchSize: 2 });
 * assert.deepStrictEqual([...loader].map((b) => b.x.n), [2, 1]);
 * ```
 *
 * @module
 */
export type { Batch } from "./batch.ts";
export { Batches, batches, type BatchesOptions } from "./batches.ts";
export {
  batchesFromChunks,
  type Chunk,
  ChunkedBatches,
  type ChunkedBatchesOptions,
  type ChunkSource,
} from "./batches_from_chunks.ts";
