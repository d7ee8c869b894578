/**
 * Optimizers.
 *
 * @module
 */
export { type Closure, Optimizer, type ParameterList } from "./optimizer.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { LBFGS, type LBFGSOptions } from "./lbfgs.ts";
export { fit, type FitHistory, type FitOptions } from "./fit.ts";
export {
  fitApproximate,
  type FitApproximateHistory,
  type FitApproximateOptions,
} from "./fit_approximate.ts";
export { NGD, type NGDOptions } from "./ngd.ts";
