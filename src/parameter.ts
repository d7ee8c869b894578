/**
 * A trainable parameter: its raw (unconstrained) values, the constraint that maps
 * them to the values the model uses, and its gradient.
 *
 * @module
 */

import type { Constraint } from "./constraints.ts";
import type { Prior } from "./priors/prior.ts";
import { Tensor } from "./autograd/tensor.ts";
import { constrain } from "./autograd/elementwise.ts";

let versionClock = 0;

/**
 * A parameter of a {@link Module}, as GPyTorch's `raw_*` parameters.
 *
 * The optimizer moves `raw`; the model uses `value = constraint.transform(raw)`.
 * Both are visible, and both can be set. Every change bumps {@link Parameter.version},
 * which is how caches (the posterior's solve against the training data) know they
 * are stale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Parameter } from "./parameter.ts";
 * import { Positive } from "./constraints.ts";
 * const p = new Parameter(0, { constraint: new Positive() });
 * p.value = 1;
 * assert.equal(p.raw, 0.5413248546129181);
 * ```
 */
export class Parameter {
  #raw: Float64Array;
  #version: number;
  /** Maps raw values to constrained values; `null` means value = raw. */
  readonly constraint: Constraint | null;
  /** When false the optimizer leaves this parameter alone and no gradient is computed. */
  requiresGrad: boolean;
  /** d loss / d raw after `backward()`, or `null` (after `zeroGrad()`, or when frozen). */
  grad: Float64Array | null = null;
  #prior: Prior | null = null;

  /**
   * A parameter with raw value(s) `raw`.
   * @param raw the initial raw value(s): one number, or one per element
   * @param options `constraint` (default none) and `requiresGrad` (default true)
   */
  constructor(
    raw: number | ArrayLike<number>,
    options: { constraint?: Constraint | null; requiresGrad?: boolean; prior?: Prior | null } = {},
  ) {
    const values = typeof raw === "number" ? [raw] : Array.from(raw);
    if (values.length === 0) {
      throw new RangeError("Parameter(raw): a parameter needs at least one element");
    }
    for (const [i, v] of values.entries()) {
      if (!Number.isFinite(v)) {
        throw new RangeError(`Parameter(raw): raw[${i}] = ${v} must be finite`);
      }
    }
    this.constraint = options.constraint ?? null;
    const initial = this.constraint?.initialValue ?? null;
    if (initial !== null) values.fill(this.constraint!.inverseTransform(initial));
    this.#raw = Float64Array.from(values);
    this.requiresGrad = options.requiresGrad ?? true;
    if (options.prior != null) this.setPrior(options.prior);
    this.#version = ++versionClock;
  }

  /**
   * The prior on the constrained values (each element), or null. The MLL adds
   * Σ log p(value) / N.
   */
  get prior(): Prior | null {
    return this.#prior;
  }

  /**
   * Attach a prior (or remove it with null). Throws a RangeError when the constraint
   * lets the value leave the prior's support.
   *
   * @param name how to name the parameter in errors
   */
  setPrior(prior: Prior | null, name = "parameter"): void {
    if (prior !== null) {
      if (typeof prior !== "object" || typeof prior.logProb !== "function") {
        throw new TypeError(
          `${name}: expected a prior such as new GammaPrior(3, 6), got ${prior}`,
        );
      }
      prior.checkFits(this.constraint, name);
    }
    this.#prior = prior;
  }

  /** Number of elements (1 for a scalar parameter, d for an ARD lengthscale). */
  get size(): number {
    return this.#raw.length;
  }

  /** Increases on every change of the raw values; never repeats across parameters. */
  get version(): number {
    return this.#version;
  }

  /** A copy of the raw values. */
  get rawValues(): Float64Array {
    return this.#raw.slice();
  }

  /** A copy of the constrained values the model uses. */
  get values(): Float64Array {
    const c = this.constraint;
    return c === null ? this.#raw.slice() : this.#raw.map((r) => c.transform(r));
  }

  /** The raw value of a one-element parameter. */
  get raw(): number {
    return this.#raw[this.#scalarIndex("raw")];
  }

  set raw(v: number) {
    this.#scalarIndex("raw");
    this.setRaw([v]);
  }

  /** The constrained value of a one-element parameter. */
  get value(): number {
    const r = this.#raw[this.#scalarIndex("value")];
    return this.constraint === null ? r : this.constraint.transform(r);
  }

  set value(v: number) {
    this.#scalarIndex("value");
    this.setValues([v]);
  }

