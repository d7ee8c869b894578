/**
 * Two builds side by side, in one process: an old checkout's mod.ts and this checkout's,
 * each imported dynamically, each timing one exact loss + gradient of the seed model built
 * from its own exports, interleaved (old, new, old, new, …) so that a machine whose speed
 * drifts slows both alike. Issues 9 and 10 ask that the loss + gradient at n = 1000 and
 * 4000 stay within 5% of the previous build's, measured this way.
 *
 *     deno task bench:compare --old ../old-checkout [--sizes 1000,4000] [--reps 5]
 *       [--threads 1,default] [--pause-ms 20]
 *
 * At n = 1000 the problem is `deno task bench`'s: the seed's teacher data and the
 * notebook's student (lengthscale 1, noise 1, outputscale 1 frozen); at any other n, its
 * n = 4000 problem: the seed's function at n points, lengthscale 0.05, noise 0.01. Each
 * size runs on one thread (`settings.threads(1)`, the threaded build on one thread, as
 * the bench's one-thread figures) and on the default thread count; each build's workers
 * are left `--pause-ms` after each call to go quiet before the other build is timed.
 * Prints min and median of each, new / old, and the loss of each, which must agree to
 * 1e-12 relative (exit status 1 otherwise).
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The module shape both builds share (typed as this checkout's). */
type Gp = typeof import("../mod.ts");

/** One build's timings of one case, in milliseconds. */
export interface BuildTiming {
  /** Fastest repetition. */
  minMs: number;
  /** Median repetition. */
  medianMs: number;
  /** The loss (negative MLL) the build computed. */
  loss: number;
}

/** One row of the comparison: a size and a thread count, both builds. */
export interface CompareRow {
  /** Training points. */
  n: number;
  /** Threads (`settings.threads`), or "default" for the default count. */
  threads: number | "default";
  /** The old checkout's build. */
  old: BuildTiming;
  /** This checkout's build. */
  new: BuildTiming;
  /** new.medianMs / old.medianMs. */
  ratioMedian: number;
  /** new.minMs / old.minMs. */
  ratioMin: number;
  /** |loss_new − loss_old| / |loss_old|. */
  lossRelDiff: number;
  /** The largest |g_new − g_old| / max(|g_old|, 1e-300) over every parameter's gradient. */
  gradRelDiff: number;
}

/** The loss tolerance: the two builds must compute the same loss to this, relative. */
export const LOSS_TOLERANCE = 1e-12;

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

interface Problem {
  x: number[];
  y: number[];
  /** The teacher's data and the notebook's student, as `deno task bench` at n = 1000. */
  seed: boolean;
}

/** The bench's problem at n: the seed's teacher at its n, else the seed's function at n. */
function problem(n: number, teacher: { x: number[]; y: number[]; n: number }, gp: Gp): Problem {
  if (n === teacher.n) return { x: teacher.x, y: teacher.y, seed: true };
  const g = new gp.Generator(4000);
  const x = Array.from({ length: n }, (_, i) => i / (n - 1));
  return { x, y: x.map((v) => Math.sin(20 * v) + 0.1 * g.normal()), seed: false };
}

/** The seed model against one build's exports, and a function that runs one loss + gradient. */
function setUp(gp: Gp, p: Problem): () => Promise<{ loss: number; grads: Float64Array[] }> {
  class ExactGPModel extends gp.models.ExactGP {
    meanModule = new gp.means.ConstantMean();
    covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
    forward(
      x: InstanceType<Gp["Inputs"]>,
    ): InstanceType<Gp["distributions"]["MultivariateNormal"]> {
      return new gp.distributions.MultivariateNormal(
        this.meanModule.call(x),
        this.covarModule.call(x),
      );
    }
  }
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const model = new ExactGPModel(p.x, p.y, likelihood);
  if (p.seed) {
    model.initialize({
      "likelihood.noise": 1,
      "covarModule.baseKernel.lengthscale": 1,
      "covarModule.outputscale": 1,
    });
    model.covarModule.rawOutputscale.requiresGrad_(false);
  } else {
    model.initialize({ "covarModule.baseKernel.lengthscale": 0.05, "likelihood.noise": 0.01 });
  }
  model.train();
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, { gradient: "exact" });
  const params = model.parameters();
  return async () => {
    for (const q of params) q.grad = null;
    const loss = (await mll.call(model.call(p.x), p.y)).neg();
    loss.backward();
    return {
      loss: loss.value,
      grads: params.filter((q) => q.grad !== null).map((q) => Float64Array.from(q.grad!)),
    };
  };
}

/** Largest relative difference between two lists of gradients. */
function gradDiff(a: Float64Array[], b: Float64Array[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((g, i) => {
    if (g.length !== b[i].length) worst = Infinity;
    g.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(Math.abs(v), 1e-300));
    });
  });
  return worst;
}

/**
 * Times both builds at each size and thread count, interleaved, and returns a row each.
 * `oldGp`, `newGp`: the two builds' mod.ts; `teacher`: the seed's fixture.
 */
