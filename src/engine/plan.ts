/**
 * The kernel tree as data: one description that every device reads.
 *
 * A kernel module describes itself by appending postfix instructions to a
 * {@link PlanBuilder} (core-rs/ABI.md lists the opcodes). The builder records, for
 * every parameter element the program reads, its constrained value (`theta`) and the
 * {@link Parameter} it came from, so that gradients with respect to `theta` can be
 * chained back to the raw values.
 *
 * @module
 */

import type { Parameter } from "../parameter.ts";

/** Opcodes of the kernel program (core-rs/ABI.md). */
export const Op = {
  /** `RBF, nDims, dims…, nLs, ls…`: exp(−½ Σ Δ²/ℓ²). */
  RBF: 1,
  /** `SCALE, s`: θ_s · k. */
  SCALE: 2,
  /** `ADD`: a + b. */
  ADD: 3,
  /** `MUL`: a · b. */
  MUL: 4,
  /** `MATERN, 2ν, nDims, dims…, nLs, ls…`. */
  MATERN: 5,
  /** `RQ, nDims, dims…, nLs, ls…, α`. */
  RQ: 6,
  /** `PERIODIC, nDims, dims…, nLs, ls…, nP, p…`. */
  PERIODIC: 7,
  /** `LINEAR, nDims, dims…, nV, v…`. */
  LINEAR: 8,
  /** `POLYNOMIAL, power, nDims, dims…, c`. */
  POLYNOMIAL: 9,
  /** `COSINE, nDims, dims…, p`. */
  COSINE: 10,
  /** `SPECTRAL, nDims, dims…, s…, m…`: one spectral-mixture component. */
  SPECTRAL: 11,
} as const;

/** Where one entry of `theta` comes from. */
export interface ThetaSlot {
  /** The parameter read. */
  readonly parameter: Parameter;
  /** Which element of it. */
  readonly element: number;
}

/** A compiled kernel: instructions, parameter values, and where each value came from. */
export class KernelPlan {
  /** Postfix instructions (core-rs/ABI.md). */
  readonly ops: Int32Array;
  /** Constrained parameter values read by the instructions. */
  readonly theta: Float64Array;
  /** `slots[k]` is where `theta[k]` came from. */
  readonly slots: readonly ThetaSlot[];
  /** The number of input dimensions the program reads (1 + the largest index). */
  readonly inputDims: number;

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

/** d(scalar) / d(constrained values), per parameter. */
export type GradientMap = Map<Parameter, Float64Array>;

/** Add `g` to the gradient of element `element` of `parameter` in `into`. */
export function addGradient(
  into: GradientMap,
  parameter: Parameter,
  element: number,
  g: number,
): void {
  let arr = into.get(parameter);
  if (arr === undefined) {
    arr = new Float64Array(parameter.size);
    into.set(parameter, arr);
  }
  arr[element] += g;
}

/** Collects instructions and parameter slots while a kernel tree describes itself. */
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
  param(parameter: Parameter, element = 0): number {
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
