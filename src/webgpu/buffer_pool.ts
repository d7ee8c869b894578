/**
 * Pooled GPU buffers with deferred release: a released buffer goes back to the pool
 * only once the queue has finished the work submitted before the release, so a buffer
 * still read by a running dispatch is never handed out again. Sizes are rounded up to
 * powers of two (at least 256 bytes) so that repeated solves at one N reuse buffers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BufferPool, sizeClass } from "./buffer_pool.ts";
 * assert.equal(sizeClass(1000), 1024);
 * ```
 *
 * @module
 */

/** The part of a GPUDevice the pool needs (a fake one works in tests). */
export interface PoolDevice {
  createBuffer(descriptor: { size: number; usage: number; label?: string }): PoolBuffer;
  readonly queue: { onSubmittedWorkDone(): Promise<unknown> };
}

/** The part of a GPUBuffer the pool needs. */
export interface PoolBuffer {
  readonly size: number;
  readonly usage: number;
  destroy(): void;
}

/** The byte size a request of `bytes` is served with. */
export function sizeClass(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`sizeClass: bytes = ${bytes} must be a non-negative integer`);
  }
  let s = 256;
  while (s < bytes) s *= 2;
  return s;
}

/** A pool of buffers keyed by (size class, usage). */
export class BufferPool<B extends PoolBuffer = PoolBuffer> {
  readonly #device: PoolDevice;
  readonly #free = new Map<string, B[]>();
  #live = 0;
  #peak = 0;
  #created = 0;

  /** @param device the device buffers are created on */
  constructor(device: PoolDevice) {
    this.#device = device;
  }

  /** A buffer of at least `bytes` bytes with exactly `usage`. */
  acquire(bytes: number, usage: number): B {
    const size = sizeClass(bytes);
    const key = `${size}:${usage}`;
    const free = this.#free.get(key);
    const reused = free?.pop();
    if (reused !== undefined) return reused;
    const buffer = this.#device.createBuffer({ size, usage, label: `gpts pool ${key}` }) as B;
    this.#created++;
    this.#live += size;
    this.#peak = Math.max(this.#peak, this.#live);
    return buffer;
  }

  /**
   * Give buffers back. They return to the pool after the work submitted so far has
   * finished; the promise resolves then.
   */
  async release(...buffers: B[]): Promise<void> {
    await this.#device.queue.onSubmittedWorkDone();
    for (const b of buffers) {
      const key = `${b.size}:${b.usage}`;
      const list = this.#free.get(key) ?? [];
      list.push(b);
      this.#free.set(key, list);
    }
  }

  /** Destroy every pooled (free) buffer. */
  trim(): void {
    for (const list of this.#free.values()) {
      for (const b of list) {
        this.#live -= b.size;
        b.destroy();
      }
    }
    this.#free.clear();
  }

  /** Bytes in buffers created and not destroyed (in use or pooled). */
  get liveBytes(): number {
    return this.#live;
  }

  /** The largest {@link BufferPool.liveBytes} seen: the peak GPU memory of the pool. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** Buffers created so far (reuse keeps this flat). */
  get created(): number {
    return this.#created;
  }
}
