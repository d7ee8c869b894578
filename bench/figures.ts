/**
 * The measured figures that module comments and the README quote, from the records the
 * benches write (bench/results/*.json), in one record: bench/results/figures.json.
 *
 * Each figure names its source record, how its value is read from it, its text as
 * quoted, and the files that quote it. `deno run -A bench/figures.ts` rewrites
 * figures.json from the records; `--check` (and tests/figures_test.ts) fails when
 * figures.json differs from the records or a quoting file does not contain the text, so
 * a quote cannot drift from its measurement: after a new bench run, point the figure at
 * the new record, rerun this script, and update the quotes it reports.
 *
 * @module
 */

/** A bench record, as JSON. */
// deno-lint-ignore no-explicit-any
type BenchRecord = any;

/** One quoted figure: where it comes from and where it is quoted. */
export interface FigureSpec {
  /** A stable name. */
  id: string;
  /** The record it is read from, relative to the repository root. */
  record: string;
  /** What the figure is, in words. */
  what: string;
  /** The text, as quoted, from the record. */
  text: (record: BenchRecord) => string;
  /** Files (relative to the root) that quote `text`. */
  quotedIn: string[];
}

/** The figure as figures.json holds it. */
export interface Figure {
  /** The record it is read from. */
  record: string;
  /** What it is. */
  what: string;
  /** Its text, as quoted. */
  text: string;
  /** The files that quote it. */
  quotedIn: string[];
}

/** Seconds as quoted: two decimals below 1 s, one from there. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 1 ? s.toFixed(2) : s.toFixed(1);
}

/** The crossover sweep's times of `solver` at the sizes `ns`, joined with " / ". */
function sweep(record: BenchRecord, solver: string, ns: number[]): string {
  return ns.map((n) => {
    const row = record.crossover.find((r: BenchRecord) => r.solver === solver && r.n === n);
    if (row === undefined) throw new Error(`no ${solver} row at N = ${n}`);
    return seconds(row.ms);
  }).join(" / ");
}

const EASY = "bench/results/webgpu-2026-12-01.json";
const SEED = "bench/results/webgpu-2026-12-01-ls0.01-noise0.01.json";
const HARD = "bench/results/webgpu-2026-12-01-ls0.003-noise0.001.json";
const PREDICT = "bench/results/webgpu-2026-12-01-ls0.01-noise0.01-predict5000.json";
const SELECT = "src/engine/select.ts";

/** A README table cell: the row's time, with the CG iterations when `iterations`. */
function cell(record: BenchRecord, solver: string, n: number, suffix = ""): string {
  const row = record.crossover.find((r: BenchRecord) => r.solver === solver && r.n === n);
  return row === undefined ? "" : `${seconds(row.ms)} s${suffix}`;
}

/**
 * The `deno task bench` record (bench/run.ts) that the README's Speed section quotes: the
 * goals table, the line naming the record, the ceiling paragraph and the cost of shared
 * memory. After a new `deno task bench`, point this at its record, run `deno task
 * figures`, and paste the texts it prints into the README.
 */
export const SPEED_RECORD = "bench/results/bench-2026-12-02.json";

/** A `deno task bench --quick` record is a smoke test: its figures are quoted nowhere. */
function refuseQuick(r: BenchRecord): void {
  if (r.quick === true) {
    throw new Error(
      "the Speed record is a `deno task bench --quick` smoke test; point SPEED_RECORD at a full run's",
    );
  }
}

/** A bench goal row's gpts cell, as bench/run.ts prints it. */
function goalValue(g: BenchRecord): string {
  if (g.gpts === null) return "not built";
  const abs = `${g.gpts.toFixed(g.unit === "s" ? 2 : 1)} ${g.unit}`;
  return typeof g.gptsUnits === "number" ? `${abs} = ${g.gptsUnits.toFixed(2)} numpy-chol` : abs;
}

