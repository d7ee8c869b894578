/**
 * Which solver on which device: `device: "wasm" | "webgpu" | "auto"` and
 * `solver: "cholesky" | "cg" | "auto"`, given as options (no globals), on the model
 * (`ExactGP.engine`) or the marginal log likelihood (which overrides the model's).
 *
 * - `solver: "auto"` picks, for the loss and its gradient, exact Cholesky below
 *   {@link CG_THRESHOLD} points; from there to {@link CG_ALWAYS_THRESHOLD} BBMM (CG)
 *   when its pivoted-Cholesky preconditioner captures K (it stops at its tolerance, not at
 *   its largest rank), Cholesky otherwise; CG from {@link CG_ALWAYS_THRESHOLD} on.
 *   Measured (bench/webgpu_bench.ts, WASM on two threads, one loss + gradient, CG
 *   checked against Cholesky at the WebGPU issue's accuracy — loss within 1e-3,
 *   gradients within 5%): on an easy problem (lengthscale 0.05, noise 0.05, rank 34,
 *   3–4 CG iterations) Cholesky takes 0.06 / 0.40 / 2.3 / 18.8 / 58.7 s at
 *   N = 1000 / 2000 / 4000 / 8000 / 12000 against CG's 0.07 / 0.11 / 0.40 / 1.8 / 4.7 s;
 *   on the seed's final state (lengthscale 0.01, noise 0.01, rank ≈ 170) 0.35 / 2.2 /
 *   18.3 s at N = 2000 / 4000 / 8000 against 0.27 / 0.71 / 2.5 s; CG was within the
 *   accuracy at every size of both. With lengthscale 0.003 and noise 0.001 the
 *   preconditioner stops at its largest rank (256) and CG needs 200–300 iterations:
 *   0.36 / 2.4 s against 2.4 / 8.0 s at N = 2000 / 4000, and outside the accuracy (loss
 *   off by 4e-3–6e-3, gradients by more than 100%, within their reported standard
 *   errors). Hence the rule. Prediction keeps Cholesky up to
 *   {@link CG_ALWAYS_THRESHOLD} (its exact variances cost CG more). Cholesky also needs
 *   ≈ 3·8·N² bytes, which WASM's 4 GiB caps near N ≈ 13 000;
 * - with a hardware WebGPU adapter, `solver: "auto"` picks CG from
 *   {@link GPU_THRESHOLD} on and `device: "auto"` puts it on the GPU. This threshold is
 *   an ASSUMPTION, not a measurement: no GPU was available when it was set (a real GPU's
 *   kernel MVM runs at tens to hundreds of GFLOP/s against WASM's ≈ 1, so BBMM on it
 *   should beat WASM Cholesky well before the CPU crossover). Re-measure with
 *   `deno task bench:webgpu` on a GPU;
 * - `device: "auto"` never picks a software fallback adapter (llvmpipe): it is correct
 *   but ≈ 30× slower than WASM (kernel MVM 0.4–0.5 against 14 GFLOP/s at N = 1000);
 * - CG not converging is retried with twice the iterations and preconditioner rank,
 *   then falls back to Cholesky (N ≤ {@link CHOLESKY_FALLBACK_LIMIT}) with a warning,
 *   else throws a `ConvergenceError` (src/errors.ts): never a silently wrong step;
 * - a lost WebGPU device falls back to WASM (one warning, from gpu_device.ts), with the
 *   same convergence checks. The ladder is `ExactInference` (exact_inference.ts).
 *
 * @example
 * ```ts
 * import { chooseSolver } from "./select.ts";
 * import { strictEqual } from "node:assert";
 * strictEqual(chooseSolver(1000, {}), "cholesky");
 * strictEqual(chooseSolver(50_000, {}), "cg");
 * ```
 *
 * @module
 */

import { UnsupportedKernelError } from "../errors.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { BbmmOptions } from "./cg.ts";
import type { CgPredictionOptions } from "./bbmm_posterior.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import { WasmKernelOperator } from "../wasm/wasm_kernel_operator.ts";
import { acquireGpu } from "../webgpu/gpu_device.ts";
import { WebGpuKernelOperator } from "../webgpu/webgpu_kernel_operator.ts";

/** Where the products run. */
export type DeviceChoice = "wasm" | "webgpu" | "auto";
/** How K̂ is solved. */
export type SolverChoice = "cholesky" | "cg" | "auto";

/** Engine options, on the marginal log likelihood. */
export interface EngineOptions {
  /** Device for the BBMM solver's products (default "auto"). */
  device?: DeviceChoice;
  /** Solver (default "auto"). */
  solver?: SolverChoice;
  /** BBMM options (probes, tolerance, preconditioner; the LOVE cache's for prediction). */
  cg?: Omit<BbmmOptions, "rng" | "residualOperator"> & CgPredictionOptions;
  /** Seed of the probe generator (default 0): a run repeats bit for bit on one machine. */
  seed?: number;
  /**
   * With WebGPU, refine α against a float64 WASM residual up to this N (default
   * `CG_DEFAULTS.float64ResidualUpTo`, 20 000; an O(N²) CPU product per round).
   */
  float64ResidualUpTo?: number;
  /**
   * On the WASM device, BBMM keeps K(X, X) in memory (8·N² bytes) during a loss or a
   * solve when it takes at most this many bytes (default {@link STORED_MATRIX_LIMIT}, 1 GiB,
   * N ≤ 11 585; 0: never), so that its products are GEMMs rather than fresh kernel
   * evaluations. The results are the same bit for bit.
   */
  storeKernelMatrixUpTo?: number;
}

