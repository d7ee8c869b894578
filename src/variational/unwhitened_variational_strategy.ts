/**
 * The unwhitened variational strategy, as GPyTorch 1.12's `UnwhitenedVariationalStrategy`.
 *
 * @module
 */

import type { InputLike, Inputs } from "../tensor.ts";
import type { Generator } from "../random.ts";
import type { MeanVector } from "../means/mean.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import { Tensor } from "../autograd/tensor.ts";
import { log, square } from "../autograd/elementwise.ts";
import { diagEmbed, diagonal, matmul } from "../autograd/matrix.ts";
import { cholesky, triangularSolve } from "../autograd/linalg.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { clampMin, eye } from "../autograd/variational_primitives.ts";
import { thetaTensor } from "../theta_tensor.ts";
import { noGrad } from "../settings.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { VariationalStrategyBase } from "./variational_strategy_base.ts";

/** The prior at the inducing points: μ_Z and the Cholesky factor of K_ZZ + jitter·I, recorded. */
interface InducingPrior {
  meanZ: Tensor;
  chol: Tensor;
}

/**
 * The unwhitened strategy: q(u) = N(m, S) directly over the inducing values, with the
 * prior p(u) = N(μ(Z), K_ZZ + jitter·I). For inputs x, with K = K_ZZ + jitter·I:
 * q(f(x)) = N(μ(x) + K_xZ K⁻¹ (m − μ(Z)), K_xx − K_xZ K⁻¹ K_Zx + K_xZ K⁻¹ S K⁻¹ K_Zx), and
 * `kl()` is KL(q(u) ‖ p(u)).
 *
 * GPyTorch 1.12's details, followed here because each decides digits:
 * - the jitter (1e-6 in float64) goes on K_ZZ only, both in q(f)'s solves and in the prior of
 *   the KL; unlike the whitened strategy, none is added to q(f)'s covariance;
 * - in training mode the data term of the variance, diag(K_xx) − diag(K_xZ K⁻¹ K_Zx), is
 *   clamped at 0 (its gradient is 0 where clamped) and the dense covariance is that diagonal
 *   plus the low-rank term; in eval mode the covariance is the full formula, unclamped;
 * - when x equals Z exactly (same shape and values, `torch.equal`), q(f(x)) is q(u) itself,
 *   N(m, S), with no solve (so the likelihood term then has no gradient in the kernel or Z);
 * - the lazy initialisation sets q(u) to the prior: m = μ(Z) + meanInitStd·randn (seeded by
 *   `seed`), S = K_ZZ + jitter·I (its Cholesky factor for a CholeskyVariationalDistribution,
 *   √diag for a MeanField one, θ = (K⁻¹μ(Z) + noise, −½K⁻¹) for a Natural one);
 * - the KL is ½(log|K| − log|S| + tr(K⁻¹S) + (m − μ)ᵀK⁻¹(m − μ) − M), with the log
 *   determinants from the Cholesky diagonals (Σ log diag²).
 *
 * gpts always factors K by Cholesky; where that fails it adds the engine's jitter ladder
 * (1e-10 … 1e-6 of the mean diagonal, with a warning) where GPyTorch's `psd_safe_cholesky` adds
 * 1e-8, 1e-7, 1e-6; and GPyTorch switches to conjugate gradients above
 * `max_cholesky_size` (800 inducing points), so there its digits differ. The parameters live
 * in K's metric, so gradient steps are badly scaled where K is nearly singular: prefer the
 * whitened {@link VariationalStrategy} then, as GPyTorch advises.
 *
 * Construct it with `null` as the model and give it to {@link ApproximateGP}'s constructor.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   constructor(z: number[]) {
 *     super(new gp.variational.UnwhitenedVariationalStrategy(
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
 * assert.ok(model.variationalStrategy.kl().item() < 1e-5); // q(u) ≈ p(u) at the start
 * ```
 */
export class UnwhitenedVariationalStrategy extends VariationalStrategyBase {
  /**
   * KL(q(u) ‖ N(μ(Z), K_ZZ + jitter·I)), recorded (differentiable in q's parameters, the
   * kernel's and mean's parameters and Z).
   */
  kl(): Tensor {
    return this.atomically(() => {
      const { loc, cov } = this.checkedPrior("kl()");
      this.ensureInitialized();
      const { meanZ, chol } = this.#inducingPrior(loc, cov);
      const { mean, root } = this.variationalDistribution.moments();
      const mInd = this.numInducingPoints;
      const white = triangularSolve(chol, mean.sub(meanZ).reshape([mInd, 1]));
      const rootWhite = triangularSolve(chol, root); // L⁻¹ L_S
      const traceAndQuad = square(white).sum().add(square(rootWhite).sum());
      const logdetP = log(square(diagonal(chol))).sum();
      const logdetQ = log(square(diagonal(root))).sum();
      return logdetP.sub(logdetQ).add(traceAndQuad).sub(mInd).mul(0.5);
    });
  }

