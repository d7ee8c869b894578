/**
 * Exact inference behind one object: given the model's prior (mean and kernel
 * covariance, noise included), the targets and the engine options, {@link ExactInference}
 * chooses the solver and the device, runs the ONE retry/fallback ladder, and gives the
 * log-density with its gradient ({@link ExactInference.logProb}) and the training solve
 * that prediction reads ({@link ExactInference.predictionSolve}).
 *
 * The ladder, for the loss and for prediction alike:
 * 1. Cholesky where `chooseSolver` (select.ts) picks it (between the two CG thresholds,
 *    auto keeps CG only where its preconditioner stops at its tolerance);
 * 2. CG with {@link CG_DEFAULTS} (or the options' values); not converged → once more with
 *    twice the iterations and preconditioner rank (a warning);
 * 3. still not converged → Cholesky where N ≤ `CHOLESKY_FALLBACK_LIMIT` (a warning), else
 *    a {@link ConvergenceError} with the residual and N;
 * 4. a lost WebGPU device, at any step → the same step again on WASM, with the same
 *    convergence checks (and WASM from then on for this object).
 *
 * @example
 * ```ts
 * import { ExactInference } from "./exact_inference.ts";
 * import { KernelCovariance } from "../distributions/covariance.ts";
 * import { MeanVector } from "../means/mean.ts";
 * import { PlanBuilder } from "../kernel_plan.ts";
 * import { Op } from "../opcodes.ts";
 * import { toInputs } from "../tensor.ts";
 * import { ok, strictEqual } from "node:assert";
 * const x = toInputs([0, 0.5, 1], "x");
 * const b = new PlanBuilder(1);
 * b.emit(Op.RBF, 1, b.useDim(0), 1, b.param({ size: 1, values: Float64Array.of(1) }));
 * const noise = { values: new Float64Array(3).fill(0.1), scatterGradient() {} };
 * const inference = new ExactInference({
 *   mean: new MeanVector(new Float64Array(3)),
 *   covariance: new KernelCovariance(b.build(), x, [noise]),
 *   targets: Float64Array.of(0, 1, 0),
 *   options: { solver: "cholesky" },
 * });
 * const result = await inference.logProb({ gradient: true });
 * strictEqual(result.solver, "cholesky");
 * ok(Number.isFinite(result.value) && result.gradient !== null);
 * const solve = await inference.predictionSolve();
 * strictEqual(solve.alpha.length, 3);
 * ```
 *
 * @module
 */

import { ConvergenceError, DeviceLostError, warn } from "../errors.ts";
import { Generator } from "../random.ts";
import type { PredictionSolve } from "../prediction_solve.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import { KernelCovariance } from "../distributions/covariance.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { MeanVector } from "../means/mean.ts";
import { DEFAULT_PROBES, exactLogProb, type LogProbResult } from "./cholesky.ts";
import { type BbmmDiagnostics, bbmmLogProb, bbmmSolve, buildPreconditioner } from "./cg.ts";
import { CgTrainingSolve } from "./bbmm_posterior.ts";
import {
  ExactPrediction,
  PosteriorCovariance,
  PosteriorMean,
  TrainingSolve,
} from "./exact_posterior.ts";
import type { PivotedCholeskyPreconditioner } from "./pivoted_cholesky.ts";
import { CG_DEFAULTS } from "./cg_defaults.ts";
import { conditionTrainingSolve } from "./fantasy_update.ts";
import { sgprObjective } from "./sgpr_objective.ts";
import { sgprPosterior } from "./sgpr_prediction.ts";
import { TensorPosterior } from "./tensor_posterior.ts";
import type { Tensor } from "../autograd/tensor.ts";
import {
  CG_ALWAYS_THRESHOLD,
  CHOLESKY_FALLBACK_LIMIT,
  chooseSolver,
  type EngineOptions,
  hardwareGpuFor,
  kernelOperatorFor,
  STORED_MATRIX_LIMIT,
} from "./select.ts";
import { WasmKernelOperator } from "../wasm/wasm_kernel_operator.ts";
import { WebGpuKernelOperator } from "../webgpu/webgpu_kernel_operator.ts";

