/**
 * Bayesian optimisation (BoTorch's names, camelCased): quasi-random designs and the standard
 * synthetic test problems.
 *
 * @module
 */
export { SobolEngine, type SobolEngineOptions } from "./sobol_engine.ts";