  /** q(f(x)) (GPyTorch's `variational_strategy(x)`). */
  call(x: InputLike): VariationalMultivariateNormal {
    return this.atomically(() => this.#call(x));
  }

  #call(x: InputLike): VariationalMultivariateNormal {
    const { inputs, loc, cov } = this.checkedPrior("call(x)", x);
    this.ensureInitialized();
    const { mean: qMean, root } = this.variationalDistribution.moments();
    if (this.#isInducing(inputs)) {
      const variance = square(root).sum(1);
      return new VariationalMultivariateNormal(
        qMean,
        variance,
        () => matmul(root, root, { transposeB: true }),
      );
    }
    const atZ = loc.mean !== null ? { loc, cov } : this.checkedPrior("call(x)");
    const { meanZ, chol } = this.#inducingPrior(atZ.loc, cov);
    const n = inputs.n, mInd = this.numInducingPoints;
    const xt = new Tensor(inputs.data, [n, inputs.d]);
    const plan = cov.plan;
    const theta = thetaTensor(plan.slots);
    const meanX = meanAt(loc, xt);
    const kux = kernelMatrix(plan, theta, this.inducingTensor(), xt);
    const kxx = kernelDiagonal(plan, theta, xt);
    const a = triangularSolve(chol, kux); // L⁻¹ K_Zx, M × n
    const white = triangularSolve(chol, qMean.sub(meanZ).reshape([mInd, 1])).reshape([mInd]);
    const rootWhite = triangularSolve(chol, root); // L⁻¹ L_S
    const mean = matmul(a, white, { transposeA: true }).add(meanX);
    const low = matmul(rootWhite, a, { transposeA: true }); // L_Sᵀ K⁻¹ K_Zx, M × n
    const exact = kxx.sub(square(a).sum(0));
    const training = this.training;
    const dataVariance = training ? clampMin(exact, 0) : exact;
    const variance = square(low).sum(0).add(dataVariance);
    const dense = (): Tensor => {
      const lowRank = matmul(low, low, { transposeA: true });
      if (training) return lowRank.add(diagEmbed(dataVariance));
      const kxxFull = kernelMatrix(plan, theta, xt);
      return kxxFull.sub(matmul(a, a, { transposeA: true })).add(lowRank);
    };
    return new VariationalMultivariateNormal(mean, variance, dense);
  }

  /** μ(Z) and chol(K_ZZ + jitter·I), recorded in Z and the parameters. */
  #inducingPrior(locZ: MeanVector, cov: KernelCovariance): InducingPrior {
    const z = this.inducingTensor();
    const theta = thetaTensor(cov.plan.slots);
    const kuu = kernelMatrix(cov.plan, theta, z).add(eye(this.numInducingPoints, this.jitter));
    return { meanZ: meanAt(locZ, z), chol: cholesky(kuu) };
  }

  /** GPyTorch's `torch.equal(x, inducing_points)`: the same shape and the same values. */
  #isInducing(inputs: Inputs): boolean {
    if (inputs.n !== this.numInducingPoints) return false;
    const z = this.inducingPoints.rawValues;
    for (let i = 0; i < z.length; i++) if (inputs.data[i] !== z[i]) return false;
    return true;
  }

  /** q(u) ← the prior N(μ(Z), K_ZZ + jitter·I) (GPyTorch's lazy initialisation). */
  protected initializeVariational(generator: Generator): void {
    const { loc, cov } = this.checkedPrior("call(x)");
    let mean: Float64Array, covariance: Float64Array;
    {
      using _ = noGrad();
      const z = new Tensor(this.inducingPoints.rawValues, [this.numInducingPoints, this.inputDims]);
      mean = meanAt(loc, z).data;
      covariance = kernelMatrix(cov.plan, thetaTensor(cov.plan.slots), z)
        .add(eye(this.numInducingPoints, this.jitter)).data;
    }
    this.variationalDistribution.initializeFromPrior(mean, covariance, generator);
  }
}

/**
 * μ at `t` ([n, d]) from `loc`, the prior at those same points: the mean module, recorded
 * (differentiable in t), or the fixed values.
 */
function meanAt(loc: MeanVector, t: Tensor): Tensor {
  return loc.mean !== null ? loc.mean.forward(t) : new Tensor(loc.values.slice(), [t.shape[0]]);
}
