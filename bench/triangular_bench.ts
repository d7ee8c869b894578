/**
 * The triangular routines against the GEMM ceiling: `core.trsmLower` (`L⁻¹ B`, `L⁻ᵀ B`) and
 * `core.trmmLower` (`L B`, `Lᵀ B`) with an M × M factor and a wide right-hand side (M × cols,
 * row-major), on one thread (or `--threads`), in GF/s (M²·cols flops: ½M²·cols multiply–adds). M = 32 is one
 * unblocked base case alone; larger M adds the recursive blocking's GEMMs. Each sample
 * times enough calls for about 2·10⁸ flops, each call on a fresh copy of B.
 *
 * With `--old DIR` (another checkout), the same calls run on that checkout's build too,
 * interleaved (old, new, old, new, …) so that a machine whose speed drifts slows both
 * alike, and the two results are compared (max |new − old| / max |old|).
 *
 *     deno run -A bench/triangular_bench.ts [--old ../old-checkout] [--sizes 32,256,1024]
 *       [--cols 1024,8192] [--reps 5] [--ops trsm,trsmT,trmm,trmmT] [--threads 1]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Core = typeof import("../src/wasm/core.ts");
type Settings = typeof import("../src/settings.ts");

/** One checkout's build, loaded. */
interface Build {
  name: string;
  core: Core;
  settings: Settings;
}

async function load(name: string, dir: string): Promise<Build> {
  const url = (p: string) => pathToFileURL(resolve(dir, p)).href;
  return {
    name,
    core: await import(url("src/wasm/core.ts")),
    settings: await import(url("src/settings.ts")),
  };
}

const OPS = {
  trsm: (c: Core) => c.trsmLower,
  trsmT: (c: Core) => c.trsmLower,
  trmm: (c: Core) => c.trmmLower,
  trmmT: (c: Core) => c.trmmLower,
} as const;
type Op = keyof typeof OPS;

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** A well-conditioned lower factor (unit-ish diagonal, small off-diagonal entries). */
function factor(n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) l[i * n + k] = (((i * 31 + k * 17) % 97) / 97 - 0.5) / n;
    l[i * n + i] = 1 + ((i * 13) % 7) / 7;
  }
  return l;
}

/**
 * Times `calls` calls of `op` on `build`, each on `b0` afresh (the copy is not timed), and
 * returns their total time and the last result.
 */
function timeCalls(
  build: Build,
  op: Op,
  l: Float64Array,
  b0: Float64Array,
  n: number,
  m: number,
  calls: number,
  threads: number,
) {
  const { core, settings } = build;
  using _ = settings.threads(threads);
  using lb = core.F64Buffer.from(l);
  using bb = core.F64Buffer.from(b0);
  const trans = op.endsWith("T");
  let ms = 0;
  for (let c = 0; c < calls; c++) {
    bb.view().set(b0);
    const t0 = performance.now();
    OPS[op](core)(lb, n, bb, m, trans);
    ms += performance.now() - t0;
  }
  return { ms, out: bb.toArray() };
}

/** Calls a timed sample makes: about 2·10⁸ flops (tens of ms), so that V8 has tiered up. */
function callsPerSample(n: number, m: number): number {
  return Math.max(1, Math.round(2e8 / (n * n * m)));
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      old: { type: "string" },
      sizes: { type: "string", default: "32,256,1024" },
      cols: { type: "string", default: "1024,8192" },
      reps: { type: "string", default: "5" },
      ops: { type: "string", default: "trsm,trsmT,trmm,trmmT" },
      threads: { type: "string", default: "1" },
    },
  });
  const here = new URL("..", import.meta.url).pathname;
  const builds = [await load("new", here)];
  if (values.old) builds.unshift(await load("old", values.old));
  const reps = Number(values.reps);
  const threads = Number(values.threads);
  const ops = values.ops.split(",") as Op[];
  console.log(
    `threads(${threads}); GF/s = M²·cols / time a call (median of ${reps} samples of ~2e8 flops, after two warm-up samples)`,
  );
  for (const n of values.sizes.split(",").map(Number)) {
    for (const m of values.cols.split(",").map(Number)) {
      const l = factor(n);
      const b0 = new Float64Array(n * m);
      for (let i = 0; i < b0.length; i++) b0[i] = ((i * 7919) % 1000) / 500 - 1;
      for (const op of ops) {
        const times = builds.map(() => [] as number[]);
        const outs: Float64Array[] = [];
        const calls = callsPerSample(n, m);
        for (let r = 0; r < reps + 2; r++) {
          builds.forEach((b, j) => {
            const { ms, out } = timeCalls(b, op, l, b0, n, m, calls, threads);
            if (r > 1) times[j].push(ms / calls);
            else outs[j] = out;
          });
        }
        const gf = times.map((t) => n * n * m / (median(t) * 1e6));
        let line = `${op.padEnd(5)} M=${String(n).padStart(4)} cols=${String(m).padStart(4)}: ` +
          builds.map((b, j) =>
            `${b.name} ${median(times[j]).toFixed(2)} ms ${gf[j].toFixed(2)} GF/s`
          )
            .join(", ");
        if (builds.length === 2) {
          let d = 0, s = 0;
          for (let i = 0; i < outs[0].length; i++) {
            d = Math.max(d, Math.abs(outs[1][i] - outs[0][i]));
            s = Math.max(s, Math.abs(outs[0][i]));
          }
          line += `, new/old time ${(median(times[1]) / median(times[0])).toFixed(3)}, ` +
            `max|Δ|/max|old| ${(d / s).toExponential(2)}`;
        }
        console.log(line);
      }
    }
  }
}