export async function compareBuilds(
  oldGp: Gp,
  newGp: Gp,
  teacher: { x: number[]; y: number[]; n: number },
  options: { sizes: number[]; reps: number; threads: Array<number | "default">; pauseMs: number },
): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  const pause = () => new Promise((r) => setTimeout(r, options.pauseMs));
  for (const n of options.sizes) {
    for (const threads of options.threads) {
      const builds = [oldGp, newGp].map((gp) => {
        const run = setUp(gp, problem(n, teacher, newGp));
        return {
          gp,
          run: async () => {
            // The scope spans the awaits: the core reads the thread count inside the call.
            using _ = threads === "default" ? undefined : gp.settings.threads(threads);
            return await run();
          },
          times: [] as number[],
          last: { loss: NaN, grads: [] as Float64Array[] },
        };
      });
      for (const b of builds) { // warm-up, each build once
        b.last = await b.run();
        await pause();
      }
      for (let rep = 0; rep < options.reps; rep++) {
        for (const b of builds) {
          const t0 = performance.now();
          b.last = await b.run();
          b.times.push(performance.now() - t0);
          await pause();
        }
      }
      const [o, w] = builds.map((b) => ({
        minMs: Math.min(...b.times),
        medianMs: median(b.times),
        loss: b.last.loss,
      }));
      rows.push({
        n,
        threads,
        old: o,
        new: w,
        ratioMedian: w.medianMs / o.medianMs,
        ratioMin: w.minMs / o.minMs,
        lossRelDiff: Math.abs(w.loss - o.loss) / Math.abs(o.loss),
        gradRelDiff: gradDiff(builds[0].last.grads, builds[1].last.grads),
      });
    }
  }
  return rows;
}

/** The comparison's flags, checked; each bad one a RangeError naming it and the fix. */
export function parseCompareArgs(argv: string[]): {
  old: string;
  sizes: number[];
  reps: number;
  threads: Array<number | "default">;
  pauseMs: number;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      old: { type: "string" },
      sizes: { type: "string", default: "1000,4000" },
      reps: { type: "string", default: "5" },
      threads: { type: "string", default: "1,default" },
      "pause-ms": { type: "string", default: "20" },
    },
  });
  if (values.old === undefined || values.old === "") {
    throw new RangeError(
      "compare_builds: --old is missing; pass the path of the old checkout, e.g. --old ../old-main",
    );
  }
  const int = (name: string, text: string, least: number) => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < least) {
      throw new RangeError(
        `compare_builds: --${name} must be ${
          name === "sizes" || name === "threads" ? "comma-separated integers" : "an integer"
        } ≥ ${least}, got ${JSON.stringify(text)}`,
      );
    }
    return v;
  };
  return {
    old: values.old,
    sizes: values.sizes.split(",").map((s) => int("sizes", s, 2)),
    reps: int("reps", values.reps, 1),
    threads: values.threads.split(",").map((s) =>
      s === "default" ? "default" : int("threads", s, 1)
    ),
    pauseMs: int("pause-ms", values["pause-ms"], 0),
  };
}

if (import.meta.main) {
  const args = parseCompareArgs(Deno.args);
  const oldMod = new URL("mod.ts", new URL(`file://${Deno.realPathSync(args.old)}/`));
  try {
    Deno.statSync(oldMod);
  } catch {
    throw new RangeError(
      `compare_builds: --old ${args.old} has no mod.ts; pass the root of a gpts checkout`,
    );
  }
  const oldGp: Gp = await import(oldMod.href);
  const newGp: Gp = await import(new URL("../mod.ts", import.meta.url).href);
  const teacher = JSON.parse(
    Deno.readTextFileSync(new URL("../tests/fixtures/teacher_n1000_seed17.json", import.meta.url)),
  );
  console.log(
    `exact loss + gradient, old ${oldMod.pathname} against new ${
      new URL("../mod.ts", import.meta.url).pathname
    }`,
  );
  console.log(
    `interleaved old, new, …; ${args.reps} repetitions after one warm-up each; default threads = ${navigator.hardwareConcurrency}`,
  );
  const rows = await compareBuilds(oldGp, newGp, teacher, args);
  const ms = (t: BuildTiming) => `${t.medianMs.toFixed(1)} (min ${t.minMs.toFixed(1)})`;
  console.log(
    "\n     n | threads |     old ms, median (min) |     new ms, median (min) | new/old median | new/old min | loss rel diff | grad rel diff",
  );
  let ok = true;
  for (const r of rows) {
    const agree = r.lossRelDiff <= LOSS_TOLERANCE;
    ok &&= agree;
    console.log(
      `${String(r.n).padStart(6)} | ${String(r.threads).padStart(7)} | ${
        ms(r.old).padStart(24)
      } | ${ms(r.new).padStart(24)} | ${r.ratioMedian.toFixed(3).padStart(14)} | ${
        r.ratioMin.toFixed(3).padStart(11)
      } | ${r.lossRelDiff.toExponential(1).padStart(13)} | ${
        r.gradRelDiff.toExponential(1).padStart(13)
      }${agree ? "" : `  LOSSES DISAGREE (old ${r.old.loss}, new ${r.new.loss})`}`,
    );
  }
  console.log(
    ok
      ? `\nlosses agree to ${LOSS_TOLERANCE} relative in every row`
      : `\nthe losses disagree beyond ${LOSS_TOLERANCE} relative: the timings compare different work`,
  );
  Deno.exit(ok ? 0 : 1); // both builds' worker pools: leave without waiting for them
}
