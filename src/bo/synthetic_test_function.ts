/**
 * The base of BoTorch's synthetic test problems (`botorch.test_functions.synthetic`).
 *
 * @module
 */

import { Generator } from "../random.ts";
import { type InputLike, toInputs } from "../tensor.ts";

/** Options shared by every synthetic test function (BoTorch's constructor arguments). */
export interface SyntheticTestFunctionOptions {
  /** Standard deviation of the Gaussian noise {@link SyntheticTestFunction.forward} adds. */
  noiseStd?: number;
  /** Return −f from `forward` (and report −f* as `optimalValue`), for maximisation. */
  negate?: boolean;
  /** Box to search as [lower, upper] rows of length dim; default the problem's usual one. */
  bounds?: ArrayLike<ArrayLike<number>>;
  /** Seed of the noise generator; omit for a seed from the system's random source. */
  seed?: number;
}

/** Options of {@link SyntheticTestFunction.forward}. */
export interface ForwardOptions {
  /** Add the observation noise (when `noiseStd` was given). Default true, as BoTorch. */
  noise?: boolean;
}

/** Checks user bounds: two rows of `dim` finite numbers with lower < upper. */
export function checkBounds(
  bounds: ArrayLike<ArrayLike<number>>,
  dim: number,
  name: string,
): [Float64Array, Float64Array] {
  if (bounds === null || typeof bounds !== "object" || bounds.length !== 2) {
    throw new TypeError(
      `${name}: expected two rows [lower, upper], got ${
        bounds === null || typeof bounds !== "object" ? String(bounds) : `${bounds.length} rows`
      }; pass [[l₁, …, l_d], [u₁, …, u_d]]`,
    );
  }
  const rows = [0, 1].map((r) => {
    const row = bounds[r];
    if (row === null || typeof row !== "object" || row.length !== dim) {
      throw new TypeError(
        `${name}[${r}] has ${
          row === null || typeof row !== "object" ? String(row) : `length ${row.length}`
        } but the problem has ${dim} dimension(s); pass ${dim} numbers per row`,
      );
    }
    return Float64Array.from(row as ArrayLike<number>);
  });
  for (let k = 0; k < dim; k++) {
    const lo = rows[0][k];
    const hi = rows[1][k];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new RangeError(
        `${name}: dimension ${k} has lower = ${lo}, upper = ${hi}; each needs finite lower < upper`,
      );
    }
  }
  return [rows[0], rows[1]];
}

/**
 * A synthetic test problem as BoTorch has them: `evaluateTrue(x)` is the noiseless function,
 * `forward(x)` adds N(0, noiseStd²) noise and, with `negate`, flips the sign; `optimalValue`
 * follows the sign (BoTorch's `optimal_value`), `optimizers` are the known minimisers of the
 * unnegated function.
 *
 * @example
 * ```ts
 * import { SyntheticTestFunction } from "./synthetic_test_function.ts";
 * import { ok } from "node:assert";
 * class Sphere extends SyntheticTestFunction {
 *   constructor() {
 *     super(2, [[-1, -1], [1, 1]], 0, [[0, 0]]);
 *   }
 *   protected evaluatePoint(x: Float64Array): number {
 *     return x[0] * x[0] + x[1] * x[1];
 *   }
 * }
 * ok(new Sphere().evaluateTrue([[1, 2]])[0] === 5);
 * ```
 */
export abstract class SyntheticTestFunction {
  /** Number of input dimensions. */
  readonly dim: number;
  /** The box as [lower, upper], each of length dim (BoTorch's 2 × d `bounds`). */
  readonly bounds: [Float64Array, Float64Array];
  /** The noise's standard deviation, or null for noiseless observations. */
  readonly noiseStd: number | null;
  /** Whether `forward` returns −f. */
  readonly negate: boolean;
  /** Known minimisers of the unnegated function, each a point of length dim. */
  readonly optimizers: Float64Array[];
  #optimalValue: number;
  #seed: number | undefined;
  #rng: Generator | null = null;

  /**
   * Sets up the problem; subclasses pass their defaults.
   *
   * @param dim number of input dimensions
   * @param defaultBounds the usual box, [lower, upper]
   * @param optimalValue the minimum of the unnegated function
   * @param optimizers its known minimisers
   * @param options noise, sign, box and seed
   */
  constructor(
    dim: number,
    defaultBounds: ArrayLike<ArrayLike<number>>,
    optimalValue: number,
    optimizers: ArrayLike<ArrayLike<number>>,
    options: SyntheticTestFunctionOptions = {},
  ) {
    const name = this.constructor.name;
    if (options.noiseStd !== undefined) {
      if (typeof options.noiseStd !== "number" || !(options.noiseStd >= 0)) {
        throw new RangeError(
          `${name}(options.noiseStd): got ${
            String(options.noiseStd)
          }; pass a standard deviation ≥ 0`,
        );
      }
    }
    this.dim = dim;
    this.bounds = checkBounds(options.bounds ?? defaultBounds, dim, `${name}(options.bounds)`);
    this.noiseStd = options.noiseStd ?? null;
    this.negate = options.negate ?? false;
    this.optimizers = Array.from(optimizers, (p) => Float64Array.from(p));
    this.#optimalValue = optimalValue;
    if (options.seed !== undefined) new Generator(options.seed); // validates the seed now
    this.#seed = options.seed;
  }

  /** The minimum of the unnegated function, negated when `negate` is set. */
  get optimalValue(): number {
    return this.negate ? -this.#optimalValue : this.#optimalValue;
  }

  /** The noiseless function at one point (length dim). */
  protected abstract evaluatePoint(x: Float64Array): number;

  /**
   * The noiseless, unnegated function at each point (BoTorch's `evaluate_true`).
   *
   * @param x N × dim points (an array of rows, or Inputs)
   * @returns the N values
   */
  evaluateTrue(x: InputLike): Float64Array {
    const inputs = toInputs(x, `${this.constructor.name}.evaluateTrue(x)`, this.dim);
    const out = new Float64Array(inputs.n);
    for (let i = 0; i < inputs.n; i++) out[i] = this.evaluatePoint(inputs.row(i));
    return out;
  }

  /**
   * Observations at each point: the function plus N(0, noiseStd²) noise, negated when `negate`
   * is set (BoTorch's `forward(X, noise=True)`).
   *
   * @param x N × dim points
   * @param options `noise: false` for the exact (but still sign-flipped) values
   * @returns the N observations
   */
  forward(x: InputLike, options: ForwardOptions = {}): Float64Array {
    const f = this.evaluateTrue(x);
    if ((options.noise ?? true) && this.noiseStd !== null && this.noiseStd > 0) {
      this.#rng ??= new Generator(this.#seed);
      for (let i = 0; i < f.length; i++) f[i] += this.noiseStd * this.#rng.normal();
    }
    if (this.negate) { for (let i = 0; i < f.length; i++) f[i] = -f[i]; }
    return f;
  }
}

/** Checks a test function's `dim` option. */
export function checkDim(dim: number, name: string, min = 1): number {
  if (!Number.isInteger(dim) || dim < min) {
    throw new RangeError(`${name}(dim): dim = ${dim} must be an integer ≥ ${min}`);
  }
  return dim;
}
