/**
 * WASM Cholesky (core-rs, simd128, on one and on two threads) against numpy's (OpenBLAS
 * dpotrf, one thread), measured in the same run on the same matrix: the seed teacher's kernel
 * K = exp(−½ ((xᵢ − xⱼ)/0.01)²) + 0.01 I on x = linspace(0, 1, n), as in
 * shared/anchors/linalg_anchor.py.
 *
 *     deno run -A bench/cholesky_bench.ts
 *
 * GFLOP/s count n³/3 flops. Times are medians after one warm-up. When python3 or numpy
 * is missing the reference columns say so instead of failing.
 *
 * Two builds run one thread: the threaded build under `settings.threads(1)` (what runs by
 * default wherever shared memory exists), and the single-thread build, in a subprocess
 * with `GPTS_WASM_THREADS=0` (what runs where shared memory does not: browsers without
 * cross-origin isolation, or by choice). They differ because V8 compiles accesses to a
 * shared `WebAssembly.Memory` more slowly: the same code runs about 13% slower on it.
 *
 * @module
 */

import * as core from "../src/wasm/core.ts";
import { threads } from "../src/settings.ts";

/** One matrix size. */
export interface Row {
  /** Matrix order. */
  n: number;
  /** Repetitions timed (after one warm-up). */
  reps: number;
  /** Median WASM time, milliseconds (the threaded build on one thread, when it runs). */
  wasmMs: number;
  /** WASM GFLOP/s (n³/3 flops). */
  wasmGflops: number;
  /** Median numpy time, milliseconds (null when unavailable). */
  numpyMs: number | null;
  /** numpy GFLOP/s (null when unavailable). */
  numpyGflops: number | null;
  /** wasmGflops / numpyGflops (null when unavailable). */
  ratio: number | null;
  /** Median WASM time on two threads, milliseconds (null without shared memory). */
  wasm2Ms: number | null;
  /** WASM GFLOP/s on two threads (null without shared memory). */
  wasm2Gflops: number | null;
  /** wasmMs / wasm2Ms: the speed-up of a second thread (null without shared memory). */
  speedup2: number | null;
  /** Median time of the single-thread build (shared memory off), ms; null when not run. */
  singleBuildMs: number | null;
  /** GFLOP/s of the single-thread build (null when not run). */
  singleBuildGflops: number | null;
  /** singleBuildGflops / numpyGflops (null when either is missing). */
  singleBuildRatio: number | null;
  /** |logdet(wasm) − logdet(numpy)| / |logdet(numpy)|: same matrix, same answer. */
  logdetRelDiff: number | null;
  /** The BLAS/LAPACK libraries numpy loaded (null when unavailable). */
  numpyBlas: string | null;
}

/** Options of {@link runCholeskyBench}. */
export interface CholeskyBenchOptions {
  /** Sizes (default 1000, 2000, 4000). */
  sizes?: number[];
  /** Print the table (default true). */
  print?: boolean;
}

const PYTHON = "/usr/bin/python3";
const NUMPY_SCRIPT = `
import json, statistics, sys, time
import numpy as np
out = []
for n, reps in json.loads(sys.argv[1]):
    x = np.linspace(0.0, 1.0, n)
    d = (x[:, None] - x[None, :]) / 0.01
    K = np.exp(-0.5 * d * d)
    K[np.diag_indices(n)] += 0.01
    L = np.linalg.cholesky(K)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.linalg.cholesky(K)
        ts.append(time.perf_counter() - t0)
    out.append({"n": n, "median_s": statistics.median(ts), "logdet": float(2 * np.log(np.diag(L)).sum())})
libs = sorted({l.split()[-1].rsplit("/", 2)[-2] + "/" + l.split()[-1].rsplit("/", 1)[-1]
               for l in open("/proc/self/maps") if ("blas" in l or "lapack" in l) and "/" in l})
print(json.dumps({"rows": out, "blas": ", ".join(libs) or "unknown"}))
`;

