/**
 * The whitened variational strategy, as GPyTorch 1.12's `VariationalStrategy`.
 *
 * @module
 */

import type { InputLike } from "../tensor.ts";
import type { Generator } from "../random.ts";
import { Tensor } from "../autograd/tensor.ts";
import { log, square } from "../autograd/elementwise.ts";
import { whitenedPredictive } from "../autograd/whitened_predictive.ts";
import { diagonal, matmul } from "../autograd/matrix.ts";
import { cholesky, triangularSolve } from "../autograd/linalg.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { thetaTensor } from "../theta_tensor.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { eye } from "../autograd/variational_primitives.ts";
import { VariationalStrategyBase } from "./variational_strategy_base.ts";

export {
  type PriorModel,
  VARIATIONAL_JITTER,
  type VariationalStrategyOptions,
} from "./variational_strategy_base.ts";

/**
 * The whitened strategy: u = L v with K_uu + jitter·I = L Lᵀ, q(v) = N(m, S) the
 * variational distribution and p(v) = N(0, I). For inputs x, with A = L⁻¹ K_ux:
 * q(f(x)) = N(μ(x) + Aᵀ m, K_xx + jitter·I + Aᵀ (S − I) A), exactly GPyTorch 1.12's
 * formula, including its jitter (1e-6 in float64) both on K_uu and on the predictive
 * covariance. `kl()` is KL(q(v) ‖ N(0, I)).
 *
 * Lazy initialisation as GPyTorch: at the first `call` (unless
 * `variationalParamsInitialized` is already true) the distribution is set to
 * m = 1e-3·randn (from a generator seeded by `seed`), S = I. To reproduce a run, set the
 * values and then `variationalParamsInitialized = true`.
 *
 * Construct it with the model (`new VariationalStrategy(this, …)` is impossible before
 * `super()` in JavaScript, so pass `null` and give the strategy to
 * {@link ApproximateGP}'s constructor, which attaches it).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   constructor(z: number[]) {
 *     super(new gp.variational.VariationalStrategy(
 *       null, z, new gp.variational.CholeskyVariationalDistribution(z.length),
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model([0, 0.5, 1]);
 * const q = model.call([0.25]);
 * assert.ok((await q.variance())[0] > 0);
 * assert.ok(model.variationalStrategy.kl().item() < 1e-5); // m ≈ 0, S = I at the start
 * ```
 */
export class VariationalStrategy extends VariationalStrategyBase {
  /**
   * KL(q(v) ‖ N(0, I)) = ½ (‖m‖² + ‖L‖²_F − M − log det(L Lᵀ)), recorded (GPyTorch's
   * `kl_divergence()` for the whitened prior).
   */
  kl(): Tensor {
    this.ensureInitialized();
    const q = this.variationalDistribution;
    const { mean: m, root } = q.moments();
    const logdet = log(square(diagonal(root))).sum();
    return m.mul(m).sum().add(root.mul(root).sum()).sub(logdet).sub(this.numInducingPoints).mul(
      0.5,
    );
  }

  /** q(f(x)) (GPyTorch's `variational_strategy(x)`). */
  call(x: InputLike): VariationalMultivariateNormal {
    return this.atomically(() => this.#call(x));
  }

  #call(x: InputLike): VariationalMultivariateNormal {
    const { inputs, loc, cov } = this.checkedPrior("call(x)", x);
    this.ensureInitialized();
    const n = inputs.n, mInd = this.numInducingPoints;
    const xt = new Tensor(inputs.data, [n, inputs.d]);
    const z = this.inducingTensor();
    const plan = cov.plan;
    const theta = thetaTensor(plan.slots);
    const meanX = loc.mean !== null ? loc.mean.forward(xt) : new Tensor(loc.values.slice(), [n]);
    const kuu = kernelMatrix(plan, theta, z).add(eye(mInd, this.jitter));
    const kxx = kernelDiagonal(plan, theta, xt);
    const l = cholesky(kuu);
    const q = this.variationalDistribution;
    const { mean: qMean, root } = q.moments();
    // Aᵀm and diag(Aᵀ (S − I) A) for A = L⁻¹ K_ux, fused: K_ux, A and RᵀA stay in WASM
    // memory, and R's and L's triangular products cost half a dense product each.
    const pred = whitenedPredictive(plan, theta, z, xt, l, qMean, root);
    const mean = pred.mean.add(meanX);
    const variance = kxx.add(this.jitter).add(pred.varianceTerm);
    const jitter = this.jitter;
    const dense = (): Tensor => {
      const kxxFull = kernelMatrix(plan, theta, xt).add(eye(n, jitter));
      const a = triangularSolve(l, kernelMatrix(plan, theta, z, xt)); // L⁻¹ K_ux, M × n
      const rootTa = matmul(root, a, { transposeA: true });
      const s = matmul(rootTa, rootTa, { transposeA: true });
      const p = matmul(a, a, { transposeA: true });
      return kxxFull.add(s).sub(p);
    };
    return new VariationalMultivariateNormal(mean, variance, dense);
  }

  /** m = meanInitStd · randn, S = I: q(v) from the whitened prior N(0, I). */
  protected initializeVariational(generator: Generator): void {
    this.variationalDistribution.initializeFromWhitenedPrior(generator);
  }
}
