/**
 * Matrices a fused recorded operation keeps in WASM memory from its forward pass to its
 * backward (SVGP's A and RᵀA, SGPR's R), so that the backward reads them in place instead
 * of copying them out to JS and back.
 *
 * At most one operation's matrices are resident at a time: a forward whose backward never
 * comes (a loss only printed, a prediction in training mode) would otherwise hold WASM
 * memory, which V8's garbage collector does not see, until the process ran out of it. When
 * a new set is kept, the resident one is evicted: copied out to JS (`spill: "copy"`, its
 * backward copies it back in) or dropped (`spill: "drop"`, its backward forms it again).
 *
 * @module
 */

import { F64Buffer } from "./f64_buffer.ts";

/** What happens to a kept set when another one takes its place in WASM memory. */
export type SpillPolicy = "copy" | "drop";

/** The set resident in WASM memory now, if any. */
let resident: KeptBuffers | null = null;

/**
 * Buffers kept from a forward pass for its backward. Construct it with buffers it then
 * owns; {@link KeptBuffers.take} hands them (or copies of them) to the backward once.
 *
 * @example
 * ```ts
 * import { KeptBuffers } from "./kept_buffers.ts";
 * import { F64Buffer } from "./f64_buffer.ts";
 * import assert from "node:assert";
 * const first = new KeptBuffers([F64Buffer.from([1, 2])], "copy");
 * const second = new KeptBuffers([F64Buffer.from([3])], "drop");
 * assert.ok(second.resident && !first.resident); // the first was copied out to JS
 * const [a] = first.take()!; // copied back in for its backward
 * assert.deepStrictEqual(Array.from(a.view()), [1, 2]);
 * a.free();
 * new KeptBuffers([F64Buffer.from([4])], "drop"); // evicts the second, which is dropped
 * assert.strictEqual(second.take(), null);
 * ```
 */
export class KeptBuffers {
  #buffers: F64Buffer[] | null;
  #arrays: Float64Array[] | null = null;
  readonly #spill: SpillPolicy;

  /**
   * @param buffers the buffers to keep (owned from now on)
   * @param spill what to do when another set takes this one's place
   */
  constructor(buffers: F64Buffer[], spill: SpillPolicy) {
    this.#buffers = buffers;
    this.#spill = spill;
    if (resident !== null) resident.#evict();
    resident = this;
  }

  /** Whether the buffers are still in WASM memory. */
  get resident(): boolean {
    return this.#buffers !== null;
  }

  /**
   * The kept buffers, once: the resident ones themselves or, after a "copy" eviction, new
   * buffers with their contents; `null` after a "drop" eviction or a second call. The
   * caller owns (and frees) what it gets.
   */
  take(): F64Buffer[] | null {
    if (resident === this) resident = null;
    const out = this.#buffers ?? this.#arrays?.map((a) => F64Buffer.from(a)) ?? null;
    this.#buffers = null;
    this.#arrays = null;
    return out;
  }

  #evict(): void {
    if (this.#buffers === null) return;
    if (this.#spill === "copy") this.#arrays = this.#buffers.map((b) => b.toArray());
    for (const b of this.#buffers) b.free();
    this.#buffers = null;
    if (resident === this) resident = null;
  }
}
