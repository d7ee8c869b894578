/**
 * Bayesian optimisation (BoTorch's names, camelCased): quasi-random designs and the standard
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
