/**
 * Constraints map a parameter's unconstrained raw value to its constrained value,
 * as GPyTorch's: the optimizer moves the raw value, the model uses the constrained
 * one. Every transform is smooth and strictly increasing, so gradients chain through
 * it and `initialize` can invert it.
 *
 * @module
 */

/** log(1 + exp(x)) without overflow or loss of precision. */
export function softplus(x: number): number {
  // PyTorch's threshold: past 20 the correction log1p(exp(−x)) < 2e-9 is dropped, and
  // matching it keeps raw values interchangeable with GPyTorch's.
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** The inverse of softplus: log(exp(y) − 1), for y > 0. */
export function inverseSoftplus(y: number): number {
  // GPyTorch: x + log(-expm1(-x)), which keeps precision for large and small y.
  return y + Math.log(-Math.expm1(-y));
}

/** d softplus / dx, consistent with {@link softplus}'s threshold. */
export function softplusDerivative(x: number): number {
  return x > 20 ? 1 : sigmoid(x);
}

/** The logistic function 1 / (1 + exp(−x)). */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** What every constraint provides. */
export interface Constraint {
  /** The constrained value for a raw value. */
  transform(raw: number): number;
  /** The raw value that gives `value`; throws a RangeError for a value outside the support. */
  inverseTransform(value: number): number;
  /** d value / d raw at `raw`, for the chain rule. */
  derivative(raw: number): number;
  /** True when `value` is inside the support (open bounds). */
  check(value: number): boolean;
  /** A sentence describing the support, e.g. "greater than 1.0000e-4". */
  describe(): string;
  /** The text GPyTorch prints for this constraint in a module tree. */
  toString(): string;
  /**
   * The constrained value a parameter under this constraint starts at (GPyTorch's
   * `initial_value`), or null for the parameter's own default.
   */
  readonly initialValue: number | null;
}

/** Options every constraint takes. */
export interface ConstraintOptions {
  /** The constrained value a parameter under this constraint starts at. */
  initialValue?: number;
}

function checkInitial(c: Constraint, options: ConstraintOptions): number | null {
  const v = options.initialValue;
  if (v === undefined) return null;
  if (typeof v !== "number" || !c.check(v)) {
    throw new RangeError(
      `${c}({ initialValue }): initialValue = ${v} must be ${c.describe()}`,
    );
  }
  return v;
}

function fmt(v: number): string {
  return v.toExponential(3).replace(/e([+-])(\d)$/, "e$10$2").toUpperCase();
}

/**
 * value = lowerBound + softplus(raw): strictly greater than `lowerBound`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GreaterThan } from "./constraints.ts";
 * const c = new GreaterThan(1e-4);
 * assert.ok(Math.abs(c.transform(c.inverseTransform(0.01)) - 0.01) < 1e-15);
 * ```
 */
export class GreaterThan implements Constraint {
  /** The open lower bound. */
  readonly lowerBound: number;
  readonly initialValue: number | null;

  /** value > `lowerBound`. */
  constructor(lowerBound: number, options: ConstraintOptions = {}) {
    if (!Number.isFinite(lowerBound)) {
      throw new RangeError(
        `GreaterThan(lowerBound): lowerBound = ${lowerBound} must be a finite number`,
      );
    }
    this.lowerBound = lowerBound;
    this.initialValue = checkInitial(this, options);
  }

  transform(raw: number): number {
    return this.lowerBound + softplus(raw);
  }

  inverseTransform(value: number): number {
    if (!this.check(value)) {
      throw new RangeError(
        `value ${value} is outside the constraint: it must be ${this.describe()}`,
      );
    }
    return inverseSoftplus(value - this.lowerBound);
  }

  derivative(raw: number): number {
    return softplusDerivative(raw);
  }

  check(value: number): boolean {
    return Number.isFinite(value) && value > this.lowerBound;
  }

  describe(): string {
    return `greater than ${this.lowerBound}`;
  }

  toString(): string {
    return `GreaterThan(${fmt(this.lowerBound)})`;
  }
}

/**
 * value = softplus(raw): strictly positive. GPyTorch's default for lengthscales,
 * outputscales and periods.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Positive } from "./constraints.ts";
 * assert.equal(new Positive().inverseTransform(1), 0.5413248546129181);
 * ```
 */
export class Positive extends GreaterThan {
  /** value > 0. */
  constructor(options: ConstraintOptions = {}) {
    super(0, options);
  }

  /** The constraint in words. */
  override describe(): string {
    return "positive";
  }

  /** GPyTorch-style text. */
  override toString(): string {
    return "Positive()";
  }
}

/**
 * value = upperBound − softplus(−raw): strictly less than `upperBound`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LessThan } from "./constraints.ts";
 * assert.ok(new LessThan(1).transform(0) < 1);
 * ```
 */
export class LessThan implements Constraint {
  /** The open upper bound. */
  readonly upperBound: number;
  readonly initialValue: number | null;

  /** value < `upperBound`. */
  constructor(upperBound: number, options: ConstraintOptions = {}) {
    if (!Number.isFinite(upperBound)) {
      throw new RangeError(`LessThan(upperBound): upperBound = ${upperBound} must be finite`);
    }
    this.upperBound = upperBound;
    this.initialValue = checkInitial(this, options);
  }

  transform(raw: number): number {
    return this.upperBound - softplus(-raw);
  }

  inverseTransform(value: number): number {
    if (!this.check(value)) {
      throw new RangeError(
        `value ${value} is outside the constraint: it must be ${this.describe()}`,
      );
    }
    return -inverseSoftplus(this.upperBound - value);
  }

  derivative(raw: number): number {
    return softplusDerivative(-raw);
  }

  check(value: number): boolean {
    return Number.isFinite(value) && value < this.upperBound;
  }

  describe(): string {
    return `less than ${this.upperBound}`;
  }

  toString(): string {
    return `LessThan(${fmt(this.upperBound)})`;
  }
}

/**
 * value = lowerBound + (upperBound − lowerBound) · sigmoid(raw): strictly inside
 * (lowerBound, upperBound).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Interval } from "./constraints.ts";
 * assert.equal(new Interval(0, 2).transform(0), 1);
 * ```
 */
export class Interval implements Constraint {
  /** The open lower bound. */
  readonly lowerBound: number;
  /** The open upper bound. */
  readonly upperBound: number;
  readonly initialValue: number | null;

  /** `lowerBound` < value < `upperBound`. */
  constructor(lowerBound: number, upperBound: number, options: ConstraintOptions = {}) {
    if (!Number.isFinite(lowerBound) || !Number.isFinite(upperBound)) {
      throw new RangeError(
        `Interval(lowerBound, upperBound): bounds ${lowerBound}, ${upperBound} must be finite; ` +
          `use GreaterThan or LessThan for a one-sided bound`,
      );
    }
    if (!(lowerBound < upperBound)) {
      throw new RangeError(
        `Interval(lowerBound, upperBound): lowerBound = ${lowerBound} must be below ` +
          `upperBound = ${upperBound}`,
      );
    }
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
    this.initialValue = checkInitial(this, options);
  }

  transform(raw: number): number {
    return this.lowerBound + (this.upperBound - this.lowerBound) * sigmoid(raw);
  }

  inverseTransform(value: number): number {
    if (!this.check(value)) {
      throw new RangeError(
        `value ${value} is outside the constraint: it must be ${this.describe()}`,
      );
    }
    const p = (value - this.lowerBound) / (this.upperBound - this.lowerBound);
    return Math.log(p) - Math.log1p(-p);
  }

  derivative(raw: number): number {
    const s = sigmoid(raw);
    return (this.upperBound - this.lowerBound) * s * (1 - s);
  }

  check(value: number): boolean {
    return Number.isFinite(value) && value > this.lowerBound && value < this.upperBound;
  }

  describe(): string {
    return `between ${this.lowerBound} and ${this.upperBound}`;
  }

  toString(): string {
    return `Interval(${fmt(this.lowerBound)}, ${fmt(this.upperBound)})`;
  }
}

/** A constraint as JSON (state dicts): its class and bounds. */
export interface ConstraintState {
  /** "Positive", "GreaterThan", "LessThan" or "Interval". */
  type: string;
  /** The lower bound (GreaterThan, Interval). */
  lowerBound?: number;
  /** The upper bound (LessThan, Interval). */
  upperBound?: number;
}

/**
 * The JSON form of a constraint (null for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constraintToJSON, Interval } from "./constraints.ts";
 * assert.deepEqual(constraintToJSON(new Interval(0, 2)), { type: "Interval", lowerBound: 0, upperBound: 2 });
 * ```
 */
export function constraintToJSON(c: Constraint | null): ConstraintState | null {
  if (c === null) return null;
  if (c instanceof Positive) return { type: "Positive" };
  if (c instanceof GreaterThan) return { type: "GreaterThan", lowerBound: c.lowerBound };
  if (c instanceof LessThan) return { type: "LessThan", upperBound: c.upperBound };
  if (c instanceof Interval) {
    return { type: "Interval", lowerBound: c.lowerBound, upperBound: c.upperBound };
  }
  return { type: c.constructor.name };
}
