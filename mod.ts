/**
 * gpts: Gaussian-process regression for Deno, with GPyTorch's model / likelihood /
 * marginal-log-likelihood / optimizer API on a float64 WebAssembly core.
 *
 * @example
 * ```ts
 * import * as gp from "./mod.ts";
 *
 * class ExactGPModel extends gp.models.ExactGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(
 *       this.meanModule.call(x),
 *       this.covarModule.call(x),
 *     );
 *   }
 * }
 *
 * const trainX = gp.linspace(0, 1, 50);
 * const trainY = trainX.map((x) => Math.sin(2 * Math.PI * x));
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const model = new ExactGPModel(trainX, trainY, likelihood);
 * const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
 * const optimizer = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
 * for (let i = 0; i < 20; i++) {
 *   optimizer.zeroGrad();
 *   const loss = (await mll.call(model.call(trainX), trainY)).neg();
 *   loss.backward();
 *   optimizer.step();
 * }
 * model.eval();
 * const { lower, upper } = await likelihood.call(model.call([0.25])).confidenceRegion();
 * console.log(lower[0] < 1 && 1 < upper[0]); // true
 * ```
 *
 * @module
 */

export * as kernels from "./src/kernels/mod.ts";
export * as means from "./src/means/mod.ts";
export * as likelihoods from "./src/likelihoods/mod.ts";
export * as distributions from "./src/distributions/mod.ts";
export * as models from "./src/models/mod.ts";
export * as mlls from "./src/mlls/mod.ts";
export * as optim from "./src/optim/mod.ts";
export * as constraints from "./src/constraints.ts";
export * as priors from "./src/priors/mod.ts";
export * as settings from "./src/settings.ts";
export * as autograd from "./src/autograd/mod.ts";
export * as data from "./src/data/mod.ts";
export * as variational from "./src/variational/mod.ts";
export { type InputLike, Inputs, linspace, type VectorLike } from "./src/tensor.ts";
export { Generator } from "./src/random.ts";
export { Parameter } from "./src/parameter.ts";
export {
  type InitializeValues,
  Module,
  type ParameterState,
  type StateDict,
} from "./src/module.ts";
export { ModuleList } from "./src/module_list.ts";
export { Scalar } from "./src/scalar.ts";
export { NotPositiveDefiniteError } from "./src/errors.ts";
