/**
 * Element-wise functions of a tensor, each a recorded operation with its derivative:
 * exp, log, log1p, expm1, sqrt, square, softplus, sigmoid, the standard normal's pdf,
 * cdf and log-cdf (stable in the tails), and any constraint's transform.
 *
 * @module
 */

import { record, Tensor } from "./tensor.ts";
import {
  type Constraint,
  sigmoid as sigmoidScalar,
  softplus as softplusScalar,
} from "../constraints.ts";
import { dLogNormalCdf, logNormalCdf as logPhi, normalCdf as phiCdf } from "../special.ts";

type Unary =
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "square"
  | "softplus"
  | "sigmoid"
  | "normalPdf"
  | "normalCdf"
  | "logNormalCdf";

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function check(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(
      `${op}(x): x must be a Tensor, got ${typeof x}; wrap numbers with tensor()`,
    );
  }
  return x;
}

function unary(op: Unary, xIn: Tensor): Tensor {
  const x = check(op, xIn);
  const a = x.data, n = a.length;
  const out = new Float64Array(n);
  switch (op) {
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(a[i]);
      break;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(a[i]);
      break;
    case "log1p":
      for (let i = 0; i < n; i++) out[i] = Math.log1p(a[i]);
      break;
    case "expm1":
      for (let i = 0; i < n; i++) out[i] = Math.expm1(a[i]);
      break;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(a[i]);
      break;
    case "square":
      for (let i = 0; i < n; i++) out[i] = a[i] * a[i];
      break;
    case "softplus":
      for (let i = 0; i < n; i++) out[i] = softplusScalar(a[i]);
      break;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = sigmoidScalar(a[i]);
      break;
    case "normalPdf":
      for (let i = 0; i < n; i++) out[i] = Math.exp(-0.5 * a[i] * a[i]) * INV_SQRT_2PI;
      break;
    case "normalCdf":
      for (let i = 0; i < n; i++) out[i] = phiCdf(a[i]);
      break;
    case "logNormalCdf":
      for (let i = 0; i < n; i++) out[i] = logPhi(a[i]);
      break;
  }
  return record(op, out, x.shape, [x], (g) => {
    const d = new Float64Array(n);
    switch (op) {
      case "exp":
        for (let i = 0; i < n; i++) d[i] = g[i] * out[i];
        break;
      case "log":
        for (let i = 0; i < n; i++) d[i] = g[i] / a[i];
        break;
      case "log1p":
        for (let i = 0; i < n; i++) d[i] = g[i] / (1 + a[i]);
        break;
      case "expm1":
        for (let i = 0; i < n; i++) d[i] = g[i] * (out[i] + 1);
        break;
      case "sqrt":
        for (let i = 0; i < n; i++) d[i] = g[i] * 0.5 / out[i];
        break;
      case "square":
        for (let i = 0; i < n; i++) d[i] = g[i] * 2 * a[i];
        break;
      case "softplus":
        // Consistent with softplus's threshold (the identity past 20).
        for (let i = 0; i < n; i++) d[i] = a[i] > 20 ? g[i] : g[i] * sigmoidScalar(a[i]);
        break;
      case "sigmoid":
        for (let i = 0; i < n; i++) d[i] = g[i] * out[i] * (1 - out[i]);
        break;
      case "normalPdf":
        for (let i = 0; i < n; i++) d[i] = -g[i] * a[i] * out[i];
        break;
      case "normalCdf":
        for (let i = 0; i < n; i++) d[i] = g[i] * Math.exp(-0.5 * a[i] * a[i]) * INV_SQRT_2PI;
        break;
      case "logNormalCdf":
        for (let i = 0; i < n; i++) d[i] = g[i] * dLogNormalCdf(a[i]);
        break;
    }
    return [d];
  });
}

/**
 * eˣ, element-wise.
 *
 * @example
 * ```ts
 * import { exp } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([0, 1], { requiresGrad: true });
 * exp(x).sum().backward();
 * assert.deepStrictEqual(Array.from(x.grad!.data), [1, Math.E]);
 * ```
 */
export function exp(x: Tensor): Tensor {
  return unary("exp", x);
}

/**
 * The natural logarithm, element-wise.
 *
 * @example
 * ```ts
 * import { log } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(log(tensor([Math.E])).item(), 1);
 * ```
 */
