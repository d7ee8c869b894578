/**
 * The float64 tensor of gpts's reverse-mode autograd, as PyTorch's: row-major data and a
 * shape; operations on tensors that require a gradient are recorded, and `backward()`
 * runs the record in reverse, accumulating `.grad` on the leaves.
 *
 * @module
 */

import { gradEnabled } from "../settings.ts";
import {
  axisSplit,
  broadcastShapes,
  expandTo,
  sameShape,
  type Shape,
  showShape,
  sizeOf,
  sumTo,
} from "./broadcast.ts";

import { type Backward, GradFn, runBackward } from "./backward_pass.ts";
import { binaryGradients, type BinaryOp, binaryValues } from "./binary_kernels.ts";

export type { Shape } from "./broadcast.ts";
export { type Backward, GradFn, type GraphNode } from "./backward_pass.ts";

/** Where a leaf's gradient goes instead of its `.grad` (a {@link Parameter}'s raw values). */
export interface GradSink {
  /** Add `g` (d output / d leaf, the leaf's shape flattened) to the sink's gradient. */
  accumulateGrad(g: Float64Array): void;
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the record for another backward pass (PyTorch's `retain_graph`); default false. */
  retainGraph?: boolean;
}

/** Options of {@link tensor} and the {@link Tensor} constructor. */
export interface TensorOptions {
  /** Record operations on this leaf and accumulate its gradient (default false). */
  requiresGrad?: boolean;
  /** Send the gradient here rather than to `.grad` (how a Parameter is a leaf). */
  gradSink?: GradSink;
}

/** A number, or a tensor, where an operation takes either. */
export type TensorLike = Tensor | number;

/**
 * A float64 tensor: scalars (shape `[]`), vectors, matrices and batches of matrices.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const y = x.mul(x).sum(); // Σ x²
 * y.backward();
 * assert.deepStrictEqual(Array.from(x.grad!.data), [2, 4, 6]);
 * ```
 */
export class Tensor {
  /** Row-major values (treat as read-only: operations may share them). */
  readonly data: Float64Array;
  /** The shape. */
  readonly shape: Shape;
  /** The accumulated gradient of a leaf after `backward()`, or null. */
  grad: Tensor | null = null;
  /** The operation that made this tensor, or null for a leaf. */
  readonly gradFn: GradFn | null;
  #requiresGrad: boolean;
  #sink: GradSink | null;
  #retainGrad = false;

