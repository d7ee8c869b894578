/**
 * Covariances as descriptions: nothing is computed until numbers are asked for, and
 * then on whichever device the engine picks. Every method that yields numbers is
 * asynchronous, because a GPU may later do the work.
 *
 * @module
 */

import type { Inputs } from "../tensor.ts";
import type { GradientMap } from "../gradient_map.ts";
import type { KernelPlan } from "../kernel_plan.ts";
import * as core from "../wasm/core.ts";
import { Tensor } from "../autograd/tensor.ts";
import { diagEmbed } from "../autograd/matrix.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { thetaTensor } from "../theta_tensor.ts";
import { gradientMapOp } from "../gradient_map_op.ts";

/** What a {@link MultivariateNormal}'s covariance provides. */
export interface Covariance {
  /** Number of rows (and columns: covariances are square). */
  readonly size: number;
  /** The full matrix, row-major, size × size. */
  dense(): Promise<Float64Array>;
  /** The diagonal (the variances). */
  diagonal(): Promise<Float64Array>;
  /**
   * The full matrix as a recorded tensor [size, size], differentiable in the parameters
   * (and, for a posterior at tensor inputs, in those); absent where the covariance
   * offers none (then {@link MultivariateNormal.covarianceTensor} gives constants).
   */
  denseTensor?(): Promise<Tensor>;
  /** The diagonal as a recorded tensor [size] (see {@link Covariance.denseTensor}). */
  diagonalTensor?(): Promise<Tensor>;
}

/**
 * A diagonal term's values as a recorded tensor [n], its parameters reached through
 * `scatterGradient`.
 *
 * @example
 * ```ts
 * import { diagonalTermTensor } from "./covariance.ts";
 * import { HomoskedasticNoise } from "../likelihoods/homoskedastic_noise.ts";
 * import assert from "node:assert";
 * const noise = new HomoskedasticNoise();
 * noise.noise = 0.5;
 * const d = diagonalTermTensor(noise.diagonal(3));
 * d.sum().backward();
 * assert.ok(Math.abs(d.data[0] - 0.5) < 1e-15 && noise.rawNoise.grad![0] > 0);
 * ```
 */
export function diagonalTermTensor(term: DiagonalTerm): Tensor {
  return gradientMapOp({
    name: "diagonal term",
    data: term.values.slice(),
    shape: [term.values.length],
    parameterVjp: (g, into) => term.scatterGradient(g, into),
  });
}

function constantInputs(x: Inputs): Tensor {
  return new Tensor(x.data, [x.n, x.d]);
}

/**
 * A diagonal added to a kernel matrix (a likelihood's noise), with the parameters
 * it depends on.
 */
export interface DiagonalTerm {
  /** The values added to the diagonal, one per row. */
  readonly values: Float64Array;
  /** Given d(scalar)/d(diagonal entries), add d(scalar)/d(parameter values) into `into`. */
  scatterGradient(dDiagonal: Float64Array, into: GradientMap): void;
}

/**
 * k(x1, x2) described by a compiled kernel plan, plus diagonal terms (noise). The
 * engine reads `plan` and `diagonalTerms` directly to compute gradients.
 */
export class KernelCovariance implements Covariance {
  /** The compiled kernel, with its parameter values at the time of the call. */
  readonly plan: KernelPlan;
  /** The inputs. */
  readonly x: Inputs;
  /** Diagonal terms added to the kernel matrix (e.g. observation noise). */
  readonly diagonalTerms: readonly DiagonalTerm[];

  constructor(plan: KernelPlan, x: Inputs, diagonalTerms: readonly DiagonalTerm[] = []) {
    this.plan = plan;
    this.x = x;
    this.diagonalTerms = diagonalTerms;
  }

  get size(): number {
    return this.x.n;
  }

  /** This covariance with one more diagonal term. */
  withDiagonal(term: DiagonalTerm): KernelCovariance {
    if (term.values.length !== this.size) {
      throw new TypeError(
        `withDiagonal: the term has ${term.values.length} values for a ${this.size} × ` +
          `${this.size} covariance`,
      );
    }
    return new KernelCovariance(this.plan, this.x, [...this.diagonalTerms, term]);
  }

  /** The sum of the diagonal terms (zeros when there are none). */
  addedDiagonal(): Float64Array {
    const out = new Float64Array(this.size);
    for (const term of this.diagonalTerms) {
      for (let i = 0; i < out.length; i++) out[i] += term.values[i];
    }
    return out;
  }

  dense(): Promise<Float64Array> {
    const k = core.kernelMatrix(this.plan, this.x, this.x);
    const n = this.size;
    const added = this.addedDiagonal();
    for (let i = 0; i < n; i++) k[i * n + i] += added[i];
    return Promise.resolve(k);
  }

