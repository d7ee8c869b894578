// The threaded WASM core: every parallel routine gives the single-thread result bit
// for bit, the thread-count setting, the one-thread fallback, and no hangs.
import nodeAssert from "node:assert/strict";
import * as core from "../src/wasm/core.ts";
import * as settings from "../src/settings.ts";
import * as gp from "../mod.ts";
import { toInputs } from "../src/tensor.ts";

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

function spd(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(n * n).map(r);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? n : 0) + x[i * n + j] + x[j * n + i];
  }
  return a;
}

/** `body()` with 1 thread and with `t` threads; the results must be identical. */
function same(t: number, body: () => Float64Array): void {
  let one: Float64Array, many: Float64Array;
  {
    using _ = settings.threads(1);
    one = body();
  }
  {
    using _ = settings.threads(t);
    many = body();
  }
  nodeAssert.deepStrictEqual(many.length, one.length);
  let diff = 0;
  for (let i = 0; i < one.length; i++) if (!Object.is(one[i], many[i])) diff++;
  nodeAssert.strictEqual(diff, 0, `${diff} elements differ between 1 and ${t} threads`);
}

const SIZES = [1, 37, 130, 257, 600];

Deno.test("threads: Cholesky, its VJP, solves, inverse and GEMM equal the single-thread ones", () => {
  for (const t of [2, 3]) {
    for (const n of SIZES) {
      const a = spd(n, n + 1);
      const fac = () => {
        using b = core.F64Buffer.from(a);
        nodeAssert.deepStrictEqual(core.cholesky(b, n), 0);
        return b.toArray();
      };
      same(t, fac);
      const l = core.choleskyOf(a, n).factor;
      for (const m of [1, 5, 67, 300]) {
        const rhs = new Float64Array(n * m).map(rng(m));
        for (const tr of [false, true]) same(t, () => core.solveLower(l, n, rhs, m, tr));
      }
      same(t, () => core.choleskyInverseOf(l, n));
      same(t, () => {
        using out = core.F64Buffer.from(new Float64Array(n * n));
        core.choleskyInverseLower(l, n, out);
        return out.toArray();
      });
      const lbar = new Float64Array(n * n).map(rng(n + 5));
      same(t, () => {
        using g = core.F64Buffer.from(lbar);
        core.choleskyVjp(l, n, g);
        return g.toArray();
      });
      const k = n + 13;
      const ga = new Float64Array(n * k).map(rng(3)), gb = new Float64Array(k * 71).map(rng(4));
      same(t, () => {
        using out = core.F64Buffer.alloc(n * 71);
        core.gemm(ga, gb, out, n, k, 71);
        return out.toArray();
      });
      // Few columns (a kernel matrix times probes): split by rows instead.
      same(t, () => {
        using out = core.F64Buffer.alloc(n * 17);
        core.gemm(ga, gb.subarray(0, k * 17), out, n, k, 17);
        return out.toArray();
      });
    }
  }
  core.stopWasmThreads();
});

Deno.test("threads: kernel matrix, gradient and probe contractions equal the single-thread ones", () => {
  // A sum of two kernels over 2 dims: several derivative slots, every tile-row shape.
  const k = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel().initialize({ lengthscale: 0.4 }))
    .add(new gp.kernels.MaternKernel({ nu: 2.5 }).initialize({ lengthscale: 0.7 }));
  const plan = k.plan(2);
  for (const t of [2, 3]) {
    for (const n of [1, 37, 130, 257, 600]) {
      const r = rng(n + 5);
      const x = toInputs(Array.from({ length: n }, () => [2 * r(), 2 * r()]), "x");
      const z = toInputs(Array.from({ length: 45 }, () => [2 * r(), 2 * r()]), "x");
      same(t, () => core.kernelMatrix(plan, x, x));
      same(t, () => core.kernelMatrix(plan, x, z));
      same(t, () => core.kernelMatrix(plan, z, x));
      const g = new Float64Array(n * n).map(r);
      same(t, () => core.kernelGradContract(plan, x, g));
      for (const m of [1, 9]) {
        const u = new Float64Array(n * m).map(r);
        same(t, () => core.kernelProbeContract(plan, x, u, m));
      }
    }
  }
  core.stopWasmThreads();
});

Deno.test("threads: the setting", () => {
  nodeAssert.throws(() => settings.threads(0), RangeError);
  nodeAssert.throws(() => settings.threads(1.5), RangeError);
  const def = settings.current().threads;
  nodeAssert.ok(def >= 1);
  {
    using _ = settings.threads(3);
    nodeAssert.deepStrictEqual(settings.current().threads, 3);
    nodeAssert.deepStrictEqual(core.wasmThreads(), core.wasmThreadsAvailable() ? 3 : 1);
    {
      using _ = settings.threads(1);
      nodeAssert.deepStrictEqual(core.wasmThreads(), 1);
    }
  }
  nodeAssert.deepStrictEqual(settings.current().threads, def);
});

Deno.test("threads: stopping the pool, then calling again (no hang)", () => {
  const n = 300;
  const a = spd(n, 9);
  using _ = settings.threads(2);
  for (let rep = 0; rep < 3; rep++) {
    using b = core.F64Buffer.from(a);
    nodeAssert.deepStrictEqual(core.cholesky(b, n), 0);
    core.stopWasmThreads();
  }
});

Deno.test("threads: without shared memory the single-thread core runs (GPTS_WASM_THREADS=0)", async () => {
  const code = `
    import * as core from ${JSON.stringify(new URL("../src/wasm/core.ts", import.meta.url).href)};
    import * as settings from ${
    JSON.stringify(new URL("../src/settings.ts", import.meta.url).href)
  };
    using _ = settings.threads(4);
    const r = core.choleskyOf(new Float64Array([4, 2, 2, 3]), 2);
    console.log(JSON.stringify([core.wasmThreadsAvailable(), core.wasmThreads(), r.status, Array.from(r.factor)]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--allow-env=GPTS_WASM_THREADS", code],
    env: { GPTS_WASM_THREADS: "0" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  nodeAssert.ok(out.success);
  const [avail, t, status, f] = JSON.parse(new TextDecoder().decode(out.stdout));
  nodeAssert.deepStrictEqual([avail, t, status], [false, 1, 0]);
  nodeAssert.deepStrictEqual(f, [2, 0, 1, Math.sqrt(2)]);
});

Deno.test("threads: a program using threads exits by itself", async () => {
  const code = `
    import * as core from ${JSON.stringify(new URL("../src/wasm/core.ts", import.meta.url).href)};
    import * as settings from ${
    JSON.stringify(new URL("../src/settings.ts", import.meta.url).href)
  };
    using _ = settings.threads(2);
    const n = 400, a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = 2;
    console.log(core.choleskyOf(a, n).status, core.wasmThreads());
  `;
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "-A", code],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(30_000),
  }).output();
  nodeAssert.ok(out.success);
  nodeAssert.deepStrictEqual(new TextDecoder().decode(out.stdout).trim().split(" ")[0], "0");
  nodeAssert.ok(performance.now() - t0 < 30_000);
});
