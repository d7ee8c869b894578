/**
 * The only door to core-rs's WebAssembly build (`gpts_core.wasm`, core-rs/ABI.md):
 * buffers in its linear memory, and typed wrappers that turn the ABI's status codes
 * into errors. The pieces live beside it and are re-exported here: the loader
 * (loader.ts), {@link F64Buffer} (f64_buffer.ts), what the wrappers share
 * (abi_support.ts), and the thread pool (thread_pool.ts).
 *
 * Big matrices can stay in WASM memory across calls: allocate an {@link F64Buffer},
 * pass it in and out, and free it (or let `using` free it). Every function that takes
 * an `F64Buffer` also has a plain-array path or wrapper for small, one-off work.
 *
 * @example
 * ```ts
 * import { cholesky, choleskyLogdet, F64Buffer } from "./core.ts";
 * import assert from "node:assert";
 * using a = F64Buffer.from(new Float64Array([4, 2, 2, 3]));
 * assert.strictEqual(cholesky(a, 2), 0); // A = L Lᵀ, L in `a`
 * assert.ok(Math.abs(choleskyLogdet(a, 2) - Math.log(8)) < 1e-12); // log det A = log 8
 * ```
 *
 * @module
 */

import {
  check,
  count,
  type KernelProgram,
  need,
  par,
  points,
  type PointSet,
  type ResidentPointSet,
  wasm,
  withProgram,
  withPtr,
} from "./abi_support.ts";
import { F64Buffer, type F64Input } from "./f64_buffer.ts";

export { STATUS_MEANING, WasmCoreError } from "../errors.ts";
export { F64Buffer, type F64Input, wasmMemoryBytes } from "./f64_buffer.ts";
export type {
  KernelProgram,
  PointSet,
  ResidentKernelProgram,
  ResidentPointSet,
} from "./abi_support.ts";
export { stopWasmThreads, wasmThreads, wasmThreadsAvailable } from "./thread_pool.ts";

/**
 * In-place Cholesky `A = L Lᵀ` of the symmetric n×n `a` (lower triangle read; `L`
 * written to the lower triangle, zeros above). Returns 0, or `k + 1` when pivot `k`
 * is not positive (then `a` is partly factored).
 */
export function cholesky(a: F64Buffer, n: number): number {
  need("cholesky", "a", a, count("cholesky: n", n) * n);
  return check("gpts_cholesky", par(wasm.gpts_cholesky)(a.ptr, n));
}

/** Result of {@link choleskyOf}. */
export interface CholeskyResult {
  /** The factor `L` (row-major, zeros above the diagonal), partly factored on failure. */
  factor: Float64Array;
  /** 0, or `k + 1` for the first pivot `k` that is not positive. */
  status: number;
}

/** Cholesky of a JS array (copied; `a` is not changed). */
export function choleskyOf(a: Float64Array, n: number): CholeskyResult {
  using buf = F64Buffer.from(a.subarray(0, count("choleskyOf: n", n) * n));
  const status = cholesky(buf, n);
  return { factor: buf.toArray(), status };
}

/** In place: `B ← L⁻¹ B`, or `B ← L⁻ᵀ B` with `transpose`; `L` n×n lower, `B` n×m. */
export function trsmLower(
  l: F64Input,
  n: number,
  b: F64Buffer,
  m: number,
  transpose: boolean,
): void {
  need("trsmLower", "l", l, count("trsmLower: n", n) * n);
  need("trsmLower", "b", b, n * count("trsmLower: m", m));
  withPtr(
    l,
    (lp) => check("gpts_trsm_lower", par(wasm.gpts_trsm_lower)(lp, n, b.ptr, m, transpose ? 1 : 0)),
  );
}

/** `L⁻¹ B` or `L⁻ᵀ B` as a new array (`b` is not changed). */
export function solveLower(
  l: F64Input,
  n: number,
  b: Float64Array,
  m: number,
  transpose: boolean,
): Float64Array {
  using buf = F64Buffer.from(b.subarray(0, n * m));
  trsmLower(l, n, buf, m, transpose);
  return buf.toArray();
}

