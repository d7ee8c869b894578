/**
 * Recorded versions of log Γ and |x| for the Student-t and Laplace likelihoods (the scalar
 * log Γ and ψ are src/special.ts's).
 *
 * @module
 */

import { digamma, logGamma } from "../special.ts";
import { record, type Tensor } from "./tensor.ts";

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
