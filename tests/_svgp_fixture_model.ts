// Builds gpts's counterpart of a GPyTorch SVGP fixture run and maps GPyTorch's parameter
// names to gpts's parameters, for the SVGP fixture tests.
import * as gp from "../mod.ts";
import { type SvgpFixture, trilToDense } from "./_approx_fixtures.ts";

export class FixtureSVGP extends gp.models.ApproximateGP {
  meanModule: gp.means.Mean;
  covarModule: gp.kernels.ScaleKernel<gp.kernels.RBFKernel>;
  constructor(f: SvgpFixture) {
    super(
      new gp.variational.VariationalStrategy(
        null,
        f.data.inducingInit,
        new gp.variational.CholeskyVariationalDistribution(f.m),
        { learnInducingLocations: true },
      ),
    );
    this.meanModule = f.mean === "ZeroMean" ? new gp.means.ZeroMean() : new gp.means.ConstantMean();
    this.covarModule = new gp.kernels.ScaleKernel(
      new gp.kernels.RBFKernel(f.ard ? { ardNumDims: f.d } : {}),
    );
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

/** One GPyTorch parameter and the gpts parameter that holds it. */
export interface Mapped {
  name: string;
  parameter: gp.Parameter;
  /** Stored as a lower triangle (the Cholesky factor). */
  tril: boolean;
  m: number;
}

export function mapParameters(
  f: SvgpFixture,
  model: FixtureSVGP,
  likelihood: gp.Module,
): Mapped[] {
  const strategy = model.variationalStrategy;
  const q = strategy.variationalDistribution as gp.variational.CholeskyVariationalDistribution;
  const table: Record<string, gp.Parameter> = {
    "variational_strategy.inducing_points": strategy.inducingPoints,
    "variational_strategy._variational_distribution.variational_mean": q.variationalMean,
    "variational_strategy._variational_distribution.chol_variational_covar": q.cholVariationalCovar,
    "covar_module.raw_outputscale": model.covarModule.rawOutputscale,
    "covar_module.base_kernel.raw_lengthscale": model.covarModule.baseKernel.rawLengthscale,
  };
  if (model.meanModule instanceof gp.means.ConstantMean) {
    table["mean_module.raw_constant"] = model.meanModule.rawConstant;
  }
  if (likelihood instanceof gp.likelihoods.GaussianLikelihood) {
    table["likelihood.noise_covar.raw_noise"] = likelihood.noiseCovar.rawNoise;
  }
  return f.paramNames.map((name) => {
    const parameter = table[name];
    if (parameter === undefined) throw new Error(`no gpts parameter for ${name}`);
    return { name, parameter, tril: name.endsWith("chol_variational_covar"), m: f.m };
  });
}

/** Set every mapped parameter to the fixture's raw values at iteration `i`. */
export function setToIteration(f: SvgpFixture, mapped: Mapped[], i: number): void {
  for (const p of mapped) {
    const v = f.trace.params[p.name].values[i];
    p.parameter.setRaw(p.tril ? trilToDense(v, p.m) : v);
  }
}

/** A gpts parameter's values (or gradient) in the fixture's layout. */
export function asStored(p: Mapped, values: Float64Array): Float64Array {
  if (!p.tril) return values;
  const out: number[] = [];
  for (let i = 0; i < p.m; i++) for (let j = 0; j <= i; j++) out.push(values[i * p.m + j]);
  return Float64Array.from(out);
}

/** max |a − b| / max |b|: the error relative to the tensor's scale. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}
