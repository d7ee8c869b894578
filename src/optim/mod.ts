/**
 * Optimizers.
 *
 * @module
 */
export { type Closure, Optimizer, type ParameterList } from "./optimizer.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { LBFGS, type LBFGSOptions } from "./lbfgs.ts";
export { fit } from "./fit.ts";
export type { FitHistory, FitIteration, FitOptions, FitRun } from "./fit_options.ts";
export { drawStartingValues } from "./draw_starting_values.ts";
export { LBFGSB_REASONS, type LbfgsbOptions, LbfgsbState } from "./lbfgsb.ts";
export {
  type BatchValuesAndGradients,
  type LbfgsbBatchObjective,
  type LbfgsbObjective,
  type LbfgsbResult,
  minimizeLbfgsb,
  minimizeLbfgsbBatch,
  type MinimizeLbfgsbOptions,
  type ValueAndGradient,
} from "./minimize_lbfgsb.ts";
export {
  type BatchSource,
  fitApproximate,
  type FitApproximateHistory,
  type FitApproximateLoopOptions,
  type FitApproximateOptions,
  type FitApproximateSourceOptions,
} from "./fit_approximate.ts";
export { NGD, type NGDOptions } from "./ngd.ts";
