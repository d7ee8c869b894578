/**
 * Optimizers.
 *
 * @module
 */
export { Optimizer, type ParameterList } from "./optimizer.ts";
export { Adam, type AdamOptions } from "./adam.ts";
