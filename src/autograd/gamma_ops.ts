/**
 * log Γ and its derivative ψ (digamma) in float64, and recorded versions of log Γ and |x|
 * for the Student-t and Laplace likelihoods.
 *
 * @module
 */

import { record, type Tensor } from "./tensor.ts";

// Lanczos approximation (g = 7, n = 9), relative error ≲ 1e-15 for x > 0.
const G = 7;
const C = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log Γ(x) for x > 0 (NaN otherwise; x < 0.5 by the reflection formula).
 *
 * @example
 * ```ts
 * import { logGamma } from "./gamma_ops.ts";
 * import assert from "node:assert";
 * assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-15);
 * assert.ok(Math.abs(logGamma(10) - Math.log(362880)) < 1e-13);
 * ```
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  if (x > 1e15) return x * (Math.log(x) - 1) - 0.5 * Math.log(x) + HALF_LOG_2PI;
  const z = x - 1;
  let a = C[0];
  const t = z + G + 0.5;
  for (let i = 1; i < G + 2; i++) a += C[i] / (z + i);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ψ(x) = d log Γ(x)/dx for x > 0: the recurrence up to x ≥ 12, then the asymptotic series.
 *
 * @example
 * ```ts
 * import { digamma } from "./gamma_ops.ts";
 * import assert from "node:assert";
 * assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-14);
 * ```
 */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let r = 0;
  while (x < 12) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const t = f *
    (-1 / 12 + f * (1 / 120 + f * (-1 / 252 + f * (1 / 240 + f * (-1 / 132 + f * (691 / 32760))))));
  return r + Math.log(x) - 0.5 / x + t;
}

/**
 * log Γ(x) element-wise, recorded (derivative ψ(x)).
 *
 * @example
 * ```ts
 * import { lgamma } from "./gamma_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([1], { requiresGrad: true });
 * lgamma(x).backward();
 * assert.ok(Math.abs(x.grad!.item() + 0.5772156649015329) < 1e-14);
 * ```
 */
export function lgamma(x: Tensor): Tensor {
  const a = x.data;
  return record(
    "lgamma",
    a.map(logGamma),
    x.shape,
    [x],
    (g) => [g.map((v, i) => v * digamma(a[i]))],
  );
}

/**
 * |x| element-wise, recorded (derivative sign(x), 0 at 0, as PyTorch's).
 *
 * @example
 * ```ts
 * import { abs } from "./gamma_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([-2, 3], { requiresGrad: true });
 * abs(x).sum().backward();
 * assert.deepStrictEqual(Array.from(x.grad!.data), [-1, 1]);
 * ```
 */
export function abs(x: Tensor): Tensor {
  const a = x.data;
  return record(
    "abs",
    a.map(Math.abs),
    x.shape,
    [x],
    (g) => [g.map((v, i) => v * Math.sign(a[i]))],
  );
}