/** `log det(L Lᵀ) = 2 Σ log L_ii` of an n×n factor. */
export function choleskyLogdet(l: F64Input, n: number): number {
  need("choleskyLogdet", "l", l, count("choleskyLogdet: n", n) * n);
  if (!(l instanceof F64Buffer)) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
    return 2 * s;
  }
  return wasm.gpts_cholesky_logdet(l.ptr, n);
}

/** `out = (L Lᵀ)⁻¹` (full symmetric n×n) from the factor `l`. */
export function choleskyInverse(l: F64Input, n: number, out: F64Buffer): void {
  need("choleskyInverse", "l", l, count("choleskyInverse: n", n) * n);
  need("choleskyInverse", "out", out, n * n);
  withPtr(
    l,
    (lp) => check("gpts_cholesky_inverse", par(wasm.gpts_cholesky_inverse)(lp, n, out.ptr)),
  );
}

/**
 * The lower triangle of `(L Lᵀ)⁻¹` into `out` (its upper triangle is left as it was):
 * enough for {@link kernelGradContract}, and cheaper than {@link choleskyInverse}.
 */
export function choleskyInverseLower(l: F64Input, n: number, out: F64Buffer): void {
  need("choleskyInverseLower", "l", l, count("choleskyInverseLower: n", n) * n);
  need("choleskyInverseLower", "out", out, n * n);
  withPtr(
    l,
    (lp) =>
      check("gpts_cholesky_inverse_lower", par(wasm.gpts_cholesky_inverse_lower)(lp, n, out.ptr)),
  );
}

/** `(L Lᵀ)⁻¹` as a new array. */
export function choleskyInverseOf(l: F64Input, n: number): Float64Array {
  using out = F64Buffer.alloc(n * n);
  choleskyInverse(l, n, out);
  return out.toArray();
}

/**
 * In place on `g`: the vector–Jacobian product of the Cholesky factor `L` of A = L Lᵀ.
 * On entry `g`'s lower triangle holds L̄ (its upper triangle is ignored); on exit `g` is
 * the full symmetric Ā = ½ (S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (Φ keeps the lower triangle and
 * halves the diagonal), in 5n³/6 multiply–adds on triangular blocks.
 */
export function choleskyVjp(l: F64Input, n: number, g: F64Buffer): void {
  need("choleskyVjp", "l", l, count("choleskyVjp: n", n) * n);
  need("choleskyVjp", "g", g, n * n);
  withPtr(l, (lp) => check("gpts_cholesky_vjp", par(wasm.gpts_cholesky_vjp)(lp, n, g.ptr)));
}

/** In place: `A ← A + alpha·x xᵀ` on the full n×n `a`. */
export function syr(a: F64Buffer, n: number, alpha: number, x: F64Input): void {
  need("syr", "a", a, count("syr: n", n) * n);
  need("syr", "x", x, n);
  withPtr(x, (xp) => check("gpts_syr", wasm.gpts_syr(a.ptr, n, alpha, xp)));
}

/** `out = A · B` with `A` m×k, `B` k×n, `out` m×n (overwritten). */
export function gemm(
  a: F64Input,
  b: F64Input,
  out: F64Buffer,
  m: number,
  k: number,
  n: number,
): void {
  need("gemm", "a", a, count("gemm: m", m) * count("gemm: k", k));
  need("gemm", "b", b, k * count("gemm: n", n));
  need("gemm", "out", out, m * n);
  withPtr(
    a,
    (ap) => withPtr(b, (bp) => check("gpts_gemm", par(wasm.gpts_gemm)(ap, bp, out.ptr, m, k, n))),
  );
}

/** Options of {@link gemmEx}. */
export interface GemmExOptions {
  /** A is stored k × m and read as its transpose. */
  transposeA?: boolean;
  /** B is stored n × k and read as its transpose. */
  transposeB?: boolean;
  /** The scale α (default 1). */
  alpha?: number;
  /** Add to `out` instead of overwriting it. */
  accumulate?: boolean;
  /** Write only the lower triangle i ≥ j of the square `out` (half the flops). */
  lower?: boolean;
}

