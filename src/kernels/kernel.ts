/**
 * The base of every kernel: a module that describes its pointwise formula as
 * instructions of a kernel program (src/kernel_plan.ts, opcodes in src/opcodes.ts), which each device
 * evaluates.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type KernelPlan, PlanBuilder } from "../kernel_plan.ts";
import { type InputLike, toInputs } from "../tensor.ts";
import { KernelCovariance } from "../distributions/covariance.ts";
import { Parameter } from "../parameter.ts";
import { type Constraint, Positive } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { Tensor } from "../autograd/tensor.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { thetaTensor } from "../theta_tensor.ts";

/** Options shared by kernels that read input columns, as GPyTorch's `Kernel` arguments. */
export interface DimsOptions {
  /**
   * One lengthscale (or variance, period…) per input dimension (automatic relevance
   * determination). Must equal the number of active columns of the data.
   */
  ardNumDims?: number;
  /** The input columns this kernel reads (default: all columns of the data). */
  activeDims?: readonly number[];
}

/** Options of the kernels with a lengthscale (RBF, Matern, RQ, Periodic). */
export interface LengthscaleOptions extends DimsOptions {
  /** The lengthscale's constraint (default {@link Positive}); its `initialValue` sets the start. */
  lengthscaleConstraint?: Constraint;
  /** A prior on the lengthscale(s). */
  lengthscalePrior?: Prior;
}

/** Composition hooks, filled in by additive_kernel.ts and product_kernel.ts. */
export const composition: {
  sum: ((kernels: Kernel[]) => Kernel) | null;
  product: ((kernels: Kernel[]) => Kernel) | null;
} = { sum: null, product: null };

/**
 * A covariance function k(x, x′).
 *
 * Subclasses implement {@link Kernel.describe}; evaluation, gradients and devices
 * come from the engine.
 */
export abstract class Kernel extends Module {
  /**
   * Append this kernel's instructions to `builder`, leaving one entry on the program
   * stack.
   */
  abstract describe(builder: PlanBuilder): void;

  /**
   * `this + other` as GPyTorch's `k1 + k2`: an {@link AdditiveKernel}, flattened (a sum
   * of sums is one n-ary sum).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import * as gp from "../../mod.ts";
   * const k = new gp.kernels.RBFKernel().add(new gp.kernels.LinearKernel()).add(new gp.kernels.RBFKernel());
   * assert.equal(k.constructor.name, "AdditiveKernel");
   * assert.equal((k as gp.kernels.AdditiveKernel).kernels.length, 3);
   * ```
   */
  add(other: Kernel): Kernel {
    return compose("sum", this, other);
  }

  /** `this · other` as GPyTorch's `k1 * k2`: a {@link ProductKernel}, flattened. */
  mul(other: Kernel): Kernel {
    return compose("product", this, other);
  }

  /**
   * The input columns this kernel reads for data of `builder.inputDims` columns,
   * checked: an active dimension out of range, or `ardNumDims` different from the
   * number of columns read, is a RangeError naming the fix.
   */
  protected columns(builder: PlanBuilder, ardNumDims: number | undefined): number[] {
    const name = this.constructor.name;
    const d = builder.inputDims;
    const active = (this as { activeDims?: readonly number[] | null }).activeDims ?? null;
    if (active !== null) {
      for (const [i, c] of active.entries()) {
        if (c >= d) {
          throw new RangeError(
            `${name}({ activeDims }): activeDims[${i}] = ${c} is out of range for inputs with ` +
              `${d} column(s); use column indices 0 … ${d - 1}`,
          );
        }
      }
    }
    const cols = active !== null ? active.slice() : Array.from({ length: d }, (_, k) => k);
    if (ardNumDims !== undefined && ardNumDims !== cols.length) {
      throw new RangeError(
        `${name}({ ardNumDims }): ardNumDims = ${ardNumDims} but the kernel reads ` +
          `${cols.length} input column(s); pass ardNumDims: ${cols.length} (or activeDims ` +
          `listing ${ardNumDims} columns)`,
      );
    }
    for (const c of cols) builder.useDim(c);
    return cols;
  }

  /** This kernel compiled for inputs of `inputDims` columns, with its parameters' current values. */
  plan(inputDims: number): KernelPlan {
    const builder = new PlanBuilder(inputDims);
    this.describe(builder);
    return builder.build();
  }

