/**
 * A seeded random generator, so that every sample gpts draws can be reproduced.
 *
 * @module
 */

/** SplitMix32: turns one seed into the well-mixed state xoshiro needs. */
function splitMix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * xoshiro128** uniform generator with standard-normal draws (Marsaglia's polar
 * method). The same seed gives the same numbers on every machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Generator } from "./random.ts";
 * const a = new Generator(17).normals(3);
 * const b = new Generator(17).normals(3);
 * assert.equal(a[0], b[0]);
 * ```
 */
export class Generator {
  #s: Uint32Array;
  #spare: number | null = null;
  /** The seed this generator started from. */
  readonly seed: number;

  /**
   * A generator seeded with `seed`.
   * @param seed a non-negative integer; omit it for a seed taken from the system's
   * random source (printed by {@link Generator.seed} so the run can be repeated)
   */
  constructor(seed?: number) {
    if (seed === undefined) {
      seed = crypto.getRandomValues(new Uint32Array(1))[0];
    }
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(
        `Generator(seed): seed = ${seed} must be a non-negative integer (e.g. 17)`,
      );
    }
    this.seed = seed;
    // Mix both 32-bit halves of the seed so that seeds above 2³² differ too.
    const state = { s: (seed % 4294967296) ^ Math.floor(seed / 4294967296) };
    this.#s = new Uint32Array([
      splitMix32(state),
      splitMix32(state),
      splitMix32(state),
      splitMix32(state),
    ]);
  }

  /** The next 32 random bits (xoshiro128**). */
  #next(): number {
    const s = this.#s;
    const r = Math.imul(s[1], 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }

  /** A uniform draw in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.#next() >>> 5; // 27 bits
    const lo = this.#next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt(-2 * Math.log(s) / s);
    this.#spare = v * f;
    return u * f;
  }

  /** `n` standard normal draws. */
  normals(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }
}
