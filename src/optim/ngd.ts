/**
 * Natural-gradient descent, as GPyTorch's `NGD`.
 *
 * @module
 */

import { Optimizer, type ParameterList } from "./optimizer.ts";
import type { Parameter } from "../parameter.ts";

/** Options of {@link NGD}. */
export interface NGDOptions {
  /** N, the number of training points (the ELBO is per point, so steps are scaled by N). */
  numData: number;
  /** The learning rate (default 0.1, as GPyTorch); 1 reaches the optimum for a Gaussian likelihood. */
  lr?: number;
}

/**
 * θ ← θ − lr · N · grad on a {@link NaturalVariationalDistribution}'s parameters (whose
 * gradients are the natural gradients), as GPyTorch's `NGD`; pair it with Adam on the
 * hyperparameters. A step with a non-finite gradient throws and changes nothing.
 *
 * @example
 * ```ts
 * import { NGD } from "./ngd.ts";
 * import { Parameter } from "../parameter.ts";
 * import assert from "node:assert";
 * const p = new Parameter([1, 2]);
 * p.grad = new Float64Array([0.5, -0.5]);
 * new NGD([p], { numData: 4, lr: 0.5 }).step();
 * assert.deepStrictEqual(Array.from(p.rawValues), [0, 3]);
 * ```
 */
export class NGD extends Optimizer {
  /** The learning rate. */
  lr: number;
  /** N. */
  readonly numData: number;

  /** @throws {RangeError} when numData is not a positive integer or lr < 0 */
  constructor(params: ParameterList, options: NGDOptions) {
    super(params, "NGD");
    const numData = options?.numData;
    if (typeof numData !== "number" || !Number.isSafeInteger(numData) || numData < 1) {
      throw new RangeError(
        `NGD(params, { numData }): numData = ${numData} must be a positive integer, the ` +
          `number of training points`,
      );
    }
    const lr = options.lr ?? 0.1;
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new RangeError(`NGD({ lr }): lr = ${lr} must be a finite number ≥ 0 (e.g. 0.1)`);
    }
    this.numData = numData;
    this.lr = lr;
  }

  step(): void {
    const updates: Array<[Parameter, Float64Array]> = [];
    for (const [index, p] of this.params.entries()) {
      if (!p.requiresGrad || p.grad === null) continue;
      const raw = p.rawValues;
      for (let i = 0; i < raw.length; i++) {
        raw[i] -= this.lr * this.numData * p.grad[i];
        if (!Number.isFinite(raw[i])) {
          throw new RangeError(
            `NGD.step(): parameter ${index} (${p}) has gradient ${p.grad[i]} at element ${i}; ` +
              `no parameter was changed`,
          );
        }
      }
      updates.push([p, raw]);
    }
    for (const [p, raw] of updates) p.setRaw(raw);
  }
}
