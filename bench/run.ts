/**
 * `deno task bench`: the WASM core's speed beside its references, in one run.
 *
 * 1. Cholesky GFLOP/s at n = 1000, 2000, 4000 against numpy (OpenBLAS, one thread),
 *    measured in the same run (bench/cholesky_bench.ts).
 * 2. One loss + gradient of the seed model at n = 1000 (exact, and with the
 *    stochastic trace terms), the seed's 50-iteration training (both), and one loss +
 *    gradient at n = 4000, against GPyTorch 1.12 measured on this kind of machine
 *    (quoted: PyTorch is not installed here).
 * 3. A table of issue 5's goals: each figure beside its reference, the ratio, the goal.
 *
 * Results are printed and saved to bench/results/bench-<date>.json.
 *
 * @module
 */

import { runCholeskyBench } from "./cholesky_bench.ts";
import { ExactGPModel, loadReference, loadTeacher, makeStudent } from "../tests/_seed_model.ts";
import * as gp from "../mod.ts";

/** GPyTorch 1.12 float64 Cholesky path on this machine kind (issue #2; fixture metadata). */
const GPYTORCH_LOSS_GRAD_MS = { low: 125, high: 141 };
/** GPyTorch's float32 CG default, one gradient at n = 1000 (issue #5, quoted; biased). */
const GPYTORCH_CG_MS = { low: 36, high: 54 };
/** GPyTorch at n = 4000 (issue #5, quoted): float64 Cholesky path and biased CG path. */
const GPYTORCH_N4000_S = { cholesky: { low: 4.4, high: 8.1 }, cg: { low: 1.2, high: 1.5 } };

type Mode = gp.mlls.ExactMarginalLogLikelihoodOptions["gradient"];

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Timing {
  medianMs: number;
  minMs: number;
  reps: number;
}

async function lossAndGradient(gradient: Mode, reps = 8): Promise<Timing> {
  const teacher = loadTeacher();
  const s = makeStudent(teacher, { gradient });
  const times: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    s.optimizer.zeroGrad();
    const t0 = performance.now();
    const loss = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
    loss.backward();
    const dt = performance.now() - t0;
    if (rep > 0) times.push(dt); // the first one warms up
  }
  return { medianMs: median(times), minMs: Math.min(...times), reps: times.length };
}

/** One loss + gradient at n = 4000 on synthetic data (the seed's function, 4× the points). */
async function lossAndGradientN4000(gradient: Mode, reps: number): Promise<Timing> {
  const n = 4000;
  const g = new gp.Generator(4000);
  const x = Array.from({ length: n }, (_, i) => i / (n - 1));
  const y = x.map((v) => Math.sin(20 * v) + 0.1 * g.normal());
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ExactGPModel(x, y, likelihood);
  model.initialize({ "covarModule.baseKernel.lengthscale": 0.05, "likelihood.noise": 0.01 });
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, { gradient });
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    (await mll.call(model.call(x), y)).neg().backward();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), minMs: Math.min(...times), reps };
}

async function seedTraining(gradient: Mode): Promise<{ seconds: number; finalLoss: number }> {
  const teacher = loadTeacher();
  const s = makeStudent(teacher, { gradient });
  const t0 = performance.now();
  let finalLoss = NaN;
  for (let i = 0; i < 50; i++) {
    s.optimizer.zeroGrad();
    const loss = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
    loss.backward();
    s.optimizer.step();
    finalLoss = loss.value;
  }
  return { seconds: (performance.now() - t0) / 1000, finalLoss };
}

/** One line of the goals table. */
interface Goal {
  figure: string;
  gpts: number | null;
  unit: string;
  reference: string;
  /** gpts / reference (time) or gpts / reference (GFLOP/s), as printed. */
  ratio: number | null;
  goal: string;
  met: boolean | null;
}

function printGoals(goals: Goal[]): void {
  console.log("\nissue 5 goals (one run; times are medians)");
  const w = Math.max(...goals.map((g) => g.figure.length));
  for (const g of goals) {
    const v = g.gpts === null ? "not built" : `${g.gpts.toFixed(g.unit === "s" ? 2 : 1)} ${g.unit}`;
    const r = g.ratio === null ? "—" : g.ratio.toFixed(2);
    const met = g.met === null ? "—" : g.met ? "met" : "NOT met";
    console.log(
      `  ${g.figure.padEnd(w)} | ${v.padStart(11)} | ref ${g.reference.padEnd(34)} | ratio ${
        r.padStart(5)
      } | goal ${g.goal.padEnd(22)} | ${met}`,
    );
  }
}

