/**
 * SVGP's cost: one epoch of minibatch training (VariationalELBO, Adam, batch 1024,
 * CholeskyVariationalDistribution + VariationalStrategy, ConstantMean + ScaleKernel(RBF))
 * on N = 100 000 1-D points (the data of bench/sgpr_bench.ts), at M = 256 and M = 1024
 * inducing points, on one and on two threads, beside GPyTorch 1.12 float64 on one thread
 * on this kind of machine (10.3 s and 86 s, issue 11), with the ratio and the goal (at
 * most half GPyTorch's time, one thread).
 *
 * Memory: the peak resident set and V8 heap + external, sampled after every step, for
 * each N of `--n` (default 100 000 and 10 000; the later Ns run as many steps as the
 * first's epoch, over several epochs): a minibatch step touches only its batch, so the
 * peak must not grow with N beyond the data itself (N × 2 float64).
 *
 * The floor: the step's flops (the model in {@link svgpStepFlops}) over the core's GEMM
 * rate measured in the same run (bench/gemm_ceiling.ts) — no step can beat it.
 *
 *     deno task bench:svgp [--m 256,1024] [--threads 1,2] [--n 100000,10000] [--reps 3] [--out file]
 *
 * Each epoch runs in its own process (its peak memory is its own); the timed rows (the first
 * N) report the best of `--reps` epochs, as other jobs on a shared machine only add time;
 * the record goes to bench/results/svgp-<date>.json.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as gp from "../mod.ts";
import { wasmThreadsAvailable } from "../src/wasm/core.ts";
import { runGemmCeiling } from "./gemm_ceiling.ts";

/** GPyTorch 1.12 float64, one thread, this kind of machine: one epoch at M = 256 (s). */
export const GPYTORCH_SVGP_M256_EPOCH_SECONDS = 10.3;
/** GPyTorch 1.12 float64, one thread, this kind of machine: one epoch at M = 1024 (s). */
export const GPYTORCH_SVGP_M1024_EPOCH_SECONDS = 86;
/** The goal: at most this fraction of GPyTorch's epoch time, on one thread. */
export const SVGP_GOAL_FRACTION = 0.5;

const BATCH = 1024;

/**
 * Multiply–adds of one training step of the whitened strategy at M inducing points and
 * batch B, as gpts computes it: forward A = L⁻¹K_ux (½M²B), U = RᵀA (triangular, ½M²B),
 * the Cholesky of K_uu (⅓M³); backward L⁻ᵀĀ (½M²B), tril(K̄_ux Aᵀ) (½M²B), R U diag(ḡ)
 * (½M²B), tril(A diag(ḡ) Uᵀ) (½M²B) and the Cholesky VJP (⅚M³ on triangular blocks:
 * tril(Lᵀ L̄) and P L⁻¹ ⅙M³ each, one full solve ½M³). The element-wise work and the
 * kernel contractions (O(MB)) are left out.
 */
export function svgpStepFlops(m: number, b: number): { fma: number; flops: number } {
  const fma = 3 * m * m * b + (1 / 3 + 5 / 6) * m ** 3;
  return { fma, flops: 2 * fma };
}

/** GPyTorch's epoch at N = 100 000 (the only N it was measured at), or null. */
function gpytorchSeconds(n: number, m: number): number | null {
  if (n !== 100000) return null;
  if (m === 256) return GPYTORCH_SVGP_M256_EPOCH_SECONDS;
  if (m === 1024) return GPYTORCH_SVGP_M1024_EPOCH_SECONDS;
  return null;
}

function list(s: string, name: string): number[] {
  const v = s.split(",").map(Number);
  if (v.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new RangeError(`svgp_bench: --${name} ${s} must be a comma-separated list of integers`);
  }
  return v;
}

class Svgp extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  constructor(z: number[]) {
    super(
      new gp.variational.VariationalStrategy(
        null,
        z,
        new gp.variational.CholeskyVariationalDistribution(z.length),
      ),
    );
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

/** The data of bench/sgpr_bench.ts: N points in [0, 1], y = sin 12x + ½ cos 25x + noise. */
function sinData(n: number): { x: Float64Array; y: Float64Array } {
  const rng = new gp.Generator(1);
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform();
    y[i] = Math.sin(12 * x[i]) + 0.5 * Math.cos(25 * x[i]) + 0.1 * rng.normal();
  }
  return { x, y };
}

