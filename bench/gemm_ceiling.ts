/**
 * The ceiling every level-3 routine runs against: a plain n × n matrix product (GEMM),
 * in the WASM core (`core.gemm`, one thread) and in numpy (`a @ b`, OpenBLAS, one thread),
 * measured in the same run. Cholesky, the triangular solves and the inverse spend almost
 * all their flops in this product, so their wasm/numpy ratio cannot exceed this one.
 *
 * Why it is a ceiling, not a target: wasm32 simd128 has two float64 lanes and no fused
 * multiply-add on this toolchain, so the core issues one `mul` and one `add` per pair;
 * native OpenBLAS uses 256- or 512-bit FMA. The ratio therefore depends on the CPU: about
 * a third on an AVX2 machine, less where OpenBLAS has AVX-512 (printed with the CPU's
 * flags, so a reader can tell which).
 *
 *     deno run -A bench/gemm_ceiling.ts
 *
 * @module
 */

import * as core from "../src/wasm/core.ts";
import { threads } from "../src/settings.ts";
import { runNumpy } from "./cholesky_bench.ts";

/** What {@link runGemmCeiling} measured. */
export interface GemmCeiling {
  /** Matrix order. */
  n: number;
  /** WASM core, one thread: GFLOP/s (2n³ flops, median of the timed runs). */
  wasmGflops: number;
  /** numpy one thread, GFLOP/s (null when unavailable). */
  numpyGflops: number | null;
  /** wasmGflops / numpyGflops (null when unavailable). */
  ratio: number | null;
  /** The CPU's model name and the vector extensions it reports (from /proc/cpuinfo). */
  cpu: { model: string; simd: string[] };
  /** Why numpy's figure is missing, when it is. */
  numpyUnavailable?: string;
}

const GEMM_SCRIPT = `
import json, statistics, sys, time
import numpy as np
n, reps = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
a, b = rng.random((n, n)), rng.random((n, n))
a @ b
ts = []
for _ in range(reps):
    t0 = time.perf_counter()
    a @ b
    ts.append(time.perf_counter() - t0)
print(json.dumps({"median_s": statistics.median(ts)}))
`;

/** The CPU's model and SIMD flags, or "unknown" where /proc/cpuinfo is unreadable. */
export function cpuInfo(): { model: string; simd: string[] } {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1] ?? "unknown";
    const flags = (/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? "").split(/\s+/);
    const simd = flags.filter((f) => /^(avx2|fma|avx512f)$/.test(f));
    return { model, simd };
  } catch {
    return { model: "unknown", simd: [] };
  }
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Times both products at order `n` (default 2000) and prints a line unless told not to. */
export async function runGemmCeiling(n = 2000, reps = 5, print = true): Promise<GemmCeiling> {
  using _ = threads(1);
  using a = core.F64Buffer.alloc(n * n);
  using b = core.F64Buffer.alloc(n * n);
  using c = core.F64Buffer.alloc(n * n);
  const av = a.view(), bv = b.view();
  for (let i = 0; i < n * n; i++) {
    av[i] = ((i * 7919) % 1000) / 1000;
    bv[i] = ((i * 104729) % 1000) / 1000;
  }
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    core.gemm(a, b, c, n, n, n);
    if (r > 0) times.push(performance.now() - t0); // r = 0 warms up
  }
  const wasmGflops = 2 * n ** 3 / (median(times) * 1e6);
  const np = await runNumpy<{ median_s: number }>(GEMM_SCRIPT, [n, reps]);
  const numpyGflops = typeof np === "string" ? null : 2 * n ** 3 / (np.median_s * 1e9);
  const result: GemmCeiling = {
    n,
    wasmGflops,
    numpyGflops,
    ratio: numpyGflops === null ? null : wasmGflops / numpyGflops,
    cpu: cpuInfo(),
    ...(typeof np === "string" ? { numpyUnavailable: np } : {}),
  };
  if (print) {
    console.log(
      `GEMM n = ${n}, one thread (the ceiling of every level-3 routine): wasm ${
        wasmGflops.toFixed(1)
      } GF/s, numpy ${numpyGflops === null ? `— (${np})` : `${numpyGflops.toFixed(1)} GF/s`}${
        result.ratio === null ? "" : `, ratio ${result.ratio.toFixed(2)}`
      }`,
    );
    console.log(`  CPU: ${result.cpu.model} (${result.cpu.simd.join(", ") || "no AVX2"})`);
  }
  return result;
}

if (import.meta.main) {
  await runGemmCeiling();
}
