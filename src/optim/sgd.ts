/**
 * Stochastic gradient descent, exactly as PyTorch's `torch.optim.SGD`.
 *
 * @module
 */

import { Optimizer, type ParameterList } from "./optimizer.ts";
import type { Parameter } from "../parameter.ts";

/** Options of {@link SGD}, with PyTorch's defaults. */
export interface SGDOptions {
  /** Learning rate (required in PyTorch; default 0.001 here). */
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/**
 * g ← grad + wd·θ; with momentum b ← μb + (1 − dampening)g (b = g at the first step),
 * g ← g + μb (Nesterov) or b; θ ← θ − lr·g, on the raw values, in torch 1.13's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SGD } from "./sgd.ts";
 * import { Parameter } from "../parameter.ts";
 * const p = new Parameter(1);
 * const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
 * p.grad = new Float64Array([2]);
 * opt.step();
 * assert.ok(Math.abs(p.raw - 0.8) < 1e-15);
 * ```
 */
export class SGD extends Optimizer {
  /** The learning rate; may be changed between steps. */
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  #buffers = new Map<Parameter, Float64Array>();

  constructor(params: ParameterList, options: SGDOptions = {}) {
    super(params, "SGD");
    const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options;
    const check = (name: string, v: number) => {
      if (!(Number.isFinite(v) && v >= 0)) {
        throw new RangeError(`SGD({ ${name} }): ${name} = ${v} must be a finite number ≥ 0`);
      }
    };
    check("lr", lr);
    check("momentum", momentum);
    check("dampening", dampening);
    check("weightDecay", weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError(
        `SGD({ nesterov }): Nesterov momentum needs momentum > 0 and dampening = 0 ` +
          `(got momentum ${momentum}, dampening ${dampening})`,
      );
    }
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  /**
   * One step for every parameter that requires a gradient and has one. When a
   * gradient or a result is not finite, a RangeError is thrown and nothing changes.
   */
  step(): void {
    const updates: Array<{ p: Parameter; raw: Float64Array; buf: Float64Array | null }> = [];
    for (const [index, p] of this.params.entries()) {
      if (!p.requiresGrad || p.grad === null) continue;
      const raw = p.rawValues;
      const old = this.#buffers.get(p);
      const buf = this.momentum !== 0 ? new Float64Array(p.size) : null;
      for (let i = 0; i < raw.length; i++) {
        let g = p.grad[i];
        if (!Number.isFinite(g)) {
          throw new RangeError(
            `SGD.step(): parameter ${index} (${p}) has gradient ${g} at element ${i}; ` +
              `no parameter was changed`,
          );
        }
        if (this.weightDecay !== 0) g += this.weightDecay * raw[i];
        if (buf !== null) {
          buf[i] = old === undefined ? g : old[i] * this.momentum + (1 - this.dampening) * g;
          g = this.nesterov ? g + this.momentum * buf[i] : buf[i];
        }
        raw[i] += -this.lr * g;
        if (!Number.isFinite(raw[i])) {
          throw new RangeError(
            `SGD.step(): parameter ${index} (${p}) would become ${
              raw[i]
            }; no parameter was changed`,
          );
        }
      }
      updates.push({ p, raw, buf });
    }
    for (const { p, raw, buf } of updates) {
      p.setRaw(raw);
      if (buf !== null) this.#buffers.set(p, buf);
    }
  }
}
