// Typed loaders for GPyTorch 1.12's approximate-GP reference runs (tests/fixtures/gpytorch_approx/).
//
// Three runs, float64, one thread, full batch, 100 Adam iterations each (see the README beside the
// fixtures): an SVGP regression (1-D, N = 500, M = 25, Gaussian likelihood), an SVGP
// classification (2-D moons, N = 300, M = 20, Bernoulli likelihood with an exact log Φ), and an
// SGPR (the regression data, M = 20) with an exact GP trained by the same recipe for comparison.
//
// Conventions the fixtures follow, kept here unchanged:
// - parameter names are GPyTorch's (`variational_strategy.inducing_points`,
//   `covar_module.base_kernel.raw_lengthscale`, …); map them to gpts's names in the test that
//   uses them;
// - every tensor is flattened row-major; `chol_variational_covar` (M × M, lower triangular) is
//   stored as its lower triangle in `torch.tril_indices` order, i.e. row by row:
//   (0,0), (1,0), (1,1), (2,0), (2,1), (2,2), … ({@link trilToDense} expands it);
// - iteration i's values and gradients are recorded after `backward()` and before
//   `optimizer.step()`, so values[i] are the parameters the loss of iteration i was computed at,
//   and values[i + 1] = Adam's step from values[i] with grads[i];
// - GPyTorch initialised the variational mean lazily, with a 1e-3 · randn draw from torch's
//   generator at the first `model(x)` call: a run is reproduced by starting from iteration 0's
//   recorded values, not from `initial` (the values before that first call).
import { Inputs } from "../mod.ts";

const dir = new URL("fixtures/gpytorch_approx/", import.meta.url);

// deno-lint-ignore no-explicit-any
type Json = any;

function readJson(name: string): Json {
  return JSON.parse(Deno.readTextFileSync(new URL(name, dir)));
}

function vec(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a);
}

function rows(a: number[][]): Inputs {
  const n = a.length;
  const d = a[0].length;
  const data = new Float64Array(n * d);
  a.forEach((r, i) => data.set(r, i * d));
  return new Inputs(data, n, d);
}

function record(o: Record<string, ArrayLike<number>>): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, vec(v)]));
}

/** The number of values a parameter of `shape` is stored with (M(M+1)/2 for the Cholesky factor). */
export function storedLength(name: string, shape: readonly number[]): number {
  if (name.endsWith("chol_variational_covar")) return (shape[0] * (shape[0] + 1)) / 2;
  return shape.reduce((a, b) => a * b, 1);
}

/** The M × M row-major lower-triangular matrix from its lower triangle in `torch.tril_indices` order. */
export function trilToDense(tril: ArrayLike<number>, m: number): Float64Array {
  if (tril.length !== (m * (m + 1)) / 2) {
    throw new RangeError(
      `trilToDense: ${tril.length} values, expected M(M+1)/2 = ${m * (m + 1) / 2}`,
    );
  }
  const out = new Float64Array(m * m);
  let k = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) out[i * m + j] = tril[k++];
  return out;
}

/** The data a run was trained and evaluated on, exactly as GPyTorch saw it. */
export interface ApproxData {
  /** Training inputs, N × d. */
  x: Inputs;
  /** Training targets (N): real values for regression, labels 0/1 for classification. */
  y: Float64Array;
  /** The inducing points the model was constructed with, M × d (iteration 0's values). */
  inducingInit: Inputs;
  /** The points predictions were made at (101 × 1 for 1-D; 21 × 21 = 441 × 2 for the moons). */
  grid: Inputs;
}

/** GPyTorch settings in force during a run (`gpytorch.settings.*`, float64 values). */
export interface GPyTorchSettings {
  /** `num_gauss_hermite_locs`: 20, the Bernoulli likelihood's quadrature size. */
  numGaussHermiteLocs: number;
  /** `num_likelihood_samples`: 10 (unused by these runs). */
  numLikelihoodSamples: number;
  /** `variational_cholesky_jitter` for float64: 1e-6, added to K_uu by the whitened strategy. */
  variationalCholeskyJitter: number;
  /** `cholesky_jitter` for float64: 1e-8, the first jitter `psd_safe_cholesky` tries. */
  choleskyJitter: number;
  /** `cholesky_max_tries`: 3 (jitters 1e-8, 1e-7, 1e-6). */
  choleskyMaxTries: number;
  /** `max_cholesky_size`: 800 (all these runs are below it: Cholesky, not CG). */
  maxCholeskySize: number;
  /** `sgpr_diagonal_correction`: true (SGPR's prediction adds diag(K − Q) to the training covariance). */
  sgprDiagonalCorrection: boolean;
  /** `fast_pred_var`: false. */
  fastPredVar: boolean;
}