if (import.meta.main) {
  const cholesky = await runCholeskyBench();
  console.log("\nloss + gradient, seed model, n = 1000 (one thread)");
  const lg = await lossAndGradient("exact");
  const lgFast = await lossAndGradient("stochastic");
  console.log(
    `  exact ${lg.medianMs.toFixed(1)} ms (min ${lg.minMs.toFixed(1)}), ` +
      `stochastic ${lgFast.medianMs.toFixed(1)} ms (min ${lgFast.minMs.toFixed(1)})`,
  );
  console.log("\nseed training, 50 Adam iterations, n = 1000 (one thread)");
  const train = await seedTraining("exact");
  const trainFast = await seedTraining("stochastic");
  console.log(
    `  exact ${train.seconds.toFixed(2)} s (final loss ${train.finalLoss.toFixed(4)}), ` +
      `stochastic ${trainFast.seconds.toFixed(2)} s (final loss ${trainFast.finalLoss.toFixed(4)})`,
  );
  console.log("\nloss + gradient, n = 4000 (one thread: the threaded build does not exist yet)");
  const big = await lossAndGradientN4000("exact", 2);
  const bigFast = await lossAndGradientN4000("stochastic", 3);
  console.log(
    `  exact ${(big.medianMs / 1e3).toFixed(2)} s, ` +
      `stochastic ${(bigFast.medianMs / 1e3).toFixed(2)} s`,
  );

  const gpytorchSeconds = loadReference(50).train_seconds_1thread ?? NaN;
  const ref = GPYTORCH_LOSS_GRAD_MS;
  const goals: Goal[] = [];
  for (const row of cholesky) {
    goals.push({
      figure: `Cholesky n=${row.n}, 1 thread`,
      gpts: row.wasmGflops,
      unit: "GF/s",
      reference: row.numpyGflops === null
        ? "numpy unavailable"
        : `numpy 1 thread ${row.numpyGflops.toFixed(1)} GF/s`,
      ratio: row.ratio,
      goal: "≥ 0.30 of numpy",
      met: row.ratio === null ? null : row.ratio >= 0.3,
    });
  }
  goals.push({
    figure: "Cholesky n=4000, 2 threads",
    gpts: null,
    unit: "GF/s",
    reference: "1-thread figure above",
    ratio: null,
    goal: "≥ 1.6× one thread",
    met: null,
  });
  const timeGoal = (
    figure: string,
    v: number | null,
    unit: "ms" | "s",
    refText: string,
    refValue: number,
    limit: number,
  ): Goal => ({
    figure,
    gpts: v,
    unit,
    reference: refText,
    ratio: v === null ? null : v / refValue,
    goal: `< ${limit} ${unit}`,
    met: v === null ? null : v < limit,
  });
  goals.push(
    timeGoal(
      "loss+grad n=1000 exact, 1 thread",
      lg.medianMs,
      "ms",
      `GPyTorch f64 Cholesky ${ref.low}–${ref.high} ms`,
      ref.low,
      110,
    ),
    timeGoal("loss+grad n=1000 exact, 2 threads", null, "ms", "GPyTorch 125 ms", ref.low, 70),
    timeGoal(
      "loss+grad n=1000 stochastic, 1 thread",
      lgFast.medianMs,
      "ms",
      `GPyTorch f32 CG ${GPYTORCH_CG_MS.low}–${GPYTORCH_CG_MS.high} ms (biased)`,
      GPYTORCH_CG_MS.low,
      50,
    ),
    timeGoal(
      "seed training exact, 1 thread",
      train.seconds,
      "s",
      `GPyTorch f64 ${gpytorchSeconds.toFixed(2)} s`,
      gpytorchSeconds,
      5,
    ),
    timeGoal("seed training exact, 2 threads", null, "s", "GPyTorch f64", gpytorchSeconds, 3.5),
    timeGoal(
      "seed training stochastic, 1 thread",
      trainFast.seconds,
      "s",
      `GPyTorch f64 ${gpytorchSeconds.toFixed(2)} s`,
      gpytorchSeconds,
      2.5,
    ),
    timeGoal(
      "n=4000 exact (1 thread; goal: 2)",
      big.medianMs / 1e3,
      "s",
      `GPyTorch f64 ${GPYTORCH_N4000_S.cholesky.low}–${GPYTORCH_N4000_S.cholesky.high} s`,
      GPYTORCH_N4000_S.cholesky.low,
      4.5,
    ),
    timeGoal(
      "n=4000 stochastic (1 thread; goal: 2)",
      bigFast.medianMs / 1e3,
      "s",
      `GPyTorch CG ${GPYTORCH_N4000_S.cg.low}–${GPYTORCH_N4000_S.cg.high} s (biased)`,
      GPYTORCH_N4000_S.cg.low,
      2,
    ),
  );
  printGoals(goals);

  const record = {
    date: new Date().toISOString(),
    deno: Deno.version,
    threads: { built: false, note: "threaded WASM build not yet landed (issue 5)" },
    cholesky,
    lossAndGradientN1000: { exact: lg, stochastic: lgFast, gpytorchQuotedMs: ref },
    seedTraining50: { exact: train, stochastic: trainFast, gpytorchSeconds },
    lossAndGradientN4000: { exact: big, stochastic: bigFast, gpytorchQuotedS: GPYTORCH_N4000_S },
    goals,
  };
  await Deno.mkdir(new URL("results/", import.meta.url), { recursive: true });
  const file = new URL(`results/bench-${record.date.slice(0, 10)}.json`, import.meta.url);
  await Deno.writeTextFile(file, JSON.stringify(record, null, 1) + "\n");
  console.log(`\nsaved ${file.pathname}`);
}
