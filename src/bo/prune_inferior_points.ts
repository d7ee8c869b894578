/**
 * Dropping baseline points that are very unlikely to be the best (BoTorch's
 * `prune_inferior_points`), for qNoisyExpectedImprovement.
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { type InputLike, Inputs, toInputs } from "../tensor.ts";
import { noGrad } from "../settings.ts";
import { modelPosterior, type PosteriorModel } from "./mc_acquisition_function.ts";
import { SobolQMCNormalSampler } from "./sobol_qmc_normal_sampler.ts";

/** Options of {@link pruneInferiorPoints}. */
export interface PruneInferiorPointsOptions {
  /** Joint posterior samples used to estimate who is best (default 2048, BoTorch's). */
  numSamples?: number;
  /** At most ⌈maxFrac · n⌉ points are kept (default 1: every point that is ever best). */
  maxFrac?: number;
  /** Seed of the quasi-random samples (default: from the system's random source). */
  seed?: number;
  /** Best means highest (default true), or lowest with false. */
  maximize?: boolean;
}

/**
 * The points of `x` that are the best (the argmax of a joint posterior sample) in at least
 * one of `numSamples` samples, in their original order, BoTorch's
 * `prune_inferior_points(model, X, num_samples=2048, max_frac=1.0)`. When more than
 * ⌈maxFrac · n⌉ qualify, those best most often are kept (BoTorch means to; its code keeps
 * positions in its list of counts instead).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ExactGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model([0, 0.25, 0.5, 0.75, 1], [0, 0.5, 1, 0.5, 0], new gp.likelihoods.GaussianLikelihood());
 * model.initialize({ "covarModule.lengthscale": 0.3, "likelihood.noise": 1e-3 });
 * model.eval();
 * // x = 0, observed low, is (almost) never the best beside the peak at 0.5.
 * const kept = await gp.bo.pruneInferiorPoints(model, [0.45, 0.5, 0.55, 0], { seed: 0 });
 * assert.ok(kept.n < 4 && kept.n >= 1);
 * ```
 */
export async function pruneInferiorPoints(
  model: PosteriorModel,
  x: InputLike,
  options: PruneInferiorPointsOptions = {},
): Promise<Inputs> {
  const what = "pruneInferiorPoints(model, x, options)";
  const d = model.dim ?? model.trainInputs?.d;
  const points = toInputs(x, `${what}: x`, d);
  const maxFrac = options.maxFrac ?? 1;
  const maxPoints = Math.ceil(maxFrac * points.n);
  if (!(maxFrac > 0 && maxFrac <= 1)) {
    throw new RangeError(`${what}: options.maxFrac = ${maxFrac}; it must be in (0, 1]`);
  }
  const sampler = new SobolQMCNormalSampler(options.numSamples ?? 2048, { seed: options.seed });
  const sign = (options.maximize ?? true) ? 1 : -1;
  let samples: Tensor;
  {
    using _ = noGrad();
    const post = modelPosterior(model, new Tensor(points.data, [points.n, points.d]));
    const mean = await post.meanTensor(), cov = await post.covarianceTensor();
    samples = sampler.sample(mean.reshape([1, points.n]), cov.reshape([1, points.n, points.n]));
  }
  const n = points.n, counts = new Int32Array(n);
  for (let s = 0; s < sampler.numSamples; s++) {
    let best = -Infinity, at = 0;
    for (let i = 0; i < n; i++) {
      const v = sign * samples.data[s * n + i];
      if (v > best) [best, at] = [v, i];
    }
    counts[at]++;
  }
  let kept = [...counts.keys()].filter((i) => counts[i] > 0);
  if (kept.length > maxPoints) {
    kept = kept.sort((a, b) => counts[b] - counts[a] || a - b).slice(0, maxPoints).sort((a, b) =>
      a - b
    );
  }
  const out = new Float64Array(kept.length * points.d);
  kept.forEach((i, k) => out.set(points.row(i), k * points.d));
  return new Inputs(out, kept.length, points.d);
}
