/**
 * A number together with its gradient with respect to the parameters that
 * produced it: what an MLL returns, so that `loss.backward()` reads as in PyTorch.
 *
 * @module
 */

import type { Parameter } from "./parameter.ts";

/**
 * A scalar result with gradients with respect to raw parameter values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Scalar } from "./scalar.ts";
 * import { Parameter } from "./parameter.ts";
 * const p = new Parameter(0);
 * const s = new Scalar(2, new Map([[p, new Float64Array([3])]]));
 * s.neg().backward();
 * assert.deepEqual(p.grad, Float64Array.of(-3));
 * ```
 */
export class Scalar {
  /** The value. */
  readonly value: number;
  /** d value / d raw values, for every parameter it depends on. */
  readonly gradient: ReadonlyMap<Parameter, Float64Array>;
  /**
   * When the gradient is a stochastic estimate (e.g. an MLL with
   * `{ gradient: "stochastic" }`): the variance of each entry's estimate; null when
   * the gradient is exact.
   */
  readonly gradientVariance: ReadonlyMap<Parameter, Float64Array> | null;

  /** A value with its gradient (and, for a stochastic estimate, its variance). */
  constructor(
    value: number,
    gradient: ReadonlyMap<Parameter, Float64Array>,
    gradientVariance: ReadonlyMap<Parameter, Float64Array> | null = null,
  ) {
    this.value = value;
    this.gradient = gradient;
    this.gradientVariance = gradientVariance;
  }

  /** The value as a number (PyTorch's `.item()`). */
  item(): number {
    return this.value;
  }

  /** −value, with negated gradients (`loss = mll.neg()`). */
  neg(): Scalar {
    return this.mul(-1);
  }

  /** c · value. */
  mul(c: number): Scalar {
    const g = new Map<Parameter, Float64Array>();
    for (const [p, v] of this.gradient) g.set(p, v.map((x) => c * x));
    let variance: Map<Parameter, Float64Array> | null = null;
    if (this.gradientVariance !== null) {
      variance = new Map();
      for (const [p, v] of this.gradientVariance) variance.set(p, v.map((x) => c * c * x));
    }
    return new Scalar(c * this.value, g, variance);
  }

  /**
   * Add the gradient to `.grad` of every parameter that requires one, accumulating as
   * PyTorch does (call the optimizer's `zeroGrad()` between steps).
   */
  backward(): void {
    for (const [p, g] of this.gradient) {
      if (p.requiresGrad) p.accumulateGrad(g);
    }
  }

  /** The value as text. */
  toString(): string {
    return String(this.value);
  }
}