/** One parameter's trajectory: raw values and gradients at each iteration, flattened. */
export interface ParamTrace {
  /** GPyTorch's name, e.g. `covar_module.base_kernel.raw_lengthscale`. */
  name: string;
  /** The tensor's shape in GPyTorch ([] for a scalar, [M, M] for the Cholesky factor). */
  shape: number[];
  /** values[i]: the raw value at iteration i (before its step), row-major or lower triangle. */
  values: Float64Array[];
  /** grads[i]: d loss / d raw value at iteration i, laid out as `values`. */
  grads: Float64Array[];
}

/** The Gauss–Hermite rule a run used, as numpy's `hermgauss(numLocs)` (unscaled). */
export interface QuadratureRule {
  numLocs: number;
  /** Roots t_k of the physicists' Hermite polynomial H_n, ascending. */
  locations: Float64Array;
  /** Weights w_k (sum √π); E[g(f)] ≈ (1/√π) Σ w_k g(√(2 var) t_k + mean). */
  weights: Float64Array;
  /** The rule as the recorder wrote it. */
  description: string;
}

/** An SVGP run (regression or classification). */
export interface SvgpFixture {
  name: string;
  task: "regression" | "classification";
  n: number;
  d: number;
  m: number;
  iters: number;
  /** Adam's learning rate (betas 0.9, 0.999, eps 1e-8, over the unique parameters). */
  lr: number;
  /** GPyTorch's mean module: ConstantMean (regression) or ZeroMean (classification). */
  mean: "ConstantMean" | "ZeroMean";
  /** The kernel has one lengthscale per input dimension (ARD). */
  ard: boolean;
  /** The recorder's own words: model, likelihood, mll, optimizer, data, initialisation, … */
  config: Record<string, string>;
  /** Constraints on raw parameters, by GPyTorch name (Positive() = softplus; GreaterThan(1e-4)). */
  constraints: Record<string, string>;
  settings: GPyTorchSettings;
  data: ApproxData;
  /** The classification run's rule; null for regression (closed-form expected log-likelihood). */
  quadrature: QuadratureRule | null;
  /** Parameter names in GPyTorch's `named_parameters()` order. */
  paramNames: string[];
  trace: {
    /** loss[i] = −(Σ E_q[log p(yᵢ|fᵢ)]/N − KL/N) at iteration i. */
    loss: Float64Array;
    /** Σᵢ E_q[log p(yᵢ | fᵢ)] / N at iteration i. */
    expectedLogLikOverN: Float64Array;
    /** KL(q(u) ‖ p(u)) / N at iteration i. */
    klOverN: Float64Array;
    /** Raw values and gradients of every parameter, by GPyTorch name. */
    params: Record<string, ParamTrace>;
    /** Constrained values (outputscale, lengthscale, noise, constant) at each iteration. */
    constrained: Array<Record<string, number[]>>;
  };
  /** Raw values before the first `model(x)` call (variational mean 0, Cholesky factor I). */
  initial: Record<string, Float64Array>;
  final: {
    /** The loss at the raw values after the 100th step. */
    loss: number;
    expectedLogLikOverN: number;
    klOverN: number;
    /** Raw values after the last step, by GPyTorch name. */
    raw: Record<string, Float64Array>;
    constrained: Record<string, number[]>;
  };
  /** On `data.grid`, in eval mode, at the final parameters. */
  predictions: {
    /** Mean of q(f(grid)). */
    latentMean: Float64Array;
    /** Variance of q(f(grid)) (whitened strategy: includes its 1e-6 jitter term). */
    latentVariance: Float64Array;
    /** Regression only: the predictive mean and variance of y (latent variance + noise). */
    yMean?: Float64Array;
    yVariance?: Float64Array;
    /** Classification only: p(y = 1) = Φ(μ / √(1 + σ²)). */
    probY1?: Float64Array;
  };
}

