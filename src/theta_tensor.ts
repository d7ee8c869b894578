/**
 * A kernel plan's parameter vector θ as an autograd tensor, gathered from its
 * parameters' constrained values (each a recorded constraint transform of a raw leaf),
 * so that a gradient with respect to θ reaches the raw values.
 *
 * @module
 */

import type { Parameter } from "./parameter.ts";
import type { ThetaSlot } from "./kernel_plan.ts";
import { record, type Tensor } from "./autograd/tensor.ts";

/**
 * θ with θ[k] = slots[k].parameter.values[slots[k].element], recorded: one
 * `valueTensor()` per distinct parameter, gathered.
 *
 * @example
 * ```ts
 * import { thetaTensor } from "./theta_tensor.ts";
 * import { RBFKernel } from "./kernels/rbf_kernel.ts";
 * import assert from "node:assert";
 * const kernel = new RBFKernel().initialize({ lengthscale: 2 });
 * const theta = thetaTensor(kernel.plan(1).slots);
 * theta.sum().backward();
 * assert.ok(Math.abs(theta.item() - 2) < 1e-12);
 * assert.ok(kernel.rawLengthscale.grad![0] > 0); // d softplus / d raw
 * ```
 */
export function thetaTensor(slots: readonly ThetaSlot[]): Tensor {
  const params: Parameter[] = [];
  const index = new Map<ThetaSlot["parameter"], number>();
  for (const s of slots) {
    if (!index.has(s.parameter)) {
      index.set(s.parameter, params.length);
      // The plan's slots name their source by a ground-floor interface; the kernels fill
      // them with Parameters (PlanBuilder.param is only called with one).
      params.push(s.parameter as Parameter);
    }
  }
  const values = params.map((p) => p.valueTensor());
  const out = new Float64Array(slots.length);
  for (let k = 0; k < slots.length; k++) {
    out[k] = values[index.get(slots[k].parameter)!].data[slots[k].element];
  }
  return record("theta", out, [slots.length], values, (g) => {
    const grads = params.map((p) => new Float64Array(p.size));
    for (let k = 0; k < slots.length; k++) {
      grads[index.get(slots[k].parameter)!][slots[k].element] += g[k];
    }
    return grads;
  });
}
