/**
 * The gradient checker, as `torch.autograd.gradcheck`: central differences in float64
 * against the recorded vector–Jacobian products, for any function of tensors.
 *
 * @module
 */

import { Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";
import { noGrad } from "../settings.ts";
import { Generator as Random } from "../random.ts";

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** The finite-difference step (default 1e-6, as PyTorch). */
  eps?: number;
  /** Absolute tolerance (default 1e-5, as PyTorch). */
  atol?: number;
  /** Relative tolerance, of the numerical value (default 1e-3, as PyTorch). */
  rtol?: number;
  /**
   * How a non-scalar output is checked: `"random"` (default) through random seed vectors
   * (d(sᵀ f)/dx for `seeds` draws), `"each"` one output at a time (the full Jacobian), or
   * `"scalar"`: the function must return one value (a TypeError otherwise).
   */
  output?: "random" | "each" | "scalar";
  /** Random seed vectors for `output: "random"` (default 3). */
  seeds?: number;
  /** Seed of the random seed vectors (default 0). */
  seed?: number;
}

/**
 * Where a gradient check failed: the input, the entry and both values.
 *
 * @example
 * ```ts
 * import { gradcheck, GradcheckError } from "./gradcheck.ts";
 * import { record, tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([1], { requiresGrad: true });
 * const wrong = (x: ReturnType<typeof tensor>) => record("twice", x.data.map((v) => 2 * v), [1], [x], (g) => [g]);
 * assert.throws(() => gradcheck(wrong, [x]), (e) => e instanceof GradcheckError && e.input === 0);
 * ```
 */
export class GradcheckError extends Error {
  /** Index of the input in `inputs`. */
  readonly input: number;
  /** Flat index of the entry in that input. */
  readonly entry: number;
  /** The recorded (VJP) value. */
  readonly analytical: number;
  /** The central-difference value. */
  readonly numerical: number;

