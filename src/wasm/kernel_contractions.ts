/**
 * The vector-Jacobian products of a kernel matrix `K(X1, X2; θ)` and of its diagonal
 * on the WASM core (core-rs/ABI.md, "Kernel programs"): contractions of the kernel's
 * derivatives with respect to θ and to the inputs with a weight matrix `G` (the
 * gradient of some scalar with respect to `K`) or a weight vector `g` (with respect to
 * `diag K`). Every kernel tile is evaluated once; results do not depend on the
 * `threads` setting (the same bits on one thread or many).
 *
 * Matern ν = ½ is not differentiable in x at zero distance: its input derivative is 0
 * there (what GPyTorch's autograd gives through its clamped distance).
 *
 * @example
 * ```ts
 * import { kernelInputContract } from "./kernel_contractions.ts";
 * import { strict as assert } from "node:assert";
 * // RBF with ℓ = 1: ∂/∂x exp(−(x − x′)²/2) at x = 0, x′ = 1 is e^{−½}
 * const rbf = { ops: new Int32Array([1, 1, 0, 1, 0]), theta: new Float64Array([1]) };
 * const x1 = { data: new Float64Array([0]), n: 1, d: 1 };
 * const x2 = { data: new Float64Array([1]), n: 1, d: 1 };
 * const dx = kernelInputContract(rbf, x1, x2, new Float64Array([1]), 1);
 * assert.ok(Math.abs(dx[0] - Math.exp(-0.5)) < 1e-15);
 * ```
 *
 * @module
 */

