/**
 * BoTorch's `Normalize` input transform: inputs to the unit cube from given (or learned) bounds.
 *
 * @module
 */
import { Tensor } from "../autograd/tensor.ts";
import { type InputLike, Inputs, toInputs } from "../tensor.ts";
import { checkBounds } from "./check_bounds.ts";

/**
 * x ↦ (x − lower) / (upper − lower), per dimension (BoTorch's `Normalize(d, bounds)`). Without
 * bounds they are learned from the training inputs (each dimension's min and max; a dimension
 * whose range is below 1e-8 keeps range 1, as BoTorch's `min_range`).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const t = new gp.bo.Normalize({ bounds: [[0, -5], [10, 5]] });
 * const x = t.transformTensor(gp.autograd.tensor([[5, 0], [10, -5]]));
 * assert.deepStrictEqual(Array.from(x.data), [0.5, 0.5, 1, 0]);
 * assert.deepStrictEqual(Array.from(t.untransform([[0.5, 0.5]]).data), [5, 0]);
 * ```
 */
export class Normalize {
  /** Lower bounds, one per dimension. */
  readonly lower: Float64Array;
  /** upper − lower, one per dimension. */
  readonly range: Float64Array;

  /**
   * @param options `bounds` ([lower, upper], each of length d), or `trainX` to learn them from
   * @throws {TypeError} without either, or with bounds of the wrong shape
   * @throws {RangeError} when a lower bound is not below its upper bound
   */
  constructor(options: { bounds?: ArrayLike<ArrayLike<number>>; trainX?: InputLike }) {
    if (options.bounds !== undefined) {
      const [lo, hi] = checkBounds(options.bounds, "Normalize({ bounds })");
      this.lower = lo;
      this.range = hi.map((h, i) => h - lo[i]);
    } else if (options.trainX !== undefined) {
      const x = toInputs(options.trainX, "Normalize({ trainX })");
      this.lower = new Float64Array(x.d).fill(Infinity);
      const upper = new Float64Array(x.d).fill(-Infinity);
      for (let i = 0; i < x.n; i++) {
        for (let j = 0; j < x.d; j++) {
          const v = x.data[i * x.d + j];
          if (v < this.lower[j]) this.lower[j] = v;
          if (v > upper[j]) upper[j] = v;
        }
      }
      this.range = upper.map((u, j) => (u - this.lower[j] < 1e-8 ? 1 : u - this.lower[j]));
    } else {
      throw new TypeError(
        "Normalize(options): give bounds ([lower, upper]) or trainX to learn them from",
      );
    }
  }

  /** The input dimension d. */
  get dim(): number {
    return this.lower.length;
  }

  /** Inputs (N × d) to the unit cube. */
  transform(x: InputLike): Inputs {
    const t = toInputs(x, "Normalize.transform(x)", this.dim);
    const out = new Float64Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const j = i % t.d;
      out[i] = (t.data[i] - this.lower[j]) / this.range[j];
    }
    return new Inputs(out, t.n, t.d);
  }

  /** Unit-cube inputs back to the original units. */
  untransform(x: InputLike): Inputs {
    const t = toInputs(x, "Normalize.untransform(x)", this.dim);
    const out = new Float64Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const j = i % t.d;
      out[i] = this.lower[j] + t.data[i] * this.range[j];
    }
    return new Inputs(out, t.n, t.d);
  }

  /** A tensor of points (last axis d) to the unit cube, recorded (differentiable in x). */
  transformTensor(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.dim) {
      throw new TypeError(
        `Normalize.transformTensor(x): x has shape [${x.shape.join(", ")}]; its last axis ` +
          `must be the ${this.dim} input dimension(s)`,
      );
    }
    return x.sub(new Tensor(this.lower, [this.dim])).div(new Tensor(this.range, [this.dim]));
  }
}
