/**
 * The kernel tree as data: one description that every device reads.
 *
 * A kernel module describes itself by appending postfix instructions ({@link Op} in
 * src/opcodes.ts, operands in core-rs/ABI.md) to a {@link PlanBuilder}. The builder
 * records, for every parameter element the program reads, its constrained value
 * (`theta`) and the parameter it came from ({@link ThetaSlot}), so that gradients with
 * respect to `theta` can be chained back to the raw values.
 *
 * @example
 * ```ts
 * import { PlanBuilder } from "./kernel_plan.ts";
 * import { Op } from "./opcodes.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert";
 * const lengthscale = { size: 1, values: Float64Array.of(0.5) };
 * const b = new PlanBuilder(1);
 * b.emit(Op.RBF, 1, b.useDim(0), 1, b.param(lengthscale));
 * const plan = b.build();
 * deepStrictEqual(Array.from(plan.ops), [1, 1, 0, 1, 0]);
 * deepStrictEqual(plan.theta, Float64Array.of(0.5));
 * strictEqual(plan.inputDims, 1);
 * ```
 *
 * @module
 */

import { addGradient, type GradientKey, type GradientMap } from "./gradient_map.ts";

/** What a plan reads its values from: a parameter's constrained values (a `Parameter`). */
export interface ThetaSource extends GradientKey {
  /** The constrained values, one per element. */
  readonly values: Float64Array;
}

/** Where one entry of `theta` comes from. */
export interface ThetaSlot {
  /** The parameter read. */
  readonly parameter: ThetaSource;
  /** Which element of it. */
  readonly element: number;
}

/**
 * A compiled kernel: instructions, parameter values, and where each value came from.
 *
 * @example
 * ```ts
 * import { KernelPlan } from "./kernel_plan.ts";
 * import { strictEqual } from "node:assert";
 * const s = { size: 1, values: Float64Array.of(2) };
 * const plan = new KernelPlan(Int32Array.of(1, 1, 0, 1, 0), Float64Array.of(2), [
 *   { parameter: s, element: 0 },
 * ], 1);
 * strictEqual(plan.structureKey, "1,1,0,1,0");
 * const g = new Map();
 * plan.scatterGradient(Float64Array.of(3), g);
 * strictEqual(g.get(s)[0], 3);
 * ```
 */
export class KernelPlan {
  /** Postfix instructions (core-rs/ABI.md). */
  readonly ops: Int32Array;
  /** Constrained parameter values read by the instructions. */
  readonly theta: Float64Array;
  /** `slots[k]` is where `theta[k]` came from. */
  readonly slots: readonly ThetaSlot[];
  /** The number of input dimensions the program reads (1 + the largest index). */
  readonly inputDims: number;

  /**
   * @param ops the instructions
   * @param theta the values they read
   * @param slots where each value came from
   * @param inputDims 1 + the largest input dimension read
   */
  constructor(ops: Int32Array, theta: Float64Array, slots: ThetaSlot[], inputDims: number) {
    this.ops = ops;
    this.theta = theta;
    this.slots = slots;
    this.inputDims = inputDims;
  }

  /**
   * The program's structure without parameter values: equal keys mean the same
   * compiled shader or tile routine can serve both.
   */
  get structureKey(): string {
    return Array.from(this.ops).join(",");
  }

  /**
   * Gradients with respect to `theta` turned into gradients per parameter, with
   * respect to its constrained values, added into `into`.
   */
  scatterGradient(gradTheta: Float64Array, into: GradientMap): void {
    for (let k = 0; k < this.slots.length; k++) {
      const { parameter, element } = this.slots[k];
      addGradient(into, parameter, element, gradTheta[k]);
    }
  }
}

/**
 * Collects instructions and parameter slots while a kernel tree describes itself.
 *
 * @example
 * ```ts
 * import { PlanBuilder } from "./kernel_plan.ts";
 * import { strictEqual } from "node:assert";
 * const p = { size: 2, values: Float64Array.of(1, 2) };
 * const b = new PlanBuilder(3);
 * strictEqual(b.param(p, 1), 0);
 * strictEqual(b.param(p, 1), 0); // the same element read twice gets one index
 * strictEqual(b.param(p, 0), 1);
 * ```
 */
export class PlanBuilder {
  /** The number of columns of the inputs the plan is built for. */
  readonly inputDims: number;
  #ops: number[] = [];
  #theta: number[] = [];
  #slots: ThetaSlot[] = [];
  #maxDim = -1;

  /** @param inputDims the number of columns of the inputs (kernels without activeDims read all) */
  constructor(inputDims: number) {
    this.inputDims = inputDims;
  }

  /**
   * The theta index for element `element` of `parameter`, at its current constrained
   * value. The same element read twice gets one index.
   */
  param(parameter: ThetaSource, element = 0): number {
    const found = this.#slots.findIndex((s) => s.parameter === parameter && s.element === element);
    if (found >= 0) return found;
    this.#slots.push({ parameter, element });
    this.#theta.push(parameter.values[element]);
    return this.#slots.length - 1;
  }

  /** Record that the program reads input dimension `dim`. */
  useDim(dim: number): number {
    this.#maxDim = Math.max(this.#maxDim, dim);
    return dim;
  }

  /** Append instruction words. */
  emit(...words: number[]): void {
    this.#ops.push(...words);
  }

  /** The finished plan. */
  build(): KernelPlan {
    return new KernelPlan(
      Int32Array.from(this.#ops),
      Float64Array.from(this.#theta),
      this.#slots.slice(),
      this.#maxDim + 1,
    );
  }
}
