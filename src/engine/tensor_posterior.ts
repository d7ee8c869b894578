/**
 * The differentiable posterior of an exact GP on the Cholesky path: mean, variances and
 * covariance at test inputs as recorded tensors, differentiable in the test inputs and in
 * every parameter (kernel, mean, noise).
 *
 * When no training-side parameter needs a gradient (all frozen, or the objective only
 * asks about x), the cached training solve (L and α) is used as constants, so a gradient
 * to x costs O(N² m). Otherwise K̂ = K(X, X) + noise is recorded and the solves go
 * through its cached factor by fused operations (spdSolve, invQuad) whose VJPs give K̂'s
 * gradient as a rank-m product: O(N² m) as well, plus one pass of kernel derivative tiles
 * over the training set.
 *
 * @module
 */

import { gradEnabled } from "../settings.ts";
import { Tensor } from "../autograd/tensor.ts";
import { matmul } from "../autograd/matrix.ts";
import { square } from "../autograd/elementwise.ts";
import { triangularSolve } from "../autograd/linalg.ts";
import { invQuad, spdSolve } from "../autograd/spd_ops.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { thetaTensor } from "../theta_tensor.ts";
import type { Parameter } from "../parameter.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import { type MeanSource, MeanVector } from "../means/mean.ts";
import type { PredictionSolve } from "../prediction_solve.ts";

/** What the differentiable posterior is made from. */
export interface TensorPosteriorSource {
  /** The cached training solve (its factor and α are used when nothing else is recorded). */
  solve: () => Promise<PredictionSolve>;
  /** The training prior with noise (mean at X, K(X, X) + noise) and the targets. */
  training: () => { mean: MeanVector; covariance: KernelCovariance; y: Float64Array };
  /** The prior mean at the test inputs. */
  testMean: MeanSource;
  /** The prior covariance at the test inputs. */
  testCovariance: KernelCovariance;
  /** The test inputs as a tensor [m, d] when the caller passed one, else null. */
  x: Tensor | null;
}

interface Parts {
  xs: Tensor;
  alpha: Tensor;
  l: Tensor;
  cross: Tensor;
  theta: Tensor;
  v: Tensor | null;
  /** K̂ recorded (trainable parameters), with its cached factor; null on the cached path. */
  khat: Tensor | null;
  factor: Float64Array | null;
}

/** Mean, variance and covariance tensors of one posterior, sharing their pieces. */
export class TensorPosterior {
  readonly #source: TensorPosteriorSource;
  #parts: Promise<Parts> | null = null;

  /** @param source where the posterior comes from (see {@link TensorPosteriorSource}) */
  constructor(source: TensorPosteriorSource) {
    this.#source = source;
  }