  /**
   * The kernel matrix K(x1, x2) as a recorded tensor (GPyTorch's `kernel.forward(x1, x2,
   * diag)`): differentiable in every parameter (through its constraint) and in both
   * inputs, which are [n, d] tensors. With `x2` omitted, K(x1, x1); with `{ diag: true }`,
   * the diagonal k(x1ᵢ, x1ᵢ) only.
   *
   * @example
   * ```ts
   * import { RBFKernel } from "./rbf_kernel.ts";
   * import { tensor } from "../autograd/tensor.ts";
   * import assert from "node:assert";
   * const k = new RBFKernel().initialize({ lengthscale: 1 });
   * const x = tensor([[0], [1]], { requiresGrad: true });
   * const kxx = k.forward(x);
   * kxx.sum().backward();
   * assert.ok(Math.abs(kxx.data[1] - Math.exp(-0.5)) < 1e-15);
   * assert.ok(k.rawLengthscale.grad![0] > 0 && x.grad!.data[1] < 0);
   * ```
   */
  forward(x1: Tensor, x2?: Tensor, options: { diag?: boolean } = {}): Tensor {
    const name = `${this.constructor.name}.forward`;
    for (const [what, x] of [["x1", x1], ["x2", x2]] as const) {
      if (x !== undefined && (!(x instanceof Tensor) || x.ndim !== 2)) {
        throw new TypeError(
          `${name}(x1, x2): ${what} must be a Tensor of shape [n, d], got ${
            x instanceof Tensor ? `shape [${x.shape.join(", ")}]` : typeof x
          }; reshape points of one dimension with .reshape([-1, 1])`,
        );
      }
    }
    const plan = this.plan(x1.shape[1]);
    if (x1.shape[1] < plan.inputDims) {
      throw new RangeError(
        `${name}: x1 has ${x1.shape[1]} column(s) but the kernel reads dimension ` +
          `${plan.inputDims - 1}; check activeDims / ardNumDims`,
      );
    }
    const theta = thetaTensor(plan.slots);
    if (options.diag) {
      if (x2 !== undefined && x2 !== x1) {
        throw new TypeError(`${name}(x1, x2, { diag: true }): the diagonal needs x2 = x1`);
      }
      return kernelDiagonal(plan, theta, x1);
    }
    return kernelMatrix(plan, theta, x1, x2);
  }

  /**
   * The kernel matrix k(x, x) as a lazy covariance (GPyTorch's `kernel(x)`): nothing
   * is computed until numbers are asked for.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RBFKernel } from "./rbf_kernel.ts";
   * const k = new RBFKernel().initialize({ lengthscale: 1 });
   * assert.ok(Math.abs((await k.call([0, 1]).dense())[1] - Math.exp(-0.5)) < 1e-12);
   * ```
   */
  call(x: InputLike): KernelCovariance {
    const inputs = toInputs(x, "x");
    const plan = this.plan(inputs.d);
    if (inputs.d < plan.inputDims) {
      throw new RangeError(
        `${this.constructor.name}.call(x): x has ${inputs.d} dimension(s) per point but the ` +
          `kernel reads dimension ${plan.inputDims - 1}; check activeDims / ardNumDims`,
      );
    }
    return new KernelCovariance(plan, inputs);
  }
}

function compose(kind: "sum" | "product", a: Kernel, b: Kernel): Kernel {
  const make = composition[kind];
  if (!(b instanceof Kernel)) {
    throw new TypeError(
      `kernel.${kind === "sum" ? "add" : "mul"}(other): other must be a kernel, got ${b}`,
    );
  }
  if (make === null) {
    throw new TypeError(
      `kernel composition needs ${kind === "sum" ? "additive" : "product"}_kernel.ts loaded; ` +
        `import the kernels from mod.ts`,
    );
  }
  const parts = (k: Kernel): Kernel[] => {
    const inner = k as { kind?: string; kernels?: { items: Kernel[] } };
    return inner.kind === kind && inner.kernels !== undefined ? inner.kernels.items : [k];
  };
  return make([...parts(a), ...parts(b)]);
}

/**
 * Checks `ardNumDims` and `activeDims` options and returns the active columns (or
 * null for all).
 */
export function checkDims(name: string, options: DimsOptions): readonly number[] | null {
  const { ardNumDims, activeDims } = options;
  if (ardNumDims !== undefined && (!Number.isInteger(ardNumDims) || ardNumDims < 1)) {
    throw new RangeError(
      `${name}({ ardNumDims }): ardNumDims = ${ardNumDims} must be a positive integer ` +
        `(the number of input dimensions)`,
    );
  }
  if (activeDims === undefined) return null;
  if (!Array.isArray(activeDims) || activeDims.length === 0) {
    throw new TypeError(
      `${name}({ activeDims }): expected a non-empty array of column indices, got ${activeDims}`,
    );
  }
  for (const [i, d] of activeDims.entries()) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${name}({ activeDims }): activeDims[${i}] = ${d} must be a non-negative integer`,
      );
    }
  }
  if (ardNumDims !== undefined && ardNumDims !== activeDims.length) {
    throw new RangeError(
      `${name}: ardNumDims = ${ardNumDims} but activeDims has ${activeDims.length} ` +
        `entries; give one lengthscale per active dimension`,
    );
  }
  return activeDims.slice();
}

/**
 * A positive kernel parameter of `size` elements (raw 0, as GPyTorch), under
 * `constraint` (default {@link Positive}) with an optional prior.
 */
export function positiveParameter(
  name: string,
  size: number,
  constraint: Constraint | undefined,
  prior: Prior | undefined,
): Parameter {
  const p = new Parameter(new Array(size).fill(0), { constraint: constraint ?? new Positive() });
  if (prior !== undefined) p.setPrior(prior, name);
  return p;
}

/** Emits the theta indices of every element of `p`. */
export function thetaList(builder: PlanBuilder, p: Parameter): number[] {
  return Array.from({ length: p.size }, (_, k) => builder.param(p, k));
}