  #scalarIndex(what: string): number {
    if (this.#raw.length !== 1) {
      throw new TypeError(
        `Parameter.${what}: this parameter has ${this.#raw.length} elements; ` +
          `use .${what === "raw" ? "rawValues" : "values"} / .set${
            what === "raw" ? "Raw" : "Values"
          }() for more than one`,
      );
    }
    return 0;
  }

  /**
   * Set the raw values (all elements at once). Nothing changes when any is invalid.
   */
  setRaw(raw: ArrayLike<number>, name = "raw"): void {
    this.#checkLength(raw, name);
    for (let i = 0; i < raw.length; i++) {
      if (!Number.isFinite(raw[i])) {
        throw new RangeError(`${name}[${i}] = ${raw[i]}: raw values must be finite`);
      }
    }
    this.#raw.set(raw);
    this.#version = ++versionClock;
  }

  /**
   * The raw values that give these constrained values, without setting them
   * (with `raw: true` the values are raw already and only checked).
   * Throws a RangeError naming `name` when a value is outside the constraint.
   */
  rawFor(
    values: ArrayLike<number>,
    name = "value",
    options: { raw?: boolean } = {},
  ): Float64Array {
    this.#checkLength(values, name);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(`${name}${values.length > 1 ? `[${i}]` : ""} = ${v} must be finite`);
      }
      if (this.constraint === null || options.raw) {
        out[i] = v;
      } else if (!this.constraint.check(v)) {
        throw new RangeError(
          `${name}${values.length > 1 ? `[${i}]` : ""} = ${v} is not allowed: it must be ` +
            `${this.constraint.describe()} (constraint ${this.constraint})`,
        );
      } else {
        out[i] = this.constraint.inverseTransform(v);
      }
    }
    return out;
  }

  /** Set the constrained values (all elements at once). Nothing changes when any is invalid. */
  setValues(values: ArrayLike<number>, name = "value"): void {
    this.setRaw(this.rawFor(values, name), name);
  }

  /** d value / d raw for each element, for the chain rule. */
  valueDerivative(): Float64Array {
    const c = this.constraint;
    return c === null
      ? new Float64Array(this.#raw.length).fill(1)
      : this.#raw.map((r) => c.derivative(r));
  }

  /** Freeze or unfreeze, as PyTorch's `requires_grad_`. Returns this parameter. */
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    if (!flag) this.grad = null;
    return this;
  }

  /**
   * The raw values as an autograd leaf (shape `[size]`, a copy): operations on it are
   * recorded, and `backward()` adds its gradient to this parameter's {@link Parameter.grad}
   * (as PyTorch's parameters are leaves). A frozen parameter gives a tensor that requires
   * no gradient.
   *
   * @example
   * ```ts
   * import { Parameter } from "./parameter.ts";
   * import assert from "node:assert";
   * const p = new Parameter([1, 2]);
   * p.rawTensor().mul(p.rawTensor()).sum().backward(); // Σ raw²
   * assert.deepStrictEqual(Array.from(p.grad!), [2, 4]);
   * ```
   */
  rawTensor(): Tensor {
    return new Tensor(this.#raw.slice(), [this.#raw.length], {
      requiresGrad: this.requiresGrad,
      gradSink: this,
    });
  }

  /**
   * The constrained values as a tensor: {@link Parameter.rawTensor} through the
   * constraint's transform, a recorded operation, so gradients reach the raw values.
   *
   * @example
   * ```ts
   * import { Parameter } from "./parameter.ts";
   * import { Positive } from "./constraints.ts";
   * import assert from "node:assert";
   * const p = new Parameter(0, { constraint: new Positive() });
   * const v = p.valueTensor();
   * v.backward();
   * assert.strictEqual(v.item(), Math.LN2); // softplus(0)
   * assert.strictEqual(p.grad![0], 0.5); // sigmoid(0)
   * ```
   */
  valueTensor(): Tensor {
    return constrain(this.rawTensor(), this.constraint);
  }

  /** Add `g` (d loss / d raw) to the gradient, as autograd accumulates. */
  accumulateGrad(g: ArrayLike<number>): void {
    this.#checkLength(g, "grad");
    if (this.grad === null) this.grad = new Float64Array(this.#raw.length);
    for (let i = 0; i < g.length; i++) this.grad[i] += g[i];
  }

  #checkLength(values: ArrayLike<number>, name: string): void {
    if (values === null || typeof values !== "object" || values.length !== this.#raw.length) {
      throw new TypeError(
        `${name}: expected ${this.#raw.length} value(s), got ${
          values === null || typeof values !== "object" ? String(values) : values.length
        }`,
      );
    }
  }

  /** A short description, e.g. `Parameter(raw=[0.5413], value=[1])`. */
  toString(): string {
    const f = (a: Float64Array) => `[${Array.from(a, (v) => Number(v.toPrecision(6))).join(", ")}]`;
    return `Parameter(raw=${f(this.#raw)}, value=${f(this.values)}${
      this.requiresGrad ? "" : ", frozen"
    })`;
  }
}
