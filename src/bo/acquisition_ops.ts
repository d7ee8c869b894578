/**
 * Recorded autograd operations the acquisition functions need beyond src/autograd/: LogEI's
 * log h(z) with its derivative as the VJP, and a lower clamp.
 *
 * @module
 */
import { record, type Tensor } from "../autograd/tensor.ts";
import { dLogH, logH } from "../special.ts";

/**
 * log h(z) = log(φ(z) + z·Φ(z)) element-wise (`gp.special.logH`, BoTorch's `_log_ei_helper`),
 * recorded with VJP g·d log h/dz (`gp.special.dLogH`): finite and accurate where h underflows.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const z = gp.autograd.tensor([-40, 0], { requiresGrad: true });
 * const y = gp.bo.logHTensor(z);
 * y.sum().backward();
 * assert.ok(Math.abs(y.data[0] / -808.29856835662 - 1) < 1e-13);
 * assert.ok(Math.abs(z.grad!.data[1] - 0.5 / 0.3989422804014327) < 1e-14);
 * ```
 */
export function logHTensor(z: Tensor): Tensor {
  const out = z.data.map(logH);
  return record("logH", out, z.shape, [z], (g) => [g.map((gi, i) => gi * dLogH(z.data[i]))]);
}

/**
 * max(x, lower) element-wise, recorded (gradient 1 where x > lower, else 0), as torch's
 * `clamp_min`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const x = gp.autograd.tensor([-1, 2], { requiresGrad: true });
 * const y = gp.bo.clampMinTensor(x, 1e-12);
 * y.sum().backward();
 * assert.deepStrictEqual(Array.from(y.data), [1e-12, 2]);
 * assert.deepStrictEqual(Array.from(x.grad!.data), [0, 1]);
 * ```
 */
export function clampMinTensor(x: Tensor, lower: number): Tensor {
  const out = x.data.map((v) => (v > lower ? v : lower));
  return record("clampMin", out, x.shape, [x], (g) => [
    g.map((gi, i) => (x.data[i] > lower ? gi : 0)),
  ]);
}
