// The WebGPU device's pure parts: generated kernel code against the WASM core's tiles,
// shader text and cache keys, dispatch folding, the buffer pool. No adapter needed.
import assert from "node:assert/strict";
import { assertClose } from "./_assert.ts";
import * as core from "../src/wasm/core.ts";
import { compositions, planFor } from "./_kernel_compositions.ts";
import { Generator } from "../src/random.ts";
import {
  kernelBody,
  kernelBodyAsFunction,
  UnsupportedKernelError,
} from "../src/webgpu/kernel_wgsl.ts";
import { kernelGradShader, kernelMvmShader } from "../src/webgpu/kernel_shaders.ts";
import { foldDispatch } from "../src/webgpu/dispatch.ts";
import { BufferPool, sizeClass } from "../src/webgpu/buffer_pool.ts";
import { PipelineCache, pipelineKey } from "../src/webgpu/pipeline_cache.ts";

for (const { name, build } of compositions()) {
  Deno.test(`kernelBody() for ${name} gives the WASM core's values and derivatives`, () => {
    const plan = planFor(build);
    const f = kernelBodyAsFunction(kernelBody(plan.ops, { derivatives: true }), plan.theta.length);
    const rng = new Generator(3);
    for (let trial = 0; trial < 20; trial++) {
      const a = rng.normals(2).map((v) => 0.3 * v), c = rng.normals(2).map((v) => 0.3 * v);
      const got = f(a, c, plan.theta);
      const pts = { data: Float64Array.of(...a, ...c), n: 2, d: 2 };
      const k = core.kernelMatrix(plan, pts, pts);
      assertClose(got[0], k[1], { rtol: 1e-13, atol: 1e-300, what: `${name} value` });
      // Σ G ∂K with G = [[0, ½], [½, 0]] is ∂k(a, c)/∂θ.
      const grad = core.kernelGradContract(plan, pts, Float64Array.of(0, 0.5, 0.5, 0));
      assertClose(got.subarray(1), grad, { rtol: 1e-12, atol: 1e-14, what: `${name} ∂k/∂θ` });
    }
  });
}

Deno.test("kernelBody() refuses an opcode without an emitter, naming it and the fix", () => {
  assert.throws(() => kernelBody(Int32Array.of(99), { derivatives: false }), (e: Error) => {
    assert.ok(e instanceof UnsupportedKernelError);
    assert.match(e.message, /opcode 99.*OPCODE_EMITTERS.*device: "wasm"/);
    return true;
  });
  assert.throws(() => kernelBody(Int32Array.of(3), { derivatives: false }), TypeError);
  assert.throws(() => kernelBody(Int32Array.of(1, 1, 0), { derivatives: false }), /truncated/);
});

Deno.test("generated shaders depend on the structure only, never on N or parameter values", () => {
  const a = planFor(compositions()[3].build), b = planFor(compositions()[3].build);
  b.theta[0] = 123;
  assert.equal(a.structureKey, b.structureKey);
  assert.equal(kernelMvmShader(a.ops, 2), kernelMvmShader(b.ops, 2));
  assert.equal(kernelGradShader(a.ops, 2, 4, true), kernelGradShader(b.ops, 2, 4, true));
  assert.equal(pipelineKey("mvm", a.structureKey, 2), pipelineKey("mvm", b.structureKey, 2));
  assert.notEqual(pipelineKey("mvm", a.structureKey, 2), pipelineKey("grad", a.structureKey, 2));
  const wgsl = kernelMvmShader(a.ops, 2);
  assert.match(wgsl, /two_sum/);
  assert.doesNotMatch(wgsl, /123/);
  assert.throws(() => kernelMvmShader(a.ops, 0), RangeError);
});

Deno.test("PipelineCache builds once per key", () => {
  const cache = new PipelineCache<number>();
  let builds = 0;
  for (let i = 0; i < 5; i++) cache.get("k", () => ++builds);
  cache.get("other", () => ++builds);
  assert.equal(builds, 2);
  assert.equal(cache.size, 2);
  cache.clear();
  assert.equal(cache.size, 0);
});

Deno.test("foldDispatch() folds row groups into two dimensions within the limit", () => {
  assert.deepEqual(foldDispatch(10, 65535), { x: 10, y: 1 });
  assert.deepEqual(foldDispatch(0, 65535), { x: 0, y: 0 });
  for (const [g, max] of [[70000, 65535], [45, 7], [65535 * 3 + 1, 65535]]) {
    const f = foldDispatch(g, max);
    assert.ok(f.x <= max && f.y <= max && f.x * f.y >= g, `${g} within ${max}: ${f.x}×${f.y}`);
  }
  assert.throws(() => foldDispatch(50, 7), RangeError);
  assert.throws(() => foldDispatch(1.5, 7), RangeError);
});

Deno.test("BufferPool reuses buffers only after the queue finished the work before release", async () => {
  let resolveDone: () => void = () => {};
  const created: Array<{ size: number; usage: number; destroyed: boolean }> = [];
  const device = {
    createBuffer(d: { size: number; usage: number }) {
      const b = {
        size: d.size,
        usage: d.usage,
        destroyed: false,
        destroy() {
          b.destroyed = true;
        },
      };
      created.push(b);
      return b;
    },
    queue: { onSubmittedWorkDone: () => new Promise<void>((r) => (resolveDone = r)) },
  };
  const pool = new BufferPool(device);
  assert.equal(sizeClass(1), 256);
  assert.equal(sizeClass(1025), 2048);
  const a = pool.acquire(1000, 1);
  const released = pool.release(a);
  // Not back yet: the queue has not finished.
  const b = pool.acquire(1000, 1);
  assert.notEqual(a, b);
  resolveDone();
  await released;
  const c = pool.acquire(900, 1);
  assert.equal(c, a);
  assert.equal(pool.acquire(900, 2) === a, false); // other usage, other buffer
  assert.equal(pool.created, 3);
  assert.equal(pool.peakBytes, 3 * 1024);
  pool.release(c);
  resolveDone();
  await Promise.resolve();
});