function repsFor(n: number): number {
  return n <= 1000 ? 9 : n <= 2000 ? 5 : 3;
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

type NumpyRow = { n: number; median_s: number; logdet: number };
type NumpyResult = { rows: NumpyRow[]; blas: string };

/**
 * Runs a Python `script` with numpy on one OpenBLAS thread (`OPENBLAS_CORETYPE` and
 * `OPENBLAS_L2_SIZE` unset, so OpenBLAS picks its kernel for this CPU), passing `arg` as
 * JSON in `sys.argv[1]`, and parses the JSON it prints; a reason string when it cannot.
 */
export async function runNumpy<T>(script: string, arg: unknown): Promise<T | string> {
  try {
    const cmd = new Deno.Command("env", {
      args: [
        "-u",
        "OPENBLAS_CORETYPE",
        "-u",
        "OPENBLAS_L2_SIZE",
        "OPENBLAS_NUM_THREADS=1",
        PYTHON,
        "-c",
        script,
        JSON.stringify(arg),
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const { success, stdout, stderr } = await cmd.output();
    if (!success) {
      const msg = new TextDecoder().decode(stderr).trim().split("\n").pop();
      return `${PYTHON} failed: ${msg}`;
    }
    return JSON.parse(new TextDecoder().decode(stdout)) as T;
  } catch (e) {
    return `cannot run ${PYTHON}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** numpy's Cholesky at each size of `plan`, one OpenBLAS thread. */
function numpyTimes(plan: [number, number][]): Promise<NumpyResult | string> {
  return runNumpy<NumpyResult>(NUMPY_SCRIPT, plan);
}

/** The teacher kernel matrix of order n in WASM memory (built by the core's RBF tiles). */
function teacherMatrix(n: number): core.F64Buffer {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = n === 1 ? 0 : i / (n - 1);
  const pts = { data: x, n, d: 1 };
  const rbf = { ops: new Int32Array([1, 1, 0, 1, 0]), theta: new Float64Array([0.01]) };
  const k = core.F64Buffer.alloc(n * n);
  core.kernelMatrixInto(rbf, pts, pts, k);
  const v = k.view();
  for (let i = 0; i < n; i++) v[i * n + i] += 0.01;
  return k;
}

/**
 * Median times on one and on two threads (interleaved, so that both see the same
 * machine), after one warm-up round; `ms2` is null without shared memory.
 */
function wasmTime(n: number, reps: number): { ms: number; ms2: number | null; logdet: number } {
  using k = teacherMatrix(n);
  using a = core.F64Buffer.alloc(n * n);
  const counts = core.wasmThreadsAvailable() ? [1, 2] : [1];
  const times: Record<number, number[]> = { 1: [], 2: [] };
  let logdet = NaN;
  for (let r = 0; r <= reps; r++) {
    for (const t of counts) {
      using _ = threads(t);
      a.view().set(k.view());
      const t0 = performance.now();
      const status = core.cholesky(a, n);
      const dt = performance.now() - t0;
      if (status !== 0) throw new Error(`cholesky_bench: pivot ${status - 1} failed at n = ${n}`);
      if (r > 0) times[t].push(dt); // r = 0 warms up (tiers up the wasm code, starts workers)
      if (t === 1) logdet = core.choleskyLogdet(a, n);
    }
  }
  return { ms: median(times[1]), ms2: times[2].length ? median(times[2]) : null, logdet };
}

/**
 * The single-thread build's median times, from a subprocess with shared memory off
 * (this process already runs the threaded build); a reason string when it cannot run.
 */
async function singleBuildTimes(plan: [number, number][]): Promise<number[] | string> {
  try {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--single-build",
        JSON.stringify(plan),
      ],
      env: { GPTS_WASM_THREADS: "0" },
      stdout: "piped",
      stderr: "piped",
    });
    const { success, stdout, stderr } = await cmd.output();
    if (!success) return new TextDecoder().decode(stderr).trim().split("\n").pop() ?? "failed";
    return JSON.parse(new TextDecoder().decode(stdout)) as number[];
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function gflops(n: number, ms: number): number {
  return n ** 3 / 3 / (ms * 1e6);
}

/** Times both Cholesky implementations at each size; prints a table unless told not to. */
export async function runCholeskyBench(options: CholeskyBenchOptions = {}): Promise<Row[]> {
  const sizes = options.sizes ?? [1000, 2000, 4000];
  const print = options.print ?? true;
  const plan = sizes.map((n) => [n, repsFor(n)] as [number, number]);
  const rows: Row[] = [];
  const logdets: number[] = [];
  for (const [n, reps] of plan) {
    const w = wasmTime(n, reps);
    logdets.push(w.logdet);
    rows.push({
      n,
      reps,
      wasmMs: w.ms,
      wasmGflops: gflops(n, w.ms),
      numpyMs: null,
      numpyGflops: null,
      ratio: null,
      singleBuildMs: null,
      singleBuildGflops: null,
      singleBuildRatio: null,
      wasm2Ms: w.ms2,
      wasm2Gflops: w.ms2 === null ? null : gflops(n, w.ms2),
      speedup2: w.ms2 === null ? null : w.ms / w.ms2,
      logdetRelDiff: null,
      numpyBlas: null,
    });
  }
  const np = await numpyTimes(plan);
  const single = core.wasmThreadsAvailable() ? await singleBuildTimes(plan) : null;
  rows.forEach((row, i) => {
    if (Array.isArray(single)) {
      row.singleBuildMs = single[i];
      row.singleBuildGflops = gflops(row.n, single[i]);
    }
    const ref = typeof np === "string" ? undefined : np.rows.find((r) => r.n === row.n);
    if (ref) {
      row.numpyMs = ref.median_s * 1e3;
      row.numpyGflops = gflops(row.n, row.numpyMs);
      row.ratio = row.wasmGflops / row.numpyGflops;
      if (row.singleBuildGflops !== null) {
        row.singleBuildRatio = row.singleBuildGflops / row.numpyGflops;
      }
      row.logdetRelDiff = Math.abs(logdets[i] - ref.logdet) / Math.abs(ref.logdet);
      row.numpyBlas = typeof np === "string" ? null : np.blas;
    }
  });
  if (print) {
    console.log(
      "Cholesky, float64 (GFLOP/s = n³/3 / time; median after warm-up; numpy on one thread)",
    );
    console.log(
      "     n | reps |  wasm ms | wasm GF/s | numpy ms | numpy GF/s | wasm/numpy | logdet Δ" +
        " | 2 threads ms | 2t GF/s | 2t speed-up | single build GF/s | single/numpy",
    );
    for (const r of rows) {
      const f = (v: number | null, w: number, d: number) =>
        (v === null ? "—" : v.toFixed(d)).padStart(w);
      console.log(
        `${String(r.n).padStart(6)} | ${String(r.reps).padStart(4)} | ${f(r.wasmMs, 8, 1)} | ` +
          `${f(r.wasmGflops, 9, 2)} | ${f(r.numpyMs, 8, 1)} | ${f(r.numpyGflops, 10, 2)} | ` +
          `${
            r.ratio === null ? "—".padStart(10) : `${(100 * r.ratio).toFixed(1)}%`.padStart(10)
          } | ` +
          `${(r.logdetRelDiff === null ? "—" : r.logdetRelDiff.toExponential(1)).padStart(8)} | ` +
          `${f(r.wasm2Ms, 12, 1)} | ${f(r.wasm2Gflops, 7, 2)} | ${
            r.speedup2 === null ? "—".padStart(11) : `${r.speedup2.toFixed(2)}×`.padStart(11)
          } | ${f(r.singleBuildGflops, 17, 2)} | ${
            r.singleBuildRatio === null
              ? "—".padStart(12)
              : `${(100 * r.singleBuildRatio).toFixed(1)}%`.padStart(12)
          }`,
      );
    }
    if (typeof single === "string") console.log(`single-thread build not measured: ${single}`);
    if (typeof np === "string") console.log(`numpy reference unavailable: ${np}`);
    else {
      console.log(`numpy's BLAS/LAPACK: ${np.blas}`);
      if (!/openblas|mkl|blis/i.test(np.blas)) {
        console.log(
          "  (a reference, unoptimised BLAS: the ratio is not against OpenBLAS. To compare with " +
            "OpenBLAS, run with LD_LIBRARY_PATH pointing at its libblas.so.3/liblapack.so.3)",
        );
      }
    }
  }
  return rows;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--single-build");
  if (at >= 0) {
    // The subprocess of singleBuildTimes: one-thread medians as JSON, nothing else.
    const plan = JSON.parse(Deno.args[at + 1]) as [number, number][];
    console.log(JSON.stringify(plan.map(([n, reps]) => wasmTime(n, reps).ms)));
  } else {
    await runCholeskyBench();
  }
}
