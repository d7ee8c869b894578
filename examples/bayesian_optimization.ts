/**
 * Bayesian optimisation of Hartmann-6 (negated, so the optimum is +3.32237) with gpts's
 * BoTorch-style loop: 10 scrambled Sobol points, then 40 iterations of LogExpectedImprovement
 * on a SingleTaskGP refitted each time (gp.bo.Optimizer: fitModel + optimizeAcqf with
 * numRestarts 10, rawSamples 512). Prints each iteration's candidate and the best value so far
 * for seed 0, then runs seeds 1–4 and Sobol random search with the same budget, and draws the
 * best value so far against the evaluation count (median and range over the 5 seeds) as
 * examples/out/bayesian_optimization.{svg,png}.
 *
 * Run: deno run -A examples/bayesian_optimization.ts
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import * as gp from "../mod.ts";
import { render } from "../plot.ts";

const f = new gp.bo.Hartmann({ dim: 6, negate: true });
const bounds = f.bounds.map((r) => Array.from(r));
const N_INIT = 10, N_BO = 40, SEEDS = [0, 1, 2, 3, 4];

async function runBo(seed: number, verbose: boolean): Promise<number[]> {
  const opt = new gp.bo.Optimizer({ bounds, acquisition: "logEI", seed, initialPoints: N_INIT });
  const bestSoFar: number[] = [];
  for (let i = 0; i < N_INIT + N_BO; i++) {
    const t0 = performance.now();
    const x = await opt.ask();
    const y = Array.from(f.forward(x));
    opt.tell(x, y);
    bestSoFar.push(opt.best!.y!);
    if (verbose) {
      const kind = i < N_INIT ? "sobol" : "logEI";
      console.log(
        `${String(i + 1).padStart(2)} ${kind} x = [${x[0].map((v) => v.toFixed(3)).join(", ")}] ` +
          `y = ${y[0].toFixed(4)}  best = ${bestSoFar[i].toFixed(5)}  ` +
          `(${((performance.now() - t0) / 1000).toFixed(2)} s)`,
      );
    }
  }
  return bestSoFar;
}

function runSobol(seed: number): number[] {
  const n = N_INIT + N_BO;
  const u = new gp.bo.SobolEngine(6, { scramble: true, seed }).draw(n);
  const x = Array.from(
    { length: n },
    (_, i) => Array.from(u.row(i), (v, j) => bounds[0][j] + (bounds[1][j] - bounds[0][j]) * v),
  );
  const y = f.forward(x);
  let best = -Infinity;
  return Array.from(y, (v) => (best = Math.max(best, v)));
}

const curves = { bo: [] as number[][], sobol: [] as number[][] };
for (const seed of SEEDS) {
  const t0 = performance.now();
  curves.bo.push(await runBo(seed, seed === 0));
  curves.sobol.push(runSobol(seed));
  console.log(
    `seed ${seed}: BO best ${curves.bo[seed].at(-1)!.toFixed(5)}, Sobol best ` +
      `${curves.sobol[seed].at(-1)!.toFixed(5)} (optimum ${f.optimalValue}), ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

const median = (v: number[]) => {
  const s = v.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = (name: string, runs: number[][]) =>
  runs[0].map((_, i) => {
    const v = runs.map((r) => r[i]);
    return { method: name, n: i + 1, median: median(v), lo: Math.min(...v), hi: Math.max(...v) };
  });
const data = [...rows("BO (LogEI)", curves.bo), ...rows("Sobol", curves.sobol)];
const colors = { "BO (LogEI)": "#4269d0", "Sobol": "#ff725c" };
const figure = render({
  marks: [
    ...Object.entries(colors).flatMap(([name, color]) => [
      Plot.areaY(data.filter((d) => d.method === name), {
        x: "n",
        y1: "lo",
        y2: "hi",
        fill: color,
        fillOpacity: 0.2,
      }),
      Plot.lineY(data.filter((d) => d.method === name), { x: "n", y: "median", stroke: color }),
    ]),
    Plot.ruleY([f.optimalValue], { stroke: "#888", strokeDasharray: "4,3" }),
    Plot.ruleX([N_INIT + 0.5], { stroke: "#bbb" }),
  ],
  x: { label: "evaluations" },
  y: { label: "best value so far (Hartmann-6, negated)" },
}, {
  title: "Hartmann-6: best value so far, median and range over 5 seeds",
  legend: [
    { label: "BO (10 Sobol + LogEI)", mark: "line", color: colors["BO (LogEI)"] },
    { label: "Sobol random search", mark: "line", color: colors.Sobol },
  ],
});
await Deno.mkdir(new URL("./out/", import.meta.url), { recursive: true });
const written = await figure.save(new URL("./out/bayesian_optimization", import.meta.url).pathname);
console.log(
  `median best after ${N_INIT + N_BO}: BO ${median(curves.bo.map((c) => c.at(-1)!)).toFixed(4)}, ` +
    `Sobol ${median(curves.sobol.map((c) => c.at(-1)!)).toFixed(4)}; wrote ${written.join(", ")}`,
);
