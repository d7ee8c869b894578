// Every kernel of the conformance table (tests/_kernel_cases.ts) on the WebGPU device:
// the generated kernel code against the WASM core (no adapter needed), then the
// shaders themselves on an adapter (K·V and the gradient contraction).
import { assertClose } from "./_assert.ts";
import { kernelCases } from "./_kernel_cases.ts";
import * as core from "../src/wasm/core.ts";
import { Generator } from "../src/random.ts";
import { toInputs } from "../src/tensor.ts";
import { kernelBody, kernelBodyAsFunction } from "../src/webgpu/kernel_wgsl.ts";
import { acquireGpu } from "../src/webgpu/gpu_device.ts";
import { WebGpuKernelOperator } from "../src/webgpu/webgpu_kernel_operator.ts";
import { WasmKernelOperator } from "../src/wasm/wasm_kernel_operator.ts";

function points(rng: Generator, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 2 * rng.uniform() - 1));
}

for (const c of kernelCases) {
  Deno.test(`generated kernel code for ${c.name} gives the WASM core's values and derivatives`, () => {
    const plan = c.make().plan(c.d);
    const f = kernelBodyAsFunction(kernelBody(plan.ops, { derivatives: true }), plan.theta.length);
    const rng = new Generator(11);
    for (let trial = 0; trial < 20; trial++) {
      const [a, b] = points(rng, 2, c.d);
      const got = f(a, b, plan.theta);
      const pts = toInputs([a, b], "x");
      const k = core.kernelMatrix(plan, pts, pts);
      assertClose(got[0], k[1], { rtol: 1e-12, atol: 1e-14, what: `${c.name} value` });
      // Σ G ∂K with G = [[0, ½], [½, 0]] is ∂k(a, b)/∂θ.
      const grad = core.kernelGradContract(plan, pts, Float64Array.of(0, 0.5, 0.5, 0));
      let scale = 0;
      for (const g of grad) scale = Math.max(scale, Math.abs(g));
      assertClose(got.subarray(1), grad, {
        rtol: 1e-10,
        atol: 1e-12 * Math.max(1, scale),
        what: `${c.name} ∂k/∂θ`,
      });
    }
  });
}

const gpu = await acquireGpu();
const noAdapter = gpu === null;

for (const c of kernelCases) {
  Deno.test({
    name: `WebGPU K·V and gradient contraction for ${c.name} match the WASM core${
      noAdapter ? " (SKIPPED: no WebGPU adapter)" : ""
    }`,
    ignore: noAdapter,
    fn: async () => {
      const plan = c.make().plan(c.d);
      const rng = new Generator(13);
      const n = 200, t = 5, r = 2;
      const x = toInputs(points(rng, n, c.d), "x");
      const v = rng.normals(n * t);
      const wasm = new WasmKernelOperator(plan, x);
      const webgpu = new WebGpuKernelOperator(gpu!, plan, x);
      try {
        const a = await wasm.mvm(v, t), b = await webgpu.mvm(v, t);
        let scale = 0;
        for (const e of a) scale = Math.max(scale, Math.abs(e));
        assertClose(b, a, { atol: 1e-5 * scale, what: `${c.name}: K·V` });
        const u = rng.normals(n * r), w = rng.normals(n * r);
        const ga = await wasm.gradContract(u, w, r, false);
        const gb = await webgpu.gradContract(u, w, r, false);
        let gs = 0;
        for (const e of ga) gs = Math.max(gs, Math.abs(e));
        assertClose(gb, ga, { atol: 1e-4 * gs, what: `${c.name}: Σ G ∂K/∂θ` });
      } finally {
        webgpu.dispose();
      }
    },
  });
}
