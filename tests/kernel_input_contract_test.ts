// The kernel program's contractions on the WASM core (src/wasm/kernel_contractions.ts):
// each wrapper against central differences of kernelMatrix / kernelDiag for every row
// of the conformance table, the same bits on 1 and 2 threads, Matern ½ at zero
// distance, and bad input.
import * as assert from "node:assert";
import * as gp from "../mod.ts";
import * as core from "../src/wasm/core.ts";
import { wasm } from "../src/wasm/loader.ts";
import * as settings from "../src/settings.ts";
import {
  kernelCrossThetaContract,
  kernelDiagInputContract,
  kernelDiagThetaContract,
  kernelInputContract,
} from "../src/wasm/kernel_contractions.ts";
import { kernelCases } from "./_kernel_cases.ts";

type Points = core.PointSet;

function points(n: number, d: number, seed: number): Points {
  const g = new gp.Generator(seed);
  return { data: Float64Array.from({ length: n * d }, () => 2 * g.uniform()), n, d };
}

function normals(len: number, seed: number): Float64Array {
  const g = new gp.Generator(seed);
  return Float64Array.from({ length: len }, () => g.normal());
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** One point of `x`, with its column `c` moved to `v`. */
function moved(x: Points, i: number, c: number, v: number): Points {
  const data = x.data.slice(i * x.d, (i + 1) * x.d);
  data[c] = v;
  return { data, n: 1, d: x.d };
}

/** `|got − fd| ≤ 1e-6 (|fd| + scale)`. */
function close(got: number, fd: number, scale: number, what: string): void {
  assert.ok(Math.abs(got - fd) <= 1e-6 * (Math.abs(fd) + scale), `${what}: ${got} vs fd ${fd}`);
}

const H = 1e-6;

for (const c of kernelCases) {
  Deno.test(`${c.name}: kernelCrossThetaContract equals central differences of Σ G∘K(x1, x2)`, () => {
    const plan = c.make().plan(c.d);
    const [x1, x2] = [points(9, c.d, 1), points(7, c.d, 2)];
    const g = normals(9 * 7, 3);
    const grad = kernelCrossThetaContract(plan, x1, x2, g);
    assert.strictEqual(grad.length, plan.theta.length);
    const k = core.kernelMatrix(plan, x1, x2);
    const scale = k.reduce((s, v, i) => s + Math.abs(v * g[i]), 1e-3);
    for (let p = 0; p < plan.theta.length; p++) {
      const f = (t: number) => {
        const theta = plan.theta.slice();
        theta[p] = t;
        return dot(core.kernelMatrix({ ops: plan.ops, theta }, x1, x2), g);
      };
      const t = plan.theta[p], h = H * t;
      const fd = (f(t + h) - f(t - h)) / (2 * h);
      close(grad[p], fd, scale / t, `θ${p}`);
    }
  });

  Deno.test(`${c.name}: kernelInputContract equals central differences in x1 and in x2`, () => {
    const plan = c.make().plan(c.d);
    const [n1, n2, d] = [9, 7, c.d];
    const [x1, x2] = [points(n1, d, 4), points(n2, d, 5)];
    const g = normals(n1 * n2, 6);
    const k = core.kernelMatrix(plan, x1, x2);
    const o1 = kernelInputContract(plan, x1, x2, g, 1);
    const o2 = kernelInputContract(plan, x1, x2, g, 2);
    assert.strictEqual(o1.length, n1 * d);
    assert.strictEqual(o2.length, n2 * d);
    for (let i = 0; i < n1; i++) {
      const gi = g.subarray(i * n2, (i + 1) * n2);
      let scale = 0;
      for (let j = 0; j < n2; j++) scale += Math.abs(gi[j]) * (1 + Math.abs(k[i * n2 + j]));
      for (let col = 0; col < d; col++) {
        const v = x1.data[i * d + col];
        const f = (t: number) => dot(core.kernelMatrix(plan, moved(x1, i, col, t), x2), gi);
        close(o1[i * d + col], (f(v + H) - f(v - H)) / (2 * H), scale, `x1[${i}, ${col}]`);
      }
    }
    for (let j = 0; j < n2; j++) {
      const gj = Float64Array.from({ length: n1 }, (_, i) => g[i * n2 + j]);
      let scale = 0;
      for (let i = 0; i < n1; i++) scale += Math.abs(gj[i]) * (1 + Math.abs(k[i * n2 + j]));
      for (let col = 0; col < d; col++) {
        const v = x2.data[j * d + col];
        const f = (t: number) => dot(core.kernelMatrix(plan, x1, moved(x2, j, col, t)), gj);
        close(o2[j * d + col], (f(v + H) - f(v - H)) / (2 * H), scale, `x2[${j}, ${col}]`);
      }
    }
  });

  Deno.test(`${c.name}: the diagonal contractions equal central differences of Σ g∘diag K`, () => {
    const plan = c.make().plan(c.d);
    const [n, d] = [11, c.d];
    const x = points(n, d, 7);
    const g = normals(n, 8);
    const kd = core.kernelDiag(plan, x);
    const grad = kernelDiagThetaContract(plan, x, g);
    const scale = kd.reduce((s, v, i) => s + Math.abs(v * g[i]), 1e-3);
    for (let p = 0; p < plan.theta.length; p++) {
      const f = (t: number) => {
        const theta = plan.theta.slice();
        theta[p] = t;
        return dot(core.kernelDiag({ ops: plan.ops, theta }, x), g);
      };
      const t = plan.theta[p], h = H * t;
      close(grad[p], (f(t + h) - f(t - h)) / (2 * h), scale / t, `diag θ${p}`);
    }
    const dx = kernelDiagInputContract(plan, x, g);
    assert.strictEqual(dx.length, n * d);
    for (let i = 0; i < n; i++) {
      for (let col = 0; col < d; col++) {
        const v = x.data[i * d + col];
        const f = (t: number) => g[i] * core.kernelDiag(plan, moved(x, i, col, t))[0];
        const fd = (f(v + H) - f(v - H)) / (2 * H);
        close(dx[i * d + col], fd, Math.abs(g[i]) * (1 + Math.abs(kd[i])), `diag x[${i}, ${col}]`);
      }
    }
  });
}

/** `body()` on 1 and on 2 threads: the same bits. */
function sameOnTwoThreads(body: () => Float64Array, what: string): void {
  let one: Float64Array, two: Float64Array;
  {
    using _ = settings.threads(1);
    one = body();
  }
  {
    using _ = settings.threads(2);
    two = body();
  }
  assert.strictEqual(two.length, one.length);
  let diff = 0;
  for (let i = 0; i < one.length; i++) if (!Object.is(one[i], two[i])) diff++;
  assert.strictEqual(diff, 0, `${what}: ${diff} entries differ between 1 and 2 threads`);
}

/** Waits (up to 30 s: the Worker type-checks its module first) for worker 1 to park. */
async function secondThreadReady(): Promise<void> {
  if (!core.wasmThreadsAvailable()) return;
  const alive = () => new Int32Array(wasm.memory.buffer, wasm.gpts_threads_alive(), 2)[1];
  const until = performance.now() + 30_000;
  while (alive() !== 1 && performance.now() < until) {
    {
      using _ = settings.threads(2);
      core.kernelMatrix(new gp.kernels.RBFKernel().plan(1), points(300, 1, 1), points(300, 1, 2));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.strictEqual(alive(), 1, "worker 1 did not start within 30 s");
}

Deno.test("kernel contractions give the same bits on 1 and 2 threads", async () => {
  await secondThreadReady();
  for (const c of kernelCases) {
    const plan = c.make().plan(c.d);
    // 5 × 4 and 2 × 9 tiles (with ragged edges): enough tiles to split over threads.
    for (const [n1, n2] of [[150, 130], [40, 280]]) {
      const [x1, x2] = [points(n1, c.d, 9), points(n2, c.d, 10)];
      const g = normals(n1 * n2, 11);
      sameOnTwoThreads(() => kernelCrossThetaContract(plan, x1, x2, g), `${c.name} θ`);
      sameOnTwoThreads(() => kernelInputContract(plan, x1, x2, g, 1), `${c.name} x1`);
      sameOnTwoThreads(() => kernelInputContract(plan, x1, x2, g, 2), `${c.name} x2`);
      sameOnTwoThreads(() => kernelDiagThetaContract(plan, x1, g.subarray(0, n1)), `${c.name} dθ`);
      sameOnTwoThreads(() => kernelDiagInputContract(plan, x1, g.subarray(0, n1)), `${c.name} dx`);
    }
  }
  core.stopWasmThreads();
});

Deno.test("kernelInputContract: Matern ½ contributes 0 for a pair at zero distance", () => {
  const plan = new gp.kernels.MaternKernel({ nu: 0.5 }).initialize({ lengthscale: 0.5 }).plan(1);
  const x1 = { data: new Float64Array([0.3, 0.7]), n: 2, d: 1 };
  const x2 = { data: new Float64Array([0.3]), n: 1, d: 1 };
  const o1 = kernelInputContract(plan, x1, x2, new Float64Array([1, 1]), 1);
  assert.strictEqual(o1[0], 0);
  // d/dx e^{−|x − 0.3|/ℓ} at x = 0.7
  assert.ok(Math.abs(o1[1] + Math.exp(-0.4 / 0.5) / 0.5) < 1e-15);
  assert.deepStrictEqual([...kernelInputContract(plan, x1, x2, new Float64Array([1, 0]), 2)], [0]);
});

Deno.test("kernel contractions: inputs that do not match throw a TypeError or RangeError", () => {
  const plan = new gp.kernels.RBFKernel().plan(2);
  const x1 = points(3, 2, 12), x2 = points(4, 2, 13);
  const g = new Float64Array(12);
  assert.throws(() => kernelCrossThetaContract(plan, x1, x2, new Float64Array(11)), {
    name: "TypeError",
    message: /g has 11 entries, but it must be n1 × n2 = 3 × 4 = 12/,
  });
  assert.throws(() => kernelInputContract(plan, x1, x2, new Float64Array(13), 2), TypeError);
  assert.throws(() => kernelInputContract(plan, x1, points(4, 3, 1), g, 1), {
    name: "TypeError",
    message: /x1 has 2 dimensions but x2 has 3/,
  });
  assert.throws(() => kernelInputContract(plan, x1, x2, g, 3 as 1), {
    name: "RangeError",
    message: /wrt must be 1 \(x1\) or 2 \(x2\), got 3/,
  });
  const short = { data: new Float64Array(5), n: 3, d: 2 };
  assert.throws(() => kernelDiagThetaContract(plan, short, new Float64Array(3)), {
    name: "TypeError",
    message: /x.data has 5 entries, but x is 3 × 2 \(needs 6\)/,
  });
  assert.throws(() => kernelDiagInputContract(plan, x1, new Float64Array(2)), {
    name: "TypeError",
    message: /g has 2 entries, but it must be n = 3/,
  });
  assert.throws(
    () => kernelDiagInputContract(plan, x1, [1, 2, 3] as unknown as Float64Array),
    TypeError,
  );
  // a malformed program is the core's error
  const bad = { ops: new Int32Array([1, 1, 5, 1, 0]), theta: new Float64Array([1]) };
  assert.throws(() => kernelInputContract(bad, x1, x2, g, 1), core.WasmCoreError);
});