export type { EngineOptions } from "./select.ts";

/** Options of {@link ExactInference}: the engine's, and how the Cholesky gradient is made. */
export interface ExactInferenceOptions extends EngineOptions {
  /**
   * The Cholesky solver's gradient: `"exact"` (default, from K̂⁻¹) or `"stochastic"`
   * (exact loss, Hutchinson trace terms with `probes` vectors).
   */
  gradient?: "exact" | "stochastic";
  /** Probe vectors of the stochastic Cholesky gradient (default {@link DEFAULT_PROBES}, 15). */
  probes?: number;
  /**
   * The generator every probe is drawn from, on either solver (default: a new one
   * seeded with `seed`, else 0). Pass one kept across calls for independent probes.
   */
  generator?: Generator;
}

/** What {@link ExactInference} is built from. */
export interface ExactInferenceInit {
  /** The prior mean at the training inputs. */
  mean: MeanVector;
  /** The prior covariance at the training inputs, noise included (a likelihood's output). */
  covariance: KernelCovariance;
  /** The training targets. */
  targets: Float64Array;
  /** Solver, device and gradient options (default: auto). */
  options?: ExactInferenceOptions;
}

/** A log-density with, for BBMM, the solver's diagnostics. */
export interface EngineResult extends LogProbResult {
  /** "cholesky" or "cg". */
  solver: "cholesky" | "cg";
  /** BBMM diagnostics (null for Cholesky). */
  diagnostics: BbmmDiagnostics | null;
}

/** The model's prior, unwrapped: what exact inference reads. */
export interface ModelPrior {
  /** The mean at the inputs. */
  mean: MeanVector;
  /** The kernel covariance at the inputs, with its diagonal terms. */
  covariance: KernelCovariance;
}

/** One CG attempt of the ladder: its operators and its scale of iterations and rank. */
interface CgAttempt {
  /** The operator the products run on. */
  operator: KernelOperator;
  /** The float64 operator residuals are checked against (may be `operator`). */
  reference: KernelOperator;
  /** 1, then 2 on the retry. */
  scale: number;
}

/** What a CG attempt reached. */
interface CgOutcome<T> {
  /** Whether it is good enough to return. */
  converged: boolean;
  /** Its relative residual. */
  residual: number;
  /** The device it ran on, in words. */
  device: string;
  /** The result. */
  value: T;
}

/**
 * Exact GP inference for one (mean, covariance, targets, options): the loss with its
 * gradient and the prediction solve, on the solver and device the options and the size
 * call for, with one fallback ladder (see the module doc).
 *
 * @example
 * ```ts
 * import { ExactInference } from "./exact_inference.ts";
 * import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
 * import { throws } from "node:assert";
 * const numbers = MultivariateNormal.fromArrays([0, 0], [[1, 0], [0, 1]]);
 * throws(() => ExactInference.priorOf(numbers, "mll.call(output, target)"), TypeError);
 * ```
 */
export class ExactInference {
  /** Default probes of the stochastic Cholesky gradient. */
  static readonly DEFAULT_PROBES: number = DEFAULT_PROBES;
  /** The prior mean at the training inputs. */
  readonly mean: MeanVector;
  /** The prior covariance at the training inputs, noise included. */
  readonly covariance: KernelCovariance;
  /** The training targets. */
  readonly targets: Float64Array;
  /** The options. */
  readonly options: Readonly<ExactInferenceOptions>;
  readonly #generator: Generator;
  /** Set once a WebGPU device was lost: every later product of this object runs on WASM. */
  #wasmOnly = false;