/**
 * From this N auto picks CG for the loss and its gradient when the preconditioner
 * captures K (see the module doc); Cholesky otherwise.
 */
export const CG_THRESHOLD = 4096;
/**
 * From this N auto picks CG whatever the preconditioner, for the loss and for
 * prediction. Below it Cholesky is still affordable: prediction keeps it, since exact
 * predictive variances by PCG cost about N²·m a CG iteration for m test points against
 * one factorization for Cholesky (measured at N = 5000 with 500 test points, lengthscale
 * 0.01, noise 0.01, WASM, two threads: Cholesky 4.1 s, CG 5.5 s, its LOVE fast variances
 * 2.2 s; `deno task bench:webgpu --sweep 0 --lengthscale 0.01 --noise 0.01 --predict 5000`).
 */
export const CG_ALWAYS_THRESHOLD = 8192;
/**
 * With a hardware (not fallback) WebGPU adapter, auto picks CG on the GPU from this N
 * on. An assumption, not measured on a GPU (see the module doc).
 */
export const GPU_THRESHOLD = 4096;
/** Default of {@link EngineOptions.storeKernelMatrixUpTo}: 1 GiB. */
export const STORED_MATRIX_LIMIT = 2 ** 30;
/** Largest N at which a failed CG falls back to Cholesky. */
export const CHOLESKY_FALLBACK_LIMIT = 12_000;

/** What a solver is chosen for: the loss and its gradient, or prediction. */
export type SolverTask = "training" | "prediction";

/** The CG threshold of `task` ({@link CG_THRESHOLD} or {@link CG_ALWAYS_THRESHOLD}). */
function cgThreshold(task: SolverTask): number {
  return task === "prediction" ? CG_ALWAYS_THRESHOLD : CG_THRESHOLD;
}

/**
 * The solver auto picks (or the one asked for) for `task`; `hardwareGpu`: a hardware
 * WebGPU adapter is there and the device option allows it.
 */
export function chooseSolver(
  n: number,
  options: EngineOptions,
  hardwareGpu = false,
  task: SolverTask = "training",
): "cholesky" | "cg" {
  const s = options.solver ?? "auto";
  if (s !== "auto" && s !== "cholesky" && s !== "cg") {
    throw new TypeError(`solver must be "cholesky", "cg" or "auto", got ${JSON.stringify(s)}`);
  }
  if (s !== "auto") return s;
  return n >= cgThreshold(task) || (hardwareGpu && n >= GPU_THRESHOLD) ? "cg" : "cholesky";
}

/**
 * Whether auto may use a hardware GPU for `n` points under `options`, for `task`.
 *
 * @example
 * ```ts
 * import { hardwareGpuFor } from "./select.ts";
 * import { strictEqual } from "node:assert";
 * strictEqual(await hardwareGpuFor(100, {}, "training"), false); // below GPU_THRESHOLD
 * strictEqual(await hardwareGpuFor(5000, { device: "wasm" }, "training"), false);
 * ```
 */
export async function hardwareGpuFor(
  n: number,
  options: EngineOptions,
  task: SolverTask,
): Promise<boolean> {
  if ((options.solver ?? "auto") !== "auto" || n < GPU_THRESHOLD || n >= cgThreshold(task)) {
    return false;
  }
  if ((options.device ?? "auto") === "wasm") return false;
  const gpu = await acquireGpu();
  return gpu !== null && !gpu.info.isFallbackAdapter;
}

/** The operator for `covariance` on the chosen device. */
export async function kernelOperatorFor(
  covariance: KernelCovariance,
  options: EngineOptions,
): Promise<KernelOperator> {
  const d = options.device ?? "auto";
  if (d !== "auto" && d !== "wasm" && d !== "webgpu") {
    throw new TypeError(`device must be "wasm", "webgpu" or "auto", got ${JSON.stringify(d)}`);
  }
  const limit = options.storeKernelMatrixUpTo ?? STORED_MATRIX_LIMIT;
  if (!(limit >= 0)) {
    throw new RangeError(
      `storeKernelMatrixUpTo must be a number of bytes ≥ 0, got ${limit}; use 0 to never store K`,
    );
  }
  const n = covariance.size;
  const wasm = () =>
    new WasmKernelOperator(covariance.plan, covariance.x, { storeMatrix: 8 * n * n <= limit });
  if (d === "wasm") return wasm();
  const gpu = await acquireGpu();
  if (d === "webgpu") {
    if (gpu === null) {
      throw new TypeError(
        `device: "webgpu" was asked for but Deno found no WebGPU adapter; use "wasm" or "auto"`,
      );
    }
    return new WebGpuKernelOperator(gpu, covariance.plan, covariance.x);
  }
  if (gpu === null || gpu.info.isFallbackAdapter || covariance.size < GPU_THRESHOLD) return wasm();
  try {
    return new WebGpuKernelOperator(gpu, covariance.plan, covariance.x);
  } catch (e) {
    if (e instanceof UnsupportedKernelError) return wasm();
    throw e;
  }
}
