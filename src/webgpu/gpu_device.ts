/**
 * Acquiring Deno's WebGPU device once per process, with what was acquired reported
 * (adapter description, whether it is a software fallback, the limits that matter)
 * and device loss turned into one clear warning: every later call sees `lost` and the
 * engine falls back to the WASM device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireGpu } from "./gpu_device.ts";
 * const gpu = await acquireGpu();
 * assert.ok(gpu === null || typeof gpu.info.description === "string"); // null: no adapter
 * ```
 *
 * @module
 */

import { warn } from "../errors.ts";
import { BufferPool } from "./buffer_pool.ts";
import { PipelineCache } from "./pipeline_cache.ts";

/** What was acquired. */
export interface GpuInfo {
  /** The adapter's description (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"). */
  description: string;
  /** Vendor as the adapter reports it. */
  vendor: string;
  /** True for a software adapter (correct but slow: never picked for speed). */
  isFallbackAdapter: boolean;
  /** Largest storage binding in bytes. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer in bytes. */
  maxBufferSize: number;
  /** Largest workgroup count per dispatch dimension. */
  maxComputeWorkgroupsPerDimension: number;
  /** Workgroup memory in bytes. */
  maxComputeWorkgroupStorageSize: number;
}

/** A WebGPU device with its pool and pipeline cache. */
export class GpuContext {
  /** The device. */
  readonly device: GPUDevice;
  /** What was acquired. */
  readonly info: GpuInfo;
  /** Pooled buffers. */
  readonly pool: BufferPool<GPUBuffer>;
  /** Compiled pipelines by structure (promises: compilation errors surface on use). */
  readonly pipelines: PipelineCache<Promise<GPUComputePipeline>> = new PipelineCache();
  #lost: string | null = null;

  /** @param device the device @param info what was acquired */
  constructor(device: GPUDevice, info: GpuInfo) {
    this.device = device;
    this.info = info;
    this.pool = new BufferPool<GPUBuffer>(
      device as unknown as ConstructorParameters<
        typeof BufferPool
      >[0],
    );
  }

  /** Null while the device works; the reason once it was lost. */
  get lost(): string | null {
    return this.#lost;
  }

  /** Record a loss (called by the device's `lost` promise). */
  markLost(reason: string): void {
    if (this.#lost !== null) return;
    this.#lost = reason;
    this.pipelines.clear();
    warn(
      `the WebGPU device was lost (${reason}); gpts falls back to the WASM device for ` +
        `the rest of this process`,
    );
  }

  /** A human-readable line: adapter, fallback or not. */
  describe(): string {
    return `WebGPU: ${this.info.description}${
      this.info.isFallbackAdapter ? " (software fallback adapter: not a GPU)" : ""
    }`;
  }
}

let acquired: Promise<GpuContext | null> | null = null;

/**
 * The process's WebGPU device, or null when Deno has no WebGPU or no adapter.
 * Repeated calls share one device; after a loss a new one is requested.
 */
export function acquireGpu(): Promise<GpuContext | null> {
  if (acquired === null) {
    acquired = request().catch(() => null);
  }
  return acquired.then((ctx) => {
    if (ctx !== null && ctx.lost !== null) {
      acquired = null;
      return null;
    }
    return ctx;
  });
}

async function request(): Promise<GpuContext | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (gpu === undefined) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (adapter === null) return null;
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    },
  });
  const adapterInfo = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const fallback = adapterInfo.isFallbackAdapter ??
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const info: GpuInfo = {
    description: adapterInfo.description || adapterInfo.device || "unknown adapter",
    vendor: adapterInfo.vendor,
    isFallbackAdapter: fallback,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
  };
  const ctx = new GpuContext(device, info);
  device.lost.then((l) => ctx.markLost(`${l.reason}: ${l.message}`));
  return ctx;
}
