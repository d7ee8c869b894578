/**
 * Approximate (variational) GP models, as GPyTorch's `ApproximateGP`.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type InputLike, type Inputs, toInputs } from "../tensor.ts";
import type { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { VariationalStrategyBase } from "../variational/variational_strategy_base.ts";
import type { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";

/**
 * The base class of approximate GP models. Subclass it, declare a mean and a covariance
 * module as fields, give the constructor a variational strategy, and write `forward(x)`
 * returning the prior at `x`. `call(x)` is q(f(x)) in both training and eval mode (as
 * GPyTorch's); `prior(x)` is the prior. The likelihood is not part of the model (as in
 * GPyTorch): give it to the objective and to the optimizer.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 *
 * class SVGP extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   constructor(inducingPoints: number[]) {
 *     super(new gp.variational.VariationalStrategy(
 *       null,
 *       inducingPoints,
 *       new gp.variational.CholeskyVariationalDistribution(inducingPoints.length),
 *       { learnInducingLocations: true },
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(
 *       this.meanModule.call(x),
 *       this.covarModule.call(x),
 *     );
 *   }
 * }
 *
 * const x = gp.linspace(0, 1, 50);
 * const y = x.map((v) => Math.sin(6 * v));
 * const model = new SVGP(Array.from(gp.linspace(0, 1, 8)));
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const mll = new gp.mlls.VariationalELBO(likelihood, model, x.length);
 * const optimizer = new gp.optim.Adam([...model.parameters(), ...likelihood.parameters()], {
 *   lr: 0.05,
 * });
 * let first = 0, last = 0;
 * for (let i = 0; i < 30; i++) {
 *   optimizer.zeroGrad();
 *   const loss = (await mll.call(model.call(x), y)).neg();
 *   loss.backward();
 *   optimizer.step();
 *   if (i === 0) first = loss.item();
 *   last = loss.item();
 * }
 * assert.ok(last < first);
 * ```
 */
export abstract class ApproximateGP extends Module {
  /** The variational strategy (a submodule: its parameters are the model's). */
  readonly variationalStrategy: VariationalStrategyBase;

  /**
   * @param variationalStrategy the strategy (whitened `VariationalStrategy` or
   *   `UnwhitenedVariationalStrategy`), constructed with `null` (or this model) as its model
   * @throws {TypeError} when it is not a strategy, or belongs to another model
   */
  constructor(variationalStrategy: VariationalStrategyBase) {
    super();
    if (!(variationalStrategy instanceof VariationalStrategyBase)) {
      throw new TypeError(
        `ApproximateGP(variationalStrategy): expected new VariationalStrategy(null, ` +
          `inducingPoints, variationalDistribution) or an UnwhitenedVariationalStrategy, got ` +
          `${variationalStrategy}`,
      );
    }
    variationalStrategy.attach(this);
    this.variationalStrategy = variationalStrategy;
  }

  /**
   * The prior at `x`: the user's model. Return
   * `new MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x))`.
   */
  abstract forward(x: Inputs): MultivariateNormal;

  /** q(f(x)), the approximate posterior at `x` (GPyTorch's `model(x)`), in either mode. */
  call(x: InputLike): VariationalMultivariateNormal {
    return this.variationalStrategy.call(x);
  }

  /** The prior at `x` (GPyTorch's `model(x, prior=True)`). */
  prior(x: InputLike): MultivariateNormal {
    return this.forward(toInputs(x, "x", this.variationalStrategy.inputDims));
  }
}
