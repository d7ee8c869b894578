// The house's floors (DESIGN.md §2) as data: every file of src/ belongs to one floor and
// imports only files on its own floor or below; no two files import each other (no
// cycle at all). Type-only imports count: they tie the files together just the same.
import assert from "node:assert/strict";

/**
 * Floors, lowest first: a file's floor is the first entry whose pattern matches its path
 * (relative to src/). A new folder must be placed here before its files can be imported.
 */
const FLOORS: readonly { floor: number; name: string; pattern: RegExp }[] = [
  {
    floor: 0,
    name: "ground",
    pattern:
      /^(errors|opcodes|kernel_plan|gradient_map|kernel_operator|prediction_solve|random|settings|tensor|special|constraints|hermgauss|gauss_hermite_quadrature_1d|normal_inverse_cdf)\.ts$/,
  },
  { floor: 1, name: "devices", pattern: /^(wasm|webgpu)\// },
  { floor: 2, name: "autograd", pattern: /^autograd\// },
  {
    floor: 3,
    name: "parameter",
    pattern: /^(parameter|module|module_list|scalar|theta_tensor|gradient_map_op)\.ts$|^priors\//,
  },
  { floor: 4, name: "means", pattern: /^means\// },
  { floor: 5, name: "distributions", pattern: /^distributions\// },
  { floor: 6, name: "kernels, likelihoods", pattern: /^(kernels|likelihoods)\// },
  { floor: 7, name: "engine", pattern: /^(engine|variational|data)\// },
  { floor: 8, name: "models, mlls, optim", pattern: /^(models|mlls|optim)\// },
  { floor: 9, name: "bo", pattern: /^bo\// },
  { floor: 9, name: "plot", pattern: /^plot\// },
];

const SRC = new URL("../src/", import.meta.url);

async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      out.push(...await sourceFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    } else if (e.name.endsWith(".ts")) out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

/** The src/-relative paths a file imports or re-exports (relative specifiers only). */
function importsOf(path: string, text: string): string[] {
  // Strip comments first, so that doc examples' imports are not counted.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"|import\s*\(\s*"(\.[^"]+)"\s*\)|import\s*"(\.[^"]+)"/g;
  for (const m of code.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const resolved = new URL(spec, new URL(path, SRC)).href;
    if (resolved.startsWith(SRC.href) && resolved.endsWith(".ts")) {
      found.push(resolved.slice(SRC.href.length));
    }
  }
  return found;
}

function floorOf(path: string): { floor: number; name: string } | null {
  return FLOORS.find((f) => f.pattern.test(path)) ?? null;
}

async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const f of await sourceFiles(SRC)) {
    graph.set(f, importsOf(f, await Deno.readTextFile(new URL(f, SRC))));
  }
  return graph;
}

Deno.test("importsOf() reads static, type-only, dynamic and re-export imports, not comments", () => {
  const text = [
    `import { a } from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `export { c } from "./c.ts";`,
    `const d = await import("./d.ts");`,
    `/** import { e } from "./e.ts"; */`,
    `import { f } from "npm:f";`,
  ].join("\n");
  assert.deepEqual(importsOf("engine/x.ts", text), [
    "engine/a.ts",
    "b.ts",
    "engine/c.ts",
    "engine/d.ts",
  ]);
});

/** Files that stand on no floor. */
function unplaced(graph: Map<string, string[]>): string[] {
  return [...graph.keys()].filter((f) => floorOf(f) === null);
}

/** "a (floor) imports b (higher floor)" for every upward import. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const upward: string[] = [];
  for (const [file, imports] of graph) {
    const own = floorOf(file);
    if (own === null) continue;
    for (const target of imports) {
      const other = floorOf(target);
      if (other !== null && other.floor > own.floor) {
        upward.push(`${file} (${own.name}) imports ${target} (${other.name})`);
      }
    }
  }
  return upward;
}

/** Every cycle found by a depth-first walk, as "a → b → a". */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      cycles.push([...stack.slice(stack.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "open");
    for (const t of graph.get(file) ?? []) visit(t, [...stack, file]);
    state.set(file, "done");
  };
  for (const f of graph.keys()) visit(f, []);
  return cycles;
}

Deno.test("every file of src/ stands on a floor, and imports nothing from a higher one", async () => {
  const graph = await importGraph();
  assert.deepEqual(unplaced(graph), [], `place these files on a floor in FLOORS`);
  const upward = upwardImports(graph);
  assert.deepEqual(upward, [], `imports that run up the house:\n${upward.join("\n")}`);
});

Deno.test("the import graph of src/ has no cycle (no two files import each other)", async () => {
  const cycles = findCycles(await importGraph());
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join("\n")}`);
});

Deno.test("the checks fail when they should, on a made-up graph", () => {
  const graph = new Map<string, string[]>([
    ["errors.ts", ["engine/select.ts"]],
    ["engine/select.ts", ["engine/cg.ts"]],
    ["engine/cg.ts", ["engine/select.ts"]],
    ["nowhere/x.ts", []],
  ]);
  assert.deepEqual(upwardImports(graph), [
    "errors.ts (ground) imports engine/select.ts (engine)",
  ]);
  assert.deepEqual(findCycles(graph), ["engine/select.ts → engine/cg.ts → engine/select.ts"]);
  assert.deepEqual(unplaced(graph), ["nowhere/x.ts"]);
});
