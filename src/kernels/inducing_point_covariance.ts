/**
 * The low-rank covariance an {@link InducingPointKernel} gives at some inputs.
 *
 * @module
 */

import type { Inputs } from "../tensor.ts";
import type { KernelPlan } from "../kernel_plan.ts";
import type { Parameter } from "../parameter.ts";
import type { Covariance } from "../distributions/covariance.ts";
import { NotPositiveDefiniteError, warn } from "../errors.ts";
import * as core from "../wasm/core.ts";
import { forEachWhitenedChunk, whitenedChunkWidth } from "../wasm/whitened_chunks.ts";
import { Tensor } from "../autograd/tensor.ts";
import { matmul } from "../autograd/matrix.ts";
import { cholesky, triangularSolve } from "../autograd/linalg.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { eye } from "../autograd/variational_primitives.ts";
import { thetaTensor } from "../theta_tensor.ts";
import { noGrad } from "../settings.ts";

/**
 * The jitters GPyTorch's `psd_safe_cholesky` adds to K_ZZ in float64 when the plain
 * factorization fails (`cholesky_jitter` 1e-8, then ×10, `cholesky_max_tries` 3).
 *
 * @example
 * ```ts
 * import { SGPR_JITTERS } from "./inducing_point_covariance.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(SGPR_JITTERS, [1e-8, 1e-7, 1e-6]);
 * ```
 */
export const SGPR_JITTERS: readonly number[] = [1e-8, 1e-7, 1e-6];

/** What {@link InducingPointCovariance} is built from. */
export interface InducingPointCovarianceInit {
  /** The base kernel compiled for the inputs' dimension. */
  plan: KernelPlan;
  /** The inputs x (N × d). */
  x: Inputs;
  /** The inducing points Z (M × d, row-major). */
  inducingPoints: Parameter;
  /** The likelihood's raw noise (its constrained value is σ²). */
  rawNoise: Parameter;
  /** K_ZZ's jitter: null decides as GPyTorch's `psd_safe_cholesky`, a number forces it. */
  jitter?: number | null;
}

/** The recorded inducing-point side of Q = K_xZ K_ZZ⁻¹ K_Zx, with K_ZZ (+ jitter) = L Lᵀ. */
export interface InducingFactor {
  /** L, M × M lower triangular. */
  l: Tensor;
  /** The jitter K_ZZ needed (0 when none). */
  jitter: number;
  /** The base kernel's hyperparameters as one recorded vector. */
  theta: Tensor;
  /** Z as a recorded [M, d] tensor. */
  z: Tensor;
}

/** {@link InducingFactor} with the input side: Q = Rᵀ R for R = L⁻¹ K_Zx. */
export interface InducingFactors extends InducingFactor {
  /** R = L⁻¹ K_Zx, M × N. */
  r: Tensor;
  /** k(xᵢ, xᵢ), N. */
  kxxDiagonal: Tensor;
}

/**
 * Q = K_xZ K_ZZ⁻¹ K_Zx at inputs x, for an {@link InducingPointKernel}: described; the
 * SGPR objective and predictive stream K_Zx over the inputs from
 * {@link InducingPointCovariance.inducingFactor}, `diagonal()` too (O(M·chunk) memory);
 * {@link InducingPointCovariance.factors} forms R (M × N) and `dense()` the N × N matrix,
 * for small N.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const k = new gp.kernels.InducingPointKernel(new gp.kernels.RBFKernel(), [0, 1], likelihood);
 * const q = k.call([0, 1]);
 * const d = await q.diagonal(); // Q = K at the inducing points themselves
 * assert.ok(Math.abs(d[0] - 1) < 1e-9 && Math.abs(d[1] - 1) < 1e-9);
 * ```
 */
export class InducingPointCovariance implements Covariance {
  /** The base kernel's plan. */
  readonly plan: KernelPlan;
  /** The inputs. */
  readonly x: Inputs;
  /** Z's parameter. */
  readonly inducingPoints: Parameter;
  /** The likelihood's raw noise parameter. */
  readonly rawNoise: Parameter;
  /** N. */
  readonly size: number;
  /** K_ZZ's jitter: null decides as GPyTorch, a number forces it. */
  readonly jitterSetting: number | null;

