/**
 * Errors callers may want to catch, and the one place warnings are printed.
 *
 * @module
 */

/**
 * A covariance matrix that is not positive definite in float64, even after adding
 * the largest jitter gpts allows.
 *
 * @example
 * ```ts
 * import { NotPositiveDefiniteError } from "./errors.ts";
 * const e = new NotPositiveDefiniteError("K", 3, [0, 1e-10]);
 * console.log(e.pivot); // 3
 * ```
 */
export class NotPositiveDefiniteError extends Error {
  /** Zero-based index of the first pivot that was not positive, on the last try. */
  readonly pivot: number;
  /** The jitter values tried, in order (the first is 0: no jitter). */
  readonly jitterTried: readonly number[];

  constructor(what: string, pivot: number, jitterTried: readonly number[]) {
    super(
      `${what} is not positive definite: the Cholesky factorization failed at pivot ${pivot} ` +
        `even with jitter ${
          jitterTried.map((j) => j.toExponential(1)).join(", ")
        } added to the diagonal. ` +
        `Typical causes: duplicate inputs with too little noise, a lengthscale far larger than ` +
        `the spread of the inputs, or non-finite parameter values; raise the noise lower bound ` +
        `or rescale the inputs.`,
    );
    this.name = "NotPositiveDefiniteError";
    this.pivot = pivot;
    this.jitterTried = jitterTried;
  }
}

/** Print a warning about numerical trouble that gpts worked around. */
export function warn(message: string): void {
  console.warn(`gpts warning: ${message}`);
}