/** One row of the record. */
export interface SvgpRow {
  n: number;
  m: number;
  threads: number;
  /** Epochs run (more than one for the memory rows, to take as many steps as the first N). */
  epochs: number;
  steps: number;
  /** Seconds of one epoch (the mean over `epochs`; the best of the repetitions). */
  epochSeconds: number;
  /** Each repetition's epoch seconds (timed rows: `--reps` of them). */
  epochSecondsAll?: number[];
  medianStepMs: number;
  finalLoss: number;
  gpytorchSeconds: number | null;
  ratio: number | null;
  goalSeconds: number | null;
  met: boolean | null;
  peakRssMB: number;
  peakRssOverBaseMB: number;
  peakHeapExternalMB: number;
  dataMB: number;
  floorMs: number;
}

/**
 * Epochs at (n, m, threads) until at least `minSteps` steps (one epoch when 0); the first
 * step of a fresh model warms up, untimed.
 */
async function epoch(
  n: number,
  m: number,
  threads: number,
  gemmGflops: number,
  minSteps = 0,
): Promise<SvgpRow> {
  using _ = gp.settings.threads(threads);
  const { x, y } = sinData(n);
  const z = Array.from({ length: m }, (_, i) => i / (m - 1));
  const model = new Svgp(z);
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const mll = new gp.mlls.VariationalELBO(likelihood, model, n);
  const optimizer = new gp.optim.Adam([...model.parameters(), ...likelihood.parameters()], {
    lr: 0.01,
  });
  model.train();
  likelihood.train();
  const loader = gp.data.batches(x, y, { batchSize: BATCH, shuffle: true, seed: 0 });
  const step = async (bx: gp.InputLike, by: Float64Array): Promise<number> => {
    optimizer.zeroGrad();
    const loss = (await mll.call(model.call(bx), by)).neg();
    loss.backward();
    optimizer.step();
    return loss.value;
  };
  // Warm-up (JIT, WASM memory growth, thread start): one step on the first rows.
  const warm = Math.min(BATCH, n);
  await step(x.subarray(0, warm), y.subarray(0, warm));
  const base = Deno.memoryUsage().rss;
  let peakRss = base, peakHeap = 0, finalLoss = NaN;
  const stepMs: number[] = [];
  const t0 = performance.now();
  let epochs = 0;
  do {
    for (const b of loader) {
      const s0 = performance.now();
      finalLoss = await step(b.x, b.y);
      stepMs.push(performance.now() - s0);
      const u = Deno.memoryUsage();
      peakRss = Math.max(peakRss, u.rss);
      peakHeap = Math.max(peakHeap, u.heapUsed + u.external);
    }
    epochs++;
  } while (stepMs.length < minSteps);
  const epochSeconds = (performance.now() - t0) / 1000 / epochs;
  const ref = gpytorchSeconds(n, m);
  const goal = ref === null ? null : SVGP_GOAL_FRACTION * ref;
  const mb = (v: number) => v / 2 ** 20;
  const sorted = stepMs.slice().sort((a, b) => a - b);
  return {
    n,
    m,
    threads,
    epochs,
    steps: stepMs.length,
    epochSeconds,
    medianStepMs: sorted[Math.floor(sorted.length / 2)],
    finalLoss,
    gpytorchSeconds: ref,
    ratio: ref === null ? null : epochSeconds / ref,
    goalSeconds: goal,
    met: goal === null || threads !== 1 ? null : epochSeconds <= goal,
    peakRssMB: mb(peakRss),
    peakRssOverBaseMB: mb(peakRss - base),
    peakHeapExternalMB: mb(peakHeap),
    dataMB: mb(16 * n),
    floorMs: svgpStepFlops(m, BATCH).flops / (gemmGflops * 1e6),
  };
}

function print(r: SvgpRow): void {
  const verdict = r.met === null ? "" : r.met ? "; goal met" : "; goal NOT met";
  const ref = r.gpytorchSeconds === null
    ? ""
    : `; GPyTorch 1.12, one thread: ${r.gpytorchSeconds} s; ratio ${r.ratio!.toFixed(2)}; goal ≤ ${
      r.goalSeconds!.toFixed(2)
    } s on one thread${verdict}`;
  console.log(
    `SVGP epoch, N = ${r.n}, M = ${r.m}, ${r.threads} thread${r.threads > 1 ? "s" : ""}: ` +
      `${r.epochSeconds.toFixed(2)} s an epoch${
        (r.epochSecondsAll?.length ?? 1) > 1
          ? ` (best of ${r.epochSecondsAll!.map((v) => v.toFixed(2)).join(", ")})`
          : ""
      } (${r.steps} steps${r.epochs > 1 ? ` in ${r.epochs} epochs` : ""}, median ${
        r.medianStepMs.toFixed(1)
      } ms; GEMM floor ${r.floorMs.toFixed(1)} ms a step)${ref}`,
  );
  console.log(
    `  peak memory: RSS ${r.peakRssMB.toFixed(0)} MB (${
      r.peakRssOverBaseMB.toFixed(0)
    } MB over the warmed-up start), V8 heap + external ${
      r.peakHeapExternalMB.toFixed(0)
    } MB; the data are ${r.dataMB.toFixed(1)} MB`,
  );
}