  /**
   * A leaf tensor over `data` (not copied) with `shape` (default: a vector).
   *
   * @throws {TypeError} when the shape does not hold `data.length` values
   */
  constructor(data: Float64Array, shape?: Shape, options: TensorOptions = {}) {
    if (!(data instanceof Float64Array)) {
      throw new TypeError(
        `Tensor(data, shape): data must be a Float64Array, got ${typeof data}; use tensor(values)`,
      );
    }
    const s = shape ?? [data.length];
    for (const d of s) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new RangeError(`Tensor(data, shape): shape ${showShape(s)} has a bad size ${d}`);
      }
    }
    if (sizeOf(s) !== data.length) {
      throw new TypeError(
        `Tensor(data, shape): shape ${showShape(s)} holds ${sizeOf(s)} values but data has ` +
          `${data.length}; pass a shape whose sizes multiply to data.length`,
      );
    }
    this.data = data;
    this.shape = Object.freeze(s.slice());
    this.#requiresGrad = options.requiresGrad ?? false;
    this.#sink = options.gradSink ?? null;
    this.gradFn = null;
  }

  /** @internal A recorded result (see {@link record}). */
  static fromOp(data: Float64Array, shape: Shape, gradFn: GradFn | null): Tensor {
    return new Tensor(data, shape).attachGradFn(gradFn);
  }

  /**
   * @internal Make this tensor the result of `gradFn` (how a subclass such as the MLL's
   * Scalar joins the record); only on a fresh tensor.
   */
  protected attachGradFn(gradFn: GradFn | null): this {
    (this as { gradFn: GradFn | null }).gradFn = gradFn;
    this.#requiresGrad = gradFn !== null;
    return this;
  }

  /** Whether operations on this tensor are recorded (PyTorch's `requires_grad`). */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  /** True for a tensor made by the user (not by a recorded operation). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Turn gradient recording on or off for a leaf (PyTorch's `requires_grad_`). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) {
      throw new TypeError(
        `requiresGrad_(): only a leaf's flag can change; this tensor was made by ` +
          `${this.gradFn!.name} — use .detach() for a leaf copy`,
      );
    }
    this.#requiresGrad = flag;
    return this;
  }

  /** Keep this non-leaf's gradient in `.grad` after backward (PyTorch's `retain_grad`). */
  retainGrad(): this {
    this.#retainGrad = true;
    return this;
  }

  /** The same values, as a leaf that requires no gradient. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor (PyTorch's `.item()`). */
  item(): number {
    if (this.data.length !== 1) {
      throw new TypeError(
        `item(): the tensor has shape ${showShape(this.shape)} (${this.data.length} values); ` +
          `only a one-element tensor converts to a number — reduce it first (e.g. .sum())`,
      );
    }
    return this.data[0];
  }

  /** The value of a one-element tensor, as {@link Tensor.item}. */
  get value(): number {
    return this.item();
  }

  /** A copy of the values. */
  toArray(): Float64Array {
    return this.data.slice();
  }

  /** this + other (broadcasting). */
  add(other: TensorLike): Tensor {
    return binary("add", this, other);
  }

  /** this − other (broadcasting). */
  sub(other: TensorLike): Tensor {
    return binary("sub", this, other);
  }

  /** this · other, element-wise (broadcasting). */
  mul(other: TensorLike): Tensor {
    return binary("mul", this, other);
  }

  /** this / other, element-wise (broadcasting). */
  div(other: TensorLike): Tensor {
    return binary("div", this, other);
  }

  /** this ** other, element-wise (broadcasting). */
  pow(other: TensorLike): Tensor {
    return binary("pow", this, other);
  }

  /** −this. */
  neg(): Tensor {
    return binary("mul", this, -1);
  }

  /**
   * The sum over `axis` (all elements when omitted, giving a scalar); `keepdim` keeps
   * the reduced axis with size 1.
   *
   * @example
   * ```ts
   * import { tensor } from "./tensor.ts";
   * import assert from "node:assert";
   * assert.deepStrictEqual(Array.from(tensor([[1, 2], [3, 4]]).sum(0).data), [4, 6]);
   * ```
   */
  sum(axis?: number, options: { keepdim?: boolean } = {}): Tensor {
    return reduce("sum", this, axis, options.keepdim ?? false);
  }

  /** The mean over `axis` (all elements when omitted). */
  mean(axis?: number, options: { keepdim?: boolean } = {}): Tensor {
    return reduce("mean", this, axis, options.keepdim ?? false);
  }

  /** The same values with another shape of the same size (one entry may be −1). */
  reshape(shape: readonly number[]): Tensor {
    const s = shape.slice();
    const free = s.indexOf(-1);
    if (free >= 0) {
      const rest = sizeOf(s.filter((_, i) => i !== free));
      s[free] = rest === 0 ? 0 : this.size / rest;
    }
    if (!s.every((d) => Number.isSafeInteger(d) && d >= 0) || sizeOf(s) !== this.size) {
      throw new TypeError(
        `reshape: cannot view shape ${showShape(this.shape)} (${this.size} values) as ` +
          `${showShape(shape)}; the sizes must multiply to ${this.size}`,
      );
    }
    return record("reshape", this.data, s, [this], (g) => [g]);
  }

  /**
   * Run the record backward from this tensor, accumulating d this / d leaf into each
   * leaf's `.grad` (or its Parameter's `grad`), as PyTorch's `backward()`. Without
   * `retainGraph` the record is released: a second pass through it is a TypeError.
   *
   * @example
   * ```ts
   * import { tensor } from "./tensor.ts";
   * import assert from "node:assert";
   * const x = tensor([1, 2], { requiresGrad: true });
   * const y = x.mul(x);
   * y.backward([1, 1], { retainGraph: true });
   * y.backward([1, 1]);
   * assert.deepStrictEqual(Array.from(x.grad!.data), [4, 8]);
   * assert.throws(() => y.backward([1, 1]), TypeError);
   * ```
   *
   * @param seed d(final)/d(this), this tensor's shape; omitted only for a one-element
   * tensor (then 1)
   * @throws {TypeError} when this tensor requires no gradient, when it has several
   * elements and no seed, when the seed's shape differs, or when the record was freed
   */
  backward(seed?: Tensor | ArrayLike<number>, options: BackwardOptions = {}): void {
    runBackward(this, seedOf(this, seed), options.retainGraph ?? false);
  }

  /** @internal Gradient arriving at a leaf (or a retained non-leaf). */
  acceptGrad(g: Float64Array): void {
    if (this.#sink !== null) {
      this.#sink.accumulateGrad(g);
      return;
    }
    if (this.grad === null) this.grad = new Tensor(g.slice(), this.shape);
    else {
      const acc = this.grad.data.slice();
      for (let i = 0; i < acc.length; i++) acc[i] += g[i];
      this.grad = new Tensor(acc, this.shape);
    }
  }

  /** @internal */
  get retainsGrad(): boolean {
    return this.#retainGrad;
  }

  /** e.g. `Tensor([1, 2], shape [2], requiresGrad)`. */
  toString(): string {
    const shown = Array.from(this.data.subarray(0, 8), (v) => Number(v.toPrecision(6)));
    return `Tensor([${shown.join(", ")}${this.size > 8 ? ", …" : ""}], shape ${
      showShape(this.shape)
    }${this.gradFn ? `, gradFn ${this.gradFn.name}` : this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

/**
 * Record an operation: the result of `name` on `inputs`, with its vector–Jacobian
 * product. Nothing is recorded (and `backward` is dropped) when no input requires a
 * gradient or inside `settings.noGrad()`. The building block of every primitive.
 *
 * @example
 * ```ts
 * import { record, tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([3], { requiresGrad: true });
 * const y = record("triple", x.data.map((v) => 3 * v), [1], [x], (g) => [g.map((v) => 3 * v)]);
 * y.backward();
 * assert.strictEqual(x.grad!.data[0], 3);
 * ```
 */
export function record(
  name: string,
  data: Float64Array,
  shape: Shape,
  inputs: readonly Tensor[],
  backward: Backward,
): Tensor {
  let needs = false;
  if (gradEnabled()) { for (const t of inputs) needs ||= t.requiresGrad; }
  return Tensor.fromOp(data, shape, needs ? new GradFn(name, inputs, backward) : null);
}

/**
 * A tensor from numbers: a number (a scalar), a flat array (a vector), an array of rows
 * (a matrix), rows of rows (a batch of matrices), or a flat array with `shape`.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(tensor([[1, 2], [3, 4]]).shape, [2, 2]);
 * assert.deepStrictEqual(tensor(5).shape, []);
 * ```
 */
export function tensor(
  values:
    | number
    | ArrayLike<number>
    | ArrayLike<ArrayLike<number>>
    | ArrayLike<
      ArrayLike<ArrayLike<number>>
    >,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  if (typeof values === "number") {
    return new Tensor(new Float64Array([values]), options.shape ?? [], options);
  }
  const shape: number[] = [];
  let probe: unknown = values;
  while (probe !== null && typeof probe === "object" && "length" in probe) {
    shape.push((probe as ArrayLike<unknown>).length);
    probe = (probe as ArrayLike<unknown>)[0];
  }
  const data = new Float64Array(sizeOf(shape));
  let at = 0;
  const walk = (v: unknown, depth: number, where: string) => {
    if (depth === shape.length) {
      if (typeof v !== "number") {
        throw new TypeError(`tensor(values): ${where} is ${typeof v}, not a number`);
      }
      data[at++] = v;
      return;
    }
    const a = v as ArrayLike<unknown>;
    if (a === null || typeof a !== "object" || a.length !== shape[depth]) {
      throw new TypeError(
        `tensor(values): ${where} has length ${a?.length} but the first has ${
          shape[depth]
        }; nested arrays must be rectangular`,
      );
    }
    for (let i = 0; i < a.length; i++) walk(a[i], depth + 1, `${where}[${i}]`);
  };
  walk(values, 0, "values");
  return new Tensor(data, options.shape ?? shape, options);
}

/**
 * A tensor (a number becomes a constant scalar); a TypeError naming `op` and `name`
 * otherwise.
 *
 * @example
 * ```ts
 * import { asTensor } from "./tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(asTensor(2, "op", "x").shape, []);
 * ```
 */
export function asTensor(v: TensorLike, op: string, name: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === "number") return new Tensor(new Float64Array([v]), []);
  throw new TypeError(`${op}: ${name} must be a Tensor or a number, got ${typeof v}`);
}

function binary(op: BinaryOp, aIn: TensorLike, bIn: TensorLike): Tensor {
  const a = asTensor(aIn, op, "the first operand"), b = asTensor(bIn, op, "the second operand");
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const x = expandTo(a.data, a.shape, shape), y = expandTo(b.data, b.shape, shape);
  const out = binaryValues(op, x, y);
  return record(op, out, shape, [a, b], (g) => {
    const [ga, gb] = binaryGradients(op, g, x, y, out, a.requiresGrad, b.requiresGrad);
    return [
      ga === null ? null : sumTo(ga, shape, a.shape),
      gb === null ? null : sumTo(gb, shape, b.shape),
    ];
  });
}

function reduce(op: "sum" | "mean", x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < x.size; i++) s += x.data[i];
    const scale = op === "mean" ? 1 / x.size : 1;
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return record(op, new Float64Array([s * scale]), shape, [x], (g) => [
      new Float64Array(x.size).fill(g[0] * scale),
    ]);
  }
  const r = x.ndim;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new RangeError(
      `${op}(axis): axis = ${axis} is out of range for shape ${showShape(x.shape)}; use an ` +
        `integer from ${-r} to ${r - 1}`,
    );
  }
  const ax = axis < 0 ? axis + r : axis;
  const [outer, len, inner] = axisSplit(x.shape, ax);
  const scale = op === "mean" ? 1 / len : 1;
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < len; k++) {
      const src = (o * len + k) * inner, dst = o * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += x.data[src + i];
    }
  }
  if (scale !== 1) { for (let i = 0; i < out.length; i++) out[i] *= scale; }
  const shape = keepdim
    ? x.shape.map((d, i) => (i === ax ? 1 : d))
    : x.shape.filter((_, i) => i !== ax);
  return record(op, out, shape, [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < len; k++) {
        const dst = (o * len + k) * inner, src = o * inner;
        for (let i = 0; i < inner; i++) gx[dst + i] = g[src + i] * scale;
      }
    }
    return [gx];
  });
}