  /** True when a training-side parameter (kernel, mean, noise) needs a gradient now. */
  #trainingNeedsGrad(): boolean {
    if (!gradEnabled()) return false;
    const { mean, covariance } = this.#source.training();
    const params = new Set<Parameter>(covariance.plan.slots.map((s) => s.parameter as Parameter));
    const probe = new Map<Parameter, Float64Array>();
    mean.scatterGradient(new Float64Array(mean.size), probe);
    for (const term of covariance.diagonalTerms) {
      term.scatterGradient(new Float64Array(covariance.size), probe);
    }
    for (const p of probe.keys()) params.add(p);
    for (const p of params) if (p.requiresGrad) return true;
    return false;
  }

  #build(): Promise<Parts> {
    if (this.#parts === null) this.#parts = this.#compute();
    return this.#parts;
  }

  async #compute(): Promise<Parts> {
    const src = this.#source;
    const test = src.testCovariance;
    let xs: Tensor;
    if (src.x !== null) {
      xs = src.x;
      const same = xs.data.length === test.x.data.length &&
        xs.data.every((v, i) => v === test.x.data[i]);
      if (!same) {
        throw new TypeError(
          `posterior at tensor inputs: forward(x) built its covariance at other points than x; ` +
            `for gradients with respect to x, forward must apply the mean and covariance ` +
            `modules to x itself`,
        );
      }
    } else {
      xs = new Tensor(test.x.data, [test.x.n, test.x.d]);
    }
    const theta = thetaTensor(test.plan.slots);
    const training = src.training();
    const trainX = new Tensor(training.covariance.x.data, [
      training.covariance.x.n,
      training.covariance.x.d,
    ]);
    const n = training.covariance.size;
    const solve = await src.solve();
    const needs = this.#trainingNeedsGrad();
    const factor = (solve as { factor?: Float64Array }).factor;
    if ((solve.solver !== "cholesky" || factor === undefined) && (needs || xs.requiresGrad)) {
      throw new TypeError(
        `posterior: differentiable predictions (gradients with respect to the test inputs or ` +
          `the parameters) need the Cholesky solver, but this model predicts with ` +
          `${solve.solver} (N = ${n}); set model.engine = { ...model.engine, solver: ` +
          `"cholesky" }, or read the numbers with await mvn.mean() / .variance()`,
      );
    }
    let l: Tensor, alpha: Tensor, khat: Tensor | null = null;
    if (needs) {
      // K̂ is recorded, and solves go through its cached factor: the VJPs give K̂'s
      // gradient as a rank-m product (O(N² m)), never through the factorization's (O(N³)).
      khat = await training.covariance.denseTensor();
      const mu = await training.mean.evaluateTensor();
      const r = new Tensor(training.y, [n]).sub(mu).reshape([n, 1]);
      alpha = spdSolve(khat, r, { factor });
      l = new Tensor(factor!, [n, n]);
    } else {
      l = new Tensor(factor ?? new Float64Array(0), factor ? [n, n] : [0]);
      alpha = new Tensor(solve.alpha, [n, 1]);
    }
    const cross = kernelMatrix(test.plan, theta, trainX, xs);
    return { xs, alpha, l, cross, theta, v: null, khat, factor: khat ? factor! : null };
  }

  #whitened(parts: Parts): Tensor {
    if (parts.l.ndim !== 2) {
      throw new TypeError(
        `posterior: differentiable variances need the Cholesky solver, but this model ` +
          `predicts with CG; set model.engine = { ...model.engine, solver: "cholesky" }`,
      );
    }
    parts.v ??= triangularSolve(parts.l, parts.cross);
    return parts.v;
  }

  /** μ(x*) + K(x*, X) α, recorded ([m]). */
  async mean(): Promise<Tensor> {
    const parts = await this.#build();
    const m = parts.xs.shape[0];
    const tm = this.#source.testMean;
    const prior = tm instanceof MeanVector && tm.mean !== null
      ? tm.mean.forward(parts.xs)
      : tm.evaluateTensor
      ? await tm.evaluateTensor()
      : new Tensor(await tm.evaluate(), [m]);
    return prior.add(matmul(parts.cross, parts.alpha, { transposeA: true }).reshape([m]));
  }

  /** diag k(x*, x*) − colsum((L⁻¹ K(X, x*))²), recorded ([m]). */
  async variance(): Promise<Tensor> {
    const parts = await this.#build();
    const prior = kernelDiagonal(this.#source.testCovariance.plan, parts.theta, parts.xs);
    if (parts.khat !== null) {
      return prior.sub(invQuad(parts.khat, parts.cross, { diag: true, factor: parts.factor! }));
    }
    return prior.sub(square(this.#whitened(parts)).sum(0));
  }

  /** K(x*, x*) − Vᵀ V with V = L⁻¹ K(X, x*), recorded ([m, m]). */
  async covariance(): Promise<Tensor> {
    const parts = await this.#build();
    const prior = kernelMatrix(this.#source.testCovariance.plan, parts.theta, parts.xs);
    if (parts.khat !== null) {
      return prior.sub(invQuad(parts.khat, parts.cross, { factor: parts.factor! }));
    }
    const v = this.#whitened(parts);
    return prior.sub(matmul(v, v, { transposeA: true }));
  }
}