/** Run one (n, m, threads) epoch in a fresh process, so that its peak memory is its own. */
async function epochInChild(
  n: number,
  m: number,
  threads: number,
  gemm: number,
  minSteps: number,
): Promise<SvgpRow> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--child",
      `${n},${m},${threads},${gemm},${minSteps}`,
    ],
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`svgp_bench: the child run N = ${n}, M = ${m} failed:\n${text}`);
  }
  return JSON.parse(text.split("\n").at(-1)!) as SvgpRow;
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      m: { type: "string", default: "256,1024" },
      threads: { type: "string", default: "1,2" },
      n: { type: "string", default: "100000,10000" },
      out: { type: "string" },
      reps: { type: "string", default: "3" },
      child: { type: "string" },
    },
  });
  if (args.values.child !== undefined) {
    const [n, m, t, gemm, minSteps] = args.values.child.split(",").map(Number);
    console.log(JSON.stringify(await epoch(n, m, t, gemm, minSteps)));
    Deno.exit(0);
  }
  const ms = list(args.values.m, "m"), ns = list(args.values.n, "n");
  const [reps] = list(args.values.reps, "reps");
  if (!(reps >= 1)) throw new RangeError(`svgp_bench: --reps ${reps} must be at least 1`);
  const ths = list(args.values.threads, "threads").filter((t) => t === 1 || wasmThreadsAvailable());
  const ceiling = await runGemmCeiling(1024, 3);
  const rows: SvgpRow[] = [];
  for (const m of ms) {
    const { flops } = svgpStepFlops(m, BATCH);
    console.log(
      `\nM = ${m}, batch ${BATCH}: ${(flops / 1e9).toFixed(2)} GFLOP a step (the model in ` +
        `svgpStepFlops) at the core's GEMM rate ${ceiling.wasmGflops.toFixed(1)} GF/s: at ` +
        `least ${(flops / (ceiling.wasmGflops * 1e6)).toFixed(1)} ms a step`,
    );
    let firstSteps = 0;
    for (const [i, n] of ns.entries()) {
      // Every thread count at the first N; the other Ns show the memory (one thread), with
      // as many steps as the first N's epoch, so that the peaks differ only by N.
      for (const t of i === 0 ? ths : [1]) {
        // The timed rows: the best of `reps` epochs (each in its own process), since other
        // jobs on the machine only ever add time; the memory rows once.
        const runs: SvgpRow[] = [];
        for (let r = 0; r < (i === 0 ? reps : 1); r++) {
          runs.push(
            await epochInChild(n, m, t, ceiling.wasmGflops, i === 0 ? 0 : firstSteps),
          );
        }
        const row = runs.reduce((a, b) => (b.epochSeconds < a.epochSeconds ? b : a));
        row.epochSecondsAll = runs.map((r) => r.epochSeconds);
        row.peakRssMB = Math.max(...runs.map((r) => r.peakRssMB));
        if (i === 0) firstSteps = row.steps;
        print(row);
        rows.push(row);
      }
    }
    const byN = rows.filter((r) => r.m === m && r.threads === 1);
    if (byN.length > 1) {
      console.log(
        `  peak RSS by N (one thread): ${
          byN.map((r) => `N = ${r.n}: ${r.peakRssMB.toFixed(0)} MB`).join(", ")
        }`,
      );
    }
  }
  const date = new Date().toISOString();
  const record = {
    date,
    bench: "svgp",
    batch: BATCH,
    deno: Deno.version.deno,
    cpu: ceiling.cpu,
    gemmCeiling: { n: ceiling.n, wasmGflops: ceiling.wasmGflops, numpyGflops: ceiling.numpyGflops },
    rows,
  };
  let file = args.values.out;
  if (file === undefined) {
    await Deno.mkdir(new URL("results/", import.meta.url), { recursive: true });
    file = new URL(`results/svgp-${date.slice(0, 10)}.json`, import.meta.url).pathname;
  }
  await Deno.writeTextFile(file, JSON.stringify(record, null, 1) + "\n");
  console.log(`\nrecord: ${file}`);
}
