/**
 * Compiled pipelines keyed by what the shader text depends on (the kernel's
 * structure, input columns, shader kind), never by N or parameter values: training
 * compiles once and every later step at any size reuses it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineCache, pipelineKey } from "./pipeline_cache.ts";
 * const cache = new PipelineCache<string>();
 * const key = pipelineKey("mvm", "1,1,0,1,0", 1);
 * cache.get(key, () => "compiled");
 * assert.equal(cache.get(key, () => "again"), "compiled");
 * assert.equal(cache.size, 1);
 * ```
 *
 * @module
 */

/** The cache key of a shader: its kind, the program's structure key and the input columns. */
export function pipelineKey(kind: string, structureKey: string, inputColumns: number): string {
  return `${kind}|${structureKey}|d=${inputColumns}`;
}

/** A map from pipeline key to pipeline that builds on a miss. */
export class PipelineCache<P> {
  readonly #map = new Map<string, P>();
  #misses = 0;

  /** The pipeline for `key`, built by `build` the first time. */
  get(key: string, build: () => P): P {
    let p = this.#map.get(key);
    if (p === undefined) {
      p = build();
      this.#map.set(key, p);
      this.#misses++;
    }
    return p;
  }

  /** Number of cached pipelines. */
  get size(): number {
    return this.#map.size;
  }

  /** Number of builds (misses) so far. */
  get builds(): number {
    return this.#misses;
  }

  /** Drop everything (after a device loss). */
  clear(): void {
    this.#map.clear();
  }
}
