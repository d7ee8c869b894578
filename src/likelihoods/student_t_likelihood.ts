/**
 * Heavy-tailed regression noise, as GPyTorch's `StudentTLikelihood`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import { type Constraint, GreaterThan, Positive } from "../constraints.ts";
import type { Tensor } from "../autograd/tensor.ts";
import { log, log1p } from "../autograd/elementwise.ts";
import { lgamma } from "../autograd/gamma_ops.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { OneDimensionalLikelihood, type PredictiveMoments } from "./one_dimensional_likelihood.ts";

/** Options of {@link StudentTLikelihood}. */
export interface StudentTLikelihoodOptions {
  /** Initial degrees of freedom ν (default 7, as GPyTorch). */
  degFree?: number;
  /** Initial noise s (the scale is √s; default softplus(0) = 0.693, as GPyTorch). */
  noise?: number;
  /** ν's constraint (default GreaterThan(2), as GPyTorch: a finite variance). */
  degFreeConstraint?: Constraint;
  /** The noise's constraint (default Positive()). */
  noiseConstraint?: Constraint;
  /** Gauss–Hermite locations (default 20). */
  numLocs?: number;
}

/**
 * y = f + ε, ε ~ Student-t(ν, 0, √s) with ν (`degFree`) and s (`noise`) learned, as
 * GPyTorch's: log p(y | f) = log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − ½ log s
 * − (ν+1)/2 · log(1 + (y − f)²/(ν s)), its expectations under q(f) by quadrature.
 *
 * @example
 * ```ts
 * import { StudentTLikelihood } from "./student_t_likelihood.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const likelihood = new StudentTLikelihood({ degFree: 3, noise: 1 });
 * // With no uncertainty in f the expectation is the density: Student-t(3) at 0.
 * const e = likelihood.expectedLogProb(new Float64Array([0]), tensor([0]), tensor([0]));
 * assert.ok(Math.abs(e.item() - Math.log(2 / (Math.PI * Math.sqrt(3)))) < 1e-13);
 * assert.throws(() => new StudentTLikelihood({ degFree: 0 }), RangeError);
 * ```
 */
export class StudentTLikelihood extends OneDimensionalLikelihood {
  /** Raw ν (GPyTorch's `raw_deg_free`). */
  readonly rawDegFree: Parameter;
  /** Raw s (GPyTorch's `raw_noise`). */
  readonly rawNoise: Parameter;

  /** @throws {RangeError} when degFree ≤ 0 (or outside its constraint) or noise ≤ 0 */
  constructor(options: StudentTLikelihoodOptions = {}) {
    super(options.numLocs);
    const df = options.degFree ?? 7;
    if (typeof df !== "number" || !Number.isFinite(df) || df <= 0) {
      throw new RangeError(
        `StudentTLikelihood({ degFree }): degFree = ${df} must be a finite number > 0 ` +
          `(degrees of freedom; GPyTorch starts at 7)`,
      );
    }
    this.rawDegFree = new Parameter(0, {
      constraint: options.degFreeConstraint ?? new GreaterThan(2),
    });
    this.rawNoise = new Parameter(0, { constraint: options.noiseConstraint ?? new Positive() });
    this.rawDegFree.setValues([df], "StudentTLikelihood({ degFree })");
    if (options.noise !== undefined) {
      this.rawNoise.setValues([options.noise], "StudentTLikelihood({ noise })");
    }
  }

  /** ν. */
  get degFree(): number {
    return this.rawDegFree.value;
  }

  set degFree(v: number) {
    this.rawDegFree.setValues([v], "degFree");
  }

  /** s (the squared scale). */
  get noise(): number {
    return this.rawNoise.value;
  }

  set noise(v: number) {
    this.rawNoise.setValues([v], "noise");
  }

  logDensity(y: Tensor, f: Tensor): Tensor {
    const nu = this.rawDegFree.valueTensor(), s = this.rawNoise.valueTensor();
    const r = y.sub(f);
    const z = log(s).mul(0.5).add(log(nu).mul(0.5)).add(0.5 * Math.log(Math.PI)).add(
      lgamma(nu.mul(0.5)),
    ).sub(lgamma(nu.add(1).mul(0.5)));
    return log1p(r.mul(r).div(s).div(nu)).mul(nu.add(1).mul(-0.5)).sub(z);
  }

  /** The predictive moments of y under q(f): mean μ, variance σ² + s·ν/(ν − 2) (∞ for ν ≤ 2). */
  call(f: VariationalMultivariateNormal): PredictiveMoments {
    if (!(f instanceof VariationalMultivariateNormal)) {
      throw new TypeError(
        `StudentTLikelihood.call(f): f must be an approximate GP's output (model.call(x)), got ${f}`,
      );
    }
    const nu = this.degFree, s = this.noise;
    const extra = nu > 2 ? s * nu / (nu - 2) : Infinity;
    return {
      mean: f.latentMean.data.slice(),
      variance: f.latentVariance.data.map((v) => v + extra),
    };
  }
}
