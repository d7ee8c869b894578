/**
 * A Sobol low-discrepancy sequence generator with optional scrambling, after
 * `torch.quasirandom.SobolEngine`.
 *
 * @module
 */

import { Generator } from "../random.ts";
import { Inputs } from "../tensor.ts";
import { SOBOL_MAX_DIMENSION, sobolDirectionEntry } from "./sobol_direction_numbers.ts";

/** Bits per coordinate, as torch and scipy: at most 2³⁰ points, resolution 2⁻³⁰. */
const BITS = 30;
const SCALE = 1 / 2 ** BITS;

/** Options of {@link SobolEngine}. */
export interface SobolEngineOptions {
  /** Scramble the sequence (random linear matrix scramble plus digital shift). Default false. */
  scramble?: boolean;
  /** Seed of the scramble; omit it for a seed from the system's random source. */
  seed?: number;
}

/** Direction integers of one dimension, `v[k]` for bit k, left-aligned in 30 bits. */
function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 1 << (BITS - 1 - k);
    return v;
  }
  const entry = sobolDirectionEntry(dim);
  const poly = entry[0];
  const s = entry.length - 1;
  const m = new Array<number>(BITS);
  for (let k = 0; k < s; k++) m[k] = entry[k + 1];
  // Bratley–Fox: m_k = 2a₁m_{k−1} ⊕ 4a₂m_{k−2} ⊕ … ⊕ 2^s m_{k−s} ⊕ m_{k−s}.
  for (let k = s; k < BITS; k++) {
    let mk = m[k - s] ^ (m[k - s] << s);
    for (let j = 1; j < s; j++) {
      if ((poly >> (s - j)) & 1) mk ^= m[k - j] << j;
    }
    m[k] = mk;
  }
  for (let k = 0; k < BITS; k++) v[k] = m[k] << (BITS - 1 - k);
  return v;
}

/** Number of set bits, for GF(2) dot products. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** A uniformly random integer of `bits` bits (bits ≤ 30). */
function randomBits(rng: Generator, bits: number): number {
  return Math.floor(rng.uniform() * 2 ** bits);
}

/**
 * Sobol's sequence in up to 500 dimensions (Joe and Kuo's new-joe-kuo-6.21201 direction numbers,
 * the set torch and scipy use), generated in Gray-code order as torch's
 * `torch.quasirandom.SobolEngine(dimension, scramble, seed)` and scipy's `qmc.Sobol` do, so that
 * the unscrambled points equal theirs exactly (the first is the origin).
 *
 * With `scramble: true` each dimension's direction numbers are multiplied by a random
 * lower-triangular binary matrix with unit diagonal and the points get a random digital shift
 * (Owen's linear matrix scramble, as scipy does), seeded from gpts's {@link Generator}. The
 * stream differs from torch's for the same seed (torch draws its matrices from its own generator),
 * but it has the same distribution: every point is uniform on [0, 1)ᵈ and every 2ᵐ consecutive
 * points from the start keep the net's stratification.
 *
 * @example
 * ```ts
 * import { SobolEngine } from "./sobol_engine.ts";
 * import { deepStrictEqual, ok } from "node:assert";
 * const sobol = new SobolEngine(2);
 * deepStrictEqual([...sobol.draw(4).data], [0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75]);
 * const a = new SobolEngine(3, { scramble: true, seed: 7 }).draw(8);
 * const b = new SobolEngine(3, { scramble: true, seed: 7 }).draw(8);
 * ok(a.equals(b) && a.n === 8 && a.d === 3);
 * ```
 */
export class SobolEngine {
  /** Number of coordinates of each point. */
  readonly dimension: number;
  /** Whether the sequence is scrambled. */
  readonly scramble: boolean;
  /** The scramble's seed (null when not scrambled). */
  readonly seed: number | null;
  /** Points drawn (or skipped) so far. */
  get numGenerated(): number {
    return this.#count;
  }

  #v: Uint32Array; // dimension × BITS, dimension-major
  #shift: Uint32Array;
  #state: Uint32Array;
  #count = 0;

