// The GPyTorch 101 model and the seed-17 fixtures, shared by the reference tests.
import * as gp from "../mod.ts";

export class ExactGPModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

export interface Teacher {
  x: number[];
  y: number[];
  n: number;
}

export interface ReferenceRun {
  n: number;
  iters: number;
  param_names: string[];
  trace: Array<{
    iter: number;
    loss: number;
    raw: Record<string, number[]>;
    grad: Record<string, number[]>;
    lengthscale: number;
    noise: number;
    constant: number;
  }>;
  final: {
    lengthscale: number;
    noise: number;
    constant: number;
    raw: Record<string, number[]>;
  };
  /** GPyTorch's wall time for the whole run, one thread. */
  train_seconds_1thread?: number;
  posterior: Record<
    "train" | "grid",
    { x: number[]; f_mean: number[]; f_var: number[]; y_var: number[] }
  >;
}

const here = new URL(".", import.meta.url);

export function loadTeacher(): Teacher {
  return JSON.parse(Deno.readTextFileSync(new URL("fixtures/teacher_n1000_seed17.json", here)));
}

export function loadReference(iters: 50 | 500): ReferenceRun {
  return JSON.parse(Deno.readTextFileSync(new URL(`fixtures/ref_seed17_it${iters}.json`, here)));
}

/** GPyTorch's parameter names → ours. */
export const NAME_MAP: Record<string, string> = {
  "likelihood.noise_covar.raw_noise": "likelihood.noiseCovar.rawNoise",
  "mean_module.raw_constant": "meanModule.rawConstant",
  "covar_module.base_kernel.raw_lengthscale": "covarModule.baseKernel.rawLengthscale",
  "covar_module.raw_outputscale": "covarModule.rawOutputscale",
};

/** The student of the notebook: lengthscale 1, noise 1, outputscale 1 frozen. */
export function makeStudent(
  teacher: Teacher,
  mllOptions: gp.mlls.ExactMarginalLogLikelihoodOptions = {},
): {
  model: ExactGPModel;
  likelihood: gp.likelihoods.GaussianLikelihood;
  mll: gp.mlls.ExactMarginalLogLikelihood;
  optimizer: gp.optim.Adam;
} {
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ExactGPModel(teacher.x, teacher.y, likelihood);
  model.initialize({
    "likelihood.noise": 1,
    "covarModule.baseKernel.lengthscale": 1,
    "covarModule.outputscale": 1,
  });
  model.covarModule.rawOutputscale.requiresGrad_(false);
  model.train();
  const optimizer = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, mllOptions);
  return { model, likelihood, mll, optimizer };
}

/** One Adam iteration as in the notebook; returns the loss before the step. */
export async function trainStep(
  s: ReturnType<typeof makeStudent>,
  trainX: ArrayLike<number>,
  trainY: ArrayLike<number>,
): Promise<number> {
  s.optimizer.zeroGrad();
  const loss = (await s.mll.call(s.model.call(trainX), trainY)).neg();
  loss.backward();
  s.optimizer.step();
  return loss.value;
}
