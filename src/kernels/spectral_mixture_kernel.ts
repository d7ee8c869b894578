/**
 * The spectral mixture kernel (Wilson & Adams, 2013).
 *
 * @module
 */

import { checkDims, type DimsOptions, Kernel, positiveParameter } from "./kernel.ts";
import type { Parameter } from "../parameter.ts";
import type { Constraint } from "../constraints.ts";
import { Op } from "../opcodes.ts";
import type { PlanBuilder } from "../kernel_plan.ts";
import { type InputLike, toInputs, toVector, type VectorLike } from "../tensor.ts";
import { Generator } from "../random.ts";

/** Options of {@link SpectralMixtureKernel}. */
export interface SpectralMixtureKernelOptions extends DimsOptions {
  /** The number of mixture components Q. */
  numMixtures: number;
  /** Constraint of the weights (default Positive). */
  mixtureWeightsConstraint?: Constraint;
  /** Constraint of the means (default Positive). */
  mixtureMeansConstraint?: Constraint;
  /** Constraint of the scales (default Positive). */
  mixtureScalesConstraint?: Constraint;
}

/**
 * k(x, x′) = Σ_q w_q Π_k exp(−2π² Δ_k² s_qk²) cos(2π Δ_k m_qk), Δ = x − x′, as GPyTorch's
 * SpectralMixtureKernel: weights w (Q), means m and scales s (Q × d, row-major: element
 * q·d + k), all positive. `ardNumDims` (default 1) must equal the number of active
 * columns. Initialise from data with {@link SpectralMixtureKernel.initializeFromData}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SpectralMixtureKernel } from "./spectral_mixture_kernel.ts";
 * const k = new SpectralMixtureKernel({ numMixtures: 2 });
 * k.initializeFromData([0, 0.1, 0.2, 0.5, 0.9], [1, 2, 0, 1, 3]);
 * const sd = Math.sqrt([1, 2, 0, 1, 3].reduce((s, v) => s + (v - 1.4) ** 2, 0) / 5);
 * assert.equal(k.mixtureWeights.length, 2);
 * for (const w of k.mixtureWeights) assert.ok(Math.abs(w / (sd / 2) - 1) < 0.3); // std(y) / 2 each
 * ```
 */
export class SpectralMixtureKernel extends Kernel {
  readonly rawMixtureWeights: Parameter;
  readonly rawMixtureMeans: Parameter;
  readonly rawMixtureScales: Parameter;
  /** Q. */
  readonly numMixtures: number;
  /** d: the number of active columns. */
  readonly ardNumDims: number;
  /** Input columns read, or null for all. */
  readonly activeDims: readonly number[] | null;

  constructor(options: SpectralMixtureKernelOptions) {
    super();
    const q = options?.numMixtures;
    if (!Number.isInteger(q) || q < 1) {
      throw new RangeError(
        `SpectralMixtureKernel({ numMixtures }): numMixtures = ${q} must be a positive integer`,
      );
    }
    this.numMixtures = q;
    this.activeDims = checkDims("SpectralMixtureKernel", options);
    const d = options.ardNumDims ?? this.activeDims?.length ?? 1;
    this.ardNumDims = d;
    this.rawMixtureWeights = positiveParameter(
      "weights",
      q,
      options.mixtureWeightsConstraint,
      undefined,
    );
    this.rawMixtureMeans = positiveParameter(
      "means",
      q * d,
      options.mixtureMeansConstraint,
      undefined,
    );
    this.rawMixtureScales = positiveParameter(
      "scales",
      q * d,
      options.mixtureScalesConstraint,
      undefined,
    );
  }

  /** The weights w_q. */
  get mixtureWeights(): Float64Array {
    return this.rawMixtureWeights.values;
  }

  /** The means m_qk (row-major Q × d). */
  get mixtureMeans(): Float64Array {
    return this.rawMixtureMeans.values;
  }

  /** The scales s_qk (row-major Q × d). */
  get mixtureScales(): Float64Array {
    return this.rawMixtureScales.values;
  }