  /** @internal */
  constructor(
    message: string,
    input: number,
    entry: number,
    analytical: number,
    numerical: number,
  ) {
    super(message);
    this.name = "GradcheckError";
    this.input = input;
    this.entry = entry;
    this.analytical = analytical;
    this.numerical = numerical;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Check the gradient of `fn` with respect to every input that requires a gradient: for
 * each seed s of the output (1 for a scalar), the recorded d(sᵀ fn)/dx against central
 * differences (f(x + eps) − f(x − eps)) / 2 eps, entry by entry. Returns true, or throws a
 * {@link GradcheckError} naming the input, the entry and both values. An `fn` returning
 * a promise (e.g. a posterior's `meanTensor()`) makes the check return a promise.
 *
 * @param fn a function of the inputs returning a tensor (or a promise of one)
 * @param inputs the point to check at; those with `requiresGrad` are checked
 *
 * @example
 * ```ts
 * import { gradcheck } from "./gradcheck.ts";
 * import { tensor } from "./tensor.ts";
 * import { exp } from "./elementwise.ts";
 * import assert from "node:assert";
 * const x = tensor([0.3, -1.2], { requiresGrad: true });
 * assert.strictEqual(gradcheck((x) => exp(x).mul(x), [x]), true);
 * assert.strictEqual(await gradcheck((x) => Promise.resolve(x.mul(x)), [x]), true);
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options?: GradcheckOptions,
): boolean;
export function gradcheck(
  fn: (...inputs: Tensor[]) => Promise<Tensor>,
  inputs: readonly Tensor[],
  options?: GradcheckOptions,
): Promise<boolean>;
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Promise<Tensor>,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean | Promise<boolean> {
  const steps = check(fn, inputs, options);
  let r = steps.next();
  while (!r.done) {
    const v = r.value;
    if (v instanceof Promise) {
      return (async () => {
        let rr = steps.next(await v);
        while (!rr.done) rr = steps.next(await rr.value);
        return rr.value;
      })();
    }
    r = steps.next(v);
  }
  return r.value;
}

type Step = Tensor | Promise<Tensor>;

function asResult(y: unknown): Tensor {
  if (!(y instanceof Tensor)) {
    throw new TypeError(`gradcheck: fn returned ${typeof y}; it must return a Tensor`);
  }
  return y;
}

function* check(
  fn: (...inputs: Tensor[]) => Step,
  inputs: readonly Tensor[],
  options: GradcheckOptions,
): Generator<Step, boolean, Tensor> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `gradcheck(fn, inputs): fn must be a function of tensors, got ${typeof fn}`,
    );
  }
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) {
    throw new TypeError(
      `gradcheck(fn, inputs): inputs must be an array of Tensors (e.g. [tensor(x, ` +
        `{ requiresGrad: true })])`,
    );
  }
  const eps = options.eps ?? 1e-6, atol = options.atol ?? 1e-5, rtol = options.rtol ?? 1e-3;
  for (const [name, v] of [["eps", eps], ["atol", atol], ["rtol", rtol]] as const) {
    if (!(typeof v === "number" && v >= 0 && Number.isFinite(v)) || (name === "eps" && v === 0)) {
      throw new RangeError(`gradcheck: ${name} = ${v} must be a finite number ≥ 0 (eps > 0)`);
    }
  }
  const checked = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) {
    throw new TypeError(
      `gradcheck: no input requires a gradient; create the inputs to check with ` +
        `{ requiresGrad: true }`,
    );
  }
  const leaves = () =>
    inputs.map((t) => new Tensor(t.data.slice(), t.shape, { requiresGrad: t.requiresGrad }));
  const y0 = asResult(yield fn(...leaves()));
  const mode = options.output ?? "random";
  const m = y0.size;
  if (mode === "scalar" && m !== 1) {
    throw new TypeError(
      `gradcheck: fn returned shape ${showShape(y0.shape)} (${m} values) where a scalar is ` +
        `required (output: "scalar"); reduce it (e.g. .sum()) or pass output: "random" / "each"`,
    );
  }
  const seeds: Float64Array[] = [];
  if (m === 1) seeds.push(new Float64Array([1]));
  else if (mode === "each") {
    for (let k = 0; k < m; k++) seeds.push(new Float64Array(m).fill(1, k, k + 1));
  } else {
    const gen = new Random(options.seed ?? 0);
    for (let k = 0; k < (options.seeds ?? 3); k++) seeds.push(gen.normals(m));
  }
  for (const s of seeds) {
    const xs = leaves();
    const y = asResult(yield fn(...xs));
    if (!y.requiresGrad) {
      throw new TypeError(
        `gradcheck: fn's output does not depend on any input that requires a gradient ` +
          `(no record); check that fn uses its arguments`,
      );
    }
    y.backward(new Tensor(s, y.shape));
    for (const i of checked) {
      const analytic = xs[i].grad?.data ?? new Float64Array(xs[i].size);
      const base = inputs[i].data;
      for (let e = 0; e < base.length; e++) {
        const plus = leaves(), minus = leaves();
        plus[i].data[e] = base[e] + eps;
        minus[i].data[e] = base[e] - eps;
        let fp: Tensor, fm: Tensor;
        {
          using _ = noGrad();
          fp = asResult(yield fn(...plus));
          fm = asResult(yield fn(...minus));
        }
        const num = (dot(fp.data, s) - dot(fm.data, s)) / (2 * eps);
        const ana = analytic[e];
        if (!(Math.abs(num - ana) <= atol + rtol * Math.abs(num))) {
          throw new GradcheckError(
            `gradcheck: input ${i} (shape ${showShape(inputs[i].shape)}), entry ${e}: the ` +
              `recorded gradient is ${ana} but central differences give ${num} (|difference| ` +
              `${
                Math.abs(num - ana).toExponential(3)
              } > atol ${atol} + rtol ${rtol} · |numerical|` +
              `${m > 1 ? `; output seed ${seeds.indexOf(s)}` : ""})`,
            i,
            e,
            ana,
            num,
          );
        }
      }
    }
  }
  return true;
}
