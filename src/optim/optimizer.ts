/**
 * What every optimizer shares: the parameter list, checked once, and `zeroGrad`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";

/** Parameters to optimize, as `model.parameters()` gives them. */
export type ParameterList = Iterable<Parameter>;

/**
 * Re-evaluates the loss for optimizers that need several evaluations per step
 * (LBFGS): clear the gradients, compute the loss, call `backward()`, return the loss.
 */
export type Closure = () => Promise<number | { value: number }>;

/** The base of every optimizer. */
export abstract class Optimizer {
  /** The distinct parameters, in first-seen order (a parameter given twice is stepped once). */
  readonly params: readonly Parameter[];

  constructor(params: ParameterList, name: string) {
    if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
      throw new TypeError(
        `${name}(params): expected parameters such as model.parameters(), got ${params}`,
      );
    }
    const unique: Parameter[] = [];
    const seen = new Set<Parameter>();
    let index = 0;
    for (const p of params) {
      if (!(p instanceof Parameter)) {
        throw new TypeError(
          `${name}(params): params[${index}] is ${p}, not a Parameter; pass model.parameters()`,
        );
      }
      if (!seen.has(p)) {
        seen.add(p);
        unique.push(p);
      }
      index++;
    }
    if (!unique.some((p) => p.requiresGrad)) {
      throw new RangeError(
        `${name}(params): none of the ${unique.length} parameter(s) requires a gradient, so ` +
          `there is nothing to optimize; unfreeze one with parameter.requiresGrad_(true)`,
      );
    }
    this.params = unique;
  }

  /** Clear every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Update the parameters from their gradients (LBFGS: re-evaluating with `closure`). */
  abstract step(closure?: Closure): void | Promise<number>;
}
