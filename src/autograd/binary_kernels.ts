/**
 * The element-wise loops behind the Tensor's add, sub, mul, div and pow: values and
 * partial derivatives on equal-length arrays (operands already broadcast), with no
 * recording — tensor.ts records them and sums the gradients back to each operand's shape.
 *
 * @module
 */

/** The element-wise binary operations. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow";

/**
 * `out[i] = x[i] op y[i]`.
 *
 * @example
 * ```ts
 * import { binaryValues } from "./binary_kernels.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(binaryValues("pow", Float64Array.of(2, 3), Float64Array.of(3, 2))), [8, 9]);
 * ```
 */
export function binaryValues(op: BinaryOp, x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  switch (op) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      break;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      break;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
      break;
    case "div":
      for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
      break;
    case "pow":
      for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], y[i]);
      break;
  }
  return out;
}

/**
 * The cotangent `g` of `out = x op y` carried to `x` and to `y` (null where not wanted):
 * the vector–Jacobian product of {@link binaryValues}, element by element. pow's
 * derivatives are 0 where the exponent (for x) or the value (for y) is 0, as PyTorch's.
 *
 * @example
 * ```ts
 * import { binaryGradients, binaryValues } from "./binary_kernels.ts";
 * import assert from "node:assert";
 * const x = Float64Array.of(2), y = Float64Array.of(4);
 * const [gx, gy] = binaryGradients("div", Float64Array.of(1), x, y, binaryValues("div", x, y), true, true);
 * assert.deepStrictEqual([gx![0], gy![0]], [0.25, -0.125]);
 * ```
 */
export function binaryGradients(
  op: BinaryOp,
  g: Float64Array,
  x: Float64Array,
  y: Float64Array,
  out: Float64Array,
  wantX: boolean,
  wantY: boolean,
): [Float64Array | null, Float64Array | null] {
  const n = g.length;
  let gx: Float64Array | null = null, gy: Float64Array | null = null;
  switch (op) {
    case "add":
      gx = wantX ? g : null;
      gy = wantY ? g : null;
      break;
    case "sub":
      gx = wantX ? g : null;
      if (wantY) {
        gy = new Float64Array(n);
        for (let i = 0; i < n; i++) gy[i] = -g[i];
      }
      break;
    case "mul":
      if (wantX) {
        gx = new Float64Array(n);
        for (let i = 0; i < n; i++) gx[i] = g[i] * y[i];
      }
      if (wantY) {
        gy = new Float64Array(n);
        for (let i = 0; i < n; i++) gy[i] = g[i] * x[i];
      }
      break;
    case "div":
      if (wantX) {
        gx = new Float64Array(n);
        for (let i = 0; i < n; i++) gx[i] = g[i] / y[i];
      }
      if (wantY) {
        gy = new Float64Array(n);
        for (let i = 0; i < n; i++) gy[i] = -g[i] * out[i] / y[i];
      }
      break;
    case "pow":
      if (wantX) {
        gx = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          gx[i] = y[i] === 0 ? 0 : g[i] * y[i] * Math.pow(x[i], y[i] - 1);
        }
      }
      if (wantY) {
        gy = new Float64Array(n);
        for (let i = 0; i < n; i++) gy[i] = out[i] === 0 ? 0 : g[i] * out[i] * Math.log(x[i]);
      }
      break;
  }
  return [gx, gy];
}
