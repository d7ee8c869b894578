/**
 * Bayesian optimisation (BoTorch's names, camelCased): quasi-random designs and the standard
 * synthetic test problems.
 *
 * @module
 */
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
export { type AcquisitionFunction } from "./acquisition_function.ts";
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