import { check, par, wasm, withProgram, withPtr } from "./abi_support.ts";
import type { KernelProgram, PointSet } from "./abi_support.ts";
import { F64Buffer, type F64Input } from "./f64_buffer.ts";

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Checks a point set's shape: `data` a Float64Array of at least n·d entries. */
function pointSet(fn: string, what: string, x: PointSet): void {
  if (x === null || typeof x !== "object" || !(x.data instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${what} must be a point set { data: Float64Array, n, d }`);
  }
  if (!isCount(x.n) || !isCount(x.d)) {
    throw new TypeError(
      `${fn}: ${what}.n and ${what}.d must be non-negative integers, got n = ${x.n}, d = ${x.d}`,
    );
  }
  if (x.data.length < x.n * x.d) {
    throw new TypeError(
      `${fn}: ${what}.data has ${x.data.length} entries, but ${what} is ${x.n} × ${x.d} ` +
        `(needs ${x.n * x.d}); pass n and d that match the data`,
    );
  }
}

/** Checks that `x1` and `x2` have the same number of columns. */
function sameDims(fn: string, x1: PointSet, x2: PointSet): void {
  pointSet(fn, "x1", x1);
  pointSet(fn, "x2", x2);
  if (x1.d !== x2.d) {
    throw new TypeError(`${fn}: x1 has ${x1.d} dimensions but x2 has ${x2.d}; they must agree`);
  }
}

/** Checks that the weights hold exactly `len` entries (`shape` says which). */
function weights(fn: string, g: F64Input, len: number, shape: string): void {
  if (!(g instanceof Float64Array) && !(g instanceof F64Buffer)) {
    throw new TypeError(`${fn}: g must be a Float64Array or an F64Buffer`);
  }
  if (g.length !== len) {
    throw new TypeError(
      `${fn}: g has ${g.length} entries, but it must be ${shape} = ${len} (row-major)`,
    );
  }
}

/** Runs `body` with both point sets in WASM memory (one copy when they are the same). */
function withPair<T>(x1: PointSet, x2: PointSet, body: (a: number, b: number) => T): T {
  return withPtr(
    x1.data,
    (a) => x1.data === x2.data ? body(a, a) : withPtr(x2.data, (b) => body(a, b)),
  );
}

/**
 * Checks the point set `x` and its weights `g` (n entries), and runs the wasm diagonal
 * contraction `name` on the program, `x` and `g`; returns the `outLen(n, d)` results.
 */
function diagContract(
  fn: string,
  name: "gpts_kernel_diag_theta_contract" | "gpts_kernel_diag_input_contract",
  program: KernelProgram,
  x: PointSet,
  g: F64Input,
  outLen: (n: number, d: number) => number,
): Float64Array {
  pointSet(fn, "x", x);
  const { n, d } = x;
  weights(fn, g, n, `n = ${n}`);
  using out = F64Buffer.alloc(outLen(n, d));
  withProgram(
    program,
    (ops, nOps, th, nTh) =>
      withPtr(
        x.data,
        (xp) =>
          withPtr(g, (gp) => check(name, wasm[name](ops, nOps, th, nTh, xp, n, d, gp, out.ptr))),
      ),
  );
  return out.toArray();
}

/**
 * Checks the weights `g` (n1·n2 entries) and runs the threaded wasm contraction `name` on the
 * program, the pair `x1`, `x2` (already checked) and `g`, with `extra` arguments before the
 * output pointer; returns the `outLen` results.
 */
function crossContract(
  fn: string,
  name: "gpts_kernel_cross_theta_contract" | "gpts_kernel_input_contract",
  program: KernelProgram,
  x1: PointSet,
  x2: PointSet,
  g: F64Input,
  outLen: number,
  extra: readonly number[],
): Float64Array {
  const { n: n1, d } = x1, n2 = x2.n;
  weights(fn, g, n1 * n2, `n1 × n2 = ${n1} × ${n2}`);
  const contract = wasm[name] as (...args: number[]) => number;
  using out = F64Buffer.alloc(outLen);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPair(x1, x2, (a, b) =>
      withPtr(g, (gp) =>
        check(
          name,
          par(contract)(ops, nOps, th, nTh, a, n1, b, n2, d, gp, ...extra, out.ptr),
        ))));
  return out.toArray();
}

/**
 * `Σᵢⱼ Gᵢⱼ ∂k(x1ᵢ, x2ⱼ)/∂θ_p` for every entry `p` of `program.theta` (0 where the
 * program does not use it): the VJP of `K(x1, x2)` with respect to θ. `g` is n1×n2,
 * row-major, and every entry is read (for a symmetric `K(X, X)` the core's
 * `kernelGradContract` reads one triangle and is cheaper).
 *
 * @param program the compiled kernel (e.g. a `KernelPlan`)
 * @param x1 the rows of `K` (n1 points of d dimensions)
 * @param x2 the columns of `K` (n2 points of the same d)
 * @param g the weights, n1·n2 entries
 * @returns the gradient, one entry per θ entry
 * @throws {TypeError} when a point set or `g` has the wrong shape
 * @throws {WasmCoreError} when the program is malformed
 *
 * @example
 * ```ts
 * import { kernelCrossThetaContract } from "./kernel_contractions.ts";
 * import { strict as assert } from "node:assert";
 * // outputscale · RBF(ℓ = 1): ∂/∂outputscale of k(0, 1) is the RBF's value e^{−½}
 * const k = { ops: new Int32Array([1, 1, 0, 1, 0, 2, 1]), theta: new Float64Array([1, 2]) };
 * const x1 = { data: new Float64Array([0]), n: 1, d: 1 };
 * const x2 = { data: new Float64Array([1]), n: 1, d: 1 };
 * const grad = kernelCrossThetaContract(k, x1, x2, new Float64Array([1]));
 * assert.ok(Math.abs(grad[1] - Math.exp(-0.5)) < 1e-15);
 * assert.ok(Math.abs(grad[0] - 2 * Math.exp(-0.5)) < 1e-15); // ∂/∂ℓ = s · k · Δ²/ℓ³
 * ```
 */
export function kernelCrossThetaContract(
  program: KernelProgram,
  x1: PointSet,
  x2: PointSet,
  g: F64Input,
): Float64Array {
  const fn = "kernelCrossThetaContract";
  sameDims(fn, x1, x2);
  const name = "gpts_kernel_cross_theta_contract";
  return crossContract(fn, name, program, x1, x2, g, program.theta.length, []);
}

/**
 * The VJP of `K(x1, x2)` with respect to one of its inputs. With `wrt = 1`:
 * `out[i·d + c] = Σⱼ Gᵢⱼ ∂k(x1ᵢ, x2ⱼ)/∂x1ᵢ,c` (n1×d); with `wrt = 2`:
 * `out[j·d + c] = Σᵢ Gᵢⱼ ∂k(x1ᵢ, x2ⱼ)/∂x2ⱼ,c` (n2×d). Columns the kernel does not read
 * (outside its `activeDims`) are 0; Matern ν = ½ contributes 0 for a pair at zero
 * distance (not differentiable there; GPyTorch's autograd gives 0 too).
 *
 * @param program the compiled kernel (e.g. a `KernelPlan`)
 * @param x1 the rows of `K` (n1 points of d dimensions)
 * @param x2 the columns of `K` (n2 points of the same d)
 * @param g the weights, n1·n2 entries, row-major
 * @param wrt 1 for the derivative with respect to `x1`, 2 for `x2`
 * @returns n1×d (`wrt = 1`) or n2×d (`wrt = 2`), row-major
 * @throws {TypeError} when a point set or `g` has the wrong shape
 * @throws {RangeError} when `wrt` is neither 1 nor 2
 * @throws {WasmCoreError} when the program is malformed
 *
 * @example
 * ```ts
 * import { kernelInputContract } from "./kernel_contractions.ts";
 * import { strict as assert } from "node:assert";
 * // Linear kernel, variance 2: ∂(2 x·x′)/∂x′ = 2x, summed over the rows with G = 1
 * const lin = { ops: new Int32Array([8, 1, 0, 1, 0]), theta: new Float64Array([2]) };
 * const x1 = { data: new Float64Array([1, 3]), n: 2, d: 1 };
 * const x2 = { data: new Float64Array([5]), n: 1, d: 1 };
 * const dx2 = kernelInputContract(lin, x1, x2, new Float64Array([1, 1]), 2);
 * assert.deepEqual([...dx2], [2 * (1 + 3)]);
 * ```
 */
export function kernelInputContract(
  program: KernelProgram,
  x1: PointSet,
  x2: PointSet,
  g: F64Input,
  wrt: 1 | 2,
): Float64Array {
  const fn = "kernelInputContract";
  sameDims(fn, x1, x2);
  if (wrt !== 1 && wrt !== 2) {
    throw new RangeError(`${fn}: wrt must be 1 (x1) or 2 (x2), got ${wrt}`);
  }
  const outLen = (wrt === 1 ? x1.n : x2.n) * x1.d;
  return crossContract(fn, "gpts_kernel_input_contract", program, x1, x2, g, outLen, [wrt]);
}

/**
 * `Σᵢ gᵢ ∂k(xᵢ, xᵢ)/∂θ_p` for every entry `p` of `program.theta` (0 where unused): the
 * VJP of the diagonal `k(xᵢ, xᵢ)` with respect to θ.
 *
 * @param program the compiled kernel (e.g. a `KernelPlan`)
 * @param x n points of d dimensions
 * @param g the weights, n entries
 * @returns the gradient, one entry per θ entry
 * @throws {TypeError} when `x` or `g` has the wrong shape
 * @throws {WasmCoreError} when the program is malformed
 *
 * @example
 * ```ts
 * import { kernelDiagThetaContract } from "./kernel_contractions.ts";
 * import { strict as assert } from "node:assert";
 * // outputscale · RBF: the diagonal is the outputscale, whatever the lengthscale
 * const k = { ops: new Int32Array([1, 1, 0, 1, 0, 2, 1]), theta: new Float64Array([0.5, 3]) };
 * const x = { data: new Float64Array([0.1, 0.7, 2]), n: 3, d: 1 };
 * const grad = kernelDiagThetaContract(k, x, new Float64Array([1, 2, 3]));
 * assert.deepEqual([...grad], [0, 6]);
 * ```
 */
export function kernelDiagThetaContract(
  program: KernelProgram,
  x: PointSet,
  g: F64Input,
): Float64Array {
  return diagContract(
    "kernelDiagThetaContract",
    "gpts_kernel_diag_theta_contract",
    program,
    x,
    g,
    () => program.theta.length,
  );
}

/**
 * `out[i·d + c] = gᵢ · d k(xᵢ, xᵢ)/dxᵢ,c`: the VJP of the diagonal with respect to the
 * points, the total derivative with both arguments moving together (0 for stationary
 * kernels; `2 c x` for a linear one).
 *
 * @param program the compiled kernel (e.g. a `KernelPlan`)
 * @param x n points of d dimensions
 * @param g the weights, n entries
 * @returns n×d, row-major
 * @throws {TypeError} when `x` or `g` has the wrong shape
 * @throws {WasmCoreError} when the program is malformed
 *
 * @example
 * ```ts
 * import { kernelDiagInputContract } from "./kernel_contractions.ts";
 * import { strict as assert } from "node:assert";
 * // Linear kernel, variance 2: k(x, x) = 2x², d/dx = 4x
 * const lin = { ops: new Int32Array([8, 1, 0, 1, 0]), theta: new Float64Array([2]) };
 * const x = { data: new Float64Array([1.5, -1]), n: 2, d: 1 };
 * assert.deepEqual([...kernelDiagInputContract(lin, x, new Float64Array([1, 10]))], [6, -40]);
 * ```
 */
export function kernelDiagInputContract(
  program: KernelProgram,
  x: PointSet,
  g: F64Input,
): Float64Array {
  return diagContract(
    "kernelDiagInputContract",
    "gpts_kernel_diag_input_contract",
    program,
    x,
    g,
    (n, d) => n * d,
  );
}