  /**
   * GPyTorch's `initialize_from_data`: per active dimension, the largest distance
   * D = max − min and the smallest nonzero gap δ between sorted inputs; means drawn
   * from Uniform(0, ½/δ), scales as 1/|N(0, D²)|, every weight std(y)/Q.
   *
   * @param generator seeded generator for the draws (default seed 0)
   */
  initializeFromData(
    trainX: InputLike,
    trainY: VectorLike,
    generator: Generator = new Generator(0),
  ): this {
    const x = toInputs(trainX, "trainX");
    const y = toVector(trainY, "trainY");
    if (y.length !== x.n || x.n < 2) {
      throw new TypeError(
        `initializeFromData(trainX, trainY): need at least 2 points and one target per point; ` +
          `got ${x.n} point(s) and ${y.length} target(s)`,
      );
    }
    const cols = this.activeDims ?? Array.from({ length: x.d }, (_, k) => k);
    if (cols.length !== this.ardNumDims || cols.some((c) => c >= x.d)) {
      throw new RangeError(
        `initializeFromData(trainX): trainX has ${x.d} column(s) but the kernel reads ` +
          `${this.ardNumDims} (activeDims ${this.activeDims ?? "all"}); pass ardNumDims: ${x.d}`,
      );
    }
    const d = this.ardNumDims, q = this.numMixtures;
    const maxDist = new Float64Array(d), minDist = new Float64Array(d);
    for (const [k, c] of cols.entries()) {
      const v = Array.from({ length: x.n }, (_, i) => x.data[i * x.d + c]).sort((a, b) => a - b);
      maxDist[k] = v[v.length - 1] - v[0];
      let gap = Infinity;
      for (let i = 1; i < v.length; i++) if (v[i] > v[i - 1]) gap = Math.min(gap, v[i] - v[i - 1]);
      if (!Number.isFinite(gap) || maxDist[k] === 0) {
        throw new RangeError(
          `initializeFromData(trainX): column ${c} is constant; the spectral mixture needs ` +
            `distinct input values`,
        );
      }
      minDist[k] = gap;
    }
    const means = new Float64Array(q * d), scales = new Float64Array(q * d);
    for (let i = 0; i < q; i++) {
      for (let k = 0; k < d; k++) {
        means[i * d + k] = Math.max(generator.uniform(), 1e-12) * 0.5 / minDist[k];
        scales[i * d + k] = 1 / Math.max(Math.abs(generator.normal() * maxDist[k]), 1e-300);
      }
    }
    let mean = 0;
    for (const v of y) mean += v;
    mean /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - mean) ** 2;
    const std = Math.sqrt(ss / (y.length - 1));
    const weights = new Array(q).fill(Math.max(std, 1e-12) / q);
    const raw = [
      this.rawMixtureMeans.rawFor(means, "mixtureMeans"),
      this.rawMixtureScales.rawFor(scales, "mixtureScales"),
      this.rawMixtureWeights.rawFor(weights, "mixtureWeights"),
    ];
    this.rawMixtureMeans.setRaw(raw[0]);
    this.rawMixtureScales.setRaw(raw[1]);
    this.rawMixtureWeights.setRaw(raw[2]);
    return this;
  }

  describe(builder: PlanBuilder): void {
    const dims = this.columns(builder, this.ardNumDims);
    const d = this.ardNumDims;
    for (let q = 0; q < this.numMixtures; q++) {
      const s = Array.from(
        { length: d },
        (_, k) => builder.param(this.rawMixtureScales, q * d + k),
      );
      const m = Array.from({ length: d }, (_, k) => builder.param(this.rawMixtureMeans, q * d + k));
      builder.emit(Op.SPECTRAL, d, ...dims, ...s, ...m);
      builder.emit(Op.SCALE, builder.param(this.rawMixtureWeights, q));
      if (q > 0) builder.emit(Op.ADD);
    }
  }
}
