/**
 * Sums of kernels.
 *
 * @module
 */

import { composition, Kernel } from "./kernel.ts";
import { ModuleList } from "../module_list.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/**
 * k(x, x′) = Σ_i k_i(x, x′), GPyTorch's AdditiveKernel (what `k1.add(k2)` builds; sums
 * of sums are flattened into one n-ary node). Its parts are `kernels.0`, `kernels.1`, ….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdditiveKernel } from "./additive_kernel.ts";
 * import { RBFKernel } from "./rbf_kernel.ts";
 * const k = new AdditiveKernel(new RBFKernel(), new RBFKernel());
 * assert.ok(Math.abs((await k.call([0]).dense())[0] - 2) < 1e-12);
 * ```
 */
export class AdditiveKernel extends Kernel {
  /** The summands. */
  readonly kernels: ModuleList<Kernel>;
  /** Composition kind, for flattening. */
  readonly kind = "sum";

  constructor(...kernels: Kernel[]) {
    super();
    checkParts("AdditiveKernel", kernels);
    this.kernels = new ModuleList(kernels);
  }

  describe(builder: PlanBuilder): void {
    for (const [i, k] of this.kernels.items.entries()) {
      k.describe(builder);
      if (i > 0) builder.emit(Op.ADD);
    }
  }
}

/** Throws a TypeError unless `kernels` is a non-empty list of kernels. */
export function checkParts(name: string, kernels: Kernel[]): void {
  if (kernels.length === 0) {
    throw new TypeError(`${name}(...kernels): give at least one kernel`);
  }
  for (const [i, k] of kernels.entries()) {
    if (!(k instanceof Kernel)) {
      throw new TypeError(`${name}(...kernels): kernels[${i}] is ${k}, not a kernel`);
    }
  }
}

composition.sum = (kernels) => new AdditiveKernel(...kernels);
