/**
 * Covariance functions.
 *
 * @module
 */
export { Kernel } from "./kernel.ts";
export { RBFKernel, type RBFKernelOptions } from "./rbf_kernel.ts";
export { ScaleKernel, type ScaleKernelOptions } from "./scale_kernel.ts";
