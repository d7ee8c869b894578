/**
 * The shared part of BoTorch's analytic acquisitions: the posterior mean and standard
 * deviation at b candidate points of one point each (q = 1).
 *
 * @module
 */
import { sqrt } from "../autograd/elementwise.ts";
import { Tensor } from "../autograd/tensor.ts";
import { ExactGP } from "../models/exact_gp.ts";
import type { AcquisitionFunction } from "./acquisition_function.ts";
import { clampMinTensor } from "./acquisition_ops.ts";
import { Posterior } from "./posterior.ts";
import { SingleTaskGP } from "./single_task_gp.ts";

/** Options every analytic acquisition takes. */
export interface AnalyticAcquisitionOptions {
  /** Maximise the objective (default true, as BoTorch); false: the model's minimum is sought. */
  maximize?: boolean;
}

/** Checks a finite number option, naming it. */
export function finiteOption(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RangeError(
      `${where}: ${name} = ${String(v)} must be a finite number (e.g. the best observed value)`,
    );
  }
  return v;
}

/**
 * Base of the analytic acquisitions (BoTorch's `AnalyticAcquisitionFunction`): holds the model
 * and `maximize`, and gives the posterior mean and σ (variance clamped at 1e-12, as BoTorch) at
 * `x` of shape `b × 1 × d` or `b × d`, in the model's original units. The model is a
 * {@link SingleTaskGP} (its transforms undone) or any ExactGP with training data.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.2], [0.8]], [1, 2], { bounds: [[0], [1]] });
 * const acq = new gp.bo.PosteriorMean(model);
 * assert.ok(acq instanceof gp.bo.AnalyticAcquisitionFunction);
 * assert.strictEqual(acq.dim, 1);
 * await assert.rejects(acq.forward(gp.autograd.tensor([[[0.1], [0.2]]])), RangeError); // q = 2
 * ```
 */
export abstract class AnalyticAcquisitionFunction implements AcquisitionFunction {
  /** The model. */
  readonly model: SingleTaskGP | ExactGP;
  /** Whether larger objective values are better. */
  readonly maximize: boolean;
  /** The input dimension. */
  readonly dim: number;

  /**
   * @throws {TypeError} when the model is not an ExactGP, or has no training data
   */
  constructor(model: SingleTaskGP | ExactGP, options: AnalyticAcquisitionOptions = {}) {
    const name = new.target.name;
    if (!(model instanceof ExactGP)) {
      throw new TypeError(
        `${name}(model): expected a SingleTaskGP or another ExactGP, got ${String(model)}`,
      );
    }
    const x = model.trainInputs;
    if (x === null || x.n === 0) {
      throw new TypeError(
        `${name}(model): the model has no training data; evaluate an initial design ` +
          `(e.g. Sobol points) and build the model from it before acquiring`,
      );
    }
    if (options.maximize !== undefined && typeof options.maximize !== "boolean") {
      throw new TypeError(`${name}({ maximize }): expected a boolean, got ${options.maximize}`);
    }
    this.model = model;
    this.maximize = options.maximize ?? true;
    this.dim = model instanceof SingleTaskGP ? model.dim : x.d;
  }

  /** The values at `x` (`b × 1 × d` or `b × d`), shape [b]. */
  abstract forward(x: Tensor): Promise<Tensor>;

  /** x as a `b × d` tensor, checked (q = 1). */
  protected points(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!(x instanceof Tensor)) {
      throw new TypeError(`${name}.forward(x): expected a Tensor of shape [b, 1, d] or [b, d]`);
    }
    const d = this.dim;
    if (x.ndim === 3 && x.shape[1] !== 1) {
      throw new RangeError(
        `${name}.forward(x): x has shape [${x.shape.join(", ")}], q = ${x.shape[1]}; analytic ` +
          `acquisitions take one point per batch (q = 1): use a Monte-Carlo (q-) acquisition ` +
          `for q > 1, or optimizeAcqf's sequential option`,
      );
    }
    if (!((x.ndim === 3 || x.ndim === 2) && x.shape[x.ndim - 1] === d && x.shape[0] > 0)) {
      throw new TypeError(
        `${name}.forward(x): x has shape [${x.shape.join(", ")}]; expected [b, 1, ${d}] or ` +
          `[b, ${d}] (b ≥ 1 candidates of ${d} dimension(s))`,
      );
    }
    return x.ndim === 3 ? x.reshape([x.shape[0], d]) : x;
  }

  /** The posterior mean and σ at `x`, each shape [b], recorded. */
  protected async meanAndSigma(x: Tensor): Promise<{ mean: Tensor; sigma: Tensor }> {
    const pts = this.points(x);
    const post = this.model instanceof SingleTaskGP
      ? this.model.predict(pts)
      : new Posterior(this.model.posterior(pts));
    const mean = await post.meanTensor();
    const sigma = sqrt(clampMinTensor(await post.varianceTensor(), 1e-12));
    return { mean, sigma };
  }
}
