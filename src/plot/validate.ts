/**
 * Input checks shared by the plotting functions: every series must be an array of finite
 * numbers, and series that are plotted against each other must have the same length.
 *
 * @module
 */

/** Describes a value for an error message: its type, and its length where it has one. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `a string (${JSON.stringify(value.slice(0, 20))})`;
  if (typeof value !== "object") return `${typeof value} ${String(value)}`;
  const name = (value as object).constructor?.name ?? "Object";
  return name;
}

/**
 * Copies `value` into a Float64Array after checking that it is an array of finite numbers.
 *
 * @param where the function being called, for the message (e.g. "predictionPlot")
 * @param name the argument's name, for the message (e.g. "mean")
 * @throws {TypeError} when `value` is not array-like or holds something other than numbers
 * @throws {RangeError} when a value is NaN or infinite
 */
export function finiteSeries(where: string, name: string, value: unknown): Float64Array {
  if (
    value === null || typeof value !== "object" ||
    typeof (value as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(
      `${where}: ${name} must be an array of numbers (number[] or Float64Array), ` +
        `got ${describe(value)}`,
    );
  }
  const input = value as ArrayLike<unknown>;
  const out = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (typeof v !== "number") {
      throw new TypeError(
        `${where}: ${name}[${i}] is ${describe(v)}, not a number; ` +
          `pass numbers only (convert with Number() or Float64Array.from())`,
      );
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${where}: ${name}[${i}] is ${v}; every value must be a finite number ` +
          `(remove or impute missing and infinite values before plotting)`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Checks that every series has the length of the first one (the reference).
 *
 * @throws {TypeError} naming the first series whose length differs, both lengths and the fix
 */
export function sameLength(
  where: string,
  reference: [name: string, values: ArrayLike<number>],
  ...others: [name: string, values: ArrayLike<number>][]
): void {
  const [refName, refValues] = reference;
  for (const [name, values] of others) {
    if (values.length !== refValues.length) {
      throw new TypeError(
        `${where}: ${name} has ${values.length} values but ${refName} has ${refValues.length}; ` +
          `${name} must have one value per element of ${refName} (same length)`,
      );
    }
  }
}

/**
 * Checks a positive finite option (a size, a scale factor).
 *
 * @throws {RangeError} when it is not a finite number greater than zero
 */
export function positiveOption(where: string, name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `${where}: ${name} must be a finite number greater than 0, got ${String(value)}`,
    );
  }
  return value;
}

/** The permutation that sorts `x` ascending, or null when it is already sorted. */
export function sortOrder(x: Float64Array): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return null;
  const order = Uint32Array.from({ length: x.length }, (_, i) => i);
  order.sort((a, b) => x[a] - x[b]);
  return order;
}

/** `values` reordered by `order` (or `values` itself when `order` is null). */
export function permute(values: Float64Array, order: Uint32Array | null): Float64Array {
  if (order === null) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}