function settingsOf(env: Json): GPyTorchSettings {
  const s = env.gpytorch_settings;
  return {
    numGaussHermiteLocs: s.num_gauss_hermite_locs,
    numLikelihoodSamples: s.num_likelihood_samples,
    variationalCholeskyJitter: s.variational_cholesky_jitter_float64,
    choleskyJitter: s.cholesky_jitter_float64,
    choleskyMaxTries: s.cholesky_max_tries,
    maxCholeskySize: s.max_cholesky_size,
    sgprDiagonalCorrection: s.sgpr_diagonal_correction,
    fastPredVar: s.fast_pred_var,
  };
}

function dataOf(data: Json): ApproxData {
  return {
    x: rows(data.x),
    y: vec(data.y),
    inducingInit: rows(data.inducing_init),
    grid: rows(data.grid),
  };
}

function lrOf(optimizer: string): number {
  const m = /lr=([0-9.eE+-]+)/.exec(optimizer);
  if (!m) throw new Error(`fixture: no learning rate in ${JSON.stringify(optimizer)}`);
  return Number(m[1]);
}

function paramTraces(
  shapes: Record<string, number[]>,
  values: Record<string, number[][]>,
  grads: Record<string, number[][]>,
): Record<string, ParamTrace> {
  const out: Record<string, ParamTrace> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    out[name] = {
      name,
      shape,
      values: values[name].map(vec),
      grads: grads[name].map(vec),
    };
  }
  return out;
}

function stringsOf(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => typeof v === "string") as [string, string][],
  );
}

/** The two SVGP runs, by file stem. */
export type SvgpName = "svgp_regression_seed1" | "svgp_classification_seed1_exactlogphi";

/** Load an SVGP run with its traces (`<name>.json`, `<name>_trace_values.json`, `_trace_grads.json`). */
export function loadSvgpFixture(name: SvgpName): SvgpFixture {
  const main = readJson(`${name}.json`);
  const tv = readJson(`${name}_trace_values.json`);
  const tg = readJson(`${name}_trace_grads.json`);
  const c = main.config;
  const shapes: Record<string, number[]> = c.param_names_and_shapes;
  const q = main.quadrature;
  const p = main.predictions;
  return {
    name,
    task: c.task,
    n: c.N,
    d: c.D,
    m: c.M,
    iters: c.iters,
    lr: lrOf(c.optimizer),
    mean: /ZeroMean/.test(c.model) ? "ZeroMean" : "ConstantMean",
    ard: /ard_num_dims=[1-9]/.test(c.model),
    config: stringsOf(c),
    constraints: Object.fromEntries(
      Object.entries(c.constraints as Record<string, Record<string, string>>).flatMap(
        ([mod, cs]) => Object.entries(cs).map(([k, v]) => [`${mod}.${k}`, v]),
      ),
    ),
    settings: settingsOf(main.env),
    data: dataOf(main.data),
    quadrature: q === null ? null : {
      numLocs: q.num_locs,
      locations: vec(q.locations),
      weights: vec(q.weights),
      description: q.rule,
    },
    paramNames: Object.keys(shapes),
    trace: {
      loss: vec(tv.loss),
      expectedLogLikOverN: vec(main.trace.expected_log_lik_over_N),
      klOverN: vec(main.trace.kl_over_N),
      params: paramTraces(shapes, tv.values, tg.grads),
      constrained: main.trace.constrained,
    },
    initial: record(main.params_before_first_forward),
    final: {
      loss: main.final.loss_after_last_step,
      expectedLogLikOverN: main.final.expected_log_lik_over_N,
      klOverN: main.final.kl_over_N,
      raw: record(main.final.raw),
      constrained: main.final.constrained,
    },
    predictions: {
      latentMean: vec(p.latent_mean),
      latentVariance: vec(p.latent_variance),
      ...(p.y_mean ? { yMean: vec(p.y_mean), yVariance: vec(p.y_variance) } : {}),
      ...(p.prob_y1 ? { probY1: vec(p.prob_y1) } : {}),
    },
  };
}

