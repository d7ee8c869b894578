// A small two-dimensional ARD regression problem, shared by the gradient tests.
import * as gp from "../mod.ts";

export class ArdModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 2 }));
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

/** n points in [0, 1] × [0, 3] with noisy targets, and an ARD model at fixed parameters. */
export function ardProblem(n: number, seed: number): {
  x: number[][];
  y: number[];
  likelihood: gp.likelihoods.GaussianLikelihood;
  model: ArdModel;
} {
  const g = new gp.Generator(seed);
  const x = Array.from({ length: n }, () => [g.uniform(), 3 * g.uniform()]);
  const y = x.map(([a, b]) => Math.sin(5 * a) + Math.cos(b) + 0.1 * g.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ArdModel(x, y, likelihood);
  model.initialize({
    "likelihood.noise": 0.05,
    "covarModule.baseKernel.lengthscale": [0.3, 1.5],
    "covarModule.outputscale": 1.3,
    "meanModule.constant": 0.2,
  });
  return { x, y, likelihood, model };
}
