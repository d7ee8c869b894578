/**
 * Does fit()'s default reach a stationary point at every N? A noisy sine (RBF + learned
 * noise + constant mean, GammaPrior(2, 2) on the lengthscale), fitted with the defaults;
 * prints log p, the final max |∂ log p/∂raw|, why it stopped, iterations, evaluations
 * and seconds for each N.
 *
 *     deno run -A bench/fit_stationary.ts [N ...]      (default 5 50 500 2000)
 *
 * @module
 */

import * as gp from "../mod.ts";

class SineModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(
    new gp.kernels.RBFKernel({ lengthscalePrior: new gp.priors.GammaPrior(2, 2) }),
  );
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [5, 50, 500, 2000];
for (const n of sizes) {
  if (!Number.isInteger(n) || n < 2) {
    console.error(`N = ${n}: each argument must be an integer ≥ 2`);
    Deno.exit(2);
  }
  const g = new gp.Generator(n);
  const x = Array.from({ length: n }, () => 4 * g.uniform());
  const y = x.map((v) => Math.sin(3 * v) + 0.1 * g.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new SineModel(x, y, likelihood);
  const history = await gp.optim.fit(model, likelihood, { progress: false });
  console.log(
    `N = ${n}: log p ${history.lml.toFixed(6)}, max |∂ log p/∂raw| ` +
      `${history.gradNorm.toExponential(2)}, converged ${history.converged}, ` +
      `${history.iterations} iterations, ${history.evaluations.at(-1)} evaluations, ` +
      `${history.seconds.toFixed(1)} s (${history.reason})`,
  );
}