/**
 * `out = α·op(A)·op(B)` (or `+=` with `accumulate`), op(A) m×k and op(B) k×n, either
 * read transposed in place (no copy); with `lower` only out's lower triangle is
 * written (zeros above when overwriting).
 */
export function gemmEx(
  a: F64Input,
  b: F64Input,
  out: F64Buffer,
  m: number,
  k: number,
  n: number,
  options: GemmExOptions = {},
): void {
  need("gemmEx", "a", a, count("gemmEx: m", m) * count("gemmEx: k", k));
  need("gemmEx", "b", b, k * count("gemmEx: n", n));
  need("gemmEx", "out", out, m * n);
  const lower = options.lower ?? false;
  if (lower && m !== n) {
    throw new RangeError(`gemmEx: lower needs a square out, got ${m} × ${n}; pass lower: false`);
  }
  const flag = (x: boolean | undefined) => (x ? 1 : 0);
  withPtr(a, (ap) =>
    withPtr(b, (bp) =>
      check(
        "gpts_gemm_ex",
        par(wasm.gpts_gemm_ex)(
          ap,
          flag(options.transposeA),
          bp,
          flag(options.transposeB),
          out.ptr,
          m,
          k,
          n,
          options.alpha ?? 1,
          flag(options.accumulate),
          flag(lower),
        ),
      )));
}

/**
 * In place: `B ← L B`, or `B ← Lᵀ B` with `transpose`; `L` n×n lower triangular (its
 * upper triangle not read), `B` n×m: half the flops of a GEMM.
 */
export function trmmLower(
  l: F64Input,
  n: number,
  b: F64Buffer,
  m: number,
  transpose: boolean,
): void {
  need("trmmLower", "l", l, count("trmmLower: n", n) * n);
  need("trmmLower", "b", b, n * count("trmmLower: m", m));
  withPtr(
    l,
    (lp) => check("gpts_trmm_lower", par(wasm.gpts_trmm_lower)(lp, n, b.ptr, m, transpose ? 1 : 0)),
  );
}

/**
 * `out[i*n2 + j] = k(x1_i, x2_j)` into a WASM buffer (n1×n2). Passing the same
 * object as `x1` and `x2` computes one triangle and mirrors it.
 */
export function kernelMatrixInto(
  program: KernelProgram,
  x1: PointSet | ResidentPointSet,
  x2: PointSet | ResidentPointSet,
  out: F64Buffer,
): void {
  const [a, n1, d] = points("kernelMatrix", x1);
  const [b, n2, d2] = points("kernelMatrix", x2);
  if (d2 !== d) throw new TypeError(`kernelMatrix: x1 has ${d} dimensions but x2 has ${d2}`);
  need("kernelMatrix", "out", out, n1 * n2);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(a, (ap) => {
      const call = (bp: number) =>
        check(
          "gpts_kernel_matrix",
          par(wasm.gpts_kernel_matrix)(ops, nOps, th, nTh, ap, n1, bp, n2, d, out.ptr),
        );
      return x1 === x2 ? call(ap) : withPtr(b, call);
    }));
}

/** The kernel matrix `K(x1, x2)` (n1×n2, row-major) as a new array. */
export function kernelMatrix(program: KernelProgram, x1: PointSet, x2: PointSet): Float64Array;
/** The kernel matrix from raw row-major data (`x1` n1×d, `x2` n2×d). */
export function kernelMatrix(
  program: KernelProgram,
  x1: Float64Array,
  n1: number,
  x2: Float64Array,
  n2: number,
  d: number,
): Float64Array;
export function kernelMatrix(
  program: KernelProgram,
  x1: PointSet | Float64Array,
  x2OrN1: PointSet | number,
  x2?: Float64Array,
  n2?: number,
  d?: number,
): Float64Array {
  let p1: PointSet, p2: PointSet;
  if (x1 instanceof Float64Array) {
    if (typeof x2OrN1 !== "number" || x2 === undefined || n2 === undefined || d === undefined) {
      throw new TypeError("kernelMatrix: pass (program, x1, n1, x2, n2, d) with raw data");
    }
    p1 = { data: x1, n: x2OrN1, d };
    p2 = x2 === x1 && n2 === x2OrN1 ? p1 : { data: x2, n: n2, d };
  } else {
    if (typeof x2OrN1 === "number") throw new TypeError("kernelMatrix: x2 must be a point set");
    [p1, p2] = [x1, x2OrN1];
  }
  points("kernelMatrix", p1);
  points("kernelMatrix", p2);
  using out = F64Buffer.alloc(p1.n * p2.n);
  kernelMatrixInto(program, p1, p2, out);
  return out.toArray();
}

