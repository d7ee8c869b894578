/**
 * Mean functions.
 *
 * @module
 */
export { Mean, type MeanSource, MeanVector } from "./mean.ts";
export { ConstantMean } from "./constant_mean.ts";
export { ZeroMean } from "./zero_mean.ts";
export { LinearMean } from "./linear_mean.ts";
