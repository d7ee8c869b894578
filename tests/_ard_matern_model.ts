// A 2-D model with a linear mean and an ARD Matern-5/2 kernel, shared by the tests of the
// differentiable posterior and of conditionOnObservations.
import * as gp from "../mod.ts";

export class ArdMaternModel extends gp.models.ExactGP {
  meanModule = new gp.means.LinearMean(2);
  covarModule = new gp.kernels.MaternKernel({ nu: 2.5, ardNumDims: 2 });
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}
