// Every gradient of the exact MLL against central finite differences.
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

class ArdModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel({ ardNumDims: 2 }));
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

async function lossOf(
  mll: gp.mlls.ExactMarginalLogLikelihood,
  x: gp.InputLike,
  y: ArrayLike<number>,
) {
  return (await mll.call(mll.model.call(x), y)).neg();
}

for (const n of [5, 40, 130]) {
  Deno.test(`mll gradients match central finite differences for every raw parameter, when n = ${n}`, async () => {
    const g = new gp.Generator(n);
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
    const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
    const loss = await lossOf(mll, x, y);
    loss.backward();
    for (const [name, p] of model.namedParameters()) {
      const analytic = p.grad!;
      for (let i = 0; i < p.size; i++) {
        const raw = p.rawValues;
        const h = 1e-5;
        raw[i] += h;
        p.setRaw(raw);
        const up = (await lossOf(mll, x, y)).value;
        raw[i] -= 2 * h;
        p.setRaw(raw);
        const down = (await lossOf(mll, x, y)).value;
        raw[i] += h;
        p.setRaw(raw);
        assertClose(analytic[i], (up - down) / (2 * h), {
          rtol: 1e-5,
          atol: 1e-8,
          what: `d loss / d ${name}[${i}]`,
        });
      }
    }
  });
}
