/**
 * Products of kernels.
 *
 * @module
 */

import { composition, Kernel } from "./kernel.ts";
import { checkParts } from "./additive_kernel.ts";
import { ModuleList } from "../module_list.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";

/**
 * k(x, x′) = Π_i k_i(x, x′), GPyTorch's ProductKernel (what `k1.mul(k2)` builds;
 * products of products are flattened). Its parts are `kernels.0`, `kernels.1`, ….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProductKernel } from "./product_kernel.ts";
 * import { LinearKernel } from "./linear_kernel.ts";
 * const k = new ProductKernel(new LinearKernel(), new LinearKernel());
 * k.initialize({ "kernels.0.variance": 1, "kernels.1.variance": 1 });
 * assert.ok(Math.abs((await k.call([2]).dense())[0] - 16) < 1e-12);
 * ```
 */
export class ProductKernel extends Kernel {
  /** The factors. */
  readonly kernels: ModuleList<Kernel>;
  /** Composition kind, for flattening. */
  readonly kind = "product";

  constructor(...kernels: Kernel[]) {
    super();
    checkParts("ProductKernel", kernels);
    this.kernels = new ModuleList(kernels);
  }

  describe(builder: PlanBuilder): void {
    for (const [i, k] of this.kernels.items.entries()) {
      k.describe(builder);
      if (i > 0) builder.emit(Op.MUL);
    }
  }
}

composition.product = (kernels) => new ProductKernel(...kernels);