export function log(x: Tensor): Tensor {
  return unary("log", x);
}

/**
 * log(1 + x), accurate for small x.
 *
 * @example
 * ```ts
 * import { log1p } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(log1p(tensor([1e-20])).item(), 1e-20);
 * ```
 */
export function log1p(x: Tensor): Tensor {
  return unary("log1p", x);
}

/**
 * eˣ − 1, accurate for small x.
 *
 * @example
 * ```ts
 * import { expm1 } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(expm1(tensor([1e-20])).item(), 1e-20);
 * ```
 */
export function expm1(x: Tensor): Tensor {
  return unary("expm1", x);
}

/**
 * √x, element-wise.
 *
 * @example
 * ```ts
 * import { sqrt } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(sqrt(tensor([9])).item(), 3);
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x);
}

/**
 * x², element-wise.
 *
 * @example
 * ```ts
 * import { square } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(square(tensor([-3])).item(), 9);
 * ```
 */
export function square(x: Tensor): Tensor {
  return unary("square", x);
}

/**
 * log(1 + eˣ), with PyTorch's threshold (the identity past 20), as the Positive
 * constraint uses.
 *
 * @example
 * ```ts
 * import { softplus } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(softplus(tensor([0])).item(), Math.LN2);
 * ```
 */
export function softplus(x: Tensor): Tensor {
  return unary("softplus", x);
}

/**
 * The logistic function 1 / (1 + e⁻ˣ).
 *
 * @example
 * ```ts
 * import { sigmoid } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(sigmoid(tensor([0])).item(), 0.5);
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x);
}

/**
 * The standard normal density φ(x).
 *
 * @example
 * ```ts
 * import { normalPdf } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.ok(Math.abs(normalPdf(tensor([0])).item() - 0.3989422804014327) < 1e-16);
 * ```
 */
export function normalPdf(x: Tensor): Tensor {
  return unary("normalPdf", x);
}

/**
 * The standard normal distribution function Φ(x).
 *
 * @example
 * ```ts
 * import { normalCdf } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.strictEqual(normalCdf(tensor([0])).item(), 0.5);
 * ```
 */
export function normalCdf(x: Tensor): Tensor {
  return unary("normalCdf", x);
}

/**
 * log Φ(x), stable in both tails (log Φ(−40) ≈ −804.608, its derivative ≈ 40.025).
 *
 * @example
 * ```ts
 * import { logNormalCdf } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([-40], { requiresGrad: true });
 * const y = logNormalCdf(x);
 * y.backward();
 * assert.ok(Math.abs(y.item() / -804.6084420137539 - 1) < 1e-12);
 * assert.ok(Math.abs(x.grad!.item() / 40.02498 - 1) < 1e-6);
 * ```
 */
export function logNormalCdf(x: Tensor): Tensor {
  return unary("logNormalCdf", x);
}

/**
 * A constraint's transform (raw → constrained value), element-wise, with the
 * constraint's own derivative: Positive and GreaterThan (b + softplus), LessThan
 * (b − softplus(−x)), Interval (a + (b − a) sigmoid) or any {@link Constraint}.
 *
 * @example
 * ```ts
 * import { constrain } from "./elementwise.ts";
 * import { tensor } from "./tensor.ts";
 * import { Interval } from "../constraints.ts";
 * import assert from "node:assert";
 * const raw = tensor([0], { requiresGrad: true });
 * const v = constrain(raw, new Interval(0, 2));
 * v.backward();
 * assert.strictEqual(v.item(), 1);
 * assert.strictEqual(raw.grad!.item(), 0.5);
 * ```
 */
export function constrain(raw: Tensor, constraint: Constraint | null): Tensor {
  const x = check("constrain", raw);
  if (constraint === null) return x;
  if (typeof constraint?.transform !== "function") {
    throw new TypeError(
      `constrain(raw, constraint): constraint must be a constraint such as new Positive(), ` +
        `got ${constraint}`,
    );
  }
  const a = x.data, n = a.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = constraint.transform(a[i]);
  return record(`constrain(${constraint})`, out, x.shape, [x], (g) => {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = g[i] * constraint.derivative(a[i]);
    return [d];
  });
}