/** The diagonal `k(x_i, x_i)` (length n). */
export function kernelDiag(
  program: KernelProgram,
  x: PointSet | Float64Array,
  n?: number,
  d?: number,
): Float64Array {
  const [data, nn, dd] = points("kernelDiag", x, n, d);
  using out = F64Buffer.alloc(nn);
  withProgram(
    program,
    (ops, nOps, th, nTh) =>
      withPtr(
        data,
        (xp) =>
          check("gpts_kernel_diag", wasm.gpts_kernel_diag(ops, nOps, th, nTh, xp, nn, dd, out.ptr)),
      ),
  );
  return out.toArray();
}

/**
 * `grad[p] = Σ_ij G_ij ∂k(x_i, x_j)/∂theta[p]` for every theta entry (0 where unused);
 * `g` is the symmetric n×n G, of which only the lower triangle is read.
 */
export function kernelGradContract(program: KernelProgram, x: PointSet, g: F64Input): Float64Array;
/** The gradient contraction from raw row-major inputs (`x` n×d). */
export function kernelGradContract(
  program: KernelProgram,
  x: Float64Array,
  n: number,
  d: number,
  g: F64Input,
): Float64Array;
export function kernelGradContract(
  program: KernelProgram,
  x: PointSet | Float64Array,
  gOrN: F64Input | number,
  d?: number,
  g?: F64Input,
): Float64Array {
  const raw = x instanceof Float64Array;
  const [data, n, dd] = raw
    ? points("kernelGradContract", x, gOrN as number, d)
    : points("kernelGradContract", x);
  const gm = raw ? g : gOrN;
  if (gm === undefined || typeof gm === "number") {
    throw new TypeError("kernelGradContract: pass G (n × n) as a Float64Array or F64Buffer");
  }
  need("kernelGradContract", "g", gm, n * n);
  using grad = F64Buffer.alloc(program.theta.length);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(data, (xp) =>
      withPtr(gm, (gp) =>
        check(
          "gpts_kernel_grad_contract",
          par(wasm.gpts_kernel_grad_contract)(ops, nOps, th, nTh, xp, n, dd, gp, grad.ptr),
        ))));
  return grad.toArray();
}

/**
 * `out[p * m + k] = u_kᵀ (∂K/∂theta[p]) u_k = Σ_ij ∂k(x_i, x_j)/∂theta[p] · U_ik U_jk`
 * for every theta entry `p` (0 where unused) and probe column `k` of `u` (n×m,
 * row-major): the probe contractions of the stochastic trace estimator. Every kernel
 * tile is evaluated once for all probes.
 */
export function kernelProbeContract(
  program: KernelProgram,
  x: PointSet | ResidentPointSet,
  u: F64Input,
  m: number,
): Float64Array {
  const [data, n, d] = points("kernelProbeContract", x);
  need("kernelProbeContract", "u", u, n * count("kernelProbeContract: m", m));
  const nTheta = program.theta.length;
  using out = F64Buffer.alloc(nTheta * m);
  withProgram(program, (ops, nOps, th, nTh) =>
    withPtr(data, (xp) =>
      withPtr(u, (up) =>
        check(
          "gpts_kernel_probe_contract",
          par(wasm.gpts_kernel_probe_contract)(ops, nOps, th, nTh, xp, n, d, up, m, out.ptr),
        ))));
  return out.toArray();
}
