/**
 * Adam, exactly as PyTorch's `torch.optim.Adam`.
 *
 * @module
 */

import { Optimizer, type ParameterList } from "./optimizer.ts";
import type { Parameter } from "../parameter.ts";

/** Options of {@link Adam}, with PyTorch's defaults. */
export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

interface AdamState {
  step: number;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

/**
 * Adam with bias correction: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), on the raw values, in PyTorch's order of
 * operations so that trajectories agree with it to rounding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Adam } from "./adam.ts";
 * import { Parameter } from "../parameter.ts";
 * const p = new Parameter(1);
 * const opt = new Adam([p], { lr: 0.1 });
 * p.grad = new Float64Array([2]);
 * opt.step();
 * assert.ok(Math.abs(p.raw - 0.9) < 1e-9);
 * ```
 */
export class Adam extends Optimizer {
  /** The learning rate; may be changed between steps (schedules). */
  lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  #state = new Map<Parameter, AdamState>();

  constructor(params: ParameterList, options: AdamOptions = {}) {
    super(params, "Adam");
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = options;
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new RangeError(`Adam({ lr }): lr = ${lr} must be a finite number ≥ 0 (e.g. 0.1)`);
    }
    for (const [i, b] of betas.entries()) {
      if (!(Number.isFinite(b) && b >= 0 && b < 1)) {
        throw new RangeError(`Adam({ betas }): betas[${i}] = ${b} must be in [0, 1)`);
      }
    }
    if (!(Number.isFinite(eps) && eps >= 0)) {
      throw new RangeError(`Adam({ eps }): eps = ${eps} must be a finite number ≥ 0`);
    }
    if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) {
      throw new RangeError(`Adam({ weightDecay }): weightDecay = ${weightDecay} must be ≥ 0`);
    }
    this.lr = lr;
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /**
   * One Adam step for every parameter that requires a gradient and has one. All
   * updates are computed and checked first: when a gradient or a result is not
   * finite, a RangeError is thrown and no parameter (and no optimizer state) changes.
   */
  step(): void {
    const [beta1, beta2] = this.betas;
    const updates: Array<{ p: Parameter; raw: Float64Array; state: AdamState }> = [];
    for (const [index, p] of this.params.entries()) {
      if (!p.requiresGrad || p.grad === null) continue;
      const old = this.#state.get(p);
      const state: AdamState = old === undefined
        ? { step: 0, expAvg: new Float64Array(p.size), expAvgSq: new Float64Array(p.size) }
        : { step: old.step, expAvg: old.expAvg.slice(), expAvgSq: old.expAvgSq.slice() };
      state.step++;
      const raw = p.rawValues;
      const bias1 = 1 - beta1 ** state.step;
      const bias2Sqrt = Math.sqrt(1 - beta2 ** state.step);
      const stepSize = this.lr / bias1;
      for (let i = 0; i < raw.length; i++) {
        let g = p.grad[i];
        if (!Number.isFinite(g)) {
          throw new RangeError(
            `Adam.step(): parameter ${index} (${p}) has gradient ${g} at element ${i}; ` +
              `no parameter was changed. Check the loss for numerical trouble first`,
          );
        }
        if (this.weightDecay !== 0) g += this.weightDecay * raw[i];
        // torch 1.13: exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1), then
        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        state.expAvg[i] = state.expAvg[i] * beta1 + (1 - beta1) * g;
        state.expAvgSq[i] = state.expAvgSq[i] * beta2 + (1 - beta2) * g * g;
        const denom = Math.sqrt(state.expAvgSq[i]) / bias2Sqrt + this.eps;
        raw[i] += -stepSize * (state.expAvg[i] / denom);
        if (!Number.isFinite(raw[i])) {
          throw new RangeError(
            `Adam.step(): parameter ${index} (${p}) would become ${
              raw[i]
            }; no parameter was changed`,
          );
        }
      }
      updates.push({ p, raw, state });
    }
    for (const { p, raw, state } of updates) {
      p.setRaw(raw);
      this.#state.set(p, state);
    }
  }
}
