/**
 * q(u) in natural parameters, as GPyTorch's `NaturalVariationalDistribution`, for
 * natural-gradient descent ({@link NGD}).
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import { record, Tensor } from "../autograd/tensor.ts";
import { matmul } from "../autograd/matrix.ts";
import { cholesky, triangularSolve } from "../autograd/linalg.ts";
import type { Generator } from "../random.ts";
import { noGrad } from "../settings.ts";
import { VariationalDistribution, type VariationalMoments } from "./variational_distribution.ts";
import { eye } from "../autograd/variational_primitives.ts";

/** Elements [start, start + length) of a flat tensor, recorded. */
function part(x: Tensor, start: number, length: number, shape: number[]): Tensor {
  return record("slice", x.data.slice(start, start + length), shape, [x], (g) => {
    const out = new Float64Array(x.size);
    out.set(g, start);
    return [out];
  });
}

/**
 * q(u) = N(m, S) stored as its natural parameters θ₁ = S⁻¹m (`naturalVec`) and
 * θ₂ = −½S⁻¹ (`naturalMat`, M × M), initially 0 and −½I. Its moments are a recorded
 * operation whose backward gives, as the parameters' gradients, the derivatives with
 * respect to the expectation parameters η₁ = m, η₂ = S + m mᵀ (GPyTorch's
 * `_NaturalToMuVarSqrt`): for an exponential family those are the natural gradients,
 * so {@link NGD} is a plain step on them. Train it with NGD only: a step of another
 * optimizer can make −2θ₂ indefinite.
 *
 * @example
 * ```ts
 * import { NaturalVariationalDistribution } from "./natural_variational_distribution.ts";
 * import assert from "node:assert";
 * const q = new NaturalVariationalDistribution(2);
 * q.naturalVec.setRaw([1, 2]); // S = I, so m = θ₁
 * const { mean, root } = q.moments();
 * assert.deepStrictEqual(Array.from(mean.data), [1, 2]);
 * assert.deepStrictEqual(Array.from(root.data), [1, 0, 0, 1]);
 * ```
 */
export class NaturalVariationalDistribution extends VariationalDistribution {
  /** θ₁ = S⁻¹m (GPyTorch's `natural_vec`). */
  readonly naturalVec: Parameter;
  /** θ₂ = −½S⁻¹, M × M row-major (GPyTorch's `natural_mat`). */
  readonly naturalMat: Parameter;

  /**
   * @param numInducingPoints M
   * @param options `meanInitStd`: the lazy initial draw's standard deviation (1e-3)
   * @throws {RangeError} when M is not a positive integer
   */
  constructor(numInducingPoints: number, options: { meanInitStd?: number } = {}) {
    super(numInducingPoints, "NaturalVariationalDistribution", options);
    this.naturalVec = new Parameter(new Float64Array(this.numInducingPoints));
    this.naturalMat = new Parameter(eye(this.numInducingPoints, -0.5).data);
  }

  /** θ₁ = 0 + meanInitStd · randn, θ₂ = −½I (GPyTorch's initialisation from N(0, I)). */
  initializeFromWhitenedPrior(generator: Generator): void {
    const noise = this.drawNoise(generator);
    this.naturalMat.setRaw(eye(this.numInducingPoints, -0.5).data);
    this.naturalVec.setRaw(noise);
  }

  /**
   * θ₁ = K⁻¹μ + meanInitStd · randn, θ₂ = −½K⁻¹ for the prior N(μ, K) (GPyTorch's
   * initialisation, which inverts K by LU; here K⁻¹ = L⁻ᵀL⁻¹ from its Cholesky factor).
   */
  initializeFromPrior(mean: Float64Array, covariance: Float64Array, generator: Generator): void {
    const m = this.numInducingPoints;
    let precision: Float64Array, vec: Float64Array;
    {
      using _ = noGrad();
      const lInv = triangularSolve(cholesky(new Tensor(covariance, [m, m])), eye(m));
      const p = matmul(lInv, lInv, { transposeA: true });
      precision = p.data;
      vec = matmul(p, new Tensor(mean, [m])).data;
    }
    const noise = this.drawNoise(generator);
    for (let i = 0; i < m; i++) vec[i] += noise[i];
    this.naturalMat.setRaw(precision.map((v) => -0.5 * v));
    this.naturalVec.setRaw(vec);
  }

  moments(): VariationalMoments {
    const m = this.numInducingPoints;
    const vec = this.naturalVec.rawTensor(), mat = this.naturalMat.rawTensor();
    let mu: Float64Array, s: Float64Array, l: Float64Array;
    {
      using _ = noGrad();
      const p = new Tensor(mat.data.map((v) => -2 * v), [m, m]);
      const lp = cholesky(p); // of ½(P + Pᵀ)
      const lInv = triangularSolve(lp, eye(m)); // L_P⁻¹
      const sT = matmul(lInv, lInv, { transposeA: true }); // S = L_P⁻ᵀ L_P⁻¹
      s = sT.data;
      mu = matmul(sT, new Tensor(vec.data, [m])).data;
      l = cholesky(sT).data;
    }
    const packed = new Float64Array(m + m * m);
    packed.set(mu);
    packed.set(l, m);
    const out = record("naturalToMeanAndRoot", packed, [m + m * m], [vec, mat], (g) => {
      // dL/dS from dL/d(root) by the Cholesky VJP (symmetric), on a fresh leaf.
      const sLeaf = new Tensor(s.slice(), [m, m], { requiresGrad: true });
      cholesky(sLeaf).backward(g.slice(m));
      const gS = sLeaf.grad!.data;
      const g1 = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let acc = 0;
        for (let j = 0; j < m; j++) acc += gS[i * m + j] * mu[j];
        g1[i] = g[i] - 2 * acc;
      }
      return [g1, gS.slice()];
    });
    return { mean: part(out, 0, m, [m]), root: part(out, m, m * m, [m, m]) };
  }
}