  /**
   * A Sobol sequence generator; scrambled ones draw their matrices and shift here, once.
   *
   * @param dimension number of coordinates, an integer in [1, 500]
   * @param options scrambling and its seed
   */
  constructor(dimension: number, options: SobolEngineOptions = {}) {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
      throw new RangeError(
        `SobolEngine(dimension): dimension = ${dimension} must be an integer in ` +
          `[1, ${SOBOL_MAX_DIMENSION}]; the direction-number table covers ${SOBOL_MAX_DIMENSION}`,
      );
    }
    if (options.scramble !== undefined && typeof options.scramble !== "boolean") {
      throw new TypeError(
        `SobolEngine(options.scramble): got ${String(options.scramble)}; pass true or false`,
      );
    }
    this.dimension = dimension;
    this.scramble = options.scramble ?? false;
    this.#v = new Uint32Array(dimension * BITS);
    for (let d = 0; d < dimension; d++) this.#v.set(directionNumbers(d), d * BITS);
    this.#shift = new Uint32Array(dimension);
    if (this.scramble) {
      const rng = new Generator(options.seed);
      this.seed = rng.seed;
      this.#scramble(rng);
    } else {
      this.seed = null;
    }
    this.#state = this.#shift.slice();
  }

  /** Linear matrix scramble of the direction numbers and a random digital shift. */
  #scramble(rng: Generator): void {
    const rows = new Uint32Array(BITS);
    for (let d = 0; d < this.dimension; d++) {
      // Row b of the lower-triangular matrix, as a mask over the integer's bits (bit BITS−1−c is
      // digit c): a 1 on the diagonal, random digits above (c < b), none below.
      for (let b = 0; b < BITS; b++) {
        const diag = 1 << (BITS - 1 - b);
        rows[b] = b === 0 ? diag : ((randomBits(rng, b) << (BITS - b)) | diag);
      }
      for (let k = 0; k < BITS; k++) {
        const vk = this.#v[d * BITS + k];
        let out = 0;
        for (let b = 0; b < BITS; b++) {
          if (popcount(rows[b] & vk) & 1) out |= 1 << (BITS - 1 - b);
        }
        this.#v[d * BITS + k] = out;
      }
      this.#shift[d] = randomBits(rng, BITS);
    }
  }

  /** Checks a count argument. */
  #checkCount(n: number, name: string, allowZero: boolean): void {
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
      throw new RangeError(
        `SobolEngine.${name}: n = ${n} must be a ${
          allowZero ? "non-negative" : "positive"
        } integer (the number of points)`,
      );
    }
    if (this.#count + n > 2 ** BITS) {
      throw new RangeError(
        `SobolEngine.${name}: n = ${n} would pass the sequence's 2^${BITS} points ` +
          `(${this.#count} used); reset() or use fewer`,
      );
    }
  }

  /**
   * The next `n` points, as n × dimension {@link Inputs} in [0, 1). (torch: `draw(n)`.)
   *
   * @param n number of points, a positive integer (default 1)
   */
  draw(n = 1): Inputs {
    this.#checkCount(n, "draw(n)", false);
    const d = this.dimension;
    const out = new Float64Array(n * d);
    const state = this.#state;
    const v = this.#v;
    for (let i = 0; i < n; i++) {
      if (this.#count > 0) {
        const c = 31 - Math.clz32(this.#count & -this.#count); // trailing zeros of the index
        for (let k = 0; k < d; k++) state[k] ^= v[k * BITS + c];
      }
      for (let k = 0; k < d; k++) out[i * d + k] = state[k] * SCALE;
      this.#count++;
    }
    return new Inputs(out, n, d);
  }

  /**
   * The next 2ᵐ points (torch: `draw_base2(m)`), the sizes that keep the net's balance; throws
   * unless the points drawn so far are a multiple of 2ᵐ too.
   *
   * @param m a non-negative integer
   */
  drawBase2(m: number): Inputs {
    if (!Number.isInteger(m) || m < 0 || m > BITS) {
      throw new RangeError(`SobolEngine.drawBase2(m): m = ${m} must be an integer in [0, ${BITS}]`);
    }
    const n = 2 ** m;
    if (this.#count % n !== 0) {
      throw new RangeError(
        `SobolEngine.drawBase2(m): ${this.#count} points drawn so far is not a multiple of ` +
          `2^${m} = ${n}, so the next ${n} would not be balanced; reset() first or use draw(n)`,
      );
    }
    return this.draw(n);
  }

  /**
   * Skips the next `n` points in O(dimension · 30) (torch: `fast_forward(n)`).
   *
   * @param n a non-negative integer
   */
  fastForward(n: number): this {
    this.#checkCount(n, "fastForward(n)", true);
    if (n === 0) return this;
    // The last point drawn will be index count + n − 1; its state is the shift XOR the direction
    // numbers of that index's Gray code.
    const last = this.#count + n - 1;
    const gray = last ^ (last >>> 1);
    for (let k = 0; k < this.dimension; k++) {
      let s = this.#shift[k];
      for (let c = 0; c < BITS; c++) if ((gray >>> c) & 1) s ^= this.#v[k * BITS + c];
      this.#state[k] = s;
    }
    this.#count += n;
    return this;
  }

  /** Back to the first point, keeping the scramble (torch: `reset()`). */
  reset(): this {
    this.#state = this.#shift.slice();
    this.#count = 0;
    return this;
  }
}
