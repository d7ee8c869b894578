/**
 * The kernel matrix K(X, X) as an operator on the WebGPU device: products K·V and
 * gradient contractions, both matrix-free (see kernel_shaders.ts), with float64 in
 * and float64 out: values cross to the GPU as double-single pairs and come back the
 * same way.
 *
 * @module
 */

import type { KernelPlan } from "../kernel_plan.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import { DeviceLostError } from "../errors.ts";
import type { Inputs } from "../tensor.ts";
import type { GpuContext } from "./gpu_device.ts";
import {
  GRAD_RANKS,
  kernelGradShader,
  kernelMvmShader,
  MVM_COLUMNS,
  TILE,
} from "./kernel_shaders.ts";
import { foldDispatch, groupsFor } from "./dispatch.ts";
import { pipelineKey } from "./pipeline_cache.ts";

const STORAGE = 0x0080; // GPUBufferUsage.STORAGE
const COPY_DST = 0x0008;
const COPY_SRC = 0x0004;
const MAP_READ = 0x0001;
const UNIFORM = 0x0040;

/** Split float64 values into interleaved float32 (hi, lo) pairs. */
export function toDoubleSingle(values: ArrayLike<number>): Float32Array<ArrayBuffer> {
  const out = new Float32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const hi = Math.fround(values[i]);
    out[2 * i] = hi;
    out[2 * i + 1] = values[i] - hi;
  }
  return out;
}

/** Interleaved (hi, lo) pairs back to float64. */
export function fromDoubleSingle(
  pairs: Float32Array<ArrayBufferLike>,
  count = pairs.length / 2,
): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = pairs[2 * i] + pairs[2 * i + 1];
  return out;
}

/** K(X, X) on a WebGPU device. */
export class WebGpuKernelOperator implements KernelOperator {
  readonly n: number;
  readonly device: string;
  readonly #gpu: GpuContext;
  readonly #plan: KernelPlan;
  readonly #d: number;
  readonly #x: GPUBuffer;
  readonly #theta: GPUBuffer;
  #mvmCount = 0;