/** The README's Speed table: the bench record's goals, one row each, as the bench printed. */
export function speedTable(r: BenchRecord): string {
  refuseQuick(r);
  if (!Array.isArray(r.goals)) throw new Error("the bench record has no goals table");
  const rows = r.goals.map((g: BenchRecord) =>
    `| ${g.figure} | ${goalValue(g)} | ${g.reference} | ${
      g.ratio === null ? "—" : g.ratio.toFixed(2)
    } | ${g.goal} | ${g.met === null ? "—" : g.met ? "met" : "NOT met"} |`
  );
  return [
    "| figure | gpts | reference | ratio | goal | met |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The sentence naming the record the Speed table quotes: file, date, runtime, machine. */
export function speedRecordLine(r: BenchRecord, file: string = SPEED_RECORD): string {
  refuseQuick(r);
  const cpu = r.gemmCeiling?.cpu;
  const numpyMs = r.numpyCholeskyN1000Ms ??
    r.cholesky?.find((c: BenchRecord) => c.n === 1000)?.numpyMs;
  const judged = typeof r.numpyCholeskyN1000Ms === "number"
    ? `times judged in units of it ("numpy-chol"; ${r.referenceNumpyCholeskyN1000Ms} ms where ` +
      `GPyTorch's figures were measured)`
    : "times judged on absolute figures (the record predates the numpy-chol units)";
  return `\`${file}\`: one run of \`deno task bench\` at ${
    r.date.slice(0, 16)
  } UTC, Deno ${r.deno.deno}, ${
    cpu === undefined ? "CPU unknown" : `${cpu.model} (${cpu.simd.join(", ")})`
  }, ${r.threads.hardwareConcurrency} hardware threads; numpy's n = 1000 Cholesky ${
    numpyMs.toFixed(1)
  } ms, ${judged}`;
}

/** The ceiling paragraph's figures: each side's GEMM and Cholesky / GEMM at n = 4000. */
export function speedCeiling(r: BenchRecord): string {
  const c = r.gemmCeiling;
  const big = r.cholesky.find((row: BenchRecord) => row.n === 4000);
  if (big === undefined) throw new Error("the bench record has no Cholesky at n = 4000");
  return `the core's GEMM runs at ${c.wasmGflops.toFixed(1)} GF/s at n = ${c.n}, numpy's ` +
    `OpenBLAS at ${c.numpyGflops.toFixed(1)}; at n = 4000 gpts's Cholesky reaches ${
      (big.wasmGflops / c.wasmGflops).toFixed(2)
    } of its own GEMM, numpy's ${(big.numpyGflops / c.numpyGflops).toFixed(2)} of its own ` +
    `(numpy ${Math.round(big.numpyMs)} ms)`;
}

/** How much slower the threaded build runs on one thread than the single-thread build. */
export function sharedMemoryCost(r: BenchRecord): string {
  const rows = r.cholesky.filter((row: BenchRecord) => typeof row.singleBuildMs === "number");
  if (rows.length === 0) throw new Error("the bench record has no single-thread build times");
  const pct = rows.map((row: BenchRecord) =>
    Math.round(100 * (row.wasmMs / row.singleBuildMs - 1))
  );
  return `${Math.min(...pct)}–${Math.max(...pct)}% slower at n = ${
    rows.map((row: BenchRecord) => row.n).join(" / ")
  }`;
}

/** The figures quoted today. */
export const FIGURES: readonly FigureSpec[] = [
  {
    id: "crossover.easy.cholesky",
    record: EASY,
    what: "WASM Cholesky loss + gradient, ℓ 0.05, σ² 0.05, N = 1000 … 12000, two threads",
    text: (r) => `${sweep(r, "wasm-cholesky", [1000, 2000, 4000, 8000, 12000])} s`,
    quotedIn: [SELECT],
  },
  {
    id: "crossover.easy.cg",
    record: EASY,
    what: "WASM CG loss + gradient, ℓ 0.05, σ² 0.05, N = 1000 … 12000, two threads",
    text: (r) => `${sweep(r, "wasm-cg", [1000, 2000, 4000, 8000, 12000])} s`,
    quotedIn: [SELECT],
  },
  {
    id: "crossover.seed.cholesky",
    record: SEED,
    what: "WASM Cholesky, the seed's final state (ℓ 0.01, σ² 0.01), N = 2000 / 4000 / 8000",
    text: (r) => `${sweep(r, "wasm-cholesky", [2000, 4000, 8000])} s`,
    quotedIn: [SELECT],
  },
  {
    id: "crossover.seed.cg",
    record: SEED,
    what: "WASM CG, the seed's final state (ℓ 0.01, σ² 0.01), N = 2000 / 4000 / 8000",
    text: (r) => `${sweep(r, "wasm-cg", [2000, 4000, 8000])} s`,
    quotedIn: [SELECT],
  },
  {
    id: "crossover.hard",
    record: HARD,
    what: "ℓ 0.003, σ² 0.001: Cholesky against CG at N = 2000 / 4000",
    text: (r) =>
      `${sweep(r, "wasm-cholesky", [2000, 4000])} s against ${
        sweep(r, "wasm-cg", [2000, 4000])
      } s at N = 2000 / 4000`,
    quotedIn: [SELECT],
  },
  {
    id: "prediction.n5000",
    record: PREDICT,
    what: "prediction at N = 5000, 500 test points: exact Cholesky, exact CG, LOVE",
    text: (r) => {
      const s = (solver: string, fast: boolean) =>
        r.prediction.find((p: BenchRecord) => p.solver === solver && p.fast === fast).s;
      return `Cholesky ${s("cholesky", false).toFixed(1)} s, CG ${
        s("cg", false).toFixed(1)
      } s, its LOVE fast variances ${s("cg", true).toFixed(1)} s`;
    },
    quotedIn: [SELECT, "README.md"],
  },
  {
    id: "readme.crossoverTable",
    record: EASY,
    what: "the README's table of one loss + gradient per N and problem",
    text: () => {
      // Three records: read here, since a figure reads one.
      const read = (f: string) =>
        JSON.parse(Deno.readTextFileSync(new URL(`../${f}`, import.meta.url)));
      const easy = read(EASY), seed = read(SEED), hard = read(HARD);
      const it = (r: BenchRecord, n: number) =>
        r.crossover.find((x: BenchRecord) => x.solver === "wasm-cg" && x.n === n)?.cgIterations;
      const rows = [1000, 2000, 4000, 8000, 12000].map((n) =>
        `| ${n.toLocaleString("en").replace(",", " ")} | ${cell(easy, "wasm-cholesky", n)} | ${
          cell(easy, "wasm-cg", n)
        } | ${cell(seed, "wasm-cg", n)} | ${
          cell(hard, "wasm-cg", n, ` (${it(hard, n)} it), outside the accuracy`)
        } |`
      );
      return [
        "| N | WASM Cholesky (ℓ 0.05, σ² 0.05) | CG, ℓ 0.05, σ² 0.05 (rank 34, 3–4 it) | CG, ℓ 0.01, σ² 0.01 (the seed's end; rank ≈ 170, 3 it) | CG, ℓ 0.003, σ² 0.001 (rank 256: incomplete) |",
        "| --- | --- | --- | --- | --- |",
        ...rows,
      ].join("\n");
    },
    quotedIn: ["README.md"],
  },
  {
    id: "readme.speedRecord",
    record: SPEED_RECORD,
    what: "the record the README's Speed table quotes: file, date, runtime, machine",
    text: (r) => speedRecordLine(r),
    quotedIn: ["README.md"],
  },
  {
    id: "readme.speedTable",
    record: SPEED_RECORD,
    what: "the README's Speed table: the bench's goals, each figure beside its reference",
    text: speedTable,
    quotedIn: ["README.md"],
  },
  {
    id: "readme.speedCeiling",
    record: SPEED_RECORD,
    what: "each side's GEMM, one thread, and its Cholesky / GEMM at n = 4000",
    text: speedCeiling,
    quotedIn: ["README.md"],
  },
  {
    id: "readme.sharedMemoryCost",
    record: SPEED_RECORD,
    what: "the threaded build on one thread against the single-thread build, Cholesky",
    text: sharedMemoryCost,
    quotedIn: ["README.md"],
  },
];

const root = new URL("../", import.meta.url);

/** Each figure's entry, read from its record now. */
export function figuresFromRecords(): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  for (const f of FIGURES) {
    const record = JSON.parse(Deno.readTextFileSync(new URL(f.record, root)));
    out[f.id] = { record: f.record, what: f.what, text: f.text(record), quotedIn: f.quotedIn };
  }
  return out;
}

/**
 * Text as compared: comment prefixes (` * `, `//`) dropped, whitespace collapsed, and a
 * markdown table's dash runs made one, so that line wrapping and `deno fmt`'s alignment
 * do not matter.
 */
export function normalize(text: string): string {
  return text.replace(/^\s*(\*|\/\/)(?!\/)/gm, " ").replace(/-{3,}/g, "---").replace(/\s+/g, " ")
    .trim();
}

/** What disagrees: a figures.json entry unlike its record, or a file that lacks a quote. */
export function problems(
  recorded: Record<string, Figure>,
  fresh: Record<string, Figure> = figuresFromRecords(),
  read: (file: string) => string = (f) => Deno.readTextFileSync(new URL(f, root)),
): string[] {
  const out: string[] = [];
  for (const [id, f] of Object.entries(fresh)) {
    const r = recorded[id];
    if (r === undefined || r.text !== f.text || r.record !== f.record) {
      out.push(
        `figures.json: ${id} is ${JSON.stringify(r?.text)}, its record gives ${
          JSON.stringify(f.text)
        }`,
      );
    }
    for (const file of f.quotedIn) {
      if (!normalize(read(file)).includes(normalize(f.text))) {
        out.push(`${file} does not quote ${id}: ${JSON.stringify(f.text)}`);
      }
    }
  }
  for (const id of Object.keys(recorded)) {
    if (!(id in fresh)) out.push(`figures.json: ${id} is no longer a figure`);
  }
  return out;
}

/** The path of the one record. */
export const FIGURES_JSON: URL = new URL("bench/results/figures.json", root);

if (import.meta.main) {
  if (Deno.args.includes("--check")) {
    const found = problems(JSON.parse(Deno.readTextFileSync(FIGURES_JSON)));
    for (const p of found) console.error(p);
    Deno.exit(found.length === 0 ? 0 : 1);
  }
  const fresh = figuresFromRecords();
  Deno.writeTextFileSync(FIGURES_JSON, JSON.stringify(fresh, null, 1) + "\n");
  console.log(`wrote ${FIGURES_JSON.pathname}`);
  for (const [id, f] of Object.entries(fresh)) {
    for (const file of f.quotedIn) {
      if (normalize(Deno.readTextFileSync(new URL(file, root))).includes(normalize(f.text))) {
        continue;
      }
      console.log(`\nupdate the quote of ${id} in ${file} to:\n${f.text}`);
    }
  }
}
