/**
 * Covariance functions.
 *
 * @module
 */
export { composition, type DimsOptions, Kernel, type LengthscaleOptions } from "./kernel.ts";
export { LengthscaleKernel } from "./lengthscale_kernel.ts";
export { RBFKernel, type RBFKernelOptions } from "./rbf_kernel.ts";
export { MaternKernel, type MaternKernelOptions } from "./matern_kernel.ts";
export { RQKernel, type RQKernelOptions } from "./rq_kernel.ts";
export { PeriodicKernel, type PeriodicKernelOptions } from "./periodic_kernel.ts";
export { LinearKernel, type LinearKernelOptions } from "./linear_kernel.ts";
export { PolynomialKernel, type PolynomialKernelOptions } from "./polynomial_kernel.ts";
export { CosineKernel, type CosineKernelOptions } from "./cosine_kernel.ts";
export {
  SpectralMixtureKernel,
  type SpectralMixtureKernelOptions,
} from "./spectral_mixture_kernel.ts";
export { ScaleKernel, type ScaleKernelOptions } from "./scale_kernel.ts";
export { AdditiveKernel } from "./additive_kernel.ts";
export { ProductKernel } from "./product_kernel.ts";
export { InducingPointKernel } from "./inducing_point_kernel.ts";
export {
  type InducingFactor,
  type InducingFactors,
  InducingPointCovariance,
  type InducingPointCovarianceInit,
  SGPR_JITTERS,
} from "./inducing_point_covariance.ts";