  /**
   * @param gpu the device
   * @param plan the kernel (its theta is read now)
   * @param x the training inputs
   */
  constructor(gpu: GpuContext, plan: KernelPlan, x: Inputs) {
    this.#gpu = gpu;
    this.#plan = plan;
    this.n = x.n;
    this.#d = x.d;
    this.device = gpu.describe();
    const dev = gpu.device;
    const xs = toDoubleSingle(x.data);
    this.#x = gpu.pool.acquire(xs.byteLength, STORAGE | COPY_DST);
    dev.queue.writeBuffer(this.#x, 0, xs);
    const th = Float32Array.from(plan.theta.length === 0 ? [0] : plan.theta);
    this.#theta = gpu.pool.acquire(th.byteLength, STORAGE | COPY_DST);
    dev.queue.writeBuffer(this.#theta, 0, th);
  }

  /** Number of MVM dispatch rounds so far. */
  get mvmCount(): number {
    return this.#mvmCount;
  }

  /**
   * The compiled pipeline, built asynchronously so that a shader that fails to compile
   * is an error here, not a pipeline that silently writes nothing.
   */
  #pipeline(kind: string, source: () => string): Promise<GPUComputePipeline> {
    const key = pipelineKey(kind, this.#plan.structureKey, this.#d);
    return this.#gpu.pipelines.get(key, () => {
      const module = this.#gpu.device.createShaderModule({ code: source(), label: key });
      return this.#gpu.device.createComputePipelineAsync({
        layout: "auto",
        compute: { module, entryPoint: "main" },
        label: key,
      }).catch((e: unknown) => {
        throw new Error(
          `WebGPU: the generated ${kind} shader for kernel structure ${key} did not compile ` +
            `(${e instanceof Error ? e.message : e}); this is a gpts bug, please report it — ` +
            `device: "wasm" computes the same kernel`,
        );
      });
    });
  }

  #check(): void {
    if (this.#gpu.lost !== null) {
      throw new DeviceLostError(this.#gpu.lost);
    }
  }

  /** Columns per call so that every binding fits the device. */
  #columnsPerCall(bytesPerColumn: number, t: number): number {
    const max = Math.floor(this.#gpu.info.maxStorageBufferBindingSize / bytesPerColumn);
    if (max < 1) {
      throw new RangeError(
        `WebGPU: one column of ${this.n} points needs ${bytesPerColumn} bytes, more than the ` +
          `device's maxStorageBufferBindingSize ${this.#gpu.info.maxStorageBufferBindingSize}; ` +
          `use device: "wasm"`,
      );
    }
    return Math.min(t, max);
  }

  async mvm(v: Float64Array, t: number): Promise<Float64Array> {
    this.#check();
    const n = this.n;
    const out = new Float64Array(n * t);
    const per = this.#columnsPerCall(n * 8, t);
    for (let c0 = 0; c0 < t; c0 += per) {
      const tc = Math.min(per, t - c0);
      const part = new Float64Array(n * tc);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < tc; c++) part[i * tc + c] = v[i * t + c0 + c];
      }
      const res = await this.#mvmChunk(part, tc);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < tc; c++) out[i * t + c0 + c] = res[i * tc + c];
      }
    }
    return out;
  }

  async #mvmChunk(v: Float64Array, t: number): Promise<Float64Array> {
    const n = this.n, gpu = this.#gpu, dev = gpu.device;
    const pipeline = await this.#pipeline("mvm", () => kernelMvmShader(this.#plan.ops, this.#d));
    const vs = toDoubleSingle(v);
    const bytes = n * t * 8;
    const vBuf = gpu.pool.acquire(bytes, STORAGE | COPY_DST);
    const oBuf = gpu.pool.acquire(bytes, STORAGE | COPY_SRC);
    const read = gpu.pool.acquire(bytes, MAP_READ | COPY_DST);
    const uBuf = gpu.pool.acquire(16, UNIFORM | COPY_DST);
    dev.queue.writeBuffer(vBuf, 0, vs);
    const fold = foldDispatch(groupsFor(n, TILE), gpu.info.maxComputeWorkgroupsPerDimension);
    dev.queue.writeBuffer(uBuf, 0, uniforms(n, t, fold.x));
    const bind = dev.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uBuf, size: 16 } },
        { binding: 1, resource: { buffer: this.#theta } },
        { binding: 2, resource: { buffer: this.#x } },
        { binding: 3, resource: { buffer: vBuf, size: bytes } },
        { binding: 4, resource: { buffer: oBuf, size: bytes } },
      ],
    });
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(fold.x, fold.y, groupsFor(t, MVM_COLUMNS));
    pass.end();
    enc.copyBufferToBuffer(oBuf, 0, read, 0, bytes);
    dev.queue.submit([enc.finish()]);
    await read.mapAsync(1, /* GPUMapMode.READ */ 0, bytes);
    const result = fromDoubleSingle(new Float32Array(read.getMappedRange(0, bytes).slice(0)));
    read.unmap();
    this.#mvmCount++;
    gpu.pool.release(vBuf, oBuf, read, uBuf);
    this.#check();
    return result;
  }

  async gradContract(
    u: Float64Array,
    w: Float64Array,
    r: number,
    perRank: boolean,
  ): Promise<Float64Array> {
    this.#check();
    const n = this.n, gpu = this.#gpu, dev = gpu.device;
    const nTheta = this.#plan.theta.length;
    const outCols = perRank ? r : 1;
    const total = new Float64Array(outCols * nTheta);
    if (r === 0 || nTheta === 0) return total;
    const pipeline = await this.#pipeline(
      perRank ? "grad-per-rank" : "grad",
      () => kernelGradShader(this.#plan.ops, this.#d, nTheta, perRank),
    );
    const inBytes = n * r * 4;
    const slices = groupsFor(r, GRAD_RANKS);
    const perSlice = perRank ? GRAD_RANKS : 1;
    const outBytes = slices * n * perSlice * nTheta * 8;
    const uBufIn = gpu.pool.acquire(inBytes, STORAGE | COPY_DST);
    const wBufIn = gpu.pool.acquire(inBytes, STORAGE | COPY_DST);
    const oBuf = gpu.pool.acquire(outBytes, STORAGE | COPY_SRC);
    const read = gpu.pool.acquire(outBytes, MAP_READ | COPY_DST);
    const uni = gpu.pool.acquire(16, UNIFORM | COPY_DST);
    dev.queue.writeBuffer(uBufIn, 0, Float32Array.from(u));
    dev.queue.writeBuffer(wBufIn, 0, Float32Array.from(w));
    const fold = foldDispatch(groupsFor(n, TILE), gpu.info.maxComputeWorkgroupsPerDimension);
    dev.queue.writeBuffer(uni, 0, uniforms(n, r, fold.x));
    const bind = dev.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uni, size: 16 } },
        { binding: 1, resource: { buffer: this.#theta } },
        { binding: 2, resource: { buffer: this.#x } },
        { binding: 3, resource: { buffer: uBufIn, size: inBytes } },
        { binding: 4, resource: { buffer: wBufIn, size: inBytes } },
        { binding: 5, resource: { buffer: oBuf, size: outBytes } },
      ],
    });
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(fold.x, fold.y, slices);
    pass.end();
    enc.copyBufferToBuffer(oBuf, 0, read, 0, outBytes);
    dev.queue.submit([enc.finish()]);
    await read.mapAsync(1, 0, outBytes);
    const pairs = new Float32Array(read.getMappedRange(0, outBytes).slice(0));
    read.unmap();
    gpu.pool.release(uBufIn, wBufIn, oBuf, read, uni);
    this.#check();
    // Layout: [slice][row][c][p] pairs; sum over rows in float64.
    for (let z = 0; z < slices; z++) {
      for (let i = 0; i < n; i++) {
        const base = ((z * n + i) * perSlice) * nTheta;
        for (let c = 0; c < perSlice; c++) {
          const col = perRank ? z * GRAD_RANKS + c : 0;
          if (col >= outCols) continue;
          for (let p = 0; p < nTheta; p++) {
            const k = (base + c * nTheta + p) * 2;
            total[col * nTheta + p] += pairs[k] + pairs[k + 1];
          }
        }
      }
    }
    return total;
  }

  /** Return the operator's buffers to the pool. */
  dispose(): void {
    this.#gpu.pool.release(this.#x, this.#theta);
  }
}

function uniforms(n: number, t: number, groupsX: number): ArrayBuffer {
  const buf = new ArrayBuffer(16);
  const u = new Uint32Array(buf);
  u[0] = n;
  u[1] = t;
  u[2] = groupsX;
  new Float32Array(buf)[3] = 1;
  return buf;
}
