/**
 * Small recorded primitives the variational code needs beyond src/autograd/: a clamp from
 * below (GPyTorch's minimum variance), the identity matrix as a constant, and the
 * Gauss–Hermite expectation E[g(f)], f ~ N(μ, σ²), of a recorded function g, all on the
 * public {@link record} / {@link Tensor} API.
 *
 * @module
 */

import { record, Tensor } from "./tensor.ts";
import { sqrt } from "./elementwise.ts";

/**
 * max(x, min) element-wise; the gradient passes where x ≥ min and is zero below (as
 * PyTorch's `clamp_min`).
 *
 * @example
 * ```ts
 * import { clampMin } from "./variational_primitives.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([-1, 2], { requiresGrad: true });
 * const y = clampMin(x, 0);
 * y.sum().backward();
 * assert.deepStrictEqual(Array.from(y.data), [0, 2]);
 * assert.deepStrictEqual(Array.from(x.grad!.data), [0, 1]);
 * ```
 */
export function clampMin(x: Tensor, min: number): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`clampMin(x, min): x must be a Tensor, got ${typeof x}`);
  }
  const n = x.size, a = x.data;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] < min ? min : a[i];
  return record("clampMin", out, x.shape, [x], (g) => {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = a[i] >= min ? g[i] : 0;
    return [d];
  });
}

/**
 * The n × n identity matrix times `scale` (a constant tensor).
 *
 * @example
 * ```ts
 * import { eye } from "./variational_primitives.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(eye(2, 3).data), [3, 0, 0, 3]);
 * ```
 */
export function eye(n: number, scale = 1): Tensor {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = scale;
  return new Tensor(out, [n, n]);
}

/**
 * The lower-triangle mask of an n × n matrix (ones on and below the diagonal), a constant.
 *
 * @example
 * ```ts
 * import { lowerMask } from "./variational_primitives.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(lowerMask(2).data), [1, 0, 1, 1]);
 * ```
 */
export function lowerMask(n: number): Tensor {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * n + j] = 1;
  return new Tensor(out, [n, n]);
}

/**
 * E[g(f)] for fᵢ ~ N(meanᵢ, varianceᵢ) by Gauss–Hermite quadrature, as GPyTorch's
 * `GaussHermiteQuadrature1D.forward`: fₖᵢ = √(2 varianceᵢ)·tₖ + meanᵢ, then
 * Σₖ (1/√π)·(g(f)ₖᵢ·wₖ). `g` maps a [K, n] tensor of locations to a [K, n] tensor and is
 * recorded, so the result is differentiable in the mean, the variance and whatever `g`
 * reads.
 *
 * @example
 * ```ts
 * import { gaussHermiteExpectation } from "./variational_primitives.ts";
 * import { GaussHermiteQuadrature1D } from "../gauss_hermite_quadrature_1d.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const q = new GaussHermiteQuadrature1D();
 * const mean = tensor([1], { requiresGrad: true }), variance = tensor([2]);
 * const e = gaussHermiteExpectation(q.locations, q.weights, (f) => f.mul(f), mean, variance);
 * assert.ok(Math.abs(e.item() - 3) < 1e-12); // E[f²] = μ² + σ²
 * e.backward();
 * assert.ok(Math.abs(mean.grad!.item() - 2) < 1e-12);
 * ```
 */
export function gaussHermiteExpectation(
  locations: Float64Array,
  weights: Float64Array,
  g: (f: Tensor) => Tensor,
  mean: Tensor,
  variance: Tensor,
): Tensor {
  const k = locations.length;
  const n = mean.size;
  if (variance.size !== n) {
    throw new TypeError(
      `gaussHermiteExpectation: mean has ${n} values but variance has ${variance.size}; ` +
        `give one variance per mean`,
    );
  }
  const t = new Tensor(Float64Array.from(locations), [k, 1]);
  const scale = sqrt(variance.reshape([1, n]).mul(2));
  const f = scale.mul(t).add(mean.reshape([1, n]));
  const values = g(f);
  const w = new Tensor(Float64Array.from(weights), [k, 1]);
  return values.mul(w).mul(1 / Math.sqrt(Math.PI)).sum(0);
}
