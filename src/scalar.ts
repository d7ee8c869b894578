/**
 * A number together with its gradient with respect to the parameters that
 * produced it: what an MLL returns, so that `loss.backward()` reads as in PyTorch.
 * It is a scalar autograd {@link Tensor}: one fused operation whose inputs are the
 * parameters' raw values, so it composes with every recorded operation.
 *
 * @module
 */

import type { Parameter } from "./parameter.ts";
import { record, Tensor, type TensorLike } from "./autograd/tensor.ts";

/**
 * A scalar result with gradients with respect to raw parameter values: a one-element
 * {@link Tensor} (shape `[]`) whose record is one fused operation.
 *
 * @example
 * ```ts
 * import { Scalar } from "./scalar.ts";
 * import { Parameter } from "./parameter.ts";
 * import assert from "node:assert";
 * const p = new Parameter(0);
 * const s = new Scalar(2, new Map([[p, new Float64Array([3])]]));
 * s.neg().backward(undefined, { retainGraph: true }); // keep the record for a second pass
 * assert.deepStrictEqual(Array.from(p.grad!), [-3]);
 * // It composes: (s + p²) reaches p through both terms.
 * p.grad = null;
 * s.add(p.rawTensor().mul(p.rawTensor()).sum()).backward();
 * assert.deepStrictEqual(Array.from(p.grad!), [3]);
 * ```
 */
export class Scalar extends Tensor {
  /** d value / d raw values, for every parameter it depends on. */
  readonly gradient: ReadonlyMap<Parameter, Float64Array>;
  /**
   * When the gradient is a stochastic estimate (e.g. an MLL with
   * `{ gradient: "stochastic" }`): the variance of each entry's estimate; null when
   * the gradient is exact.
   */
  readonly gradientVariance: ReadonlyMap<Parameter, Float64Array> | null;

  /**
   * A scalar whose record is one fused operation with the given gradient.
   *
   * @param value the number
   * @param gradient d value / d raw values per parameter (the fused operation's VJP)
   * @param gradientVariance the variance of each gradient entry, for estimates
   * @param from internal: the recorded tensor this one is c · from
   */
  constructor(
    value: number,
    gradient: ReadonlyMap<Parameter, Float64Array>,
    gradientVariance: ReadonlyMap<Parameter, Float64Array> | null = null,
    from: { tensor: Tensor; c: number } | null = null,
  ) {
    super(new Float64Array([value]), []);
    this.gradient = gradient;
    this.gradientVariance = gradientVariance;
    let made: Tensor;
    if (from !== null) {
      const c = from.c;
      made = record("mul", this.data, [], [from.tensor], (g) => [new Float64Array([g[0] * c])]);
    } else {
      const params = [...gradient.keys()].filter((p) => p.requiresGrad);
      const leaves = params.map((p) => p.rawTensor());
      made = record("fused scalar", this.data, [], leaves, (g) =>
        params.map((p) => {
          const d = gradient.get(p)!;
          const out = new Float64Array(d.length);
          for (let i = 0; i < d.length; i++) out[i] = g[0] * d[i];
          return out;
        }));
    }
    this.attachGradFn(made.gradFn);
  }

  /** −value, with negated gradients (`loss = mll.neg()`). */
  override neg(): Scalar {
    return this.mul(-1);
  }

  /** c · value, with scaled gradients (and variances by c²). */
  override mul(c: number): Scalar;
  /** this · c for a tensor c: a plain recorded product. */
  override mul(c: TensorLike): Tensor;
  override mul(c: TensorLike): Tensor | Scalar {
    if (typeof c !== "number") return super.mul(c);
    const g = new Map<Parameter, Float64Array>();
    for (const [p, v] of this.gradient) g.set(p, v.map((x) => c * x));
    let variance: Map<Parameter, Float64Array> | null = null;
    if (this.gradientVariance !== null) {
      variance = new Map();
      for (const [p, v] of this.gradientVariance) variance.set(p, v.map((x) => c * c * x));
    }
    return new Scalar(c * this.value, g, variance, { tensor: this, c });
  }

  /** The value as text. */
  override toString(): string {
    return String(this.value);
  }
}
