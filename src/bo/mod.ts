/**
 * Bayesian optimisation (BoTorch's names, camelCased): SingleTaskGP and its transforms, model
 * fitting, analytic acquisition functions, optimizeAcqf, quasi-random designs and the standard
 * synthetic test problems.
 *
 * @module
 */
export type { AcquisitionFunction } from "./acquisition_function.ts";
export { SobolEngine, type SobolEngineOptions } from "./sobol_engine.ts";
export {
  type ForwardOptions,
  SyntheticTestFunction,
  type SyntheticTestFunctionOptions,
} from "./synthetic_test_function.ts";
export { Branin } from "./branin.ts";
export { Hartmann, type HartmannOptions } from "./hartmann.ts";
export { Ackley, type DimOptions } from "./ackley.ts";
export { Levy } from "./levy.ts";
export { Rosenbrock } from "./rosenbrock.ts";
export { checkBounds } from "./check_bounds.ts";
export { Normalize } from "./normalize.ts";
export { Standardize } from "./standardize.ts";
export { Posterior } from "./posterior.ts";
export {
  MIN_INFERRED_NOISE_LEVEL,
  type PredictOptions,
  SingleTaskGP,
  type SingleTaskGPOptions,
} from "./single_task_gp.ts";
export {
  fitGpytorchMll,
  type FitGpytorchMllOptions,
  type FitGpytorchMllResult,
  fitModel,
  ModelFittingError,
} from "./fit_gpytorch_mll.ts";
export { clampMinTensor, logHTensor } from "./acquisition_ops.ts";
export {
  AnalyticAcquisitionFunction,
  type AnalyticAcquisitionOptions,
} from "./analytic_acquisition_function.ts";
export { ExpectedImprovement, type ImprovementOptions } from "./expected_improvement.ts";
export { LogExpectedImprovement } from "./log_expected_improvement.ts";
export { ProbabilityOfImprovement } from "./probability_of_improvement.ts";
export { LogProbabilityOfImprovement } from "./log_probability_of_improvement.ts";
export {
  UpperConfidenceBound,
  type UpperConfidenceBoundOptions,
} from "./upper_confidence_bound.ts";
export { PosteriorMean } from "./posterior_mean.ts";
export { initializeQBatch } from "./initialize_q_batch.ts";
export {
  optimizeAcqf,
  type OptimizeAcqfInnerOptions,
  type OptimizeAcqfOptions,
  type OptimizeAcqfResult,
} from "./optimize_acqf.ts";
export {
  type AcquisitionName,
  type Observation,
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
} from "./optimizer.ts";
export {
  SobolQMCNormalSampler,
  type SobolQMCNormalSamplerOptions,
} from "./sobol_qmc_normal_sampler.ts";
export {
  MCAcquisitionFunction,
  type MCAcquisitionOptions,
  modelPosterior,
  type PosteriorModel,
  type TensorPosteriorLike,
} from "./mc_acquisition_function.ts";
export {
  qExpectedImprovement,
  type QExpectedImprovementOptions,
} from "./q_expected_improvement.ts";
export {
  qLogExpectedImprovement,
  type QLogExpectedImprovementOptions,
  TAU_MAX,
  TAU_RELU,
} from "./q_log_expected_improvement.ts";
export {
  qUpperConfidenceBound,
  type QUpperConfidenceBoundOptions,
} from "./q_upper_confidence_bound.ts";
export {
  qNoisyExpectedImprovement,
  type QNoisyExpectedImprovementOptions,
} from "./q_noisy_expected_improvement.ts";
export { pruneInferiorPoints, type PruneInferiorPointsOptions } from "./prune_inferior_points.ts";
