/**
 * The contract every acquisition function meets (BoTorch's `AcquisitionFunction`), so that
 * analytic and Monte-Carlo acquisitions plug into the same `optimizeAcqf`.
 *
 * @module
 */
import type { Tensor } from "../autograd/tensor.ts";

/**
 * An acquisition function: a differentiable map from candidate points to one value per batch
 * element, larger is better (BoTorch's convention; `maximize: false` options flip the model's
 * sign inside the acquisition, never the returned value's meaning).
 *
 * `forward(x)` takes `x` of shape `b × q × d` (b batches of q joint points in d dimensions)
 * or `b × d` (read as `b × 1 × d`), in the model's original input units, and returns a
 * tensor of shape `[b]` recorded on the autograd tape, so `value.sum().backward()` gives
 * ∂value/∂x for every batch element at once. Analytic acquisitions accept only q = 1 and
 * throw a `RangeError` for q > 1. `dim` is the input dimension d the acquisition expects.
 *
 * An acquisition that accounts for pending points (BoTorch's `X_pending`: chosen but not yet
 * evaluated, as Monte-Carlo acquisitions do by appending them to every q-batch) implements
 * `setXPending(x)` with `x` a `p × d` tensor, or null to clear; `optimizeAcqf`'s sequential
 * greedy mode (q > 1, `sequential: true`) needs it and restores the original pending points
 * when it is done.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * // An acquisition written by hand: −‖x − 0.3‖², maximised at x = 0.3.
 * const acq: gp.bo.AcquisitionFunction = {
 *   dim: 1,
 *   forward(x) {
 *     const r = x.sub(0.3);
 *     return Promise.resolve(r.mul(r).reshape([x.shape[0], -1]).sum(1).neg());
 *   },
 * };
 * const x = gp.autograd.tensor([[0.3], [0.5]]);
 * const v = await acq.forward(x);
 * assert.deepStrictEqual(v.shape, [2]);
 * assert.ok(Math.abs(v.data[1] + 0.04) < 1e-12);
 * ```
 */
export interface AcquisitionFunction {
  /** The input dimension d the acquisition expects. */
  readonly dim: number;
  /** Values at `x` (`b × q × d` or `b × d`), shape `[b]`, differentiable in `x`. */
  forward(x: Tensor): Promise<Tensor>;
  /** The pending points (`p × d`), if the acquisition supports them. */
  readonly xPending?: Tensor | null;
  /** Sets (or with null clears) the pending points, if the acquisition supports them. */
  setXPending?(xPending: Tensor | null): void;
}