function seedOf(
  root: Tensor,
  seed: Tensor | ArrayLike<number> | undefined,
): Float64Array {
  if (!root.requiresGrad) {
    throw new TypeError(
      `backward(): this tensor (shape ${showShape(root.shape)}) does not require a gradient — ` +
        `no input of the operations that made it had requiresGrad: true (or it was made ` +
        `inside settings.noGrad()); create the inputs with tensor(…, { requiresGrad: true })`,
    );
  }
  let g: Float64Array;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new TypeError(
        `backward(): the tensor has shape ${showShape(root.shape)} (${root.size} values) and no ` +
          `seed; backward() without a seed needs a one-element tensor — reduce it (e.g. .sum()) ` +
          `or pass a seed of shape ${showShape(root.shape)}`,
      );
    }
    g = new Float64Array([1]);
  } else {
    const s = seed instanceof Tensor ? seed.data : Float64Array.from(seed);
    if (s.length !== root.size || (seed instanceof Tensor && !sameShape(seed.shape, root.shape))) {
      throw new TypeError(
        `backward(seed): the seed has ${
          seed instanceof Tensor ? `shape ${showShape(seed.shape)}` : `${s.length} values`
        } but the tensor has shape ${showShape(root.shape)}; pass a seed of the tensor's shape`,
      );
    }
    g = s;
  }
  return g;
}