  /** @param init the prior at the training inputs, the targets and the options */
  constructor({ mean, covariance, targets, options = {} }: ExactInferenceInit) {
    if (!(mean instanceof MeanVector) || !(covariance instanceof KernelCovariance)) {
      throw new TypeError(
        `ExactInference: mean must be a MeanVector and covariance a KernelCovariance ` +
          `(use ExactInference.priorOf(distribution) to unwrap a model's prior)`,
      );
    }
    if (!(targets instanceof Float64Array) || targets.length !== covariance.size) {
      throw new TypeError(
        `ExactInference: targets must be a Float64Array of ${covariance.size} values, got ` +
          `${targets instanceof Float64Array ? `${targets.length} values` : targets}`,
      );
    }
    this.mean = mean;
    this.covariance = covariance;
    this.targets = targets;
    this.options = options;
    this.#generator = options.generator ?? new Generator(options.seed ?? 0);
  }

  /**
   * The mean and kernel covariance of a model's prior (`likelihood.call(model.prior(x))`),
   * the one place that checks it. `where` names the caller in the message.
   *
   * @throws {TypeError} for anything else: a posterior, or a covariance given as numbers
   */
  static priorOf(distribution: MultivariateNormal, where: string): ModelPrior {
    const mean = distribution instanceof MultivariateNormal ? distribution.loc : null;
    const covariance = distribution instanceof MultivariateNormal
      ? distribution.lazyCovarianceMatrix
      : null;
    if (!(mean instanceof MeanVector) || !(covariance instanceof KernelCovariance)) {
      throw new TypeError(
        `${where}: exact inference needs the model's prior, a ` +
          `MultivariateNormal(meanModule.call(x), covarModule.call(x)) (through the likelihood), ` +
          `got ${
            distribution instanceof MultivariateNormal
              ? "a posterior or a covariance given as numbers"
              : distribution
          }; if the model is in eval mode, call model.train() before computing the training ` +
          `loss, and build forward(x)'s covariance from a kernel`,
      );
    }
    return { mean, covariance };
  }

  /**
   * The posterior at test inputs from a training solve: mean μ* + K(X*, X) α and
   * covariance K** − K(X*, X) K̂⁻¹ K(X, X*), computed when first asked for. `fast` uses
   * the solve's fast-variance cache (settings.fastPredVar). With `differentiable` (the
   * training prior and targets, read when first needed, and the test inputs as a tensor or
   * null), the result's `…Tensor()` forms are differentiable in the test inputs and every
   * parameter (src/engine/tensor_posterior.ts).
   */
  static posterior(
    solve: Promise<PredictionSolve>,
    testPrior: MultivariateNormal,
    fast: boolean,
    differentiable?: {
      training: () => ModelPrior & { y: Float64Array };
      x: Tensor | null;
    },
  ): MultivariateNormal {
    const covariance = testPrior.lazyCovarianceMatrix;
    if (!(covariance instanceof KernelCovariance)) {
      throw new TypeError(
        `exact prediction needs the prior at the test inputs built from a kernel ` +
          `(covarModule.call(x)), got a covariance given as numbers`,
      );
    }
    const tensors = differentiable === undefined ? undefined : new TensorPosterior({
      solve: () => solve,
      training: differentiable.training,
      testMean: testPrior.loc,
      testCovariance: covariance,
      x: differentiable.x,
    });
    const prediction = new ExactPrediction(solve, testPrior.loc, covariance, fast);
    return new MultivariateNormal(
      new PosteriorMean(prediction, tensors),
      new PosteriorCovariance(prediction, tensors),
    );
  }

  /**
   * SGPR's collapsed bound for an {@link InducingPointCovariance} prior (GPyTorch's
   * InducingPointKernel inside an ExactGP): the value in O(N·M²) with its gradient from the
   * autograd record (sgpr_objective.ts).
   */
  static sgprObjective(
    output: MultivariateNormal,
    targets: Float64Array,
    modules: Parameters<typeof sgprObjective>[2],
  ): ReturnType<typeof sgprObjective> {
    return sgprObjective(output, targets, modules);
  }

  /**
   * SGPR's low-rank predictive at the test prior `test`, with GPyTorch's diagonal
   * correction (sgpr_prediction.ts); number forms only.
   */
  static sgprPosterior(
    train: MultivariateNormal,
    targets: Float64Array,
    test: MultivariateNormal,
  ): MultivariateNormal {
    return sgprPosterior(train, targets, test);
  }