  diagonal(): Promise<Float64Array> {
    const d = core.kernelDiag(this.plan, this.x);
    const added = this.addedDiagonal();
    for (let i = 0; i < d.length; i++) d[i] += added[i];
    return Promise.resolve(d);
  }

  /** K(x, x) + the diagonal terms, recorded (differentiable in every parameter). */
  denseTensor(): Promise<Tensor> {
    const x = constantInputs(this.x);
    let k = kernelMatrix(this.plan, thetaTensor(this.plan.slots), x);
    for (const term of this.diagonalTerms) k = k.add(diagEmbed(diagonalTermTensor(term)));
    return Promise.resolve(k);
  }

  /** diag K(x, x) + the diagonal terms, recorded. */
  diagonalTensor(): Promise<Tensor> {
    const x = constantInputs(this.x);
    let d = kernelDiagonal(this.plan, thetaTensor(this.plan.slots), x);
    for (const term of this.diagonalTerms) d = d.add(diagonalTermTensor(term));
    return Promise.resolve(d);
  }
}

/** Any covariance plus a diagonal term (a likelihood's noise on a posterior). */
export class DiagonalAddedCovariance implements Covariance {
  /** The covariance the term is added to. */
  readonly base: Covariance;
  /** The diagonal added. */
  readonly term: DiagonalTerm;

  constructor(base: Covariance, term: DiagonalTerm) {
    if (term.values.length !== base.size) {
      throw new TypeError(
        `DiagonalAddedCovariance: the term has ${term.values.length} values for a ` +
          `${base.size} × ${base.size} covariance`,
      );
    }
    this.base = base;
    this.term = term;
  }

  get size(): number {
    return this.base.size;
  }

  async dense(): Promise<Float64Array> {
    const k = await this.base.dense();
    const n = this.size;
    for (let i = 0; i < n; i++) k[i * n + i] += this.term.values[i];
    return k;
  }

  async diagonal(): Promise<Float64Array> {
    const d = await this.base.diagonal();
    for (let i = 0; i < d.length; i++) d[i] += this.term.values[i];
    return d;
  }

  /** The base's tensor plus the term, recorded (constants where the base has no tensor). */
  async denseTensor(): Promise<Tensor> {
    const base = this.base.denseTensor
      ? await this.base.denseTensor()
      : new Tensor(await this.base.dense(), [this.size, this.size]);
    return base.add(diagEmbed(diagonalTermTensor(this.term)));
  }

  /** The base's diagonal tensor plus the term, recorded. */
  async diagonalTensor(): Promise<Tensor> {
    const base = this.base.diagonalTensor
      ? await this.base.diagonalTensor()
      : new Tensor(await this.base.diagonal(), [this.size]);
    return base.add(diagonalTermTensor(this.term));
  }
}

/**
 * A covariance given as numbers, row-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DenseCovariance } from "./covariance.ts";
 * const c = DenseCovariance.from([[2, 1], [1, 2]]);
 * assert.deepEqual(await c.diagonal(), Float64Array.of(2, 2));
 * ```
 */
export class DenseCovariance implements Covariance {
  /** Row-major values. */
  readonly values: Float64Array;
  readonly size: number;

  constructor(values: Float64Array, size: number) {
    if (values.length !== size * size) {
      throw new TypeError(
        `DenseCovariance: ${values.length} values do not make a ${size} × ${size} matrix`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new RangeError(
          `covariance[${Math.floor(i / size)}][${i % size}] = ${values[i]} must be finite`,
        );
      }
    }
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < i; j++) {
        const a = values[i * size + j], b = values[j * size + i];
        if (Math.abs(a - b) > 1e-12 * (Math.abs(a) + Math.abs(b))) {
          throw new RangeError(
            `covariance is not symmetric: [${i}][${j}] = ${a} but [${j}][${i}] = ${b}; ` +
              `pass (C + Cᵀ) / 2`,
          );
        }
      }
    }
    this.values = values;
    this.size = size;
  }

  /** From an array of rows. */
  static from(rows: ArrayLike<ArrayLike<number>>): DenseCovariance {
    const n = rows.length;
    const values = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      if (rows[i].length !== n) {
        throw new TypeError(
          `covariance[${i}] has length ${rows[i].length}; a covariance must be ${n} × ${n}`,
        );
      }
      for (let j = 0; j < n; j++) values[i * n + j] = rows[i][j];
    }
    return new DenseCovariance(values, n);
  }

  dense(): Promise<Float64Array> {
    return Promise.resolve(this.values.slice());
  }

  diagonal(): Promise<Float64Array> {
    const d = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) d[i] = this.values[i * this.size + i];
    return Promise.resolve(d);
  }
}
