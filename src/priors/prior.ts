/**
 * The base of every prior: a log density on a parameter's constrained value, its
 * derivative (for the MLL's gradient), sampling, and a JSON form for state dicts.
 *
 * @module
 */

import { type Constraint, GreaterThan, Interval, LessThan } from "../constraints.ts";
import type { Generator } from "../random.ts";
import { record, Tensor } from "../autograd/tensor.ts";

/** A prior as JSON: its class name and hyperparameters. */
export interface PriorState {
  /** The class name, e.g. "GammaPrior". */
  type: string;
  /** Hyperparameters by name, e.g. { concentration: 3, rate: 6 }. */
  [hyper: string]: number | string;
}

/** The closed range [lower, upper] a constraint lets a value reach (±Infinity when open-ended). */
export function constraintRange(constraint: Constraint | null): [number, number] {
  if (constraint instanceof GreaterThan) return [constraint.lowerBound, Infinity];
  if (constraint instanceof LessThan) return [-Infinity, constraint.upperBound];
  if (constraint instanceof Interval) return [constraint.lowerBound, constraint.upperBound];
  return [-Infinity, Infinity];
}

/**
 * A prior distribution over a parameter's constrained value, as GPyTorch's priors.
 * Attach one with a kernel's `lengthscalePrior` option (and the like) or
 * {@link Module.registerPrior}; `ExactMarginalLogLikelihood` then adds
 * Σ log p(value) / N to its value and gradient.
 */
export abstract class Prior {
  /** The open (or closed) interval of values with positive density: [lower, upper]. */
  abstract readonly support: readonly [number, number];
  /** log p(x). */
  abstract logProb(x: number): number;
  /** d log p / dx. */
  abstract logProbDerivative(x: number): number;
  /** One draw, from the seeded generator. */
  abstract sample(generator: Generator): number;
  /** The hyperparameters as JSON, for state dicts. */
  abstract toJSON(): PriorState;

  /**
   * log p(x) of each element of `x`, as a recorded operation (its derivative from
   * {@link Prior.logProbDerivative}), e.g. `prior.logProbTensor(param.valueTensor()).sum()`.
   *
   * @example
   * ```ts
   * import { NormalPrior } from "./normal_prior.ts";
   * import { tensor } from "../autograd/tensor.ts";
   * import assert from "node:assert";
   * const x = tensor([1], { requiresGrad: true });
   * const lp = new NormalPrior(0, 1).logProbTensor(x);
   * lp.backward();
   * assert.strictEqual(x.grad!.item(), -1); // d/dx (−x²/2)
   * ```
   */
  logProbTensor(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) {
      throw new TypeError(`${this}.logProbTensor(x): x must be a Tensor, got ${typeof x}`);
    }
    const a = x.data, n = a.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.logProb(a[i]);
    return record(`${this}.logProb`, out, x.shape, [x], (g) => {
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) d[i] = g[i] * this.logProbDerivative(a[i]);
      return [d];
    });
  }

  /** `n` draws. */
  sampleN(generator: Generator, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.sample(generator);
    return out;
  }

  /**
   * Throws a RangeError when a parameter under `constraint` could take values
   * outside this prior's support (e.g. a GammaPrior on an unconstrained parameter).
   *
   * @param where how to name the parameter in the message
   */
  checkFits(constraint: Constraint | null, where: string): void {
    const [lo, hi] = constraintRange(constraint);
    const [slo, shi] = this.support;
    if (lo < slo || hi > shi) {
      throw new RangeError(
        `${where}: ${this} has support [${slo}, ${shi}] but the parameter's constraint ` +
          `${constraint ?? "(none)"} allows [${lo}, ${hi}]; give the parameter a constraint ` +
          `inside the support (e.g. Positive() or Interval(${Math.max(slo, 0)}, …)) or pick ` +
          `a prior whose support covers the constraint`,
      );
    }
  }

  /** GPyTorch-style text: the class and its hyperparameters. */
  toString(): string {
    const { type, ...hyper } = this.toJSON();
    return `${type}(${Object.entries(hyper).map(([k, v]) => `${k}=${v}`).join(", ")})`;
  }
}

/** Checks a hyperparameter: finite, and positive when `positive`. */
export function checkHyper(prior: string, name: string, v: number, positive: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (positive && !(v > 0))) {
    throw new RangeError(
      `${prior}(${name}): ${name} = ${v} must be a finite ${positive ? "positive " : ""}number`,
    );
  }
  return v;
}