/** One training run inside `sgpr_seed1.json` (the SGPR, or the exact GP with the same recipe). */
export interface SgprTrain {
  /** loss[i]: −(log N(y | c·1, Q + σ²I) + traceTermOverN[i]·N) / N at iteration i. */
  loss: Float64Array;
  /**
   * SGPR only (empty for the exact GP): InducingPointKernelAddedLossTerm / N at iteration i,
   * −½ Σᵢ (k(xᵢ, xᵢ) − Qᵢᵢ) / σ² / N with Q = K_XZ K_ZZ⁻¹ K_ZX.
   */
  traceTermOverN: Float64Array;
  /** Raw values and gradients by GPyTorch name (`covar_module.inducing_points` is M values, 1-D). */
  params: Record<string, ParamTrace>;
  paramNames: string[];
  constrained: Array<Record<string, number[]>>;
  /** The loss at the raw values after the 100th step. */
  lossAfterLastStep: number;
  finalRaw: Record<string, Float64Array>;
  finalConstrained: Record<string, number[]>;
  constraints: Record<string, string>;
  /**
   * GPyTorch's warnings by iteration. SGPR: iterations 0–30 each warn "A not p.d., added
   * jitter of 1.0e-08 to the diagonal" (K_ZZ needed psd_safe_cholesky's first jitter there).
   */
  warnings: Array<{ iter: number; category: string; message: string }>;
}

/** Predictions on `data.grid` in eval mode at the final parameters. */
export interface SgprPredictions {
  latentMean: Float64Array;
  /** SGPR: with `sgpr_diagonal_correction` (diag(K − Q) added to the training covariance). */
  latentVariance: Float64Array;
  yMean: Float64Array;
  yVariance: Float64Array;
  trainRmseLatentMean: number;
}

/** `sgpr_seed1.json`: SGPR (M = 20) and an exact GP, both Adam lr 0.05 × 100 on the regression data. */
export interface SgprFixture {
  n: number;
  d: number;
  m: number;
  iters: number;
  lr: number;
  config: Record<string, string>;
  settings: GPyTorchSettings;
  data: ApproxData;
  sgpr: { train: SgprTrain; predictions: SgprPredictions };
  /** The exact GP's −mll/N at the SGPR's final hyperparameters. */
  exactNegMllOverNAtSgprFinal: number;
  exactGp: { train: SgprTrain; predictions: SgprPredictions };
}

function sgprTrain(t: Json): SgprTrain {
  return {
    loss: vec(t.loss),
    traceTermOverN: vec(t.trace_term_over_N),
    params: paramTraces(t.param_names_and_shapes, t.values, t.grads),
    paramNames: Object.keys(t.param_names_and_shapes),
    constrained: t.constrained,
    lossAfterLastStep: t.loss_after_last_step,
    finalRaw: record(t.final_raw),
    finalConstrained: t.final_constrained,
    constraints: t.constraints,
    warnings: t.warnings,
  };
}

function sgprPredictions(p: Json): SgprPredictions {
  return {
    latentMean: vec(p.latent_mean),
    latentVariance: vec(p.latent_variance),
    yMean: vec(p.y_mean),
    yVariance: vec(p.y_variance),
    trainRmseLatentMean: p.train_rmse_latent_mean,
  };
}

/** Load `sgpr_seed1.json`. */
export function loadSgprFixture(): SgprFixture {
  const f = readJson("sgpr_seed1.json");
  const c = f.config;
  return {
    n: c.N,
    d: c.D,
    m: c.M,
    iters: c.iters,
    lr: lrOf(c.optimizer),
    config: stringsOf(c),
    settings: settingsOf(f.env),
    data: dataOf(f.data),
    sgpr: { train: sgprTrain(f.sgpr.train), predictions: sgprPredictions(f.sgpr.predictions) },
    exactNegMllOverNAtSgprFinal: f.exact_neg_mll_over_N_at_sgpr_final_hypers,
    exactGp: {
      train: sgprTrain(f.exact_gp_same_recipe.train),
      predictions: sgprPredictions(f.exact_gp_same_recipe.predictions),
    },
  };
}