  /**
   * The training solve grown by new points, as GPyTorch's `get_fantasy_model`: the
   * Cholesky factor extended by one block in O(N²k) (fantasy_update.ts), for `prior` and
   * `targets` over the old points followed by the new ones; null when `solve` is not a
   * Cholesky solve (a BBMM solve is then made afresh on first use).
   */
  static conditionSolve(
    solve: PredictionSolve,
    prior: ModelPrior,
    targets: Float64Array,
  ): PredictionSolve | null {
    if (!(solve instanceof TrainingSolve)) return null;
    return conditionTrainingSolve(solve, prior.mean, prior.covariance, targets);
  }

  /** Number of training points. */
  get n(): number {
    return this.covariance.size;
  }

  /**
   * log N(y; μ, K̂), with its gradient with respect to every parameter's constrained
   * values when `gradient` is true, on the ladder's solver and device.
   */
  async logProb({ gradient }: { gradient: boolean }): Promise<EngineResult> {
    const { mean, covariance, targets, options } = this;
    const n = this.n;
    const exact = async (): Promise<EngineResult> => ({
      ...(await exactLogProb(mean, covariance, targets, gradient, {
        gradient: options.gradient,
        probes: options.probes,
        generator: this.#generator,
      })),
      solver: "cholesky",
      diagnostics: null,
    });
    if (await this.#solver("training") === "cholesky") return await exact();
    const cg = options.cg ?? {};
    // Between the two thresholds auto keeps CG only where its preconditioner captures K:
    // then CG needs few iterations and its estimates are within the stated accuracy.
    // Where K has more directions above the noise than the rank allows, the stochastic
    // part is large (measured: lengthscale 0.003, noise 0.001, N = 2000: 211 iterations,
    // loss 3.6e-3 off, gradients off by more than 100%, all within their standard
    // errors), and Cholesky is exact and faster there.
    let prebuilt: PivotedCholeskyPreconditioner | undefined;
    if ((options.solver ?? "auto") === "auto" && n < CG_ALWAYS_THRESHOLD) {
      prebuilt = this.#preconditioner(1);
      if (!prebuilt.complete) return await exact();
    }
    return await this.#ladder("", exact, async ({ operator, reference, scale }) => {
      const result = await bbmmLogProb(mean, covariance, targets, gradient, operator, {
        ...cg,
        maxIterations: this.#maxIterations(scale),
        preconditioner: this.#preconditionerOptions(scale),
        rng: this.#generator,
        residualOperator: reference,
        prebuiltPreconditioner: scale === 1 ? prebuilt : undefined,
      });
      return {
        converged: result.diagnostics.converged,
        residual: result.diagnostics.residual,
        device: operator.device,
        value: { ...result, solver: "cg" as const },
      };
    });
  }

  /**
   * The training data's solve for prediction: the Cholesky `TrainingSolve`, or the BBMM
   * `CgTrainingSolve` (α by CG, refined against a float64 residual on WebGPU up to
   * `float64ResidualUpTo`), on the same ladder as {@link ExactInference.logProb}.
   */
  async predictionSolve(): Promise<PredictionSolve> {
    const { mean, covariance, targets } = this;
    const exact = (): Promise<PredictionSolve> => TrainingSolve.compute(mean, covariance, targets);
    if (await this.#solver("prediction") === "cholesky") return await exact();
    const cg = this.options.cg ?? {};
    const tolerance = cg.tolerance ?? CG_DEFAULTS.tolerance;
    const added = covariance.addedDiagonal();
    const r = targets.map((v, i) => v - mean.values[i]);
    return await this.#ladder<PredictionSolve>(
      "prediction: ",
      exact,
      async ({ operator, reference, scale }) => {
        const maxIterations = this.#maxIterations(scale);
        const precond = this.#preconditioner(scale);
        const solved = await bbmmSolve(operator, added, precond, r, 1, {
          maxIterations,
          tolerance,
          residualOperator: reference,
        });
        return {
          converged: solved.converged || solved.residual <= tolerance,
          residual: solved.residual,
          device: operator.device,
          value: new CgTrainingSolve(
            covariance,
            precond,
            solved.x,
            solved.residual,
            operator.device,
            <R>(fn: (op: KernelOperator, ref: KernelOperator) => Promise<R>) =>
              this.#withOperators(fn),
            { ...cg, maxIterations },
          ),
        };
      },
    );
  }

  /** The solver for `task` (asks for the GPU only where auto could use it). */
  async #solver(task: "training" | "prediction"): Promise<"cholesky" | "cg"> {
    const hardwareGpu = await hardwareGpuFor(this.n, this.options, task);
    return chooseSolver(this.n, this.options, hardwareGpu, task);
  }

  #maxIterations(scale: number): number {
    return (this.options.cg?.maxIterations ?? CG_DEFAULTS.maxIterations) * scale;
  }

  #preconditionerOptions(scale: number): { maxRank: number; relativeTolerance?: number } {
    const p = this.options.cg?.preconditioner;
    return { ...p, maxRank: (p?.maxRank ?? CG_DEFAULTS.maxRank) * scale };
  }

  #preconditioner(scale: number): PivotedCholeskyPreconditioner {
    return buildPreconditioner(this.covariance, this.#preconditionerOptions(scale));
  }

  /**
   * The ladder: CG at scale 1, then 2; each attempt rerun on WASM if the device is lost
   * (the same checks apply to the rerun); then the Cholesky fallback or a
   * {@link ConvergenceError}.
   */
  async #ladder<T>(
    prefix: string,
    exact: () => Promise<T>,
    attempt: (a: CgAttempt) => Promise<CgOutcome<T>>,
  ): Promise<T> {
    const n = this.n;
    let residual = NaN;
    for (const scale of [1, 2]) {
      const outcome = await this.#withOperators((operator, reference) =>
        attempt({ operator, reference, scale })
      );
      if (outcome.converged) return outcome.value;
      residual = outcome.residual;
      warn(
        `${prefix}CG (${outcome.device}) reached a relative residual of ` +
          `${residual.toExponential(2)}` +
          (scale === 1 ? `; retrying with twice the iterations and preconditioner rank` : ""),
      );
    }
    if (n <= CHOLESKY_FALLBACK_LIMIT) {
      warn(`${prefix}CG did not converge; falling back to the exact Cholesky solver for N = ${n}`);
      return await exact();
    }
    throw new ConvergenceError(residual, n);
  }

  /**
   * Runs `fn` with the solving operator and the float64 residual operator (the same one
   * unless the products run on WebGPU), disposed after; a lost device reruns it on WASM.
   */
  async #withOperators<T>(
    fn: (operator: KernelOperator, reference: KernelOperator) => Promise<T>,
  ): Promise<T> {
    const operator = this.#wasmOnly
      ? this.#wasm()
      : await kernelOperatorFor(this.covariance, this.options);
    const cutoff = this.options.float64ResidualUpTo ?? CG_DEFAULTS.float64ResidualUpTo;
    const reference = operator instanceof WebGpuKernelOperator && this.n <= cutoff
      ? new WasmKernelOperator(this.covariance.plan, this.covariance.x)
      : operator;
    try {
      return await fn(operator, reference);
    } catch (e) {
      if (!(e instanceof DeviceLostError)) throw e;
      this.#wasmOnly = true; // from now on, and this once, on WASM
      const wasm = this.#wasm();
      try {
        return await fn(wasm, wasm);
      } finally {
        wasm.dispose();
      }
    } finally {
      if (reference !== operator) reference.dispose();
      operator.dispose();
    }
  }

  /** The WASM operator, storing K within the options' limit. */
  #wasm(): WasmKernelOperator {
    const n = this.n;
    const limit = this.options.storeKernelMatrixUpTo ?? STORED_MATRIX_LIMIT;
    return new WasmKernelOperator(this.covariance.plan, this.covariance.x, {
      storeMatrix: 8 * n * n <= limit,
    });
  }
}
