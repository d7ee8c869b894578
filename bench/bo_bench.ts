/**
 * Bayesian optimisation of Hartmann-6 (negated; optimum 3.32237) as issue 12 specifies:
 * 10 scrambled Sobol points then 30 LogEI iterations (SingleTaskGP + fitModel + optimizeAcqf
 * with numRestarts 10, rawSamples 512) over seeds 0–4, on one thread. Prints the median best
 * value after 40 evaluations and the median wall time per BO iteration (fit + acquisition
 * optimisation) beside BoTorch's figures from the issue (BoTorch 0.11.3 / GPyTorch 1.12,
 * float64, one thread: best values 3.198, 3.168, 3.315, 3.200, 3.322, median 3.200, 0.81 s per
 * iteration on average; Sobol alone median 1.59), with the ratios.
 *
 *     deno task bench:bo [--seeds 5] [--iterations 30]
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as gp from "../mod.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    seeds: { type: "string", default: "5" },
    iterations: { type: "string", default: "30" },
  },
});
const SEEDS = Array.from({ length: Number(args.seeds) }, (_, i) => i);
const N_INIT = 10, N_BO = Number(args.iterations);
const BOTORCH = { median: 3.2, secondsPerIteration: 0.81, sobolMedian: 1.59 };

const f = new gp.bo.Hartmann({ dim: 6, negate: true });
const bounds = f.bounds.map((r) => Array.from(r));
const median = (v: number[]) => {
  const s = v.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

using _ = gp.settings.threads(1);
const finals: number[] = [], perIteration: number[] = [], sobolFinals: number[] = [];
for (const seed of SEEDS) {
  const opt = new gp.bo.Optimizer({
    bounds,
    acquisition: "logEI",
    seed,
    initialPoints: N_INIT,
    numRestarts: 10,
    rawSamples: 512,
  });
  const times: number[] = [];
  for (let i = 0; i < N_INIT + N_BO; i++) {
    const t0 = performance.now();
    const x = await opt.ask();
    if (i >= N_INIT) times.push((performance.now() - t0) / 1000);
    opt.tell(x, Array.from(f.forward(x)));
  }
  finals.push(opt.best!.y!);
  perIteration.push(median(times));
  const u = new gp.bo.SobolEngine(6, { scramble: true, seed }).draw(N_INIT + N_BO);
  const sx = Array.from(
    { length: N_INIT + N_BO },
    (_, i) => Array.from(u.row(i), (v, j) => bounds[0][j] + (bounds[1][j] - bounds[0][j]) * v),
  );
  sobolFinals.push(Math.max(...f.forward(sx)));
  console.log(
    `seed ${seed}: best ${finals.at(-1)!.toFixed(4)} after ${N_INIT + N_BO}, median ` +
      `${perIteration.at(-1)!.toFixed(3)} s per iteration (mean ${
        (times.reduce((a, b) => a + b) / times.length).toFixed(3)
      }), Sobol ${sobolFinals.at(-1)!.toFixed(4)}`,
  );
}
const med = median(finals), sec = median(perIteration), sob = median(sobolFinals);
console.log(`
                          gpts      BoTorch   ratio
median best value        ${med.toFixed(3).padStart(6)}    ${BOTORCH.median.toFixed(3)}     ${
  (med / BOTORCH.median).toFixed(3)
}  (optimum ${f.optimalValue.toFixed(5)}; goal ≥ 1)
seconds per iteration    ${sec.toFixed(3).padStart(6)}    ${
  BOTORCH.secondsPerIteration.toFixed(3)
}     ${(sec / BOTORCH.secondsPerIteration).toFixed(3)}  (goal ≤ 0.333)
Sobol median best        ${sob.toFixed(3).padStart(6)}    ${BOTORCH.sobolMedian.toFixed(3)}`);
