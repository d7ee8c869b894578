/**
 * `deno task bench`: the WASM core's speed beside its references, in one run.
 *
 * 1. Cholesky GFLOP/s at n = 1000, 2000, 4000 against numpy (OpenBLAS, one thread),
 *    measured in the same run (bench/cholesky_bench.ts).
 * 2. One exact loss + gradient of the seed model at n = 1000, and the seed's
 *    50-iteration training, against GPyTorch 1.12's float64 Cholesky path measured on
 *    this kind of machine (quoted: PyTorch is not installed here).
 *
 * Results are printed and saved to bench/results/bench-<date>.json.
 *
 * @module
 */

import { runCholeskyBench } from "./cholesky_bench.ts";
import { loadReference, loadTeacher, makeStudent } from "../tests/_seed_model.ts";

/** GPyTorch 1.12 float64 Cholesky path on this machine kind (issue #2; fixture metadata). */
const GPYTORCH_LOSS_GRAD_MS = { low: 125, high: 141 };

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function lossAndGradient(): Promise<{ medianMs: number; minMs: number; reps: number }> {
  const teacher = loadTeacher();
  const s = makeStudent(teacher);
  const times: number[] = [];
  for (let rep = 0; rep < 8; rep++) {
    s.optimizer.zeroGrad();
    const t0 = performance.now();
    const loss = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
    loss.backward();
    const dt = performance.now() - t0;
    if (rep > 0) times.push(dt); // the first one warms up
  }
  return { medianMs: median(times), minMs: Math.min(...times), reps: times.length };
}

async function seedTraining(): Promise<{ seconds: number; finalLoss: number }> {
  const teacher = loadTeacher();
  const s = makeStudent(teacher);
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

if (import.meta.main) {
  const cholesky = await runCholeskyBench();
  console.log("\nexact loss + gradient, seed model, n = 1000 (one thread)");
  const lg = await lossAndGradient();
  const ref = GPYTORCH_LOSS_GRAD_MS;
  console.log(
    `  gpts ${lg.medianMs.toFixed(1)} ms (median of ${lg.reps}, min ${lg.minMs.toFixed(1)})` +
      `  |  GPyTorch float64 Cholesky ${ref.low}–${ref.high} ms (quoted)` +
      `  |  ratio ${(lg.medianMs / ref.low).toFixed(2)}–${(lg.medianMs / ref.high).toFixed(2)}`,
  );
  console.log("\nseed training, 50 Adam iterations, n = 1000 (one thread)");
  const train = await seedTraining();
  const gpytorchSeconds = loadReference(50).train_seconds_1thread ?? NaN;
  console.log(
    `  gpts ${train.seconds.toFixed(2)} s  |  GPyTorch float64 ${gpytorchSeconds.toFixed(2)} s ` +
      `(fixture's train_seconds_1thread)  |  ratio ${(train.seconds / gpytorchSeconds).toFixed(2)}`,
  );
  const record = {
    date: new Date().toISOString(),
    deno: Deno.version,
    cholesky,
    lossAndGradientN1000: { ...lg, gpytorchQuotedMs: ref },
    seedTraining50: { ...train, gpytorchSeconds },
  };
  await Deno.mkdir(new URL("results/", import.meta.url), { recursive: true });
  const file = new URL(`results/bench-${record.date.slice(0, 10)}.json`, import.meta.url);
  await Deno.writeTextFile(file, JSON.stringify(record, null, 1) + "\n");
  console.log(`\nsaved ${file.pathname}`);
}
