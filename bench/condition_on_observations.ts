// conditionOnObservations (the block update of the Cholesky factor, O(N²k)) against building
// the model with all the data and refactorising ((N+k)³/3), each followed by one prediction.
//
//   deno run -A bench/condition_on_observations.ts [N ...]
import * as gp from "../mod.ts";

class Model extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  forward(x: gp.Inputs) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

function make(x: number[], y: number[]): Model {
  const m = new Model(x, y, new gp.likelihoods.GaussianLikelihood());
  m.initialize({ "covarModule.baseKernel.lengthscale": 0.1, "likelihood.noise": 0.01 });
  m.eval();
  return m;
}

const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [500, 1000, 2000];
console.log("N\tk\tupdate (ms)\trefactorise (ms)\tmax |Δ mean|");
for (const n of sizes) {
  for (const k of [1, 10]) {
    const gen = new gp.Generator(n + k);
    const x = Array.from({ length: n + k }, () => gen.uniform());
    const y = x.map((v) => Math.sin(6 * v) + 0.1 * gen.normal());
    const base = make(x.slice(0, n), y.slice(0, n));
    await base.call([0.5]).mean(); // the old factor, cached
    const test = gp.linspace(0, 1, 50);
    let t = performance.now();
    const fantasy = await base.conditionOnObservations(x.slice(n), y.slice(n));
    const a = await fantasy.call(test).mean();
    const update = performance.now() - t;
    t = performance.now();
    const fresh = make(x, y);
    const b = await fresh.call(test).mean();
    const refit = performance.now() - t;
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    console.log(`${n}\t${k}\t${update.toFixed(1)}\t${refit.toFixed(1)}\t${diff.toExponential(1)}`);
  }
}
