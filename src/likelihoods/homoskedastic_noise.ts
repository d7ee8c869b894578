/**
 * One learned noise variance shared by every observation.
 *
 * @module
 */

import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { type Constraint, GreaterThan } from "../constraints.ts";
import type { DiagonalTerm } from "../distributions/covariance.ts";
import { addGradient, type GradientMap } from "../gradient_map.ts";

/**
 * σ² added to the diagonal, constrained above 1e-4 by default (GPyTorch's
 * `GreaterThan(1e-4)`, which keeps K + σ²I well conditioned).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HomoskedasticNoise } from "./homoskedastic_noise.ts";
 * const noise = new HomoskedasticNoise();
 * noise.noise = 0.01;
 * for (const v of noise.diagonal(3).values) assert.ok(Math.abs(v - 0.01) < 1e-12);
 * ```
 */
export class HomoskedasticNoise extends Module {
  /** The raw noise; `noise` is its constrained value. */
  readonly rawNoise: Parameter;

  constructor(options: { noiseConstraint?: Constraint } = {}) {
    super();
    this.rawNoise = new Parameter(0, {
      constraint: options.noiseConstraint ?? new GreaterThan(1e-4),
    });
  }

  /** The noise variance σ². */
  get noise(): number {
    return this.rawNoise.value;
  }

  set noise(v: number) {
    this.rawNoise.setValues([v], "noise");
  }

  /** σ² on each of `n` diagonal entries, with its gradient rule. */
  diagonal(n: number): DiagonalTerm {
    const parameter = this.rawNoise;
    return {
      values: new Float64Array(n).fill(this.noise),
      scatterGradient(dDiagonal: Float64Array, into: GradientMap): void {
        let sum = 0;
        for (let i = 0; i < dDiagonal.length; i++) sum += dDiagonal[i];
        addGradient(into, parameter, 0, sum);
      },
    };
  }
}