  /** @param init the base kernel's plan, the inputs, Z, the noise parameter and the jitter */
  constructor({ plan, x, inducingPoints, rawNoise, jitter = null }: InducingPointCovarianceInit) {
    this.jitterSetting = jitter;
    this.plan = plan;
    this.x = x;
    this.inducingPoints = inducingPoints;
    this.rawNoise = rawNoise;
    this.size = x.n;
  }

  /** M. */
  get numInducingPoints(): number {
    return this.inducingPoints.size / this.x.d;
  }

  /**
   * L (K_ZZ + jitter = L Lᵀ), θ and Z, recorded (gradients reach Z and the kernel's
   * parameters): what Q needs besides K_Zx. K_ZZ is factored as is, else with the first
   * of {@link SGPR_JITTERS} that succeeds (with a warning, as GPyTorch).
   *
   * @throws {NotPositiveDefiniteError} when K_ZZ + 1e-6·I is still not positive definite
   */
  inducingFactor(): InducingFactor {
    const m = this.numInducingPoints, d = this.x.d;
    const z = this.inducingPoints.rawTensor().reshape([m, d]);
    const theta = thetaTensor(this.plan.slots);
    const kzz = kernelMatrix(this.plan, theta, z);
    const jitter = this.jitterSetting ?? gpytorchJitter(kzz.data, m);
    const l = cholesky(jitter === 0 ? kzz : kzz.add(eye(m, jitter)));
    if (jitter > 0 && this.jitterSetting === null) {
      warn(`InducingPointKernel: K_ZZ not p.d., added jitter of ${jitter} to the diagonal`);
    }
    return { l, jitter, theta, z };
  }

  /**
   * {@link InducingPointCovariance.inducingFactor} with R = L⁻¹ K_Zx (M × N, dense: the
   * small-N path) and diag K_xx, recorded.
   *
   * @throws {NotPositiveDefiniteError} when K_ZZ + 1e-6·I is still not positive definite
   */
  factors(): InducingFactors {
    const f = this.inducingFactor();
    const xt = new Tensor(this.x.data, [this.x.n, this.x.d]);
    const r = triangularSolve(f.l, kernelMatrix(this.plan, f.theta, f.z, xt));
    return { ...f, r, kxxDiagonal: kernelDiagonal(this.plan, f.theta, xt) };
  }

  /** Q, N × N row-major (small N only). */
  dense(): Promise<Float64Array> {
    const { r } = this.factors();
    return Promise.resolve(matmul(r, r, { transposeA: true }).data);
  }

  /** diag Q, streamed over the inputs (~2²¹ entries of R at a time). */
  diagonal(): Promise<Float64Array> {
    const n = this.size, m = this.numInducingPoints, d = this.x.d;
    using _ = noGrad();
    const f = this.inducingFactor();
    const prog = { ops: this.plan.ops, theta: f.theta.data };
    const zs = { data: f.z.data, n: m, d };
    using l = core.F64Buffer.from(f.l.data);
    const out = new Float64Array(n);
    forEachWhitenedChunk(prog, zs, this.x, l, whitenedChunkWidth(m, n), (start, xc, rc) => {
      const rv = rc.view(), c = xc.n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < c; j++) out[start + j] += rv[i * c + j] ** 2;
      }
    });
    return Promise.resolve(out);
  }
}

/**
 * The jitter GPyTorch's `psd_safe_cholesky` ends up adding to the M × M matrix `a`: 0 when
 * the plain factorization succeeds, else the first of {@link SGPR_JITTERS} that makes it.
 */
function gpytorchJitter(a: Float64Array, m: number): number {
  const tried: number[] = [];
  for (const jitter of [0, ...SGPR_JITTERS]) {
    tried.push(jitter);
    using buf = core.F64Buffer.from(a);
    if (jitter > 0) {
      const v = buf.view();
      for (let i = 0; i < m; i++) v[i * m + i] += jitter;
    }
    const status = core.cholesky(buf, m);
    if (status === 0) return jitter;
  }
  throw new NotPositiveDefiniteError(`InducingPointKernel: K_ZZ (${m} × ${m})`, -1, tried);
}
