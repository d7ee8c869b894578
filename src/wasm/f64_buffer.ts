/**
 * Float64 buffers in the WASM core's linear memory, so that big matrices can stay
 * there across calls.
 *
 * @example
 * ```ts
 * import { F64Buffer } from "./f64_buffer.ts";
 * import assert from "node:assert";
 * using b = F64Buffer.from([1, 2, 3]);
 * b.view()[1] = 5;
 * assert.deepStrictEqual(Array.from(b.toArray()), [1, 5, 3]);
 * ```
 *
 * @module
 */

import { wasm } from "./loader.ts";

/** `v`, checked to be a non-negative safe integer (a `RangeError` naming `what` if not). */
export function count(what: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
  }
  return v;
}

/**
 * `length` float64s in WASM memory. Views are re-created after memory growth, so
 * always take a fresh {@link F64Buffer.view} after calling into the core.
 *
 * @example
 * ```ts
 * import { F64Buffer } from "./f64_buffer.ts";
 * import assert from "node:assert";
 * const b = F64Buffer.alloc(4);
 * b.view().fill(2);
 * assert.strictEqual(b.toArray().reduce((s, v) => s + v, 0), 8);
 * b.free();
 * assert.throws(() => b.view(), TypeError);
 * ```
 */
export class F64Buffer {
  /** Byte offset in WASM memory (16-byte aligned). */
  readonly ptr: number;
  /** Number of float64 elements. */
  readonly length: number;
  #view: Float64Array | null = null;
  #freed = false;

  /** Whether freeing this buffer releases its memory (false for a {@link F64Buffer.subarray}). */
  readonly #owned: boolean;

  private constructor(ptr: number, length: number, owned = true) {
    this.ptr = ptr;
    this.length = length;
    this.#owned = owned;
  }

  /** Allocates `length` elements (contents unspecified). */
  static alloc(length: number): F64Buffer {
    count("F64Buffer.alloc: length", length);
    const ptr = wasm.gpts_alloc(length * 8) >>> 0;
    if (ptr === 0) {
      throw new RangeError(`F64Buffer.alloc: WASM memory cannot grow by ${length * 8} bytes`);
    }
    return new F64Buffer(ptr, length);
  }

  /** A new buffer holding a copy of `data`. */
  static from(data: ArrayLike<number>): F64Buffer {
    const b = F64Buffer.alloc(data.length);
    b.view().set(data);
    return b;
  }

  /** A Float64Array over the buffer's memory (valid until memory grows). */
  view(): Float64Array {
    if (this.#freed) throw new TypeError("F64Buffer.view: the buffer was freed");
    const mem = wasm.memory.buffer;
    if (this.#view === null || this.#view.buffer !== mem) {
      this.#view = new Float64Array(mem, this.ptr, this.length);
    }
    return this.#view;
  }

  /**
   * Elements `[begin, end)` as a buffer sharing this one's memory (no copy), e.g. a block
   * of rows of a resident matrix. Freeing the view is a no-op; it must not outlive this
   * buffer.
   */
  subarray(begin: number, end: number): F64Buffer {
    if (this.#freed) throw new TypeError("F64Buffer.subarray: the buffer was freed");
    if (
      !(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && 0 <= begin && begin <= end &&
        end <= this.length)
    ) {
      throw new RangeError(
        `F64Buffer.subarray: [${begin}, ${end}) is not a range of a buffer of ${this.length} elements`,
      );
    }
    return new F64Buffer(this.ptr + 8 * begin, end - begin, false);
  }

  /** A copy of the contents, in ordinary JS memory. */
  toArray(): Float64Array {
    return this.view().slice();
  }

  /** Releases the memory; later use throws. Freeing twice is a no-op. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#view = null;
    if (this.#owned) wasm.gpts_free(this.ptr, this.length * 8);
  }

  /** `using` support: frees the buffer. */
  [Symbol.dispose](): void {
    this.free();
  }
}

/** Float64 data either in JS memory or already in WASM memory. */
export type F64Input = Float64Array | F64Buffer;

/**
 * Current size of the WASM linear memory, in bytes (it only grows).
 *
 * @example
 * ```ts
 * import { wasmMemoryBytes } from "./f64_buffer.ts";
 * import assert from "node:assert";
 * assert.strictEqual(wasmMemoryBytes() % 65536, 0); // whole 64 KiB pages
 * ```
 */
export function wasmMemoryBytes(): number {
  return wasm.memory.buffer.byteLength;
}
